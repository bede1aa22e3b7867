// How a picture comes in (picker, drop, paste, address) and the fix-ups made before sending,
// each journey ending with what a person sees: expanded pictures of the right size, or a message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import {
  startProxy, launchBrowser, paintPicture, readRatios, impliedSize, loadedResults, watchPageErrors,
  recordApiCalls,
} from './harness.mjs';

const CREATE_PATH = '/api/kling/v1/images/editing/expand';

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

/**
 * A fresh page on the widget, with its errors and its API requests recorded. The bodies of create
 * calls are kept by the page itself (the browser does not hand multi-megabyte bodies to the
 * automation protocol): `sentBodies(page)` reads them.
 */
async function openWidget() {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  const apiCalls = recordApiCalls(page, '/api/kling/');
  await page.addInitScript((createPath) => {
    window.__createBodies = [];
    const fetch = window.fetch;
    window.fetch = async function keepCreateBodies(input, init) {
      const request = input instanceof Request ? input.clone() : new Request(input, init);
      if (request.method === 'POST' && new URL(request.url).pathname === createPath) {
        window.__createBodies.push(await request.text());
      }
      return fetch.call(this, input, init);
    };
  }, CREATE_PATH);
  await page.goto(proxy.url);
  return { page, errors, apiCalls };
}

/** The JSON bodies of the create calls the page sent. */
async function sentBodies(page) {
  return (await page.evaluate(() => window.__createBodies)).map((body) => JSON.parse(body));
}

/** Presses Expand and returns the result pictures' sizes once loaded. */
async function expandAndWait(page) {
  const expand = page.getByRole('button', { name: 'Expand', exact: true });
  await assert.doesNotReject(expand.click({ timeout: 10_000 }), 'Expand can be pressed');
  return loadedResults(page, 60_000);
}

function assertResultsAre(results, expected) {
  assert.ok(results.length >= 1, 'at least one result');
  results.forEach((result, i) => {
    assert.equal(result.alt, `Result ${i + 1}`);
    assert.deepEqual({ width: result.width, height: result.height }, expected);
  });
}

/** The hint under the picker: "name · W × H px · FORMAT · size". */
const hint = (page) => page.locator('.ke-picture-facts').innerText();

/** The applied fix-ups' texts, in order. */
const fixupsDone = (page) => page.locator('.ke-fixups-done li span').allInnerTexts();

/** Width and height from a JPEG's frame header, and whether it carries an Exif segment. */
function jpegFacts(bytes) {
  assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], 'a JPEG');
  let exif = false;
  for (let pos = 2; pos + 4 <= bytes.length;) {
    const marker = bytes[pos + 1];
    const len = bytes.readUInt16BE(pos + 2);
    if (marker === 0xe1 && bytes.subarray(pos + 4, pos + 8).toString('latin1') === 'Exif') exif = true;
    if (marker >= 0xc0 && marker <= 0xc2) {
      return { height: bytes.readUInt16BE(pos + 5), width: bytes.readUInt16BE(pos + 7), exif };
    }
    pos += 2 + len;
  }
  throw new Error('no frame header');
}

/** A JPEG with an APP1 Exif segment (orientation only) inserted after its APP0. */
function withOrientation(jpeg, orientation) {
  const tiff = Buffer.from([0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1,
    0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const segment = Buffer.concat([Buffer.from([0xff, 0xe1, 0, 0]), payload]);
  segment.writeUInt16BE(payload.length + 2, 2);
  const afterApp0 = jpeg[3] === 0xe0 ? 4 + jpeg.readUInt16BE(4) : 2;
  return Buffer.concat([jpeg.subarray(0, afterApp0), segment, jpeg.subarray(afterApp0)]);
}

/**
 * A photo-like picture (gradient sky, shapes, sensor-like noise) encoded at JPEG quality 1.0:
 * at 3000 × 2250 that is over 10 MB, as a camera's file can be.
 */
function bigPhoto(page, width, height) {
  return paintPicture(page, { width, height, type: 'image/jpeg', quality: 1, shapes: 60, noise: true });
}

/** Serves one file over loopback http, as a picture host would. */
async function servePicture(bytes, type) {
  const server = createServer((request, response) => {
    if (request.url !== '/picture') { response.writeHead(404).end(); return; }
    response.writeHead(200, { 'content-type': type, 'content-length': bytes.length }).end(bytes);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${server.address().port}/picture`,
    stop: () => new Promise((done) => server.close(done)),
  };
}

test('a JPEG chosen with the "Image" picker is sent as it is and expanded', async () => {
  const { page, errors } = await openWidget();
  const jpeg = await paintPicture(page, { width: 800, height: 600, type: 'image/jpeg' });
  await page.getByLabel('Image', { exact: true }).setInputFiles({
    name: 'harbour.jpg', mimeType: 'image/jpeg', buffer: jpeg,
  });
  await page.getByText('harbour.jpg · 800 × 600 px · JPEG').waitFor();
  assert.deepEqual(await fixupsDone(page), [], 'nothing to fix');
  const ratios = await readRatios(page);
  const results = await expandAndWait(page);
  assertResultsAre(results, impliedSize(800, 600, ratios));
  assert.equal((await sentBodies(page)).length, 1);
  assert.ok(Buffer.from((await sentBodies(page))[0].image, 'base64').equals(jpeg), 'the very bytes chosen are sent');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a picture dropped onto the widget is taken and expanded', async () => {
  const { page, errors } = await openWidget();
  const png = await paintPicture(page, { width: 640, height: 480 });
  const transfer = await page.evaluateHandle((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    return data;
  }, png.toString('base64'));
  // Onto the big empty preview, where a person drops a file.
  const area = page.locator('.ke-canvas-empty');
  await area.dispatchEvent('dragenter', { dataTransfer: transfer });
  await area.dispatchEvent('dragover', { dataTransfer: transfer });
  await area.dispatchEvent('drop', { dataTransfer: transfer });
  await page.getByText('dropped.png · 640 × 480 px · PNG').waitFor();
  const ratios = await readRatios(page);
  assertResultsAre(await expandAndWait(page), impliedSize(640, 480, ratios));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a picture pasted after clicking in the widget is taken and expanded', async () => {
  const { page, errors } = await openWidget();
  const png = await paintPicture(page, { width: 700, height: 500 });
  // A person clicks somewhere in the widget that is not a control, then presses Ctrl+V.
  // (The empty canvas itself is a control now: a click there chooses a file.)
  await page.locator('.ke-picture-facts').click();
  const focused = await page.evaluate(() => document.activeElement?.className);
  assert.match(focused, /kling-expand/, 'the widget holds the focus');
  // The browser fires the paste at the focused element; the clipboard holds an image file.
  await page.evaluate((base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', {
      clipboardData: data, bubbles: true, cancelable: true,
    }));
  }, png.toString('base64'));
  await page.getByText('image.png · 700 × 500 px · PNG').waitFor();
  const ratios = await readRatios(page);
  assertResultsAre(await expandAndWait(page), impliedSize(700, 500, ratios));
  assert.deepEqual(errors, []);
  await page.close();
});

test('a picture at an address is previewed from it and sent as the address', async () => {
  const { page, errors } = await openWidget();
  const png = await paintPicture(page, { width: 900, height: 600 });
  const host = await servePicture(png, 'image/png');
  try {
    const field = page.getByLabel('Image URL', { exact: true });
    await field.fill('javascript:alert(1)');
    await field.press('Enter');
    await page.getByText('The picture address starts with "javascript:"; only http:// and https://').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('.ke-original').count(), 0, 'nothing loaded');

    await field.fill(host.url);
    await field.press('Enter');
    await page.getByText('picture · 900 × 600 px').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'false');
    assert.equal(await page.locator('.ke-original').getAttribute('src'), host.url);
    const ratios = await readRatios(page);
    assertResultsAre(await expandAndWait(page), impliedSize(900, 600, ratios));
    assert.equal((await sentBodies(page))[0].image, host.url, 'the address is sent as it is');
  } finally {
    await host.stop();
  }
  assert.deepEqual(errors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED')), []);
  await page.close();
});

test('an address that does not load is refused with a message and nothing sent', async () => {
  const { page, apiCalls } = await openWidget();
  const field = page.getByLabel('Image URL', { exact: true });
  await field.fill('http://127.0.0.1:9/missing.png');
  await field.press('Enter');
  await page.getByText('The picture at this address did not load').waitFor();
  assert.equal(await page.locator('.ke-original').count(), 0, 'nothing framed');
  assert.ok(await page.getByRole('button', { name: 'Expand', exact: true }).isDisabled());
  assert.deepEqual(apiCalls, []);
  await page.close();
});

test('a WebP is converted to JPEG, said so, and the JPEG is what is sent', async () => {
  const { page, errors } = await openWidget();
  const webp = await paintPicture(page, { width: 1600, height: 1200, type: 'image/webp' });
  assert.equal(webp.subarray(8, 12).toString('latin1'), 'WEBP');
  await page.getByLabel('Image', { exact: true }).setInputFiles({
    name: 'garden.webp', mimeType: 'image/webp', buffer: webp,
  });
  await page.getByText('Converted WebP to JPEG').waitFor();
  assert.match(await hint(page), /garden\.webp · 1600 × 1200 px · JPEG/);
  const ratios = await readRatios(page);
  assertResultsAre(await expandAndWait(page), impliedSize(1600, 1200, ratios));
  const sent = Buffer.from((await sentBodies(page))[0].image, 'base64');
  assert.deepEqual(jpegFacts(sent), { width: 1600, height: 1200, exif: false });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a phone JPEG turned by EXIF orientation 6 is framed, sent and expanded upright', async () => {
  const { page, errors } = await openWidget();
  const stored = await paintPicture(page, { width: 640, height: 480, type: 'image/jpeg' });
  const turned = withOrientation(stored, 6);
  await page.getByLabel('Image', { exact: true }).setInputFiles({
    name: 'phone.jpg', mimeType: 'image/jpeg', buffer: turned,
  });
  await page.getByText('Turned upright from EXIF orientation 6').waitFor();
  assert.match(await hint(page), /phone\.jpg · 480 × 640 px · JPEG/);
  await page.getByRole('radio', { name: '1:1', exact: true }).check();
  const ratios = await readRatios(page);
  assert.ok(ratios.Left > 0 && ratios.Right > 0, `a square around a portrait widens it: ${JSON.stringify(ratios)}`);
  // The preview shows a portrait picture inside a square canvas.
  const shown = await page.locator('.ke-original').evaluate((img) => ({
    width: img.naturalWidth, height: img.naturalHeight,
  }));
  assert.deepEqual(shown, { width: 480, height: 640 });

  const expected = impliedSize(480, 640, ratios);
  assert.equal(expected.width, expected.height, 'a square canvas');
  assertResultsAre(await expandAndWait(page), expected);
  assert.deepEqual(jpegFacts(Buffer.from((await sentBodies(page))[0].image, 'base64')),
    { width: 480, height: 640, exif: false }, 'upright pixels, no orientation left to ignore');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a photo over 10 MB is re-encoded to fit, said so, and expanded', async () => {
  const { page, errors } = await openWidget();
  const photo = await bigPhoto(page, 3000, 2250);
  assert.ok(photo.length > 10 * 1024 * 1024, `the photo is ${photo.length} bytes`);
  await page.getByLabel('Image', { exact: true }).setInputFiles({
    name: 'camera.jpg', mimeType: 'image/jpeg', buffer: photo,
  });
  const note = page.locator('.ke-fixups-done li span').first();
  await note.waitFor({ timeout: 20_000 });
  const text = await note.innerText();
  const megabytes = (photo.length / 1024 / 1024).toFixed(1);
  assert.match(text, new RegExp(`^Re-encoded as JPEG: ${megabytes.replace('.', '\\.')} MB → \\d+\\.\\d MB$`));
  assert.match(await hint(page), /camera\.jpg · 3000 × 2250 px · JPEG/);
  const ratios = await readRatios(page);
  assertResultsAre(await expandAndWait(page), impliedSize(3000, 2250, ratios));
  const sent = Buffer.from((await sentBodies(page))[0].image, 'base64');
  assert.ok(sent.length <= 10 * 1024 * 1024, `sent ${sent.length} bytes`);
  assert.deepEqual(jpegFacts(sent), { width: 3000, height: 2250, exif: false });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a picture under 300 px is refused with what to do, and nothing is sent', async () => {
  const { page, apiCalls } = await openWidget();
  const tiny = await paintPicture(page, { width: 280, height: 420 });
  await page.getByLabel('Image', { exact: true }).setInputFiles({
    name: 'tiny.png', mimeType: 'image/png', buffer: tiny,
  });
  const alert = page.getByRole('alert');
  await alert.waitFor();
  const message = await alert.innerText();
  assert.match(message, /tiny\.png/);
  assert.match(message, /280 × 420 px; Kling needs at least 300 px on each side/);
  assert.equal(await page.locator('.ke-original').count(), 0, 'nothing framed');
  const expand = page.getByRole('button', { name: 'Expand', exact: true });
  assert.ok(await expand.isDisabled());
  await expand.click({ force: true, timeout: 1_000 }).catch(() => {});
  await page.waitForTimeout(300);
  assert.deepEqual(apiCalls, [], 'no request reached the API');
  await page.close();
});
