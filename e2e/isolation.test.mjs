// The widget on a host page with aggressive global CSS (a reset, `img { width: 100% }`,
// `button { all: unset }`, `input { display: block }`, `* { box-sizing: content-box }` and
// more): its layout, its handles and its buttons are as on a plain page; and its stylesheet
// changes nothing outside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  loadedResults, watchPageErrors, sharedJourneySetup,
} from './harness.mjs';
import { hostPage } from './host-page.mjs';

// What a host site's stylesheet may well say, all at once.
const HOSTILE_CSS = `
*, *::before, *::after { margin: 0; padding: 0; border: 0; font: inherit; vertical-align: baseline; }
* { box-sizing: content-box; }
html { line-height: 2; letter-spacing: .08em; text-transform: uppercase; text-align: center; color: #333; }
ul, ol { list-style: none; }
img { width: 100%; display: block; }
button { all: unset; }
input { display: block; width: 100%; }
label, span { display: block; }
div { position: relative; }
p { margin-bottom: 2rem; }
h2 { font-size: 3rem; }
fieldset { border: 3px solid red; }
`;

// Elements of the host page itself, outside the widget.
const HOST_MARKUP = `
<div id="host-stuff">
  <p id="host-p">The host's own paragraph</p>
  <button id="host-button" type="button">Host button</button>
  <input id="host-input" type="text">
  <img id="host-img" alt="host" src="data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==">
  <ul id="host-list"><li>one</li></ul>
</div>`;

const shared = sharedJourneySetup({ proxy: true });

/**
 * Opens the widget's page — with the host's stylesheet and elements when `hostile` — chooses
 * the picture, frames it at 16:9 on the left, and measures what a person sees.
 */
async function framedLayout(hostile) {
  const context = await shared.browser.newContext({ viewport: { width: 1200, height: 1000 } });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const url = hostile
    ? await hostPage(page, shared.proxy.url, {
      head: '<link rel="stylesheet" href="/hostile.css">',
      body: HOST_MARKUP,
      files: { '/hostile.css': { type: 'text/css', body: HOSTILE_CSS } },
    })
    : shared.proxy.url;
  await page.goto(url);
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: shared.picture });
  await page.locator('.ke-picture-facts').getByText('640 × 480 px').waitFor();
  await page.getByRole('radio', { name: '16:9' }).check();
  await page.getByRole('radio', { name: 'Centre left' }).check();
  const layout = await page.evaluate(() => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const frame = box(document.querySelector('.ke-frame'));
    // Positions relative to the frame: where a person sees them on the preview.
    const rel = (el) => {
      const b = box(el);
      return { cx: b.x + b.width / 2 - frame.x, cy: b.y + b.height / 2 - frame.y, width: b.width, height: b.height };
    };
    const handles = Object.fromEntries([...document.querySelectorAll('.kling-expand [role="slider"]')]
      .map((el) => [el.getAttribute('aria-label'), rel(el)]));
    const named = (name) => [...document.querySelectorAll('.kling-expand button')]
      .find((b) => b.textContent.trim() === name);
    const buttons = Object.fromEntries(['Expand', 'Undo framing', 'Reset framing', 'Load'].map((name) => {
      const el = named(name);
      const style = getComputedStyle(el);
      return [name, {
        width: el.offsetWidth, height: el.offsetHeight, display: style.display, cursor: style.cursor,
        background: style.backgroundColor, border: style.borderTopWidth,
      }];
    }));
    return {
      frame,
      original: rel(document.querySelector('.ke-original')),
      handles,
      buttons,
      chip: box(document.querySelector('.ke-chip span')),
      field: box(document.querySelector('.ke-ratio input')),
    };
  });
  return { context, page, errors, layout };
}

const near = (a, b, tolerance, what) => assert.ok(Math.abs(a - b) <= tolerance, `${what}: ${a} vs ${b}`);

test('aggressive host CSS does not move the handles, hide the buttons or resize the preview', async () => {
  const plain = await framedLayout(false);
  await plain.context.close();
  const { context, page, errors, layout } = await framedLayout(true);
  const want = plain.layout;

  // The preview: as big as on a plain page, in the frame's shape, the picture at its left.
  near(layout.frame.width, want.frame.width, 2, 'frame width');
  near(layout.frame.height, want.frame.height, 2, 'frame height');
  near(layout.frame.width / layout.frame.height, 16 / 9, 0.02, 'frame shape');
  for (const key of ['cx', 'cy', 'width', 'height']) near(layout.original[key], want.original[key], 2, `picture ${key}`);
  near(layout.original.height, layout.frame.height, 2, 'the picture fills the frame\'s height');
  // Every handle where it belongs: on its edge or corner of the frame.
  assert.equal(Object.keys(layout.handles).length, 9);
  for (const [name, at] of Object.entries(want.handles)) {
    const got = layout.handles[name];
    assert.ok(got, name);
    for (const key of ['cx', 'cy', 'width', 'height']) near(got[key], at[key], 2, `${name} ${key}`);
  }
  near(layout.handles['Right edge'].cx, layout.frame.width, 2, 'right edge on the frame\'s right');
  near(layout.handles['Bottom left corner'].cy, layout.frame.height, 2, 'corner at the bottom');
  // Buttons look like buttons and are as big as on a plain page.
  for (const [name, want_] of Object.entries(want.buttons)) {
    const got = layout.buttons[name];
    assert.equal(got.display, want_.display, `${name} display`);
    assert.equal(got.cursor, 'pointer', `${name} cursor`);
    assert.equal(got.background, want_.background, `${name} background`);
    assert.equal(got.border, want_.border, `${name} border`);
    near(got.width, want_.width, 2, `${name} width`);
    near(got.height, want_.height, 2, `${name} height`);
  }
  near(layout.chip.height, want.chip.height, 2, 'preset chip height');
  near(layout.field.width, want.field.width, 2, 'side field width');

  // And they work: a drag by keyboard, Expand, the results.
  await page.getByRole('slider', { name: 'Right edge' }).press('Shift+ArrowRight');
  await page.getByRole('button', { name: 'Expand', exact: true }).click();
  const results = await loadedResults(page);
  assert.ok(results.length >= 1);
  const thumb = await page.getByRole('button', { name: 'Result 1' }).boundingBox();
  assert.ok(thumb.width > 100 && thumb.width < 400, JSON.stringify(thumb));

  // The widget's stylesheet changes nothing outside it: the host's elements are styled the same
  // with it and without it.
  const outside = () => page.evaluate(() => {
    const props = ['display', 'width', 'height', 'margin-top', 'padding-top', 'border-top-width', 'color',
      'background-color', 'font-size', 'line-height', 'box-sizing', 'list-style-type', 'text-transform'];
    return [...document.querySelectorAll('#host-stuff, #host-stuff *')].map((el) => {
      const style = getComputedStyle(el);
      return `${el.id || el.tagName}: ${props.map((p) => style.getPropertyValue(p)).join(' ')}`;
    });
  });
  const withWidget = await outside();
  await page.evaluate(() => {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      if (/\/widget-[^/]*\.css$/.test(link.href)) link.disabled = true;
    }
  });
  assert.deepEqual(withWidget, await outside());
  assert.deepEqual(errors, []);
  await context.close();
});
