// What a person does after pressing Expand: watch, cancel, read errors, and use the results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  startProxy, openWithPicture, readRatios, impliedSize, loadedResults, recordApiCalls, sharedJourneySetup,
} from './harness.mjs';

const shared = sharedJourneySetup();

const expandButton = (page) => page.getByRole('button', { name: 'Expand', exact: true });

test('prompt, images and watermark go into one create call with 4-decimal ratios and raw base64', async () => {
  const proxy = await startProxy();
  try {
    const { page, errors } = await openWithPicture(shared.browser, proxy.url, shared.picture);
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
    assert.deepEqual(Buffer.from(body.image, 'base64'), shared.picture, 'the picture itself');
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
  const context = await shared.browser.newContext({ acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: proxy.url });
  try {
    const { page, errors } = await openWithPicture(context, proxy.url, shared.picture);
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
    // Named after the source picture and the framing.
    assert.equal(download.suggestedFilename(), `harbour-1x1-${first.width}x${first.height}-1.png`);
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
    // As much room as Kling allows around the result.
    await page.getByLabel('Canvas area', { exact: true }).press('End');
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
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    const calls = recordApiCalls(page);
    await expandButton(page).click();
    await page.getByRole('status').getByText(/Submitted/).waitFor();
    // After Expand the focus is on Cancel, which the press has just shown.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel');
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.match(await page.getByRole('status').innerText(), /may still finish/);
    // The focus goes back to Expand, not to the page.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Expand');
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
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
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
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
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

test('two Expands keep both results with their framing; the viewer flips through them and downloads', async () => {
  const proxy = await startProxy();
  const context = await shared.browser.newContext({ acceptDownloads: true });
  try {
    const { page, errors } = await openWithPicture(context, proxy.url, shared.picture);
    await page.getByRole('radio', { name: '16:9' }).check();
    await expandButton(page).click();
    await loadedResults(page);
    // The first result gets the focus once it is there (the focus was left on Cancel).
    await page.waitForFunction(() => document.activeElement?.querySelector('img')?.alt === 'Result 1');
    await page.getByRole('radio', { name: '1:1' }).check();
    await page.getByLabel('Images', { exact: true }).fill('2');
    await expandButton(page).click();
    await page.getByRole('img', { name: 'Result 3' }).waitFor({ timeout: 30_000 });
    const shown = await loadedResults(page);
    assert.deepEqual(shown.map((r) => r.alt), ['Result 2', 'Result 3', 'Result 1'], 'the newest first');
    assert.deepEqual(shown.map((r) => r.width / r.height > 1.7), [false, false, true]);
    const captions = await page.locator('.ke-result-caption').allInnerTexts();
    assert.match(captions[2], /^Result 1 · 16:9 · 854 × 480 px · harbour\.png$/);
    assert.match(captions[0], /^Result 2 · 1:1 · 640 × 640 px · harbour\.png$/);
    // Each Download says which result it is.
    const described = await page.getByRole('button', { name: 'Download' }).first()
      .evaluate((b) => document.getElementById(b.getAttribute('aria-describedby')).textContent);
    assert.match(described, /^Result 2 · 1:1/);

    await page.getByRole('button', { name: 'Result 1', exact: true }).click();
    const viewer = page.getByRole('dialog', { name: 'Result 1' });
    await viewer.waitFor();
    assert.equal(await viewer.getByText('1 of 3').count(), 1);
    await viewer.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('dialog', { name: 'Result 2' }).getByText('2 of 3').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('dialog').getByRole('button', { name: 'Download' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'harbour-1x1-640x640-1.png');
    await page.getByRole('dialog').getByRole('button', { name: 'Previous' }).click();
    await page.getByRole('dialog', { name: 'Result 1' }).waitFor();
    await page.keyboard.press('Escape');

    // And all of it after a reload.
    await page.reload();
    assert.deepEqual((await loadedResults(page)).map((r) => r.alt), ['Result 2', 'Result 3', 'Result 1']);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await proxy.stop();
  }
});

test('a cancelled task stays listed and is collected once it has ended', async () => {
  const proxy = await startProxy(['--engine-submitted', '1500ms', '--engine-processing', '500ms']);
  try {
    const { page, errors } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    await expandButton(page).click();
    await page.getByRole('status').getByText(/Submitted/).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    const unfinished = page.getByRole('list', { name: 'Not finished' }).getByRole('listitem');
    await unfinished.waitFor();
    assert.match(await unfinished.innerText(), /Original · .* harbour\.png: not finished/);
    await page.waitForTimeout(3000);
    await unfinished.getByRole('button', { name: 'Check again' }).click();
    await page.getByText(/The task has finished: 1 more in Results/).waitFor();
    assert.equal((await loadedResults(page)).length, 1);
    assert.equal(await unfinished.count(), 0, 'no longer unfinished');
    assert.deepEqual(errors, []);
  } finally {
    await proxy.stop();
  }
});

test('keyboard only, from the file to a saved result', async () => {
  const proxy = await startProxy();
  const context = await shared.browser.newContext({ acceptDownloads: true });
  try {
    const page = await context.newPage();
    await page.goto(proxy.url);
    /** Presses Tab until the focus is on the control `name` (its text or accessible name). */
    const tabTo = async (name) => {
      for (let i = 0; i < 80; i += 1) {
        await page.keyboard.press('Tab');
        const here = await page.evaluate(() => {
          const e = document.activeElement;
          return e?.getAttribute('aria-label') || e?.labels?.[0]?.textContent?.trim() || e?.textContent?.trim();
        });
        if (here === name) return;
      }
      assert.fail(`Tab never reached ${name}`);
    };
    // Keys sent before the widget's first frame is painted can be dropped by the browser.
    await page.getByLabel('Image', { exact: true }).waitFor({ state: 'attached' });
    await page.evaluate(() => new Promise((painted) => requestAnimationFrame(() => requestAnimationFrame(painted))));
    await tabTo('Image');
    assert.equal(await page.evaluate(() => document.activeElement?.type), 'file', 'the focus is on the file input');
    // The file dialog is the system's: what it gives back is the person's choice. Space and
    // Enter both open it from the keyboard; Enter is pressed only if Space brought nothing
    // (a headless browser has been seen to miss one key on a loaded machine).
    const opened = (key, timeout) => Promise.all([page.waitForEvent('filechooser', { timeout }), page.keyboard.press(key)]);
    const [chooser] = await opened('Space', 10000).catch(() => opened('Enter', 20000));
    await chooser.setFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: shared.picture });
    await page.locator('.ke-picture-facts').getByText('640 × 480 px').waitFor();
    await tabTo('Original');
    // Arrow keys walk the presets: Original → 1:1 → 4:3 → 3:4 → 3:2 → 2:3 → 16:9.
    for (let i = 0; i < 6; i += 1) await page.keyboard.press('ArrowRight');
    assert.ok(await page.getByRole('radio', { name: '16:9' }).isChecked());
    await tabTo('Picture position');
    await page.keyboard.press('Shift+ArrowLeft');
    const ratios = await readRatios(page);
    assert.ok(ratios.Left < ratios.Right, 'moved left by keys');
    await tabTo('Expand');
    await page.keyboard.press('Enter');
    await loadedResults(page);
    // The focus waits on the new result.
    await page.waitForFunction(() => document.activeElement?.querySelector('img')?.alt === 'Result 1');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'Result 1' }).waitFor();
    await tabTo('Download');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(download.suggestedFilename(), 'harbour-16x9-854x480-1.png');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
  } finally {
    await context.close();
    await proxy.stop();
  }
});
