// Shared pieces of the end-to-end journeys: the real proxy as a process (with its local engine
// and the release build of the widget), and Debian's Chromium driven by playwright-core.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '..');
export const proxyBin =
  process.env.KLING_EXPAND_PROXY_BIN ?? join(root, 'target', 'debug', 'kling-expand-proxy');
export const distDir = process.env.KLING_EXPAND_DIST ?? join(root, 'dist');
export const fakeBin =
  process.env.KLING_EXPAND_FAKE_BIN ?? join(root, 'target', 'debug', 'fake-upstream');

/** Starts `bin` with `args`; resolves to { child, url } once it prints "<name> listening on <url>". */
function startListening(bin, args, env, what) {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const url = new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${stderr}`)), 20_000);
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const found = line.match(/listening on (http:\/\/\S+)/);
      if (found) { clearTimeout(timer); resolveUrl(found[1]); }
    });
  });
  return { child, url, stderr: () => stderr };
}

/**
 * Starts the fault-injecting fake provider (crate kling-expand-fake-upstream) with `args`
 * (`--fault JSON`, `--submitted`, `--processing`, `--provider`). `tasks()` says how many tasks
 * it made: what the provider would have charged for.
 */
export async function startFake(args = []) {
  const { child, url } = startListening(fakeBin, args, process.env, 'fake-upstream');
  const root = await url;
  const json = async (path) => (await fetch(`${root}${path}`)).json();
  return {
    url: root,
    async tasks() { return (await json('/__fake/tasks')).count; },
    requests() { return json('/__fake/requests'); },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.on('exit', done)));
    },
  };
}

/**
 * Starts the proxy on a free loopback port (or `listen`); resolves once it prints its URL.
 * `stop()` removes the data directory; `stop({ keepData: true })` keeps it for a restart.
 */
export async function startProxy(extraArgs = [], extraEnv = {}, { dataDir: reusedDir, listen, upstream } = {}) {
  const dataDir = reusedDir ?? mkdtempSync(join(tmpdir(), 'kling-expand-e2e-'));
  // Short engine stages keep the journeys quick; a test can pass its own to override them.
  const defaults = upstream ? {} : { '--engine-submitted': '300ms', '--engine-processing': '600ms' };
  // With `upstream`, the proxy forwards to that (fake) official Kling API, whose result links
  // are on loopback.
  const provider = upstream
    ? ['--provider', 'kling', '--upstream', upstream, '--allow-private-results']
    // The journeys' picture servers are on loopback, which the engine fetches only when allowed.
    : ['--provider', 'local', '--engine-allow-private-urls'];
  const args = [...provider, '--static', distDir, '--listen', listen ?? '127.0.0.1:0',
    '--data-dir', dataDir];
  for (const [flag, value] of Object.entries(defaults)) {
    if (!extraArgs.includes(flag)) args.push(flag, value);
  }
  if (upstream && !extraArgs.includes('--auth')) args.push('--auth', 'none');
  args.push(...extraArgs);
  const env = { ...process.env, KLING_PROXY_LOG: 'warn', ...(upstream ? { KLING_API_KEY: 'fake-key' } : {}), ...extraEnv };
  const { child, url: listening, stderr } = startListening(proxyBin, args, env, 'proxy');
  const url = await listening;
  return {
    url,
    dataDir,
    get stderr() { return stderr(); },
    async stop({ keepData = false } = {}) {
      child.kill('SIGTERM');
      await new Promise((done) => (child.exitCode !== null ? done() : child.on('exit', done)));
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * What the journeys of one file share: a browser, the painted photo and, with `proxy`, one proxy
 * with its local engine; made before the first journey and closed after the last. Its fields are
 * filled in once the file's `before` has run.
 */
export function sharedJourneySetup({ proxy = false } = {}) {
  const shared = { browser: undefined, picture: undefined, proxy: undefined };
  before(async () => {
    if (proxy) shared.proxy = await startProxy();
    shared.browser = await launchBrowser();
    shared.picture = await paintedPhoto(shared.browser);
  });
  after(async () => {
    await shared.browser?.close();
    await shared.proxy?.stop();
  });
  return shared;
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Paints in the page a picture with structure (a sky gradient, shapes, text) and, with `noise`,
 * sensor-like grain, which makes a JPEG at quality 1.0 as big as a camera's file. The encoded
 * file stays in the page as `window.__painted` (a Blob), so big pictures need not cross over;
 * resolves to its size in bytes.
 */
export function paintInPage(page, { width, height, type = 'image/png', quality = 0.92, shapes = 24, noise = false }) {
  return page.evaluate(async ({ width, height, type, quality, shapes, noise }) => {
    const canvas = new OffscreenCanvas(width, height);
    const g = canvas.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 0, height);
    sky.addColorStop(0, '#4a7fc1'); sky.addColorStop(0.6, '#f2c48d'); sky.addColorStop(1, '#2f5d3a');
    g.fillStyle = sky; g.fillRect(0, 0, width, height);
    for (let i = 0; i < shapes; i += 1) {
      g.fillStyle = `hsl(${(i * 47) % 360} 60% 50% / 0.7)`;
      g.beginPath();
      g.arc(((i * 97) % 100) / 100 * width, ((i * 61) % 100) / 100 * height,
        Math.min(width, height) * (0.03 + (i % 5) * 0.02), 0, Math.PI * 2);
      g.fill();
    }
    g.fillStyle = '#111'; g.font = `${Math.round(height / 8)}px sans-serif`;
    g.fillText('kling', width * 0.1, height * 0.55);
    if (noise) {
      const image = g.getImageData(0, 0, width, height);
      const d = image.data;
      let seed = 1;
      for (let i = 0; i < d.length; i += 4) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        const n = ((seed >> 8) % 97) - 48;
        d[i] += n; d[i + 1] += n * 0.8; d[i + 2] += n * 1.1;
      }
      g.putImageData(image, 0, 0);
    }
    window.__painted = await canvas.convertToBlob({ type, quality });
    return window.__painted.size;
  }, { width, height, type, quality, shapes, noise });
}

/** Like `paintInPage`, and returns the encoded file, so no binary fixture is needed. */
export async function paintPicture(page, options) {
  await paintInPage(page, options);
  const base64 = await page.evaluate(async () => {
    const bytes = new Uint8Array(await window.__painted.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  });
  return Buffer.from(base64, 'base64');
}

/** The four ratios that will be sent, as numbers (each side's field shows pixels and carries its
 * ratio in `data-ratio`). */
export async function readRatios(page) {
  const ratios = {};
  for (const side of ['Top', 'Bottom', 'Left', 'Right']) {
    ratios[side] = Number(await page.getByLabel(side, { exact: true }).getAttribute('data-ratio'));
  }
  return ratios;
}

/** The four side fields' pixels, as numbers. */
export async function readPixels(page) {
  const pixels = {};
  for (const side of ['Top', 'Bottom', 'Left', 'Right']) {
    pixels[side] = Number(await page.getByLabel(side, { exact: true }).inputValue());
  }
  return pixels;
}

/** The canvas size the ratios imply, by the documented rule (each side rounded to whole px). */
export function impliedSize(width, height, ratios) {
  return {
    width: width + Math.round(ratios.Left * width) + Math.round(ratios.Right * width),
    height: height + Math.round(ratios.Top * height) + Math.round(ratios.Bottom * height),
  };
}

/** Waits until every result image has loaded and returns their natural sizes. */
export async function loadedResults(page, timeout = 30_000) {
  const list = page.getByRole('list', { name: 'Results' });
  await list.getByRole('img').first().waitFor({ timeout });
  await page.waitForFunction(() => {
    const images = [...document.querySelectorAll('[aria-label="Results"] img')];
    return images.length > 0 && images.every((img) => img.complete && img.naturalWidth > 0);
  }, null, { timeout });
  return list.getByRole('img').evaluateAll((images) => images.map((img) => ({
    alt: img.alt, width: img.naturalWidth, height: img.naturalHeight,
  })));
}

/** Fails on JavaScript errors and panics in the page. */
export function watchPageErrors(page) {
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  return errors;
}

/**
 * Every request the page makes under `prefix` (the API's routes by default), as
 * { method, path, body }, in the order made.
 */
export function recordApiCalls(page, prefix = '/api/kling/v1/') {
  const calls = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith(prefix)) {
      calls.push({ method: request.method(), path: url.pathname, body: request.postData() });
    }
  });
  return calls;
}

/** A 640 × 480 PNG painted once for a test file, with a page of its own that is then closed. */
export async function paintedPhoto(browser) {
  const page = await browser.newPage();
  const picture = await paintPicture(page, { width: 640, height: 480 });
  await page.close();
  return picture;
}

/**
 * Opens the widget at `url` in a new page of `context` (a browser or a browser context) and
 * chooses `picture` in its "Image" input, as a person would; resolves once the picture's facts
 * line shows its size. The page's JavaScript errors are collected from the start.
 */
export async function openWithPicture(context, url, picture, { name = 'harbour.png', size = '640 × 480 px' } = {}) {
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  await page.goto(url);
  await page.getByLabel('Image', { exact: true }).setInputFiles({ name, mimeType: 'image/png', buffer: picture });
  await page.locator('.ke-picture-facts').getByText(size).waitFor();
  return { page, errors };
}
