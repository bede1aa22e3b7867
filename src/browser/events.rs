//! A task's live status from the proxy: its Server-Sent Events at `<query path>/{id}/events`,
//! read with `fetch` in glue.js (an `EventSource` cannot send the access token), and which
//! endpoints offer them (their answers carry `X-Kling-Expand-Events: 1`).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/browser/glue.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn events_open(
        url: &str,
        authorization: &str,
        last: &str,
        ms: u32,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn events_next(stream: &JsValue, ms: u32) -> Result<JsValue, JsValue>;
    fn events_close(stream: &JsValue);
}

thread_local! {
    /// Endpoints whose last successful answer offered streams.
    static OFFERED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Remembers whether `endpoint` offers streams, from one of its successful answers.
pub fn note(endpoint: &str, offered: bool) {
    OFFERED.with_borrow_mut(
        |list| match (list.iter().position(|e| e == endpoint), offered) {
            (None, true) => list.push(endpoint.to_owned()),
            (Some(i), false) => {
                list.swap_remove(i);
            }
            _ => {}
        },
    );
}

/// Whether `endpoint` said it streams its tasks.
pub fn offered(endpoint: &str) -> bool {
    OFFERED.with_borrow(|list| list.iter().any(|e| e == endpoint))
}

/// What the stream gave.
pub enum Next {
    Event {
        id: String,
        data: String,
    },
    /// Nothing within the wait.
    Quiet,
    /// The server closed the stream.
    Ended,
}

/// An open stream; closed when dropped.
pub struct Stream(JsValue);

impl Stream {
    /// Opens the stream at `url`, resuming after `last_id` ("" from the start); `None` when the
    /// server did not answer with one within `ms`.
    pub async fn open(url: &str, authorization: &str, last_id: &str, ms: u32) -> Option<Stream> {
        events_open(url, authorization, last_id, ms)
            .await
            .ok()
            .map(Stream)
    }

    /// The next event, or [`Next::Quiet`] after `ms` without one; `Err` when the stream broke.
    pub async fn next(&self, ms: u32) -> Result<Next, ()> {
        let value = events_next(&self.0, ms).await.map_err(|_| ())?;
        if value.is_undefined() {
            return Ok(Next::Quiet);
        }
        if value.is_null() {
            return Ok(Next::Ended);
        }
        let part = |i: u32| {
            js_sys::Reflect::get_u32(&value, i)
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        Ok(Next::Event {
            id: part(0),
            data: part(1),
        })
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        events_close(&self.0);
    }
}
