// The widget audited with axe-core in each state a person meets: empty, framed, with results,
// with the larger view open, and with an error. Any serious or critical violation fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import {
  startProxy, launchBrowser, paintedPhoto, openWithPicture, loadedResults,
} from './harness.mjs';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let browser;
let picture;
before(async () => {
  browser = await launchBrowser();
  picture = await paintedPhoto(browser);
});
after(async () => { await browser?.close(); });

/** axe-core's violations inside the widget, serious and critical ones, as readable lines. */
async function violations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run('.kling-expand', { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

test('no serious accessibility violation from an empty widget to its results and errors', async () => {
  const proxy = await startProxy();
  const failing = await startProxy(['--engine-fail', 'concurrency']);
  try {
    const empty = await browser.newPage();
    await empty.goto(proxy.url);
    await empty.getByLabel('Image', { exact: true }).waitFor();
    assert.deepEqual(await violations(empty), [], 'empty widget');

    const { page } = await openWithPicture(browser, proxy.url, picture);
    await page.getByRole('radio', { name: '16:9' }).check();
    assert.deepEqual(await violations(page), [], 'picture framed at 16:9');

    await page.getByRole('button', { name: 'Expand', exact: true }).click();
    await loadedResults(page);
    assert.deepEqual(await violations(page), [], 'results shown');

    await page.getByRole('button', { name: 'Result 1' }).click();
    await page.getByRole('dialog', { name: 'Result 1' }).waitFor();
    assert.deepEqual(await violations(page), [], 'larger view open');

    const refused = await openWithPicture(browser, failing.url, picture);
    await refused.page.getByRole('button', { name: 'Expand', exact: true }).click();
    await refused.page.getByRole('alert').waitFor();
    assert.deepEqual(await violations(refused.page), [], 'an error shown');
  } finally {
    await failing.stop();
    await proxy.stop();
  }
});
