// Light and dark: from `data-theme` and, with `auto` (the default), from the visitor's
// prefers-color-scheme; axe-core finds no violation (contrast included) in either theme, from
// the empty widget to its results and an error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { startProxy, launchBrowser, paintedPhoto, paintPicture, loadedResults, watchPageErrors } from './harness.mjs';
import { hostPage } from './host-page.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let proxy;
let failing;
let browser;
let picture;
before(async () => {
  proxy = await startProxy();
  failing = await startProxy(['--engine-fail', 'concurrency']);
  browser = await launchBrowser();
  picture = await paintedPhoto(browser);
});
after(async () => {
  await browser?.close();
  await failing?.stop();
  await proxy?.stop();
});

async function violations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run('.kling-expand', { resultTypes: ['violations'] });
    return result.violations
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** The widget's background and text colours, as the browser computes them. */
const colours = (page) => page.locator('.kling-expand').evaluate((root) => {
  const style = getComputedStyle(root);
  return { background: style.backgroundColor, text: style.color, scheme: style.colorScheme };
});

/** Relative luminance of an `rgb(…)` colour, by WCAG's formula. */
function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

async function open(origin, { theme, scheme }) {
  const context = await browser.newContext({ colorScheme: scheme });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const url = theme ? await hostPage(page, origin, { attributes: `data-theme="${theme}"` }) : origin;
  await page.goto(url);
  await page.getByLabel('Image', { exact: true }).waitFor();
  return { context, page, errors };
}

for (const [theme, scheme, dark] of [
  ['light', 'dark', false],
  ['dark', 'light', true],
  [undefined, 'dark', true],
  [undefined, 'light', false],
]) {
  const name = `${theme ?? 'auto'} theme, visitor prefers ${scheme}`;
  test(`${name}: ${dark ? 'dark' : 'light'}, no accessibility violation`, async () => {
    const { context, page, errors } = await open(proxy.url, { theme, scheme });
    const { background, text, scheme: used } = await colours(page);
    assert.equal(luminance(background) < 0.1, dark, `${name}: background ${background}`);
    assert.equal(luminance(text) > 0.5, dark, `${name}: text ${text}`);
    assert.equal(used, dark ? 'dark' : 'light');
    assert.equal(await page.locator('.kling-expand').getAttribute('data-theme'), theme ?? 'auto');
    assert.deepEqual(await violations(page), [], `${name}: empty`);

    await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: picture });
    await page.locator('.ke-picture-facts').getByText('640 × 480 px').waitFor();
    await page.getByRole('radio', { name: '16:9' }).check();
    await page.getByLabel('Top', { exact: true }).fill('-3');
    await page.getByLabel('Top', { exact: true }).press('Tab');
    assert.deepEqual(await violations(page), [], `${name}: framed, an invalid side`);
    await page.getByRole('radio', { name: '16:9' }).check();
    await page.getByRole('button', { name: 'Expand', exact: true }).click();
    await loadedResults(page);
    assert.deepEqual(await violations(page), [], `${name}: results`);
    await page.getByRole('button', { name: 'Result 1' }).click();
    await page.getByRole('dialog', { name: 'Result 1' }).waitFor();
    assert.deepEqual(await violations(page), [], `${name}: larger view`);
    await page.keyboard.press('Escape');
    // A shape past Kling's limit: the note and its remedy.
    const portrait = await paintPicture(page, { width: 540, height: 960 });
    await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'tall.png', mimeType: 'image/png', buffer: portrait });
    await page.getByRole('radio', { name: '21:9' }).check();
    await page.getByRole('note').waitFor();
    assert.deepEqual(await violations(page), [], `${name}: a shape refused`);
    assert.deepEqual(errors, []);
    await context.close();

    const refused = await open(failing.url, { theme, scheme });
    await refused.page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: picture });
    await refused.page.locator('.ke-picture-facts').getByText('640 × 480 px').waitFor();
    await refused.page.getByRole('button', { name: 'Expand', exact: true }).click();
    await refused.page.getByRole('alert').waitFor();
    assert.deepEqual(await violations(refused.page), [], `${name}: an error`);
    await refused.context.close();
  });
}
