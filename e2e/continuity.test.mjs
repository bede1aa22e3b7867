// Work is not lost: a page reload, a dropped connection, or the host page removing the widget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startProxy, openWithPicture, readRatios, impliedSize, loadedResults, recordApiCalls, sharedJourneySetup,
} from './harness.mjs';

const shared = sharedJourneySetup();

const status = (page) => page.locator('.ke-status');

test('a reload while the task runs keeps the picture, the settings and the task, which then finishes', async () => {
  const proxy = await startProxy(['--engine-submitted', '1s', '--engine-processing', '3s']);
  try {
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    await page.getByRole('radio', { name: '3:2' }).check();
    await page.getByLabel('Prompt', { exact: true }).fill('morning fog');
    await page.getByLabel('Images', { exact: true }).fill('2');
    const ratios = await readRatios(page);
    await page.getByRole('button', { name: 'Expand', exact: true }).click();
    await status(page).getByText(/Submitted|Processing/).waitFor();

    await page.reload();
    await page.getByText('640 × 480 px').waitFor();
    assert.equal(await page.getByLabel('Prompt', { exact: true }).inputValue(), 'morning fog');
    assert.equal(await page.getByLabel('Images', { exact: true }).inputValue(), '2');
    assert.equal(await page.getByRole('radio', { name: '3:2' }).isChecked(), true);
    assert.deepEqual(await readRatios(page), ratios);
    const results = await loadedResults(page);
    assert.equal(results.length, 2);
    for (const result of results) {
      assert.deepEqual({ width: result.width, height: result.height }, impliedSize(640, 480, ratios));
    }

    // And the results themselves are still there after another reload.
    await page.reload();
    assert.equal((await loadedResults(page)).length, 2);
    assert.match(await status(page).innerText(), /Done in/);
  } finally {
    await proxy.stop();
  }
});

test('the proxy going away mid-task does not lose the task: polling carries on when it is back', async () => {
  let proxy = await startProxy(['--engine-submitted', '500ms', '--engine-processing', '4s']);
  const listen = new URL(proxy.url).host;
  try {
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    await page.getByRole('button', { name: 'Expand', exact: true }).click();
    await status(page).getByText(/Processing/).waitFor({ timeout: 10_000 });
    await proxy.stop({ keepData: true });
    await page.waitForTimeout(2500);
    assert.equal(await page.getByRole('alert').count(), 0, 'a dropped connection is not a failure');
    proxy = await startProxy(['--engine-submitted', '500ms', '--engine-processing', '4s'], {},
      { dataDir: proxy.dataDir, listen });
    const results = await loadedResults(page, 60_000);
    assert.equal(results.length, 1);
  } finally {
    await proxy.stop();
  }
});

test('removing the widget from the page stops its polling', async () => {
  const proxy = await startProxy(['--engine-submitted', '30s']);
  try {
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    const calls = recordApiCalls(page);
    const polls = () => calls.filter((c) => c.method === 'GET').length;
    await page.getByRole('button', { name: 'Expand', exact: true }).click();
    await status(page).getByText(/Submitted/).waitFor();
    await page.waitForFunction(() => true);
    while (polls() === 0) await page.waitForTimeout(200);
    await page.evaluate(() => document.querySelector('[data-kling-expand]').remove());
    const atRemoval = polls();
    await page.waitForTimeout(5000);
    assert.ok(polls() <= atRemoval + 1, `polls after removal: ${polls() - atRemoval}`);
  } finally {
    await proxy.stop();
  }
});
