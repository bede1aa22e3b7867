//! Requests to the proxy's API, carrying the widget's access token. When the proxy says the
//! token expired and the host page can mint another (`getToken`), the request is made once more
//! with the new token, so a task outlives the token it was started with. Each successful answer
//! also tells whether the endpoint streams its tasks (`browser::events`).

use kling_expand_core::dialect::Refusal;
use wasm_bindgen::JsValue;

use crate::browser::http::{self, Answer, NetworkError};
use crate::browser::{access, events};
use crate::config::WidgetConfig;

/// Sends one API request with the host's token: a GET, or a POST of `json`.
pub async fn send(
    config: &WidgetConfig,
    url: &str,
    json: Option<&JsValue>,
) -> Result<Answer, NetworkError> {
    let host = config.host.as_ref();
    let mut renew = false;
    loop {
        let answer = http::send(url, json, &access::authorization(host, renew).await).await?;
        if (200..300).contains(&answer.status) {
            events::note(&config.endpoint, answer.events);
        }
        let expired =
            answer.status == 401 && Refusal::in_body(&answer.body) == Some(Refusal::TokenExpired);
        if renew || !expired || !access::can_renew(host) {
            return Ok(answer);
        }
        renew = true;
    }
}

/// The `Authorization` header for requests made outside [`send`] (result copies).
pub async fn authorization(config: &WidgetConfig) -> String {
    access::authorization(config.host.as_ref(), false).await
}
