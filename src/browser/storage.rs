//! Keeping a widget's work across page reloads, in IndexedDB: the settings as JSON and the
//! picture as a Blob (too big for localStorage, and IndexedDB stores Blobs as they are).

use wasm_bindgen::prelude::*;
use web_sys::Blob;

#[wasm_bindgen(inline_js = r#"
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
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn put_settings(key: &str, json: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn put_picture(key: &str, blob: Option<Blob>) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn get_settings(key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn get_picture(key: &str) -> Result<JsValue, JsValue>;
}

/// Saves the settings (JSON). Storage can be unavailable (private mode, quota): the widget
/// then works as before, only without surviving a reload.
pub async fn save_settings(key: &str, json: &str) -> bool {
    put_settings(key, json).await.is_ok()
}

/// Saves the picture's bytes, or forgets them.
pub async fn save_picture(key: &str, blob: Option<Blob>) -> bool {
    put_picture(key, blob).await.is_ok()
}

/// The saved settings, if any.
pub async fn load_settings(key: &str) -> Option<String> {
    get_settings(key).await.ok()?.as_string()
}

/// The saved picture, if any.
pub async fn load_picture(key: &str) -> Option<Blob> {
    get_picture(key).await.ok()?.dyn_into().ok()
}
