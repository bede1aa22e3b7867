// The widget on a page that is not ours: examples/host/, a shop with its own layout and
// aggressive global CSS, embeds one widget by <kling-expand> and one by mount(), with different
// locales and themes, from the host bundle (dist/embed/) on a sub-path of its own site or from a
// second origin. Each widget hears only its own events, with the documented payloads;
// setOptions() moves the next task to another endpoint; destroy() and removing the element stop
// the polling (requests counted at the proxy).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { launchBrowser, paintedPhoto, startProxy, watchPageErrors } from './harness.mjs';
import { startShop } from './shop.mjs';

/** The API requests a proxy's access log shows, as "METHOD path". */
function apiRequests(proxy) {
  return [...proxy.stderr.matchAll(/method=(\w+) path=(\/api\/kling\/\S+)/g)].map((m) => `${m[1]} ${m[2]}`);
}
const creates = (proxy) => apiRequests(proxy).filter((r) => r.startsWith('POST ')).length;
const queries = (proxy) => apiRequests(proxy).filter((r) => r.startsWith('GET ')).length;

async function until(check, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

let browser;
let shop;
let api;
let slowApi;
let photo;

before(async () => {
  browser = await launchBrowser();
  shop = await startShop();
  const log = { KLING_PROXY_LOG: 'info' };
  // The API (and, for the second-origin page, the bundle too) on other origins than the shop's.
  api = await startProxy(['--allow-origin', shop.url], log);
  slowApi = await startProxy(['--allow-origin', shop.url, '--engine-processing', '30s'], log);
  photo = await paintedPhoto(browser);
});

after(async () => {
  await browser?.close();
  await shop?.stop();
  await api?.stop();
  await slowApi?.stop();
});

/** Opens the shop with `query`; resolves once its script has mounted the second widget. */
async function openShop(query) {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${shop.url}/?${new URLSearchParams(query)}`);
  await page.waitForFunction(() => window.shop?.ready);
  return { page, errors };
}

/** Chooses the photo in the widget inside `#id` and presses its Expand button. */
async function expandIn(page, id) {
  await page.locator(`#${id} input[type=file]`).setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: photo });
  await page.locator(`#${id} [id$="-expand"]`).click();
}

const eventsOf = (page, id) => page.evaluate((id) => structuredClone(window.shop.events[id]), id);
const succeeded = (page, id) =>
  page.waitForFunction((id) => window.shop.events[id].some((e) => e.type === 'kling-expand-succeeded'), id, { timeout: 30_000 });

test('two widgets on a page not ours each hear only their own events, with the documented payloads', async () => {
  const { page, errors } = await openShop({ api: `${api.url}/api/kling` });
  await expandIn(page, 'studio-widget');
  await expandIn(page, 'gallery-widget');
  await succeeded(page, 'studio-widget');
  await succeeded(page, 'gallery-widget');

  const tasks = {};
  for (const [id, count, aspect] of [['studio-widget', 1, 16 / 9], ['gallery-widget', 2, 9 / 16]]) {
    const events = await eventsOf(page, id);
    const types = events.map((e) => e.type);
    assert.equal(types[0], 'kling-expand-picture', types.join());
    assert.deepEqual(events[0].detail, { width: 640, height: 480, format: 'png', fixups: [] });
    const submitted = events.filter((e) => e.type === 'kling-expand-submitted');
    assert.equal(submitted.length, 1, types.join());
    const { taskId, externalTaskId } = submitted[0].detail;
    assert.ok(taskId && typeof taskId === 'string');
    assert.match(externalTaskId, /^ke-/);
    const progress = events.filter((e) => e.type === 'kling-expand-progress').map((e) => e.detail);
    assert.ok(progress.length >= 1, types.join());
    for (const [i, detail] of progress.entries()) {
      assert.deepEqual(Object.keys(detail).sort(), ['elapsedMs', 'status']);
      assert.ok(['submitted', 'processing'].includes(detail.status), detail.status);
      assert.ok(Number.isInteger(detail.elapsedMs) && detail.elapsedMs >= 0);
      if (i > 0) assert.ok(detail.elapsedMs >= progress[i - 1].elapsedMs);
    }
    const done = events.at(-1);
    assert.equal(done.type, 'kling-expand-succeeded', types.join());
    assert.equal(done.detail.taskId, taskId);
    assert.equal(done.detail.images.length, count);
    for (const image of done.detail.images) {
      assert.deepEqual(Object.keys(image).sort(), ['height', 'index', 'url', 'width']);
      assert.ok(image.url.startsWith(`${api.url}/`), image.url);
      // Sizes are null when the provider does not say them (the local engine does not); when
      // given, they have the shape each host asked for (16:9 by attribute, 9:16 by mount()).
      assert.ok((image.width === null) === (image.height === null));
      if (image.width !== null) assert.ok(Math.abs(image.width / image.height - aspect) < 0.02, `${image.width}×${image.height}`);
    }
    assert.ok(!types.includes('kling-expand-failed') && !types.includes('kling-expand-cancelled'));
    tasks[id] = taskId;
  }
  assert.notEqual(tasks['studio-widget'], tasks['gallery-widget']);
  // Neither widget's events name the other's task.
  const studio = JSON.stringify(await eventsOf(page, 'studio-widget'));
  assert.ok(!studio.includes(tasks['gallery-widget']));
  // on() listeners heard the same payloads as the element's listeners.
  assert.deepEqual(await eventsOf(page, 'heard'), await eventsOf(page, 'gallery-widget'));
  assert.deepEqual(errors, []);
  await page.close();
});

test('wrong options throw a TypeError naming them and change nothing; attributes update the widget; mounting twice makes one widget', async () => {
  const { page, errors } = await openShop({ api: `${api.url}/api/kling` });
  const thrown = await page.evaluate(() => {
    const attempt = (work) => { try { work(); return null; } catch (e) { return { name: e.name, message: e.message }; } };
    const { gallery, mount } = window.shop;
    return {
      aspect: attempt(() => gallery.setOptions({ aspect: '17', images: 3 })),
      images: attempt(() => gallery.setOptions({ images: 12 })),
      token: attempt(() => gallery.setOptions({ getToken: 'secret' })),
      unknown: attempt(() => mount(document.getElementById('gallery-widget'), { endpiont: '/api' })),
      dialect: attempt(() => gallery.setOptions({ dialect: 'openai' })),
      event: attempt(() => gallery.on('finished', () => {})),
    };
  });
  for (const [option, accepts] of [['aspect', '16:9'], ['images', 'from 1 to 9'], ['token', 'function'],
    ['unknown', 'endpoint'], ['dialect', 'modellix'], ['event', 'kling-expand-succeeded']]) {
    assert.equal(thrown[option]?.name, 'TypeError', option);
    assert.ok(thrown[option].message.includes(accepts), thrown[option].message);
  }
  assert.ok(thrown.aspect.message.includes('"aspect"') && thrown.aspect.message.includes('"17"'));
  assert.ok(thrown.unknown.message.includes('"endpiont"'));
  // Nothing changed: the gallery still asks for 2 images.
  assert.equal(await page.locator('#gallery-widget .ke-images input').inputValue(), '2');

  // Attributes are options: changing one updates the widget.
  await page.evaluate(() => {
    const studio = document.getElementById('studio-widget');
    studio.setAttribute('images', '3');
    studio.setAttribute('aspect', '1:1');
  });
  await until(async () => (await page.locator('#studio-widget .ke-images input').inputValue()) === '3', 'images = 3');
  assert.ok(await page.locator('#studio-widget').getByRole('radio', { name: '1:1', exact: true }).isChecked());
  // A wrong attribute cannot throw at anyone: the widget says it.
  await page.evaluate(() => document.getElementById('studio-widget').setAttribute('theme', 'blue'));
  await page.locator('#studio-widget [role=alert]').filter({ hasText: '"theme"' }).waitFor();

  // A framework that mounts, destroys and mounts again (React's StrictMode), or mounts twice,
  // gets one widget.
  const twice = await page.evaluate(async () => {
    const element = document.createElement('div');
    document.body.append(element);
    const first = window.shop.mount(element, { images: 4 });
    first.destroy();
    const second = window.shop.mount(element, { images: 4 });
    const third = window.shop.mount(element, { images: 5 });
    await new Promise((done) => setTimeout(done, 300));
    const count = element.querySelectorAll('.kling-expand').length;
    const images = element.querySelector('.ke-images input').value;
    third.destroy();
    await new Promise((done) => setTimeout(done, 100));
    return { same: second === third, count, images, left: element.childElementCount };
  });
  assert.deepEqual(twice, { same: true, count: 1, images: '5', left: 0 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('setOptions() sends the next task to the new endpoint; destroy() and removing the element stop the polling', async () => {
  const { page, errors } = await openShop({ api: `${api.url}/api/kling` });
  const createsBefore = creates(api);
  await page.evaluate((endpoint) => window.shop.gallery.setOptions({ endpoint }), `${slowApi.url}/api/kling`);
  await expandIn(page, 'gallery-widget');
  await until(() => creates(slowApi) === 1, 'the create at the new endpoint');
  await until(() => queries(slowApi) >= 2, 'two polls at the new endpoint');
  assert.equal(creates(api), createsBefore, 'nothing was sent to the old endpoint');
  const submitted = (await eventsOf(page, 'gallery-widget')).filter((e) => e.type === 'kling-expand-submitted');
  assert.equal(submitted.length, 1);

  await page.evaluate(() => window.shop.gallery.destroy());
  assert.equal(await page.locator('#gallery-widget').evaluate((e) => e.childElementCount), 0);
  await sleep(300);
  const afterDestroy = queries(slowApi);
  // The poll schedule would have asked at least twice more in this time (1 s × 1.5ⁿ).
  await sleep(7000);
  assert.equal(queries(slowApi), afterDestroy, 'no poll after destroy()');

  // The custom element: a new endpoint by attribute, then the element removed.
  await page.evaluate((endpoint) => document.getElementById('studio-widget').setAttribute('endpoint', endpoint), `${slowApi.url}/api/kling`);
  await expandIn(page, 'studio-widget');
  await until(() => creates(slowApi) === 2, 'the studio\'s create at the new endpoint');
  const polled = queries(slowApi);
  await until(() => queries(slowApi) >= polled + 2, 'two polls of the studio\'s task');
  await page.evaluate(() => document.getElementById('studio-widget').remove());
  await sleep(300);
  const afterRemoval = queries(slowApi);
  await sleep(7000);
  assert.equal(queries(slowApi), afterRemoval, 'no poll after the element was removed');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the host bundle from a second origin, imported twice, works and makes one widget per element', async () => {
  const { page, errors } = await openShop({
    api: `${api.url}/api/kling`,
    bundle: `${api.url}/embed/kling-expand.js`,
    twice: '1',
  });
  // The stylesheet beside the module was linked from the bundle's origin.
  const sheets = await page.evaluate(() => [...document.styleSheets].map((s) => s.href).filter(Boolean));
  assert.ok(sheets.includes(`${api.url}/embed/kling-expand.css`), sheets.join());
  assert.equal(await page.locator('#studio-widget .kling-expand').count(), 1);
  assert.equal(await page.locator('#gallery-widget .kling-expand').count(), 1);
  await expandIn(page, 'studio-widget');
  await succeeded(page, 'studio-widget');
  const done = (await eventsOf(page, 'studio-widget')).at(-1);
  assert.ok(done.detail.images[0].url.startsWith(`${api.url}/`));
  assert.deepEqual(errors, []);
  await page.close();
});

test('loaded before the page is parsed, the module mounts [data-kling-expand] once it is, and adds no widget of its own', async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.goto(`${shop.url}/early.html`);
  await page.locator('#late-widget input[type=file]').waitFor();
  assert.equal(await page.locator('.kling-expand').count(), 1);
  assert.ok(await page.evaluate(() => window.moduleRanEarly), 'the module ran while the page was still being parsed');
  assert.deepEqual(errors.filter((e) => !e.includes('404')), []);
  await page.close();
});

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

test('the shop under the strict policy: both widgets expand with no violation, the zh-CN one in Chinese, and axe finds nothing in either theme', async () => {
  const { page, errors } = await openShop({ api: `${api.url}/api/kling`, csp: api.url });
  const policy = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
  assert.match(policy ?? '', /script-src 'self' 'wasm-unsafe-eval'; style-src 'self'/);
  await page.evaluate(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  // The mount()ed widget speaks the zh-CN pack, fetched from beside the module; the other, English.
  const gallery = page.locator('#gallery-widget');
  await gallery.getByRole('button', { name: '扩展', exact: true }).waitFor();
  await page.locator('#studio-widget').getByRole('button', { name: 'Expand', exact: true }).waitFor();
  assert.equal(await gallery.locator('.kling-expand').getAttribute('lang'), 'zh-CN');
  await expandIn(page, 'studio-widget');
  await expandIn(page, 'gallery-widget');
  await succeeded(page, 'studio-widget');
  await succeeded(page, 'gallery-widget');
  await gallery.getByRole('list', { name: '结果' }).waitFor();
  await page.locator('#studio-widget img[src^="http"]').first().waitFor();
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  // The shop with both widgets, the light one and the dark one, after a whole journey.
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () =>
    (await window.axe.run(document, { resultTypes: ['violations'] })).violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`));
  assert.deepEqual(found, []);
  assert.deepEqual(errors, []);
  await page.close();
});
