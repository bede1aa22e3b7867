//! Pixel work for the fix-ups: decode a picture (EXIF orientation applied), look for
//! transparency, draw a part of it at a size into a canvas and encode it; and load a picture
//! at an address to learn its displayed size. A few lines of JavaScript: the browser's own
//! `createImageBitmap`, `OffscreenCanvas` and `<img>`, with no web-sys bindings to pay for.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use kling_expand_core::geometry::Size;
use kling_expand_core::inspect::ImageFormat;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    /// A decoded picture, held by the browser.
    pub type Bitmap;
    #[wasm_bindgen(method, getter)]
    fn width(this: &Bitmap) -> u32;
    #[wasm_bindgen(method, getter)]
    fn height(this: &Bitmap) -> u32;
    /// Frees the decoded pixels at once instead of at the next garbage collection.
    #[wasm_bindgen(method)]
    pub fn close(this: &Bitmap);

    #[wasm_bindgen(catch)]
    fn decode_bitmap(blob: &Blob) -> Result<Promise, JsValue>;
    fn has_transparency(bitmap: &Bitmap) -> bool;
    #[wasm_bindgen(catch)]
    #[allow(clippy::too_many_arguments)]
    fn encode_bitmap(
        bitmap: &Bitmap,
        sx: u32,
        sy: u32,
        sw: u32,
        sh: u32,
        w: u32,
        h: u32,
        mime: &str,
        quality: f64,
    ) -> Result<Promise, JsValue>;
    fn natural_size(url: &str) -> Promise;
}

impl Bitmap {
    /// Its size, as displayed (the EXIF orientation is applied when decoding).
    pub fn size(&self) -> Size {
        Size::new(self.width(), self.height())
    }

    /// True when any pixel is not fully opaque. Reads every pixel (in bands) and stops at the
    /// first transparent one.
    pub fn transparent(&self) -> bool {
        has_transparency(self)
    }
}

/// Decodes a picture the browser can read, upright.
pub async fn decode(blob: &Blob) -> Result<Bitmap, JsValue> {
    let bitmap = JsFuture::from(decode_bitmap(blob)?).await?;
    Ok(bitmap.unchecked_into())
}

/// The part of the picture at (`x`, `y`) of `part`'s size, drawn at `out` and encoded as PNG or
/// JPEG (at `quality`, 0..=1). Transparent parts become white in a JPEG.
pub async fn encode(
    bitmap: &Bitmap,
    (x, y): (u32, u32),
    part: Size,
    out: Size,
    format: ImageFormat,
    quality: f64,
) -> Result<Blob, JsValue> {
    let promise = encode_bitmap(
        bitmap,
        x,
        y,
        part.width,
        part.height,
        out.width,
        out.height,
        format.mime(),
        quality,
    )?;
    Ok(JsFuture::from(promise).await?.unchecked_into())
}

/// Loads the picture at `url` in an `<img>` and returns its natural size (EXIF orientation
/// applied, as the browser shows it); an error when it does not load as a picture.
pub async fn load_natural_size(url: &str) -> Result<Size, JsValue> {
    let pair: js_sys::Array = JsFuture::from(natural_size(url)).await?.unchecked_into();
    let side = |i| pair.get(i).as_f64().unwrap_or(0.0) as u32;
    Ok(Size::new(side(0), side(1)))
}
