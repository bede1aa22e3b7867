// Framing the expansion, end to end: what the person frames is what comes back from the engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startProxy, launchBrowser, paintedPhoto, openWithPicture, readRatios, impliedSize, loadedResults,
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
    if (name === '9:16') {
      // A 9:16 canvas around a 4:3 picture needs more than the default 2.0× area.
      const note = page.getByRole('note');
      await note.waitFor();
      assert.match(await note.innerText(), /needs at least ×2\.38/);
      assert.ok(await expandButton(page).isDisabled(), 'only Expand is disabled');
      assert.ok(await page.getByRole('radio', { name: '9:16' }).isChecked(), 'the choice is kept');
      await page.getByRole('button', { name: 'Use 2.38× instead' }).click();
      await note.waitFor({ state: 'hidden' });
    }
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

test('a value typed in Top makes the result taller by exactly round(top × height)', async () => {
  const { page, errors } = await openWidget();
  const before = await readRatios(page);
  const top = page.getByLabel('Top', { exact: true });
  await top.fill('0.35');
  await top.press('Tab');
  const ratios = await readRatios(page);
  assert.equal(ratios.Top, 0.35);
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
  const before = await readRatios(page);
  const handle = page.getByRole('slider', { name: 'Right edge' });
  await handle.focus();
  for (let i = 0; i < 7; i += 1) await handle.press('ArrowRight');
  const ratios = await readRatios(page);
  assert.equal(ratios.Right, Number((before.Right + 0.07).toFixed(4)));
  assert.equal(await handle.getAttribute('aria-valuenow'), ratios.Right.toFixed(4));
  assert.deepEqual([ratios.Top, ratios.Bottom, ratios.Left], [before.Top, before.Bottom, before.Left]);
  const result = await expandOnce(page);
  assert.deepEqual(
    { width: result.width, height: result.height },
    impliedSize(WIDTH, HEIGHT, ratios),
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test('dragging the Bottom edge with the mouse grows only the bottom', async () => {
  const { page, errors } = await openWidget();
  const before = await readRatios(page);
  const handle = page.getByRole('slider', { name: 'Bottom edge' });
  const box = await handle.boundingBox();
  const picture = await page.locator('.ke-original').boundingBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  // In steps, and past the widget: the handle keeps the pointer (capture).
  for (let i = 1; i <= 6; i += 1) await page.mouse.move(x + 3 * i, y + 10 * i);
  await page.mouse.up();
  const ratios = await readRatios(page);
  // 60 px down on a picture shown `picture.height` px tall.
  const expected = before.Bottom + 60 / picture.height;
  assert.ok(Math.abs(ratios.Bottom - expected) < 0.002, `${ratios.Bottom} vs ${expected}`);
  assert.deepEqual([ratios.Top, ratios.Left, ratios.Right], [before.Top, before.Left, before.Right]);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Bottom edge');
  const result = await expandOnce(page);
  assert.deepEqual(
    { width: result.width, height: result.height },
    impliedSize(WIDTH, HEIGHT, ratios),
  );
  assert.deepEqual(errors, []);
  await page.close();
});
