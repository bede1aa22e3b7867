//! Talking to the proxy with `fetch`. Answers come back raw; the core's dialects read them.
//!
//! The call itself is four lines of JavaScript (`glue.js`): measured against gloo-net, whose
//! Request/Response/Headers bindings and error type it replaces, 1.4 KB less wasm (brotli).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    /// Resolves to `[status, body text, Retry-After or null, X-Kling-Expand-Events or null]`;
    /// rejects when no answer came.
    #[wasm_bindgen(js_name = http_send, catch)]
    async fn http_send(url: &str, body: &JsValue, authorization: &str) -> Result<JsValue, JsValue>;
}

/// An HTTP answer as the core's parsers want it.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
    /// The proxy said it streams its tasks (`X-Kling-Expand-Events: 1`).
    pub events: bool,
}

/// Why no answer came back at all: the browser's own words ("TypeError: Failed to fetch").
#[derive(Clone, Debug)]
pub struct NetworkError(pub String);

/// GETs `url`, or POSTs `json` (a string or UTF-8 bytes) to it, with `authorization` as the
/// `Authorization` header unless it is empty.
pub async fn send(
    url: &str,
    json: Option<&JsValue>,
    authorization: &str,
) -> Result<Answer, NetworkError> {
    let answer = http_send(url, json.unwrap_or(&JsValue::UNDEFINED), authorization)
        .await
        .map_err(|error| {
            NetworkError(
                error
                    .dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.to_string()))
                    .unwrap_or_else(|| "the answer could not be read".to_owned()),
            )
        })?;
    let part = |i: u32| js_sys::Reflect::get_u32(&answer, i).unwrap_or(JsValue::NULL);
    Ok(Answer {
        status: part(0).as_f64().unwrap_or(0.0) as u16,
        body: part(1).as_string().unwrap_or_default(),
        retry_after: part(2).as_string(),
        events: part(3).as_string().is_some_and(|v| v.trim() == "1"),
    })
}
