// The widget audited with axe-core in each state a person meets: empty, framed, dragged, with
// hand-set sides and an invalid value, refused, with results and unfinished tasks, with the larger
// view open, with an error, and on a phone. A violation of any impact fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import {
  startProxy, paintPicture, openWithPicture, loadedResults, sharedJourneySetup,
} from './harness.mjs';

// Evaluated through the browser's debugging protocol: the page's CSP allows no inline script.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const shared = sharedJourneySetup();

/** axe-core's violations inside the widget, of any impact, as readable lines. */
async function violations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run('.kling-expand', { resultTypes: ['violations'] });
    return result.violations
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

test('no accessibility violation from an empty widget to its results and errors', async () => {
  const proxy = await startProxy();
  const failing = await startProxy(['--engine-fail', 'concurrency']);
  try {
    const empty = await shared.browser.newPage();
    await empty.goto(proxy.url);
    await empty.getByLabel('Image', { exact: true }).waitFor();
    assert.deepEqual(await violations(empty), [], 'empty widget');

    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    await page.getByRole('radio', { name: '16:9' }).check();
    assert.deepEqual(await violations(page), [], 'picture framed at 16:9');
    await page.getByRole('slider', { name: 'Picture position' }).press('ArrowLeft');
    assert.deepEqual(await violations(page), [], 'picture moved in its frame');
    // The side fields are valid as assistive technology reads them.
    for (const side of ['Top', 'Bottom', 'Left', 'Right']) {
      const field = page.getByLabel(side, { exact: true });
      assert.equal(await field.evaluate((input) => input.validity.valid), true, side);
      assert.equal(await field.getAttribute('aria-invalid'), 'false', side);
    }
    await page.getByLabel('Top', { exact: true }).fill('-3');
    await page.getByLabel('Top', { exact: true }).press('Tab');
    assert.deepEqual(await violations(page), [], 'an invalid side, marked and explained');
    await page.getByLabel('Top', { exact: true }).fill('60');
    await page.getByLabel('Top', { exact: true }).press('Tab');
    assert.deepEqual(await violations(page), [], 'hand-set sides');
    await page.getByRole('radio', { name: '16:9' }).check();

    await page.getByRole('button', { name: 'Expand', exact: true }).click();
    await loadedResults(page);
    assert.deepEqual(await violations(page), [], 'results shown');

    await page.getByRole('button', { name: 'Result 1' }).click();
    await page.getByRole('dialog', { name: 'Result 1' }).waitFor();
    assert.deepEqual(await violations(page), [], 'larger view open');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(await violations(page), [], 'on a phone');

    const tall = await shared.browser.newPage();
    await tall.goto(proxy.url);
    const portrait = await paintPicture(tall, { width: 540, height: 960 });
    await tall.getByLabel('Image', { exact: true }).setInputFiles({ name: 'tall.png', mimeType: 'image/png', buffer: portrait });
    await tall.getByRole('radio', { name: '21:9' }).check();
    await tall.getByRole('note').waitFor();
    assert.deepEqual(await violations(tall), [], 'a shape past Kling\'s limit, refused');

    const refused = await openWithPicture(shared.browser, failing.url, shared.picture);
    await refused.page.getByRole('button', { name: 'Expand', exact: true }).click();
    await refused.page.getByRole('alert').waitFor();
    assert.deepEqual(await violations(refused.page), [], 'an error shown');
  } finally {
    await failing.stop();
    await proxy.stop();
  }
});

test('no accessibility violation with a task cancelled and left unfinished', async () => {
  const proxy = await startProxy(['--engine-submitted', '20s']);
  try {
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    await page.getByRole('button', { name: 'Expand', exact: true }).click();
    await page.getByRole('status').getByText(/Submitted/).waitFor();
    assert.deepEqual(await violations(page), [], 'while a task runs');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Check again' }).waitFor();
    assert.deepEqual(await violations(page), [], 'cancelled, to check again');
  } finally {
    await proxy.stop();
  }
});
