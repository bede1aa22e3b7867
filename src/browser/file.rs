//! Reading the person's picture through the File API. The picture's bytes stay in JavaScript:
//! only headers are copied into wasm memory, and the request body is assembled in JavaScript.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Url};

/// Enough bytes for the headers of nearly every PNG and JPEG (EXIF and thumbnails included).
pub const HEAD_BYTES: f64 = 256.0 * 1024.0;

/// Copies the first `len` bytes of a blob into wasm memory.
pub async fn read_head(blob: &Blob, len: f64) -> Result<Vec<u8>, JsValue> {
    let head = blob.slice_with_f64_and_f64(0.0, len)?;
    read_all(&head).await
}

/// Copies the last `len` bytes of a blob into wasm memory.
pub async fn read_tail(blob: &Blob, len: f64) -> Result<Vec<u8>, JsValue> {
    let size = blob.size();
    let tail = blob.slice_with_f64_and_f64((size - len).max(0.0), size)?;
    read_all(&tail).await
}

/// Copies a whole blob into wasm memory.
pub async fn read_all(blob: &Blob) -> Result<Vec<u8>, JsValue> {
    let buffer = JsFuture::from(blob.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A URL the page can show the blob with, without base64.
pub fn object_url(blob: &Blob) -> Result<String, JsValue> {
    Url::create_object_url_with_blob(blob)
}

/// Frees an object URL made by [`object_url`].
pub fn revoke_object_url(url: &str) {
    let _ = Url::revoke_object_url(url);
}

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = json_body, catch)]
    async fn json_body_js(head: &str, picture: &Blob, tail: &str) -> Result<JsValue, JsValue>;
    /// Starts making the picture's base64 in the background, once per picture.
    pub fn prepare_base64(picture: &Blob) -> js_sys::Promise;
}

/// The create call's body as UTF-8 bytes: `head`, the picture's raw base64 (no `data:` prefix),
/// `tail`. Assembled in JavaScript with the browser's own base64 (made ahead of time by
/// [`prepare_base64`] when it could be), so the picture never crosses into wasm memory and no
/// 13 MB string has to be re-encoded by `fetch`.
pub async fn json_body(head: &str, picture: &Blob, tail: &str) -> Result<Uint8Array, JsValue> {
    json_body_js(head, picture, tail)
        .await
        .map(JsCast::unchecked_into)
}
