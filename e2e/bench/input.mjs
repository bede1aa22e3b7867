// Benchmarks of how a picture comes in, in headless Chromium against the real proxy (local
// engine) and the release build. Not part of the test suite; prints median and p90 per figure.
//
//   node e2e/bench/input.mjs [runs]
//
// 1. From a 10 MB JPEG being chosen in the "Image" input (its `change` event) to the preview
//    showing it and the four ratios being filled in; and, for context, to the browser having
//    decoded the preview.
// 2. Preparing the create call's body for a 10 MB picture: from the press on Expand to the page
//    calling `fetch` (the picture's base64 having been prepared in the background once the
//    preview showed), and, step by step, what preparing it from scratch costs.
import { startProxy, launchBrowser, paintInPage } from '../harness.mjs';

const runs = Number(process.argv[2] ?? 15);
const MAX_FILE_BYTES = 10 * 1024 * 1024;

function summary(name, values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  console.log(`${name.padEnd(58)} median ${at(0.5).toFixed(1).padStart(7)} ms   p90 ${at(0.9).toFixed(1).padStart(7)} ms   (n=${values.length})`);
}

const proxy = await startProxy();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    // Notes when the page calls fetch for a create call (the body is ready by then).
    window.__createCalls = [];
    const fetch = window.fetch;
    window.fetch = function timedFetch(input, init) {
      // Read the time first, and build nothing: a second Request around a 13 MB body would
      // add its own copy to what is measured.
      const now = performance.now();
      const method = input instanceof Request ? input.method : init?.method ?? 'GET';
      const url = input instanceof Request ? input.url : String(input);
      if (method === 'POST' && new URL(url, location.href).pathname.endsWith('/images/editing/expand')) {
        window.__createCalls.push(now);
      }
      return fetch.call(this, input, init);
    };
  });
  await page.goto(proxy.url);

  // A photo-like JPEG just under 10 MB (sensor-like noise over shapes, quality 1.0, as a camera
  // at its best setting writes), kept in the page. Its height is trimmed until it fits.
  const width = 3000;
  let height = 2250;
  const paint = () => paintInPage(page, { width, height, type: 'image/jpeg', quality: 1, shapes: 60, noise: true });
  let bytes = await paint();
  while (bytes > MAX_FILE_BYTES || bytes < MAX_FILE_BYTES * 0.95) {
    height = Math.floor(height * (MAX_FILE_BYTES * 0.975) / bytes);
    bytes = await paint();
  }
  await page.evaluate(() => { window.__photo = window.__painted; });
  const made = { bytes, quality: 1, width, height };
  console.log(`picture: ${made.width} × ${made.height} JPEG, ${(made.bytes / 1048576).toFixed(2)} MB (quality ${made.quality.toFixed(2)})`);

  // 1. Chosen → preview and ratios.
  const shown = [];
  const decoded = [];
  for (let run = 0; run < runs + 2; run += 1) {
    const timing = await page.evaluate(async (name) => {
      const input = document.querySelector('input[type=file]');
      const previous = document.querySelector('.ke-original')?.getAttribute('src');
      const ratioFields = () => [...document.querySelectorAll('.ke-ratios input')];
      const ready = () => {
        const img = document.querySelector('.ke-original');
        const src = img?.getAttribute('src');
        return src && src !== previous && src.startsWith('blob:')
          && ratioFields().length === 4 && ratioFields().every((f) => f.value !== '')
          && document.querySelector('.ke-picture-facts')?.textContent.includes(name);
      };
      const file = new File([window.__photo], name, { type: 'image/jpeg' });
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      // Ratio values are set as properties (no DOM mutation to observe): check after every
      // task the page runs, yielding through a message channel (no timer clamping).
      const channel = new MessageChannel();
      const nextTask = () => new Promise((resolve) => {
        channel.port1.onmessage = resolve;
        channel.port2.postMessage(0);
      });
      const start = performance.now();
      input.dispatchEvent(new Event('change', { bubbles: true }));
      while (!ready()) await nextTask();
      const shownAt = performance.now();
      await document.querySelector('.ke-original').decode();
      return { shown: shownAt - start, decoded: performance.now() - start };
    }, `photo-${run}.jpg`);
    if (run >= 2) { shown.push(timing.shown); decoded.push(timing.decoded); } // 2 warm-up runs
  }
  summary('10 MB JPEG chosen → preview and ratios shown', shown);
  summary('10 MB JPEG chosen → preview decoded by the browser', decoded);

  // 2. Expand pressed → create body ready (fetch called).
  const bodies = [];
  const expand = page.getByRole('button', { name: 'Expand', exact: true });
  for (let run = 0; run < Math.min(runs, 8) + 1; run += 1) {
    await expand.waitFor();
    await page.waitForFunction(() => {
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Expand');
      return button && !button.disabled;
    });
    const took = await page.evaluate(async () => {
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Expand');
      const before = window.__createCalls.length;
      const start = performance.now();
      button.click();
      while (window.__createCalls.length === before) await new Promise((r) => setTimeout(r, 0));
      return window.__createCalls[before] - start;
    });
    if (run >= 1) bodies.push(took);
    // Let the task finish before the next press.
    await page.locator('[aria-label="Results"] img').first().waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: 120_000 });
  }
  summary('10 MB JPEG: Expand pressed → body ready (fetch called)', bodies);

  // For the breakdown: the browser's own steps on that path, without the widget around them.
  // glue.js prepare_base64 runs once per picture, in the background after the preview shows:
  // read, base64, ASCII bytes. On Expand, json_body joins the JSON around those bytes, and
  // gloo-net builds the Request.
  const parts = await page.evaluate(async (n) => {
    const read = []; const encode = []; const ascii = []; const prepared = []; const join = []; const request = [];
    const head = new TextEncoder().encode('{"image":"');
    const tail = new TextEncoder().encode('","n":1,"up_expansion_ratio":0.2}');
    for (let i = 0; i < n; i += 1) {
      const t0 = performance.now();
      const bytes = new Uint8Array(await window.__photo.arrayBuffer());
      const t1 = performance.now();
      const base64 = bytes.toBase64();
      const t2 = performance.now();
      const asciiBytes = new Uint8Array(base64.length);
      new TextEncoder().encodeInto(base64, asciiBytes);
      const t3 = performance.now();
      const body = new Uint8Array(head.length + asciiBytes.length + tail.length);
      body.set(head);
      body.set(asciiBytes, head.length);
      body.set(tail, head.length + asciiBytes.length);
      const t4 = performance.now();
      const sent = new Request(location.href, { method: 'POST', body });
      const t5 = performance.now();
      if (!sent) throw new Error('unreachable');
      read.push(t1 - t0); encode.push(t2 - t1); ascii.push(t3 - t2); prepared.push(t3 - t0);
      join.push(t4 - t3); request.push(t5 - t4);
    }
    return { read, encode, ascii, prepared, join, request };
  }, runs);
  summary('10 MB: base64 body prepared from scratch (background, once)', parts.prepared);
  summary('  of which Blob.arrayBuffer()', parts.read);
  summary('  of which Uint8Array.toBase64()', parts.encode);
  summary('  of which the base64 as ASCII bytes', parts.ascii);
  summary('on Expand: JSON joined around the prepared bytes', parts.join);
  summary('on Expand: new Request() taking the body', parts.request);
} finally {
  await browser.close();
  await proxy.stop();
}
