//! The boundary with the host bundle's JavaScript API (`mount()` and `<kling-expand>`, in
//! glue.js and embed.js): options come in and event details go out as plain JavaScript objects,
//! the details through serde-wasm-bindgen.

use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

use crate::config::Options;
use crate::model::events::WidgetEvent;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    fn offer_entry(mount: &JsValue, update: &JsValue, end: &JsValue);
    fn is_module() -> bool;
    fn when_parsed(callback: &js_sys::Function);
    #[wasm_bindgen(js_name = emit)]
    fn emit_js(host: &Element, name: &str, detail: JsValue);
}

/// A wrong option, said to the page's script as a `TypeError`.
fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// Reads the options object that embed.js hands over. embed.js has already checked each value's
/// type and turned numbers into text, so every option is read here as text, by name. (A general
/// deserializer, serde-wasm-bindgen's, did the same with 9 KB more of the bundle, brotli: its error
/// path formats floating-point numbers.)
fn options(value: JsValue) -> Result<Options, JsValue> {
    Options::by_name(|name| {
        let given = js_sys::Reflect::get(&value, &JsValue::from_str(name))?;
        if given.is_undefined() || given.is_null() {
            return Ok(None);
        }
        given.as_string().map(Some).ok_or_else(|| {
            type_error(&format!(
                "kling-expand: the option \"{name}\" accepts text or a number."
            ))
        })
    })
}

/// Gives the page's JavaScript the widget's three entry points: `mount(host, options, strict)`
/// → an id, `update(id, options, strict)`, `end(id)`. With `strict` (`mount()` and
/// `setOptions()`), a wrong option is a `TypeError` and nothing changes; without it (attributes),
/// the widget shows the mistake and keeps the option's default.
pub fn offer(
    mount: impl Fn(HtmlElement, Options, bool) -> Result<u32, String> + 'static,
    update: impl Fn(u32, Options, bool) -> Result<(), String> + 'static,
    end: impl Fn(u32) + 'static,
) {
    let mount = Closure::<dyn Fn(HtmlElement, JsValue, bool) -> Result<u32, JsValue>>::new(
        move |host: HtmlElement, given: JsValue, strict: bool| {
            mount(host, options(given)?, strict).map_err(|e| type_error(&e))
        },
    );
    let update = Closure::<dyn Fn(u32, JsValue, bool) -> Result<(), JsValue>>::new(
        move |id: u32, given: JsValue, strict: bool| {
            update(id, options(given)?, strict).map_err(|e| type_error(&e))
        },
    );
    let end = Closure::<dyn Fn(u32)>::new(end);
    offer_entry(mount.as_ref(), update.as_ref(), end.as_ref());
    // They serve the page for as long as it lives.
    mount.forget();
    update.forget();
    end.forget();
}

/// Whether the wasm was started by the host bundle's module (not by the demo page).
pub fn loaded_as_module() -> bool {
    is_module()
}

/// Calls `then` once the page's HTML has been parsed (at once if it has).
pub fn when_page_parsed(then: impl FnOnce() + 'static) {
    when_parsed(Closure::once_into_js(then).unchecked_ref());
}

/// Reports `event` on `host`: a bubbling, composed `CustomEvent`, and the host's `on()` listeners.
pub fn emit(host: &Element, event: &WidgetEvent) {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true);
    let detail = match event {
        WidgetEvent::Picture(d) => d.serialize(&serializer),
        WidgetEvent::Submitted(d) => d.serialize(&serializer),
        WidgetEvent::Progress(d) => d.serialize(&serializer),
        WidgetEvent::Succeeded(d) => d.serialize(&serializer),
        WidgetEvent::Failed(d) => d.serialize(&serializer),
        WidgetEvent::Cancelled(d) => d.serialize(&serializer),
    };
    if let Ok(detail) = detail {
        emit_js(host, event.name(), detail);
    }
}
