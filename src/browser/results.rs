//! What the person does with a result: save it, copy its link, take it back as a new source.
//! A few lines of JavaScript cost less wasm than the equivalent web-sys bindings.

use wasm_bindgen::prelude::*;
use web_sys::Blob;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = save_as, catch)]
    async fn save_as_js(
        url: &str,
        fallback: &str,
        authorization: &str,
        name: &str,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = copy_text, catch)]
    async fn copy_text_js(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = fetch_blob, catch)]
    async fn fetch_blob_js(
        url: &str,
        fallback: &str,
        authorization: &str,
    ) -> Result<JsValue, JsValue>;
}

/// Where a result's bytes can be read: its own link, then the proxy's copy of it.
pub struct ResultSource<'a> {
    pub url: &'a str,
    /// The proxy's route for the same picture ("" for none), asked with `authorization`.
    pub relay: &'a str,
    pub authorization: String,
}

/// Saves the picture under `name`, from its link or else from the proxy's copy.
pub async fn save_as(source: &ResultSource<'_>, name: &str) -> Result<(), String> {
    save_as_js(source.url, source.relay, &source.authorization, name)
        .await
        .map(|_| ())
        .map_err(|e| js_message(&e))
}

/// Puts `text` on the clipboard.
pub async fn copy_text(text: &str) -> Result<(), String> {
    copy_text_js(text)
        .await
        .map(|_| ())
        .map_err(|e| js_message(&e))
}

/// Downloads the picture as a Blob (kept in JavaScript), from its link or the proxy's copy.
pub async fn fetch_blob(source: &ResultSource<'_>) -> Result<Blob, String> {
    let blob = fetch_blob_js(source.url, source.relay, &source.authorization)
        .await
        .map_err(|e| js_message(&e))?;
    blob.dyn_into::<Blob>()
        .map_err(|_| "the answer was not a picture".to_owned())
}

fn js_message(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &JsValue::from_str("message"))
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "the browser refused".to_owned())
}
