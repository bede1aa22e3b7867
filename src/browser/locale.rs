//! The widget's locale and its pack: from the host's option or attribute, else the browser's
//! language, else English; a pack fetched from `locales/<tag>.json` (next to the page) when the
//! locale has one, or the host's own; the host's single strings over it; numbers formatted
//! by the browser's `Intl.NumberFormat`.
//!
//! A host passes its own pack as the host element's `localePack` property (an object from
//! English strings to its own, used instead of the shipped pack) and single strings as its
//! `strings` property (the same shape, over the pack).

use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::i18n::{pack_for, Strings};

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn fetch_pack(url: &str) -> Result<JsValue, JsValue>;
    fn pack_entries(pack: &JsValue) -> js_sys::Array;
    fn format_number(locale: &str, value: f64, decimals: u32) -> String;
    fn navigator_language() -> Option<String>;
}

/// Where a shipped pack is, relative to the page.
fn pack_url(tag: &str) -> String {
    format!("locales/{tag}.json")
}

/// The visitor's preferred language, as the browser says it.
fn browser_language() -> Option<String> {
    navigator_language()
}

fn property(host: &Element, name: &str) -> JsValue {
    js_sys::Reflect::get(host, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// The tag the widget on `host` speaks, and whether that needs a pack to be fetched.
pub fn choose(host: &Element, asked: Option<&str>) -> (String, Option<&'static str>) {
    let own_pack = property(host, "localePack").is_object();
    let tag = asked
        .map(str::to_owned)
        .or_else(browser_language)
        .unwrap_or_else(|| "en".to_owned());
    let shipped = if own_pack { None } else { pack_for(&tag) };
    (tag, shipped)
}

/// True when the strings for `host` can be made at once (English, or only the host's own).
pub fn is_ready(host: &Element, asked: Option<&str>) -> bool {
    choose(host, asked).1.is_none()
}

/// The strings for the widget on `host`. A pack that cannot be fetched leaves English (and
/// says so in the console, for the page's author).
pub async fn strings_for(host: &Element, asked: Option<&str>) -> Strings {
    let (tag, shipped) = choose(host, asked);
    let mut entries = Vec::new();
    let own_pack = property(host, "localePack");
    if own_pack.is_object() {
        entries.extend(read(&own_pack));
    } else if let Some(pack) = shipped {
        match fetch_pack(&pack_url(pack)).await {
            Ok(pack) => entries.extend(read(&pack)),
            Err(error) => web_sys::console::warn_2(
                &JsValue::from_str("kling-expand: the locale pack could not be loaded"),
                &error,
            ),
        }
    }
    let overrides = property(host, "strings");
    if overrides.is_object() {
        entries.extend(read(&overrides));
    }
    if entries.is_empty() {
        return Strings::english();
    }
    let tag = shipped.map(str::to_owned).unwrap_or(tag);
    Strings::new(&tag, entries, Some(format_number))
}

/// The strings for `host` without waiting: English with the host's own entries, if any.
pub fn strings_now(host: &Element, asked: Option<&str>) -> Strings {
    let (tag, _) = choose(host, asked);
    let mut entries = Vec::new();
    for name in ["localePack", "strings"] {
        let value = property(host, name);
        if value.is_object() {
            entries.extend(read(&value));
        }
    }
    if entries.is_empty() {
        Strings::english()
    } else {
        Strings::new(&tag, entries, Some(format_number))
    }
}

/// A pack's (English, own) pairs; entries that are not strings are left out.
fn read(pack: &JsValue) -> Vec<(String, String)> {
    pack_entries(pack)
        .iter()
        .filter_map(|pair| {
            let pair: js_sys::Array = pair.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}
