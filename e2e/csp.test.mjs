// The widget under the strict Content-Security-Policy a host page may set (the proxy serves its
// page with it): a whole journey — load, frame, drag, expand, results, the larger view — reports
// no `securitypolicyviolation`, and what the styles place (the picture in its frame, the
// original's outline in the larger view) is where it belongs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  loadedResults, watchPageErrors, sharedJourneySetup,
} from './harness.mjs';

const STRICT = {
  'default-src': "'self'",
  'script-src': "'self' 'wasm-unsafe-eval'",
  'style-src': "'self'",
  'connect-src': "'self'",
};

const shared = sharedJourneySetup({ proxy: true });

const box = (locator) => locator.boundingBox();
const near = (a, b, tolerance = 2) => Math.abs(a - b) <= tolerance;

test('a whole journey under the strict policy reports no violation', async () => {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  // Listening from the very start, before any of the page's own code runs.
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
    });
  });
  const response = await page.goto(shared.proxy.url);
  const policy = Object.fromEntries(response.headers()['content-security-policy']
    .split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values.join(' ')]));
  for (const [name, value] of Object.entries(STRICT)) assert.equal(policy[name], value, name);
  assert.match(policy['img-src'], /^'self' blob: data:/);
  // No inline script in the page: the loader is a file of its own.
  const html = await response.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>\s*\S/, 'an inline script');
  assert.doesNotMatch(html, /\sstyle=/, 'a style attribute');

  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: shared.picture });
  await page.locator('.ke-picture-facts').getByText('640 × 480 px').waitFor();
  await page.getByRole('radio', { name: '16:9' }).check();
  await page.getByRole('radio', { name: 'Centre left' }).check();

  // The picture sits in its frame where the framing puts it: at the left edge, its full height.
  const frame = await box(page.locator('.ke-frame'));
  const original = await box(page.locator('.ke-original'));
  assert.ok(frame.width > 200 && near(frame.width / frame.height, 16 / 9, 0.02), JSON.stringify(frame));
  assert.ok(near(original.x, frame.x) && near(original.height, frame.height), JSON.stringify({ frame, original }));
  assert.ok(near(original.width / original.height, 640 / 480, 0.02), JSON.stringify(original));
  // The right edge's handle is on the frame's right edge.
  const right = await box(page.getByRole('slider', { name: 'Right edge' }));
  assert.ok(near(right.x + right.width / 2, frame.x + frame.width), JSON.stringify({ right, frame }));

  // A drag holds the preview still through styles set while the pointer moves.
  await page.mouse.move(right.x + right.width / 2, right.y + right.height / 2);
  await page.mouse.down();
  await page.mouse.move(right.x + right.width / 2 + 30, right.y + right.height / 2, { steps: 5 });
  const dragged = await box(page.locator('.ke-frame'));
  assert.ok(near(dragged.x, frame.x, 3) && dragged.width > frame.width + 20, JSON.stringify({ frame, dragged }));
  await page.mouse.up();
  // Moved by keyboard, the picture moves on screen.
  const grip = page.getByRole('slider', { name: 'Picture position' });
  await grip.focus();
  for (let i = 0; i < 5; i += 1) await grip.press('Shift+ArrowRight');
  const moved = await box(page.locator('.ke-original'));
  const now = await box(page.locator('.ke-frame'));
  assert.ok(moved.x > now.x + 5, JSON.stringify({ moved, now }));

  await page.getByRole('button', { name: 'Expand', exact: true }).click();
  const results = await loadedResults(page);
  assert.ok(results.length >= 1);
  await page.getByRole('button', { name: 'Result 1' }).click();
  const viewer = page.getByRole('dialog', { name: 'Result 1' });
  await viewer.waitFor();
  await viewer.getByRole('button', { name: 'Before/after' }).click();
  // The original's outline is drawn inside the larger picture, smaller than it.
  const outline = await box(page.locator('.ke-frame-outline'));
  const large = await box(viewer.getByRole('img'));
  assert.ok(outline && outline.width > 20 && outline.width < large.width - 10, JSON.stringify({ outline, large }));
  assert.ok(outline.x >= large.x - 1 && outline.x + outline.width <= large.x + large.width + 1);
  await page.keyboard.press('Escape');

  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'CSP violations');
  assert.deepEqual(errors.filter((e) => /Content Security Policy|Refused to/i.test(e)), []);
  assert.deepEqual(errors, []);
  await context.close();
});
