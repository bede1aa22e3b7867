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

// ── results.rs ──
export async function save_as(url, name) {
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(String(response.status));
    const href = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), { href, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(href), 60000);
    return true;
  } catch (_) {
    // The provider's host may not allow reading its bytes (no CORS): open the link instead.
    window.open(url, '_blank', 'noopener');
    return false;
  }
}
export function copy_text(text) {
  return navigator.clipboard.writeText(text);
}
export async function fetch_blob(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  return response.blob();
}

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

// ── dialog.rs ──
export function show_modal(id) {
  const dialog = document.getElementById(id);
  if (dialog && !dialog.open) dialog.showModal();
}
export function close_dialog(id) {
  document.getElementById(id)?.close();
}
