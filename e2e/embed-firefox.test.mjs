// The shop of examples/host/ in headless Firefox (Debian's firefox-esr, driven by geckodriver
// through selenium-webdriver, since playwright-core cannot drive a stock Firefox): under the
// strict policy, the <kling-expand> widget and the mount()ed zh-CN one each expand a picture and
// hear only their own events; destroy() ends a widget.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, By } from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import { launchBrowser, paintedPhoto, startProxy } from './harness.mjs';
import { startShop } from './shop.mjs';

let driver;
let shop;
let api;
let photoPath;

before(async () => {
  // The picture, painted once (by Chromium, as in the other journeys) and chosen from a file.
  const painter = await launchBrowser();
  const photo = await paintedPhoto(painter);
  await painter.close();
  photoPath = join(mkdtempSync(join(tmpdir(), 'ke-firefox-')), 'harbour.png');
  writeFileSync(photoPath, photo);
  shop = await startShop();
  api = await startProxy(['--allow-origin', shop.url]);
  const options = new firefox.Options().addArguments('-headless');
  options.setBinary(process.env.FIREFOX ?? '/usr/bin/firefox-esr');
  driver = await new Builder()
    .forBrowser('firefox')
    .setFirefoxOptions(options)
    .setFirefoxService(new firefox.ServiceBuilder(process.env.GECKODRIVER ?? 'geckodriver'))
    .build();
});

after(async () => {
  await driver?.quit();
  await shop?.stop();
  await api?.stop();
});

const waitFor = (what, check, timeout = 30_000) => driver.wait(check, timeout, `timed out waiting for ${what}`);
const events = (id) => driver.executeScript((id) => JSON.parse(JSON.stringify(window.shop.events[id])), id);

test('Firefox: both widgets on the shop expand under the strict policy, each hearing only its own events; destroy() ends one', async () => {
  assert.match(await driver.executeScript(() => navigator.userAgent), /Firefox\//);
  await driver.get(`${shop.url}/?${new URLSearchParams({ api: `${api.url}/api/kling`, csp: api.url })}`);
  await waitFor('the shop to mount its widgets', () => driver.executeScript(() => window.shop?.ready === true));
  await driver.executeScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // The mount()ed widget speaks Chinese once its pack is in; the other one English.
  await waitFor('the zh-CN Expand button', async () =>
    (await driver.findElements(By.xpath('//*[@id="gallery-widget"]//button[normalize-space()="扩展"]'))).length === 1);
  assert.equal((await driver.findElements(By.xpath('//*[@id="studio-widget"]//button[normalize-space()="Expand"]'))).length, 1);

  for (const id of ['studio-widget', 'gallery-widget']) {
    await driver.findElement(By.css(`#${id} input[type=file]`)).sendKeys(photoPath);
    const expand = driver.findElement(By.css(`#${id} [id$="-expand"]`));
    await waitFor(`${id}: Expand enabled`, () => expand.isEnabled());
    await expand.click();
  }
  for (const id of ['studio-widget', 'gallery-widget']) {
    await waitFor(`${id}: succeeded`, async () => (await events(id)).some((e) => e.type === 'kling-expand-succeeded'));
  }
  const tasks = {};
  for (const [id, count] of [['studio-widget', 1], ['gallery-widget', 2]]) {
    const heard = await events(id);
    const types = heard.map((e) => e.type);
    assert.equal(types[0], 'kling-expand-picture', types.join());
    assert.deepEqual(heard[0].detail, { width: 640, height: 480, format: 'png', fixups: [] });
    const submitted = heard.filter((e) => e.type === 'kling-expand-submitted');
    assert.equal(submitted.length, 1, types.join());
    const done = heard.at(-1);
    assert.equal(done.type, 'kling-expand-succeeded', types.join());
    assert.equal(done.detail.taskId, submitted[0].detail.taskId);
    assert.equal(done.detail.images.length, count);
    for (const image of done.detail.images) assert.ok(image.url.startsWith(`${api.url}/`), image.url);
    tasks[id] = done.detail.taskId;
  }
  assert.notEqual(tasks['studio-widget'], tasks['gallery-widget']);
  assert.ok(!JSON.stringify(await events('studio-widget')).includes(tasks['gallery-widget']));
  // The results are on screen, and nothing broke the policy on the way.
  await waitFor('the results pictures', async () =>
    (await driver.findElements(By.css('#gallery-widget .kling-expand img[src^="http"]'))).length >= 2);
  assert.deepEqual(await driver.executeScript(() => window.violations), []);

  // destroy() takes the widget off the page.
  await driver.executeScript(() => window.shop.gallery.destroy());
  await waitFor('the gallery widget to leave', async () =>
    (await driver.findElements(By.css('#gallery-widget .kling-expand'))).length === 0);
});
