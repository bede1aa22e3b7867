// The JavaScript half of the browser shell: what is shorter to say in JavaScript than through
// web-sys bindings (each binding costs wasm and glue). One file, so one request; each part is
// imported by the Rust module named in its heading.

// ── image_prep.rs ──
function canvas(w, h) {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  return c;
}
export function decode_bitmap(blob) {
  return createImageBitmap(blob, { imageOrientation: 'from-image' });
}
export function has_transparency(bitmap) {
  const w = bitmap.width, h = bitmap.height;
  // Bands of about 16 MB of RGBA, so a big picture is never copied out whole.
  const band = Math.max(1, Math.min(h, Math.floor(4194304 / w)));
  const g = canvas(w, band).getContext('2d', { willReadFrequently: true });
  for (let y = 0; y < h; y += band) {
    const rows = Math.min(band, h - y);
    g.clearRect(0, 0, w, band);
    g.drawImage(bitmap, 0, y, w, rows, 0, 0, w, rows);
    const data = g.getImageData(0, 0, w, rows).data;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 255) return true;
  }
  return false;
}
export function encode_bitmap(bitmap, sx, sy, sw, sh, w, h, type, quality) {
  const c = canvas(w, h);
  const g = c.getContext('2d');
  // JPEG has no alpha: transparent parts become white rather than black.
  if (type === 'image/jpeg') { g.fillStyle = '#fff'; g.fillRect(0, 0, w, h); }
  g.imageSmoothingQuality = 'high';
  g.drawImage(bitmap, sx, sy, sw, sh, 0, 0, w, h);
  if (c.convertToBlob) return c.convertToBlob({ type, quality });
  return new Promise((ok, fail) =>
    c.toBlob((b) => (b ? ok(b) : fail(new Error('encoding failed'))), type, quality));
}
export function natural_size(url) {
  return new Promise((ok, fail) => {
    const img = new Image();
    img.onload = () => ok([img.naturalWidth, img.naturalHeight]);
    img.onerror = () => fail(new Error('not loaded'));
    img.src = url;
  });
}

// ── http.rs ──
export async function http_send(url, body, authorization) {
  const headers = authorization ? { Authorization: authorization } : {};
  const init = body === undefined ? { headers } : { method: 'POST', body, headers: { ...headers, 'Content-Type': 'application/json' } };
  const response = await fetch(url, init);
  return [response.status, await response.text(), response.headers.get('retry-after'),
    response.headers.get('x-kling-expand-events')];
}

// ── lifecycle.rs ──
export function when_removed(element, callback) {
  const observer = new MutationObserver(() => {
    if (!element.isConnected) {
      observer.disconnect();
      callback();
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

// ── locale.rs ──
// A locale pack (a JSON object of strings), fetched relative to the page.
let packBase;
export async function fetch_pack(url) {
  // Beside the host bundle's module when loaded by it, else beside the page.
  const response = await fetch(new URL(url, packBase ?? document.baseURI));
  if (!response.ok) throw new Error(`the locale pack answered ${response.status}`);
  return response.json();
}
export function navigator_language() {
  return navigator.language || undefined;
}
export function pack_entries(pack) {
  return Object.entries(pack).filter(([, text]) => typeof text === 'string');
}
export function format_number(locale, value, decimals) {
  try {
    return new Intl.NumberFormat(locale, { maximumFractionDigits: decimals }).format(value);
  } catch {
    return new Intl.NumberFormat('en', { maximumFractionDigits: decimals }).format(value);
  }
}

// ── results.rs ──
// A link on the proxy's own origin (the local engine's results) is read as it is, then through
// the copy. A link anywhere else (the provider's CDN) is read through the proxy's copy first,
// which it serves only for links it relayed itself: the page may not connect to that origin (its
// policy's connect-src, or no CORS), and a refused read would still be a console error.
async function fetch_first(url, copy, authorization) {
  const direct = [url];
  const relayed = [copy, { headers: authorization ? { Authorization: authorization } : {} }];
  const origin = (u) => new URL(u, location.href).origin;
  const order = !copy ? [direct] : origin(url) === origin(copy) ? [direct, relayed] : [relayed, direct];
  let error;
  for (const [u, init] of order) {
    try {
      const response = await fetch(u, init);
      if (response.ok) return await response.blob();
      error = new Error(`the server answered ${response.status}`);
    } catch (e) { error = e; }
  }
  throw error;
}
export async function save_as(url, fallback, authorization, name) {
  const href = URL.createObjectURL(await fetch_first(url, fallback, authorization));
  const link = Object.assign(document.createElement('a'), { href, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
}
export function copy_text(text) {
  return navigator.clipboard.writeText(text);
}
export const fetch_blob = fetch_first;

// ── storage.rs ──
const DB = 'kling-expand';
const STORE = 'widgets';
let connection;
// One connection for the page, so transactions run in the order they were asked for.
function open() {
  connection ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => { connection = undefined; reject(request.error); };
  });
  return connection;
}
function run(mode, work) {
  return open().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = work(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  }));
}
export function put_settings(key, json) {
  return run('readwrite', (store) => store.put(json, key + ':settings'));
}
export function put_picture(key, blob) {
  return run('readwrite', (store) => (blob ? store.put(blob, key + ':picture') : store.delete(key + ':picture')));
}
export function get_settings(key) {
  return run('readonly', (store) => store.get(key + ':settings'));
}
export function get_picture(key) {
  return run('readonly', (store) => store.get(key + ':picture'));
}

// ── file.rs ──
// A picture's base64, as ASCII bytes, made once per picture in the background (see
// prepare_base64) so that pressing Expand only has to join the JSON around it. Keyed weakly:
// a picture that is gone takes its base64 with it.
const base64Of = new WeakMap();
export function prepare_base64(picture) {
  if (!base64Of.has(picture)) {
    // After the current task, so the preview is painted first.
    const ready = new Promise((done) => setTimeout(done, 0))
      .then(() => picture.arrayBuffer())
      .then((buffer) => {
        const bytes = new Uint8Array(buffer);
        // toBase64() is native and takes about 1 ms for 10 MB; the fallback is for older browsers.
        const text = bytes.toBase64 ? bytes.toBase64() : base64Slowly(bytes);
        const ascii = new Uint8Array(text.length);
        new TextEncoder().encodeInto(text, ascii);
        return ascii;
      });
    // A failed read is not kept: the next press tries again (and reports its own failure).
    ready.catch(() => base64Of.delete(picture));
    base64Of.set(picture, ready);
  }
  return base64Of.get(picture);
}
// The create call's body as UTF-8 bytes, which fetch takes as they are (a 13 MB string body
// would be re-encoded on the main thread).
export async function json_body(head, picture, tail) {
  const base64 = await prepare_base64(picture);
  const encoder = new TextEncoder();
  const start = encoder.encode(head);
  const end = encoder.encode(tail);
  const body = new Uint8Array(start.length + base64.length + end.length);
  body.set(start);
  body.set(base64, start.length);
  body.set(end, start.length + base64.length);
  return body;
}
function base64Slowly(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// ── mod.rs ──
// Focus moves to `id` (scrolled into view) once the page has drawn it, unless the person has
// put it somewhere else than on `from` (or nowhere) meanwhile.
export function focus_later(id, from) {
  setTimeout(() => {
    const now = document.activeElement;
    if (from && now && now !== document.body && now.id !== from) return;
    const target = document.getElementById(id);
    target?.focus();
    target?.scrollIntoView({ block: 'nearest' });
  }, 50);
}

// ── dialog.rs ──
export function show_modal(id) {
  const dialog = document.getElementById(id);
  if (dialog && !dialog.open) dialog.showModal();
}
export function close_dialog(id) {
  document.getElementById(id)?.close();
}

// ── access.rs ──
// The widget's access token for the proxy: from the host element's `getToken` property (an
// async function of the host page, asked again when the proxy says the token expired; one
// request for every caller waiting on it), else from its `data-token` attribute.
export function bearer(host, renew) {
  const get = (host && hosts.get(host)?.properties.getToken) ?? (host && host.getToken);
  if (typeof get !== 'function') {
    const token = host && host.getAttribute('data-token');
    return Promise.resolve(token ? `Bearer ${token}` : '');
  }
  if (renew || !host.keBearer) {
    host.keBearer = Promise.resolve()
      .then(() => get.call(host))
      .then((token) => (token ? `Bearer ${token}` : ''), () => '');
  }
  return host.keBearer;
}
export function renews(host) {
  return !!host && typeof (hosts.get(host)?.properties.getToken ?? host.getToken) === 'function';
}

// ── embed.rs ──
// What the host bundle's module (embed.js) shares with the wasm: Rust's entry points, and for
// each host element its JavaScript-only options (`getToken`, `localePack`) and its `on()`
// listeners.
let asModule = false;
let entry;
export const hosts = new WeakMap();
export function hostOf(element) {
  let host = hosts.get(element);
  if (!host) hosts.set(element, (host = { properties: {}, listeners: new Map() }));
  return host;
}
export function useAsModule(base) { asModule = true; packBase = base; }
export function is_module() { return asModule; }
export function offer_entry(mount, update, end) { entry = { mount, update, end }; }
export const widgetEntry = () => entry;
export function when_parsed(callback) {
  if (document.readyState !== 'loading') callback();
  else document.addEventListener('DOMContentLoaded', () => callback(), { once: true });
}
// Events are reported after the widget's own work is done (a microtask later), so a listener
// can neither block the widget nor run inside it; one that throws is reported and the others
// still hear the event.
const frozen = (value) => {
  if (value && typeof value === 'object') Object.values(Object.freeze(value)).forEach(frozen);
  return value;
};
export function emit(element, type, detail) {
  frozen(detail);
  queueMicrotask(() => {
    element.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
    for (const listener of [...(hosts.get(element)?.listeners.get(type) ?? [])]) {
      try { listener(detail); } catch (error) { (globalThis.reportError ?? console.error)(error); }
    }
  });
}

// ── events.rs ──
// A task's Server-Sent Events, read from fetch (an EventSource cannot send the access token).
// Rejects when the server answers with anything else, or not within `ms`.
export async function events_open(url, authorization, last, ms) {
  const abort = new AbortController();
  const headers = { Accept: 'text/event-stream' };
  if (authorization) headers.Authorization = authorization;
  if (last) headers['Last-Event-ID'] = last;
  const timer = setTimeout(() => abort.abort(), ms);
  const response = await fetch(url, { headers, signal: abort.signal, cache: 'no-store' })
    .finally(() => clearTimeout(timer));
  if (!response.ok || !(response.headers.get('content-type') || '').startsWith('text/event-stream')) {
    abort.abort();
    throw new Error(`the server answered ${response.status}`);
  }
  return { abort, reader: response.body.pipeThrough(new TextDecoderStream()).getReader(), buffer: '' };
}
async function next_event(s) {
  for (;;) {
    const end = s.buffer.indexOf('\n\n');
    if (end >= 0) {
      const block = s.buffer.slice(0, end);
      s.buffer = s.buffer.slice(end + 2);
      let id = '';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) return [id, data.join('\n')];
    } else {
      const { value, done } = await s.reader.read();
      if (done) return null;
      s.buffer += value;
      // An event is a few KB: a stream that never ends one is not a stream of events.
      if (s.buffer.length > 1e6) throw new Error('an event too large');
    }
  }
}
// Resolves to [id, data], to null once the stream has ended, or to undefined after `ms` without
// an event (so the caller can look whether it is still wanted); rejects when the stream broke.
export function events_next(s, ms) {
  if (!s.pending) {
    s.pending = next_event(s);
    s.pending.then(() => { s.pending = null; }, () => {});
  }
  let timer;
  const quiet = new Promise((done) => { timer = setTimeout(done, ms); });
  return Promise.race([s.pending, quiet]).finally(() => clearTimeout(timer));
}
export function events_close(s) {
  s.abort.abort();
}
