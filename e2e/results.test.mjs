// What a person does after pressing Expand: watch, cancel, read errors, and use the results.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startProxy, launchBrowser, paintedPhoto, openWithPicture, readRatios, impliedSize, loadedResults,
  recordApiCalls,
} from './harness.mjs';

let browser;
let picture;
before(async () => {
  browser = await launchBrowser();
  picture = await paintedPhoto(browser);
});
after(async () => { await browser?.close(); });

const expandButton = (page) => page.getByRole('button', { name: 'Expand', exact: true });

test('prompt, images and watermark go into one create call with 4-decimal ratios and raw base64', async () => {
  const proxy = await startProxy();
  try {
    const { page, errors } = await openWithPicture(browser, proxy.url, picture);
    const calls = recordApiCalls(page);
    await page.getByRole('radio', { name: '16:9' }).check();
    await page.getByLabel('Prompt', { exact: true }).fill('a calm harbour at dusk');
    assert.equal(await page.getByText('22 / 2500').count(), 1, 'the live count');
    await page.getByLabel('Images', { exact: true }).fill('3');
    await page.getByLabel('Watermark', { exact: true }).check();
    await expandButton(page).click();
    await expandButton(page).click({ force: true, timeout: 1000 }).catch(() => {});
    const results = await loadedResults(page);
    assert.equal(results.length, 3);
    assert.deepEqual(results.map((r) => r.alt), ['Result 1', 'Result 2', 'Result 3']);

    const creates = calls.filter((c) => c.method === 'POST');
    assert.equal(creates.length, 1, 'a second press sends nothing');
    const body = JSON.parse(creates[0].body);
    assert.equal(body.prompt, 'a calm harbour at dusk');
    assert.equal(body.n, 3);
    assert.deepEqual(body.watermark_info, { enabled: true });
    assert.match(body.external_task_id, /^ke-/);
    assert.ok(!body.image.startsWith('data:'), 'raw base64, no data: prefix');
    assert.deepEqual(Buffer.from(body.image, 'base64'), picture, 'the picture itself');
    const ratios = await readRatios(page);
    for (const [field, side] of [['up_expansion_ratio', 'Top'], ['down_expansion_ratio', 'Bottom'],
      ['left_expansion_ratio', 'Left'], ['right_expansion_ratio', 'Right']]) {
      assert.equal(body[field], ratios[side]);
      assert.ok(Math.abs(body[field] * 1e4 - Math.round(body[field] * 1e4)) < 1e-6, `${field} has 4 decimals`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await proxy.stop();
  }
});

test('a result is viewed larger, outlined, downloaded, its link copied, and expanded again', async () => {
  const proxy = await startProxy();
  const context = await browser.newContext({ acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: proxy.url });
  try {
    const { page, errors } = await openWithPicture(context, proxy.url, picture);
    await page.getByRole('radio', { name: '1:1' }).check();
    const ratios = await readRatios(page);
    await expandButton(page).click();
    const [first] = await loadedResults(page);
    assert.deepEqual({ width: first.width, height: first.height }, impliedSize(640, 480, ratios));
    const item = page.getByRole('list', { name: 'Results' }).getByRole('listitem').first();

    await item.getByRole('button', { name: 'Result 1' }).click();
    const viewer = page.getByRole('dialog', { name: 'Result 1' });
    await viewer.waitFor();
    await viewer.getByRole('button', { name: 'Before/after' }).click();
    const outline = await page.locator('.ke-frame-outline').boundingBox();
    const large = await viewer.getByRole('img', { name: 'Result 1, larger' }).boundingBox();
    // The outline covers the original's share of the result: 640/width of it.
    assert.ok(Math.abs(outline.width / large.width - 640 / first.width) < 0.02, 'outline width');
    await viewer.getByRole('button', { name: 'Close' }).click();
    await viewer.waitFor({ state: 'hidden' });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: 'Download' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^expanded-.+-1\.png$/);
    const saved = readFileSync(await download.path());
    assert.deepEqual([...saved.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(''), 'PNG');

    await item.getByRole('button', { name: 'Copy link' }).click();
    await page.getByText('Link to result 1 copied.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    const src = await item.getByRole('img', { name: 'Result 1' }).getAttribute('src');
    assert.equal(copied, src);

    await item.getByRole('button', { name: 'Expand again' }).click();
    // The picture's facts line (not the output caption, which already showed this size).
    await page.locator('.ke-picture-facts').getByText(`${first.width} × ${first.height} px`).waitFor();
    const chained = await readRatios(page);
    await expandButton(page).click();
    await page.getByText(/Done in \d+ s/).waitFor({ timeout: 30_000 });
    const [second] = await loadedResults(page);
    assert.deepEqual({ width: second.width, height: second.height },
      impliedSize(first.width, first.height, chained));
    assert.ok(second.width * second.height > 3 * 640 * 480, 'chained past 3× the first picture');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await proxy.stop();
  }
});

test('Cancel stops polling and says the task may still finish upstream', async () => {
  const proxy = await startProxy(['--engine-submitted', '20s']);
  try {
    const { page } = await openWithPicture(browser, proxy.url, picture);
    const calls = recordApiCalls(page);
    await expandButton(page).click();
    await page.getByRole('status').getByText(/Submitted/).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.match(await page.getByRole('status').innerText(), /may still finish/);
    const polls = calls.filter((c) => c.method === 'GET').length;
    await page.waitForTimeout(4000);
    assert.equal(calls.filter((c) => c.method === 'GET').length, polls, 'no poll after Cancel');
    assert.equal(await expandButton(page).isEnabled(), true, 'ready to expand again');
  } finally {
    await proxy.stop();
  }
});

test('an upstream content-policy failure is said as such, and nothing the person entered is lost', async () => {
  const proxy = await startProxy(['--engine-fail', 'content-policy']);
  try {
    const { page } = await openWithPicture(browser, proxy.url, picture);
    await page.getByRole('radio', { name: '4:3' }).check();
    await page.getByLabel('Prompt', { exact: true }).fill('a lighthouse');
    const ratios = await readRatios(page);
    await expandButton(page).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    assert.match(await alert.innerText(), /failed/i);
    assert.match(await alert.innerText(), /content|policy|refused/i);
    assert.deepEqual(await readRatios(page), ratios);
    assert.equal(await page.getByLabel('Prompt', { exact: true }).inputValue(), 'a lighthouse');
    assert.equal(await page.getByRole('radio', { name: '4:3' }).isChecked(), true);
    assert.equal(await page.getByText('640 × 480 px').count(), 1, 'the picture is still chosen');
  } finally {
    await proxy.stop();
  }
});

test('a concurrency refusal is a retry-later error, not billing or policy, with Retry', async () => {
  const proxy = await startProxy(['--engine-fail', 'concurrency']);
  try {
    const { page } = await openWithPicture(browser, proxy.url, picture);
    await expandButton(page).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    assert.match(text, /concurren|too many|later/i);
    assert.doesNotMatch(text, /billing|content/i);
    assert.equal(await alert.getByRole('button', { name: 'Retry' }).count(), 1);
  } finally {
    await proxy.stop();
  }
});
