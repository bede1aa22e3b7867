//! What the person does with a result: save it, copy its link, take it back as a new source.
//! A few lines of JavaScript cost less wasm than the equivalent web-sys bindings.

use wasm_bindgen::prelude::*;
use web_sys::Blob;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = save_as)]
    async fn save_as_js(url: &str, name: &str) -> JsValue;
    #[wasm_bindgen(js_name = copy_text, catch)]
    async fn copy_text_js(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = fetch_blob, catch)]
    async fn fetch_blob_js(url: &str) -> Result<JsValue, JsValue>;
}

/// Saves the picture at `url` under `name`. False when the browser could only open the link.
pub async fn save_as(url: &str, name: &str) -> bool {
    save_as_js(url, name).await.as_bool().unwrap_or(false)
}

/// Puts `text` on the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    copy_text_js(text)
        .await
        .map(|_| ())
        .map_err(|e| js_message(&e))
}

/// Downloads the picture at `url` as a Blob (kept in JavaScript).
pub async fn fetch_blob(url: &str) -> Result<Blob, String> {
    let blob = fetch_blob_js(url).await.map_err(|e| js_message(&e))?;
    blob.dyn_into::<Blob>()
        .map_err(|_| "the answer was not a picture".to_owned())
}

fn js_message(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "the browser refused".to_owned())
}
