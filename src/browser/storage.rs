//! Keeping a widget's work across page reloads, in IndexedDB: the settings as JSON and the
//! picture as a Blob (too big for localStorage, and IndexedDB stores Blobs as they are).

use wasm_bindgen::prelude::*;
use web_sys::Blob;

#[wasm_bindgen(module = "/src/browser/glue.js")]
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
