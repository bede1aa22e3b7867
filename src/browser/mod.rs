//! The one place that touches the browser: files, fetch, timers, clocks, the DOM outside
//! Leptos. Everything else in the widget is either pure (the core, `model`) or reactive views.

pub mod access;
pub mod dialog;
pub mod embed;
pub mod events;
pub mod file;
pub mod http;
pub mod image_prep;
pub mod lifecycle;
pub mod locale;
pub mod results;
pub mod storage;
pub mod timer;
pub mod transfer;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    fn focus_later(id: &str, from: &str);
}

/// Moves the focus to the element `id` once it is drawn (a button a press has just shown).
pub fn focus(id: &str) {
    focus_later(id, "");
}

/// Like [`focus`], unless the focus has gone elsewhere than `from` (or the page's body): a task
/// that ends while the person is typing must not take their focus away.
pub fn focus_if_idle(id: &str, from: &str) {
    focus_later(id, from);
}

/// Milliseconds since the epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A random 64-bit seed (for polling jitter and task ids). Not for secrets.
pub fn random_u64() -> u64 {
    let high = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    let low = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    (high << 32) | low
}

/// A fresh external_task_id, made before the create call so that a lost answer can be looked up
/// instead of paying for a second task.
pub fn new_external_task_id() -> String {
    format!("ke-{:x}-{:016x}", now_ms() as u64, random_u64())
}

/// Resolves a URL the provider returned (possibly root-relative, as the local engine's are)
/// against the endpoint, itself resolved against the page.
pub fn resolve_url(url: &str, endpoint: &str) -> String {
    let page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default();
    web_sys::Url::new_with_base(endpoint, &page)
        .and_then(|base| web_sys::Url::new_with_base(url, &base.href()))
        .map(|resolved| resolved.href())
        .unwrap_or_else(|_| url.to_owned())
}

/// Every element of the page that asks for a widget; when there is none and `make_one`, a new
/// one at the end of `<body>` (so a page that only loads the demo's script still gets a widget).
pub fn widget_hosts(make_one: bool) -> Vec<web_sys::HtmlElement> {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return Vec::new();
    };
    let Ok(found) = document.query_selector_all("[data-kling-expand]") else {
        return Vec::new();
    };
    let hosts: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into().ok())
        .collect();
    if !hosts.is_empty() || !make_one {
        return hosts;
    }
    let made = document.create_element("div").ok().and_then(|host| {
        host.set_attribute("data-kling-expand", "").ok()?;
        document.body()?.append_child(&host).ok()?;
        host.dyn_into().ok()
    });
    made.into_iter().collect()
}

/// Moves the focus to the element `id` now.
pub fn focus_now(id: &str) {
    if let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
