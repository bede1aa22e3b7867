// The first journey a person makes: choose a picture, pick 16:9, press Expand, get pictures back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startProxy, launchBrowser, paintPicture, readRatios, impliedSize, loadedResults, watchPageErrors,
} from './harness.mjs';

let proxy;
let browser;
before(async () => {
  proxy = await startProxy();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await proxy?.stop();
});

test('a PNG chosen through the "Image" input comes back expanded to 16:9', async () => {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.goto(proxy.url);
  const png = await paintPicture(page, { width: 640, height: 480 });

  await page.getByLabel('Image', { exact: true }).setInputFiles({
    name: 'harbour.png', mimeType: 'image/png', buffer: png,
  });
  await page.getByRole('radio', { name: '16:9' }).check();
  const ratios = await readRatios(page);
  assert.ok(ratios.Left > 0 && ratios.Right > 0, `16:9 widens a 4:3 picture: ${JSON.stringify(ratios)}`);

  await page.getByRole('button', { name: 'Expand', exact: true }).click();
  const results = await loadedResults(page);

  const expected = impliedSize(640, 480, ratios);
  assert.ok(results.length >= 1, 'at least one result');
  results.forEach((result, i) => {
    assert.equal(result.alt, `Result ${i + 1}`);
    assert.deepEqual({ width: result.width, height: result.height }, expected);
  });
  assert.match(await page.getByRole('status').innerText(), /Done in \d+ s/);
  assert.deepEqual(errors, []);
  await page.close();
});
