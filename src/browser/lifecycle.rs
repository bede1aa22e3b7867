//! Noticing that a host page removed a widget's element, so the widget can end its work.

use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = when_removed)]
    fn when_removed_js(element: &HtmlElement, callback: &js_sys::Function);
}

/// Calls `then` once, when `element` leaves the document.
pub fn when_removed(element: &HtmlElement, then: impl FnOnce() + 'static) {
    let callback = Closure::once_into_js(then);
    when_removed_js(element, callback.unchecked_ref());
}

/// The key a widget's work is kept under across reloads: the page's path and the host's id
/// (or its position among the page's widgets).
pub fn storage_key(element: &HtmlElement, position: usize) -> String {
    let path = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    let id = element.id();
    let which = if id.is_empty() {
        format!("#{position}")
    } else {
        id
    };
    format!("{path}|{which}")
}
