// Framing the expansion, end to end: what the person frames is what comes back from the engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startProxy, launchBrowser, paintedPhoto, paintPicture, openWithPicture, readRatios, readPixels,
  impliedSize, loadedResults, recordApiCalls,
} from './harness.mjs';

const WIDTH = 640;
const HEIGHT = 480;

let proxy;
let browser;
let picture;
before(async () => {
  proxy = await startProxy();
  browser = await launchBrowser();
  picture = await paintedPhoto(browser);
});
after(async () => {
  await browser?.close();
  await proxy?.stop();
});

/** A fresh page (its own browser context, so its own storage) with the picture chosen. */
const openWidget = () => openWithPicture(browser, proxy.url, picture);

const expandButton = (page) => page.getByRole('button', { name: 'Expand', exact: true });

/** Presses Expand and returns the first result's natural size. */
async function expandOnce(page) {
  await expandButton(page).click();
  const results = await loadedResults(page);
  assert.ok(results.length >= 1);
  return results[0];
}

const within = (actual, wanted, tolerance) => Math.abs(actual / wanted - 1) <= tolerance;

test('every preset comes back at the size its ratios imply, in its shape', async () => {
  const presets = [
    ['Original', WIDTH / HEIGHT], ['1:1', 1], ['4:3', 4 / 3], ['3:4', 3 / 4], ['3:2', 3 / 2],
    ['2:3', 2 / 3], ['16:9', 16 / 9], ['9:16', 9 / 16], ['21:9', 21 / 9], ['Custom', 5 / 4],
  ];
  for (const [name, aspect] of presets) {
    const { page, errors } = await openWidget();
    if (name === 'Custom') {
      // A typed value counts once the person leaves the field.
      await page.getByLabel('W', { exact: true }).fill('5');
      await page.getByLabel('H', { exact: true }).fill('4');
      await page.getByLabel('H', { exact: true }).press('Tab');
    } else {
      await page.getByRole('radio', { name, exact: true }).check();
    }
    assert.ok(await page.getByRole('radio', { name, exact: true }).isChecked(), name);
    // Every preset fits around this picture: nothing is refused, Expand can be pressed.
    assert.equal(await page.getByRole('note').isVisible(), false, name);
    await page.waitForFunction(() => !document.querySelector('.ke-primary').disabled, null, { timeout: 3000 })
      .catch(async () => assert.fail(`${name}: ${await page.locator('.ke-blockers').innerText()}`));
    const ratios = await readRatios(page);
    const result = await expandOnce(page);
    const expected = impliedSize(WIDTH, HEIGHT, ratios);
    assert.deepEqual({ width: result.width, height: result.height }, expected, name);
    assert.ok(
      within(result.width / result.height, aspect, 0.005),
      `${name}: ${result.width}×${result.height} is not ${aspect}`,
    );
    assert.deepEqual(errors, []);
    await page.close();
  }
});

test('anchored Centre left at 16:9, the result starts with the original\'s columns', async () => {
  const { page, errors } = await openWidget();
  assert.equal(await page.getByRole('radiogroup', { name: 'Aspect ratio' }).getByRole('radio').count(), 10);
  const anchors = page.getByRole('radiogroup', { name: 'Anchor' }).getByRole('radio');
  assert.deepEqual(
    await anchors.evaluateAll((radios) => radios.map((r) => r.getAttribute('aria-label'))),
    ['Top left', 'Top centre', 'Top right', 'Centre left', 'Centre', 'Centre right',
      'Bottom left', 'Bottom centre', 'Bottom right'],
  );
  await page.getByRole('radio', { name: '16:9' }).check();
  await page.getByRole('radio', { name: 'Centre left', exact: true }).check();
  const ratios = await readRatios(page);
  assert.equal(ratios.Left, 0);
  assert.ok(ratios.Right > 0, JSON.stringify(ratios));
  const result = await expandOnce(page);
  assert.deepEqual(
    { width: result.width, height: result.height },
    impliedSize(WIDTH, HEIGHT, ratios),
  );
  const top = Math.round(ratios.Top * HEIGHT);
  // Pixels of the result and of the original, read back through canvases in the page.
  const compared = await page.evaluate(async ({ width, height, top, original }) => {
    const read = async (blob) => {
      const bitmap = await createImageBitmap(blob, {
        colorSpaceConversion: 'none', premultiplyAlpha: 'none',
      });
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const g = canvas.getContext('2d');
      g.drawImage(bitmap, 0, 0);
      return g.getImageData(0, 0, bitmap.width, bitmap.height);
    };
    const bytes = Uint8Array.from(atob(original), (c) => c.charCodeAt(0));
    const source = await read(new Blob([bytes], { type: 'image/png' }));
    const url = document.querySelector('[aria-label="Results"] img').src;
    const result = await read(await (await fetch(url)).blob());
    const at = (image, x, y) => Array.from(image.data.slice((y * image.width + x) * 4, (y * image.width + x) * 4 + 4));
    const samples = [];
    for (const x of [0, 1, 7, 40, 160, 333, width - 2, width - 1]) {
      for (const y of [0, 5, 120, 240, height - 1]) {
        samples.push({ x, y, original: at(source, x, y), result: at(result, x, top + y) });
      }
    }
    return { samples, resultWidth: result.width };
  }, { width: WIDTH, height: HEIGHT, top, original: picture.toString('base64') });
  assert.equal(compared.resultWidth, result.width);
  for (const { x, y, original, result: got } of compared.samples) {
    assert.deepEqual(got, original, `pixel (${x}, ${y}) of the original at (${x}, ${top + y})`);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test('a number of pixels typed in Top makes the result taller by exactly that', async () => {
  const { page, errors } = await openWidget();
  const before = await readRatios(page);
  const top = page.getByLabel('Top', { exact: true });
  // Pixels: 168 px on a 480 px tall picture is 0.35 of its height.
  await top.fill('168');
  await top.press('Tab');
  const ratios = await readRatios(page);
  assert.equal(ratios.Top, 0.35);
  assert.equal(await top.evaluate((input) => input.validity.valid), true, 'a valid field');
  assert.deepEqual(
    { Bottom: ratios.Bottom, Left: ratios.Left, Right: ratios.Right },
    { Bottom: before.Bottom, Left: before.Left, Right: before.Right },
    'the other sides do not move',
  );
  assert.equal(await page.getByRole('radio', { name: 'Original' }).isChecked(), false, 'free mode');
  const result = await expandOnce(page);
  const withoutTop = HEIGHT + Math.round(ratios.Bottom * HEIGHT);
  assert.equal(result.height - withoutTop, Math.round(0.35 * HEIGHT));
  assert.equal(result.width, impliedSize(WIDTH, HEIGHT, ratios).width);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the Right edge handle moved with the keyboard sets the result width', async () => {
  const { page, errors } = await openWidget();
  const before = await readPixels(page);
  const handle = page.getByRole('slider', { name: 'Right edge' });
  await handle.focus();
  for (let i = 0; i < 7; i += 1) await handle.press('ArrowRight');
  const pixels = await readPixels(page);
  assert.equal(pixels.Right, before.Right + 7, 'a pixel a press');
  assert.equal(await handle.getAttribute('aria-valuenow'), String(pixels.Right));
  assert.deepEqual([pixels.Top, pixels.Bottom, pixels.Left], [before.Top, before.Bottom, before.Left]);
  const ratios = await readRatios(page);
  const result = await expandOnce(page);
  assert.deepEqual(
    { width: result.width, height: result.height },
    impliedSize(WIDTH, HEIGHT, ratios),
  );
  assert.deepEqual(errors, []);
  await page.close();
});

/** Presses the mouse on the middle of `locator` and moves it by (dx, dy) in `steps`; returns what
 * `during()` saw before the button is released. */
async function drag(page, locator, dx, dy, { steps = 6, during = async () => null, alt = false } = {}) {
  const box = await locator.boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  if (alt) await page.keyboard.down('Alt');
  await page.mouse.down();
  for (let i = 1; i <= steps; i += 1) await page.mouse.move(x + (dx * i) / steps, y + (dy * i) / steps);
  const seen = await during();
  await page.mouse.up();
  if (alt) await page.keyboard.up('Alt');
  return seen;
}

test('dragging the Bottom edge grows only the bottom, by the pixels the pointer moved', async () => {
  const { page, errors } = await openWidget();
  const before = await readPixels(page);
  const handle = page.getByRole('slider', { name: 'Bottom edge' });
  const shown = await page.locator('.ke-original').boundingBox();
  const scale = shown.width / WIDTH;
  await drag(page, handle, 18, 60);
  const pixels = await readPixels(page);
  // 60 screen px at the scale the drag started with: no re-zoom while dragging.
  assert.ok(Math.abs(pixels.Bottom - (before.Bottom + 60 / scale)) <= 1, `${pixels.Bottom} vs ${before.Bottom + 60 / scale}`);
  assert.deepEqual([pixels.Top, pixels.Left, pixels.Right], [before.Top, before.Left, before.Right]);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Bottom edge');
  const ratios = await readRatios(page);
  const result = await expandOnce(page);
  assert.deepEqual(
    { width: result.width, height: result.height },
    impliedSize(WIDTH, HEIGHT, ratios),
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('a dragged corner follows the pointer to the pixel, and Alt moves the opposite sides too', async () => {
  const { page, errors } = await openWidget();
  const corner = page.getByRole('slider', { name: 'Bottom right corner' });
  const start = await corner.boundingBox();
  const before = await readPixels(page);
  const scale = (await page.locator('.ke-original').boundingBox()).width / WIDTH;
  const seen = await drag(page, corner, 37, 23, { during: () => corner.boundingBox() });
  assert.ok(Math.abs(seen.x - start.x - 37) <= 1, `moved ${seen.x - start.x} for 37`);
  assert.ok(Math.abs(seen.y - start.y - 23) <= 1, `moved ${seen.y - start.y} for 23`);
  const after = await readPixels(page);
  assert.ok(Math.abs(after.Right - before.Right - 37 / scale) <= 1);
  assert.ok(Math.abs(after.Bottom - before.Bottom - 23 / scale) <= 1);
  assert.deepEqual([after.Top, after.Left], [before.Top, before.Left]);
  // With Alt: symmetric.
  const edge = page.getByRole('slider', { name: 'Left edge' });
  const scale2 = (await page.locator('.ke-original').boundingBox()).width / WIDTH;
  await drag(page, edge, -20, 0, { alt: true });
  const symmetric = await readPixels(page);
  const grown = symmetric.Left - after.Left;
  assert.ok(Math.abs(grown - 20 / scale2) <= 1, `left grew ${grown}`);
  assert.equal(symmetric.Right - after.Right, grown, 'the right grew as much');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the picture dragged inside its frame is placed there, and snaps to an anchor near one', async () => {
  const { page, errors } = await openWidget();
  await page.getByRole('radio', { name: '16:9' }).check();
  const calls = recordApiCalls(page);
  const picture = page.getByRole('slider', { name: 'Picture position' });
  const before = await readPixels(page);
  const room = before.Left + before.Right;
  const scale = (await page.locator('.ke-original').boundingBox()).width / WIDTH;
  // A quarter of the room to the right: placed in between, no anchor claimed.
  await drag(page, picture, (room / 4) * scale, 0);
  let pixels = await readPixels(page);
  assert.ok(Math.abs(pixels.Left - (before.Left + room / 4)) <= 2, JSON.stringify(pixels));
  assert.equal(pixels.Left + pixels.Right, room, 'the frame keeps its size');
  assert.equal(await page.getByRole('radio', { name: 'Centre', exact: true }).isChecked(), false);
  // Near the left edge: pulled onto "Centre left".
  await drag(page, picture, -(pixels.Left - 3) * scale, 0);
  pixels = await readPixels(page);
  assert.equal(pixels.Left, 0);
  assert.ok(await page.getByRole('radio', { name: 'Centre left' }).isChecked());
  assert.ok(await page.getByRole('radio', { name: '16:9' }).isChecked(), 'still 16:9');
  const ratios = await readRatios(page);
  await expandOnce(page);
  const body = JSON.parse(calls.find((c) => c.method === 'POST').body);
  assert.equal(body.left_expansion_ratio, 0);
  assert.equal(body.right_expansion_ratio, ratios.Right);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a preset sends exactly its shape around a landscape and a portrait photo', async () => {
  for (const [width, height, preset, wanted] of [[1800, 1200, '9:16', 9 / 16], [1800, 1200, '2:3', 2 / 3], [1200, 1800, '16:9', 16 / 9]]) {
    const page = await browser.newPage();
    await page.goto(proxy.url);
    const photo = await paintPicture(page, { width, height, type: 'image/jpeg' });
    const calls = recordApiCalls(page);
    await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.locator('.ke-picture-facts').getByText(`${width} × ${height} px`).waitFor();
    await page.getByRole('radio', { name: preset, exact: true }).check();
    assert.equal(await page.getByRole('note').isVisible(), false, `${preset} is not refused`);
    await expandButton(page).click();
    await page.getByRole('status').getByText(/Done in/).waitFor({ timeout: 30_000 });
    const body = JSON.parse(calls.find((c) => c.method === 'POST').body);
    const sent = { Top: body.up_expansion_ratio, Bottom: body.down_expansion_ratio, Left: body.left_expansion_ratio, Right: body.right_expansion_ratio };
    const canvas = impliedSize(width, height, sent);
    assert.ok(within(canvas.width / canvas.height, wanted, 0.001), `${preset} on ${width}×${height}: ${canvas.width}×${canvas.height}`);
    // The smallest such canvas: one dimension of the photo is not extended.
    assert.ok(canvas.width === width || canvas.height === height, JSON.stringify(canvas));
    await page.close();
  }
});

test('undo brings back hand-set sides after a preset, redo and reset too', async () => {
  const { page, errors } = await openWidget();
  for (const [side, px] of [['Top', '120'], ['Left', '8']]) {
    await page.getByLabel(side, { exact: true }).fill(px);
    await page.getByLabel(side, { exact: true }).press('Tab');
  }
  const handSet = await readPixels(page);
  assert.equal(handSet.Top, 120);
  // Two presses on "Canvas area" keep the shape the sides made, instead of resetting them.
  const area = page.getByLabel('Canvas area', { exact: true });
  await area.focus();
  await area.press('ArrowRight');
  await area.press('ArrowRight');
  const widened = await readPixels(page);
  assert.ok(widened.Top > widened.Bottom, 'still more room at the top');
  await page.getByRole('radio', { name: '1:1' }).check();
  await page.getByRole('button', { name: 'Undo framing' }).click();
  await page.getByRole('button', { name: 'Undo framing' }).click();
  await page.getByRole('button', { name: 'Undo framing' }).click();
  assert.deepEqual(await readPixels(page), handSet);
  await page.getByRole('button', { name: 'Redo framing' }).click();
  assert.notDeepEqual(await readPixels(page), handSet);
  await page.getByRole('button', { name: 'Reset framing' }).click();
  assert.ok(await page.getByRole('radio', { name: 'Original' }).isChecked());
  assert.deepEqual(errors, []);
  await page.close();
});
