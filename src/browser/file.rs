//! Reading the person's picture through the File API. The picture's bytes stay in JavaScript:
//! only headers are copied into wasm memory, and the base64 body is assembled as a Blob.

use js_sys::{Function, JsString, Reflect, Uint8Array};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, FileReader, Url};

/// Enough bytes for the headers of nearly every PNG and JPEG (EXIF and thumbnails included).
pub const HEAD_BYTES: f64 = 256.0 * 1024.0;

/// Copies the first `len` bytes of a blob into wasm memory.
pub async fn read_head(blob: &Blob, len: f64) -> Result<Vec<u8>, JsValue> {
    let head = blob.slice_with_f64_and_f64(0.0, len)?;
    read_all(&head).await
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

/// The blob's bytes as raw base64 (no `data:` prefix), as a JavaScript string.
pub async fn base64_of(blob: &Blob) -> Result<JsString, JsValue> {
    base64_value(blob).await.map(JsCast::unchecked_into)
}

async fn base64_value(blob: &Blob) -> Result<JsValue, JsValue> {
    let buffer = JsFuture::from(blob.array_buffer()).await?;
    let bytes = Uint8Array::new(&buffer);
    // Uint8Array.prototype.toBase64 is native and fast where the browser has it.
    let to_base64 = Reflect::get(&bytes, &JsValue::from_str("toBase64"))?;
    if let Some(to_base64) = to_base64.dyn_ref::<Function>() {
        return to_base64.call0(&bytes);
    }
    let data_url = read_as_data_url(blob).await?;
    let data_url = data_url.as_string().unwrap_or_default();
    let comma = data_url.find(',').map_or(0, |i| i + 1);
    Ok(JsValue::from_str(&data_url[comma..]))
}

async fn read_as_data_url(blob: &Blob) -> Result<JsValue, JsValue> {
    let reader = FileReader::new()?;
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        let on_load = Closure::once_into_js(move |event: web_sys::ProgressEvent| {
            let reader: FileReader = event
                .target()
                .expect("a load event has a target")
                .unchecked_into();
            let _ = resolve.call1(&JsValue::NULL, &reader.result().unwrap_or(JsValue::NULL));
        });
        let on_error = Closure::once_into_js(move |event: JsValue| {
            let _ = reject.call1(&JsValue::NULL, &event);
        });
        reader.set_onload(Some(on_load.unchecked_ref()));
        reader.set_onerror(Some(on_error.unchecked_ref()));
    });
    reader.read_as_data_url(blob)?;
    JsFuture::from(done).await
}

/// A JSON body made of three parts joined in JavaScript, the middle one being the (large)
/// base64 string, so the picture never crosses into wasm memory on its way to the network.
pub fn json_text(head: &str, middle: &JsString, tail: &str) -> JsString {
    JsString::from(head)
        .concat(middle)
        .concat(&JsValue::from_str(tail))
}
