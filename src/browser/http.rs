//! Talking to the proxy with `fetch`. Answers come back raw; the core's dialects read them.

use gloo_net::http::Request;
use wasm_bindgen::JsValue;

/// An HTTP answer as the core's parsers want it.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<String>,
}

/// Why no answer came back at all.
#[derive(Clone, Debug)]
pub struct NetworkError(pub String);

/// POSTs a JSON body.
pub async fn post_json(url: &str, body: &JsValue) -> Result<Answer, NetworkError> {
    let request = Request::post(url)
        .header("Content-Type", "application/json")
        .body(body.clone())
        .map_err(reason)?;
    answer(request.send().await).await
}

/// GETs a URL.
pub async fn get(url: &str) -> Result<Answer, NetworkError> {
    answer(Request::get(url).send().await).await
}

async fn answer(
    sent: Result<gloo_net::http::Response, gloo_net::Error>,
) -> Result<Answer, NetworkError> {
    let response = sent.map_err(reason)?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after");
    let body = response.text().await.map_err(reason)?;
    Ok(Answer {
        status,
        body,
        retry_after,
    })
}

/// The browser's own words for a failed fetch ("TypeError: Failed to fetch"). Only JavaScript
/// errors are spelled out: gloo's other variants never occur here (bodies are read as text), and
/// displaying them would bring their formatting code into the wasm.
fn reason(error: gloo_net::Error) -> NetworkError {
    NetworkError(match error {
        gloo_net::Error::JsError(js) => js.to_string(),
        _ => "the answer could not be read".to_owned(),
    })
}
