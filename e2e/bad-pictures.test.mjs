// The corpus of bad pictures (made by scripts/bad-pictures.sh), each chosen in the widget as a
// person would: each gets a specific message, or the fix the widget offers, or is used as it
// is and expanded. None crashes, hangs or freezes the tab: each is timed from choosing it to
// what the person sees, with the longest main-thread task meanwhile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startProxy, launchBrowser, watchPageErrors, loadedResults } from './harness.mjs';

const root = resolve(import.meta.dirname, '..');
let corpus;
let proxy;
let browser;
const timings = [];

before(async () => {
  corpus = mkdtempSync(join(tmpdir(), 'kling-expand-bad-pictures-'));
  const made = spawnSync('bash', [join(root, 'scripts', 'bad-pictures.sh'), corpus], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  proxy = await startProxy();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await proxy?.stop();
  rmSync(corpus, { recursive: true, force: true });
  console.log('bad pictures, chosen → what the person sees (longest main-thread task):');
  for (const { file, ms, longest } of timings) console.log(`  ${file}: ${ms} ms (${longest} ms)`);
});

// What the browser reports as the file's type, from its name, as a file picker does.
const TYPES = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', heic: 'image/heic' };

// What each picture gets: an alert with this text, a fix offered or made, or use as it is.
const EXPECTED = [
  ['empty.png', { alert: /The file is empty \(0 bytes\)/ }],
  ['truncated.png', { alert: /The PNG file ends after [\d,]+ bytes, before the end of its picture data/ }],
  ['truncated.jpg', { alert: /The JPEG file ends after [\d,]+ bytes, before the end of its picture data/ }],
  ['png-named.jpg', { used: '480 × 360 px · PNG' }],
  ['declares-100000x100000.png', { alert: /declares 100,000 × 100,000 px \(10,000 megapixels\)/ }],
  ['one-pixel.png', { alert: /1 × 1 px; Kling needs at least 300 px on each side/ }],
  ['299x300.png', { alert: /299 × 300 px; Kling needs at least 300 px on each side\. Enlarge it to at least 300 × 302 px/ }],
  ['wide-2.6.png', { offered: /2\.6:1; Kling accepts shapes from 1:2\.5/, button: /^Crop to / }],
  ['animated.gif', { made: /^Converted GIF to PNG/ }],
  ['cmyk.jpg', { used: '400 × 300 px · JPEG', expand: true }],
  ['16-bit.png', { used: '400 × 300 px · PNG', expand: true }],
  ['alpha.png', { used: '400 × 300 px · PNG', expand: true }],
  ['grayscale.png', { used: '400 × 300 px · PNG', expand: true }],
  ['drawing.svg', { alert: /This file is an SVG drawing, not a picture Kling can use/ }],
  ['notes.png', { alert: /This file is a text file, not a picture Kling can use/ }],
  ['photo.heic', { alert: /This browser cannot decode the HEIC picture/ }],
];

/** A fresh widget whose page records its long tasks (main-thread work over 50 ms). */
async function openWidget() {
  const page = await browser.newPage();
  const errors = watchPageErrors(page);
  await page.addInitScript(() => {
    window.__longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longest = Math.max(window.__longest, entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(proxy.url);
  return { page, errors };
}

for (const [file, expected] of EXPECTED) {
  test(`${file}: ${Object.keys(expected).join(', ')}`, async () => {
    const { page, errors } = await openWidget();
    const buffer = readFileSync(join(corpus, file));
    await page.evaluate(() => { window.__longest = 0; });
    const started = Date.now();
    await page.getByLabel('Image', { exact: true }).setInputFiles({
      name: file, mimeType: TYPES[file.split('.').pop()], buffer,
    });
    const alert = page.getByRole('alert');
    if (expected.alert) {
      await alert.waitFor({ timeout: 10_000 });
      const text = await alert.innerText();
      assert.match(text, new RegExp(`“${file.replace('.', '\\.')}” cannot be used`));
      assert.match(text, expected.alert);
      assert.equal(await page.locator('.ke-original').count(), 0, 'nothing framed');
      assert.ok(await page.getByRole('button', { name: 'Expand', exact: true }).isDisabled());
    } else if (expected.offered) {
      const item = page.locator('.ke-fixups-needed li').first();
      await item.waitFor({ timeout: 10_000 });
      assert.match(await item.locator('span').innerText(), expected.offered);
      assert.match(await item.getByRole('button').innerText(), expected.button);
      assert.equal(await alert.count(), 0);
    } else if (expected.made) {
      const done = page.locator('.ke-fixups-done li span').first();
      await done.waitFor({ timeout: 10_000 });
      assert.match(await done.innerText(), expected.made);
      assert.equal(await alert.count(), 0);
    } else {
      await page.locator('.ke-picture-facts').getByText(expected.used).waitFor({ timeout: 10_000 });
      assert.equal(await alert.count(), 0);
    }
    const ms = Date.now() - started;
    // The tab still answers at once: a frame is drawn within a second.
    const drawn = await Promise.race([
      page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(true)))),
      new Promise((done) => setTimeout(() => done(false), 1_000)),
    ]);
    assert.ok(drawn, 'the tab is not frozen');
    const longest = Math.round(await page.evaluate(() => window.__longest));
    timings.push({ file, ms, longest });
    if (expected.expand) {
      await page.getByRole('button', { name: 'Expand', exact: true }).click({ timeout: 10_000 });
      const results = await loadedResults(page, 60_000);
      assert.ok(results.length >= 1 && results[0].width > 400, JSON.stringify(results));
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}
