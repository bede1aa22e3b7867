//! `GET <query path>/{id}/events`: the caller's own task, as Server-Sent Events. Each status
//! change is one `status` event whose id is the change's number and whose data is a Kling query
//! answer (`{"code":0,"message":"SUCCEED","data":{…}}`, result links included); the stream closes
//! after the task's end. `Last-Event-ID` sends only the changes after it, so a client that
//! reconnects misses nothing. The first stream of a task starts its one poller (`live::poller`).
//!
//! Ownership is the query's: a task id or external id that is not the caller's is answered
//! like a task that does not exist. Streams are capped per client and in all; one lasts at most
//! [`MAX_STREAM`], and no longer than the caller's access token is accepted (the client
//! reconnects with its `Last-Event-ID`, and a renewed token), with a comment every
//! [`KEEP_ALIVE`] so that idle intermediaries keep it and a closed client is noticed. When the
//! process stops, every stream ends at once (`Live::close_streams`).

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use kling_expand_core::dialect::Route;
use tokio::sync::watch;
use tokio::time::Instant;

use super::create::store_down;
use super::relay::unknown_task;
use super::{caller, not_a_route, Api, Caller};
use crate::access::token::LEEWAY_SECS;
use crate::live::{poller, Full, Watching};
use crate::store::TaskRecord;
use crate::wire::{self, ApiFailure};

/// The longest one stream stays open.
pub const MAX_STREAM: Duration = Duration::from_secs(10 * 60);

/// A comment line this often when nothing else is sent.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The header on create and query answers that says this proxy streams its tasks.
pub const CAPABILITY: HeaderName = HeaderName::from_static("x-kling-expand-events");

pub async fn handle(
    State(api): State<Arc<Api>>,
    Extension(caller): Extension<Caller>,
    request: Request,
) -> Response {
    let client = caller::client_ip(&api, &request);
    let (parts, _) = request.into_parts();
    match open(&api, &caller, client, &parts).await {
        Ok(response) => response,
        Err(failure) => api.fail(failure),
    }
}

async fn open(
    api: &Arc<Api>,
    caller: &Caller,
    client: IpAddr,
    request: &Parts,
) -> Result<Response, ApiFailure> {
    let path = request.uri.path();
    let Some(Route::Query { id }) = path
        .strip_suffix("/events")
        .and_then(|rest| api.dialect.route("GET", rest))
    else {
        return Err(not_a_route(api.dialect, &request.method, path));
    };
    if let Some(engine) = api.backend.engine() {
        // The engine may check Kling's own JWT on every call: a stream is a call.
        engine.authenticate(&request.headers)?;
    }
    let record = own_task(api, caller, &id).await?;
    let places = api.live.places(client).map_err(refusal)?;
    let (watching, start) = api.live.watch(&api.store, &record, places).await;
    if start {
        tokio::spawn(poller::follow(
            api.clone(),
            watching.watched.clone(),
            record,
        ));
    }
    let feed = Feed {
        changes: watching.watched.changes(),
        closing: api.live.closing(),
        watching,
        seen: last_event_id(&request.headers),
        ended: false,
        until: Instant::now() + lifetime(caller),
    };
    let stream = futures_util::stream::unfold(feed, next);
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Reverse proxies that buffer answers (nginx) are asked not to hold the events back.
    response.headers_mut().insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    Ok(response)
}

/// The caller's task by task id or by the external id it sent; anything else is unknown.
async fn own_task(api: &Api, caller: &Caller, id: &str) -> Result<TaskRecord, ApiFailure> {
    if let Some(record) = api.store.task(id).await.map_err(|e| store_down(&e))? {
        return if record.owner == caller.owner {
            Ok(record)
        } else {
            Err(unknown_task())
        };
    }
    if !api.dialect.supports_external_task_id() {
        return Err(unknown_task());
    }
    let claim = api
        .store
        .claim(&caller.owner, id)
        .await
        .map_err(|e| store_down(&e))?;
    let Some(task_id) = claim.and_then(|c| c.task_id) else {
        return Err(unknown_task());
    };
    match api.store.task(&task_id).await.map_err(|e| store_down(&e))? {
        Some(record) if record.owner == caller.owner => Ok(record),
        _ => Err(unknown_task()),
    }
}

/// How long a stream may stay open: [`MAX_STREAM`], and no longer than the token it was opened
/// with is accepted (the client opens the next one with a renewed token).
fn lifetime(caller: &Caller) -> Duration {
    caller.token.as_ref().map_or(MAX_STREAM, |token| {
        let accepted_until = token.claims.exp + LEEWAY_SECS;
        Duration::from_secs(accepted_until.saturating_sub(wire::now_secs())).min(MAX_STREAM)
    })
}

/// The number in `Last-Event-ID`; 0 (from the start) when there is none or it is not one.
fn last_event_id(headers: &HeaderMap) -> u64 {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn refusal(full: Full) -> ApiFailure {
    match full {
        Full::Client(n) => ApiFailure::code(
            1302,
            format!(
                "This client already holds {n} event streams, as many as this proxy allows; close one, or poll the task instead"
            ),
        )
        .retry_after(5),
        Full::Total(n) => ApiFailure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            5001,
            format!(
                "The proxy holds {n} event streams, as many as it takes; poll the task instead"
            ),
        )
        .retry_after(5),
    }
}

/// One stream's place: what it has sent, and its hold on the task (let go when it closes).
struct Feed {
    watching: Watching,
    changes: watch::Receiver<u64>,
    /// True once the process is stopping.
    closing: watch::Receiver<bool>,
    seen: u64,
    ended: bool,
    until: Instant,
}

async fn next(mut feed: Feed) -> Option<(Result<Event, Infallible>, Feed)> {
    if feed.ended {
        return None;
    }
    loop {
        if let Some(change) = feed.watching.watched.after(feed.seen) {
            feed.seen = change.seq;
            feed.ended = change.terminal;
            let event = Event::default()
                .id(change.seq.to_string())
                .event("status")
                .data(change.answer());
            return Some((Ok(event), feed));
        }
        tokio::select! {
            changed = feed.changes.changed() => {
                if changed.is_err() {
                    return None;
                }
            }
            () = tokio::time::sleep_until(feed.until) => return None,
            _ = feed.closing.wait_for(|closing| *closing) => return None,
        }
    }
}
