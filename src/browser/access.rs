//! The widget's access token for the proxy, as the host page gives it: a `getToken` function
//! property on the host element (asked again when the proxy says the token expired), or a
//! `data-token` attribute. Kept in JavaScript: the token never needs to enter wasm memory.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    #[wasm_bindgen(js_name = bearer)]
    fn bearer_js(host: Option<Element>, renew: bool) -> js_sys::Promise;
    #[wasm_bindgen(js_name = renews)]
    fn renews_js(host: Option<Element>) -> bool;
}

/// The `Authorization` header value for the host's current token ("" for none). With `renew`,
/// the host's `getToken` is asked for a new one first.
pub async fn authorization(host: Option<&Element>, renew: bool) -> String {
    let promise = bearer_js(host.cloned(), renew);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .ok()
        .and_then(|value| value.dyn_into::<js_sys::JsString>().ok())
        .map(String::from)
        .unwrap_or_default()
}

/// Whether the host can give a new token (it set a `getToken` function).
pub fn can_renew(host: Option<&Element>) -> bool {
    renews_js(host.cloned())
}
