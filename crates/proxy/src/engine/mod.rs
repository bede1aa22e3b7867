//! The local engine: an offline emulator of the official Kling Image Expansion API.
//!
//! Same paths and shapes as the official API (seed 001), the same validation answered with
//! Kling's statuses and codes, optional JWT verification (1000–1004), task ids and
//! external_task_id, `submitted → processing → succeed` with configurable timing, failure
//! injection, the list route, real expanded pictures at the canvas size the ratios imply, and
//! storage with a time to live that survives restarts.
//!
//! | module | part |
//! |---|---|
//! | [`create`] | a checked create (see `create_body`): its addresses, the engine's bounds, storing the task |
//! | [`work`] | the work queue: fetching or reading the picture, expanding it, recording the outcome |
//! | [`callbacks`] | POSTing a task's `data` to its `callback_url` on each status change |
//! | [`query`] | answers about tasks: one task, the list, the `data` object |
//! | [`results`] | the result pictures, as files |
//! | [`store`] | tasks and files under the data directory |
//! | [`expand`] | the picture algorithm |

mod callbacks;
mod create;
pub mod expand;
mod query;
mod results;
pub mod store;
mod work;

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use kling_expand_core::dialect::Route;
use tokio::sync::Semaphore;

// Result links are `<public url><MOUNT>/results/...`.
use crate::api::MOUNT;
use crate::config::EngineConfig;
use crate::create_body::CheckedCreate;
use crate::egress::{Egress, GuardedClient};
use crate::jwt;
use crate::wire::{self, now_ms, ApiFailure, ErrorStyle};
use store::Store;

const STYLE: ErrorStyle = ErrorStyle::Kling;

/// Redirects an image download may follow (each hop is checked like the first address).
const MAX_REDIRECTS: usize = 5;

/// Callback deliveries in flight at once; the others wait their turn.
const CALLBACKS_AT_ONCE: usize = 8;

pub struct Engine {
    config: EngineConfig,
    store: Store,
    /// Downloads image URLs and delivers callbacks, to public addresses only (see [`Egress`]).
    http: GuardedClient,
    /// Callback deliveries in flight at once.
    callbacks: Semaphore,
    /// Tasks waiting for or in their work: a create takes a place or is refused.
    queue: Arc<Semaphore>,
    /// Expansion work running at once (one per core).
    workers: Semaphore,
    /// Who waits for a task's work to end (the proxy's live status), woken when it does.
    finish_listeners: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Notify>>>,
}

fn bad_request(code: i64, message: impl Into<String>) -> ApiFailure {
    ApiFailure::new(StatusCode::BAD_REQUEST, code, message)
}

fn join_problems<P: std::fmt::Display>(problems: Vec<P>) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Engine {
    /// Opens the data directory, resumes unfinished tasks and starts the expiry sweeper.
    pub fn start(config: EngineConfig) -> std::io::Result<Arc<Engine>> {
        let store = Store::open(&config.data_dir)?;
        let removed = store.sweep(now_ms());
        let http = Egress::new(config.allow_private_urls)
            .client(
                reqwest::Client::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .timeout(Duration::from_secs(60))
                    .user_agent(concat!(
                        "kling-expand-local-engine/",
                        env!("CARGO_PKG_VERSION")
                    )),
                MAX_REDIRECTS,
            )
            .map_err(std::io::Error::other)?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let queue = Arc::new(Semaphore::new(config.queue));
        let engine = Arc::new(Engine {
            config,
            store,
            http,
            callbacks: Semaphore::new(CALLBACKS_AT_ONCE),
            queue,
            workers: Semaphore::new(cores),
            finish_listeners: std::sync::Mutex::default(),
        });
        let pending = engine.store.pending();
        tracing::info!(
            data_dir = %engine.store.root().display(),
            resumed = pending.len(),
            expired = removed,
            "local engine ready"
        );
        for record in pending {
            // Accepted before the restart: each waits for a place rather than being refused.
            let engine = engine.clone();
            tokio::spawn(async move {
                let place = engine
                    .queue
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("semaphore open");
                engine.spawn_work(record, place);
            });
        }
        let sweeper = Arc::downgrade(&engine);
        let every =
            (engine.config.ttl / 4).clamp(Duration::from_millis(200), Duration::from_secs(60));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(engine) = sweeper.upgrade() else {
                    break;
                };
                let removed = engine.store.sweep(now_ms());
                if removed > 0 {
                    tracing::info!(removed, "expired tasks removed");
                }
            }
        });
        Ok(engine)
    }

    /// Answers a query or the list (a create comes checked, through [`Engine::create`]).
    pub fn handle(&self, route: Route, headers: &HeaderMap) -> Response {
        let result = self.authenticate(headers).and_then(|()| match route {
            Route::Create => Err(bad_request(1200, "A create call needs its JSON body")),
            Route::Query { id } => self.query(&id),
            Route::List {
                page_num,
                page_size,
            } => self.list(page_num, page_size),
        });
        answer(result)
    }

    /// Answers a create the API has read and checked.
    pub async fn create(self: &Arc<Self>, headers: &HeaderMap, checked: CheckedCreate) -> Response {
        let result = match self.authenticate(headers) {
            Ok(()) => self.create_task(checked).await,
            Err(failure) => Err(failure),
        };
        answer(result)
    }

    /// A query made by the proxy itself (its live status), without a caller's credentials.
    pub fn watch_answer(&self, id: &str) -> Response {
        answer(self.query(id))
    }

    /// When a task's shown status next changes by the clock alone, if it will; `None` also
    /// while it waits for its work (see [`Engine::on_finish`]).
    pub fn next_change(&self, id: &str, now_ms: i64) -> Option<i64> {
        self.store.find(id, now_ms)?.next_change_after(now_ms)
    }

    /// Notified once when the work of task `id` ends (a permit is kept if nobody waits yet).
    pub fn on_finish(&self, id: &str) -> Arc<tokio::sync::Notify> {
        let mut listeners = self
            .finish_listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        listeners.entry(id.to_owned()).or_default().clone()
    }

    pub(crate) fn finished(&self, id: &str) {
        let listener = self
            .finish_listeners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        if let Some(listener) = listener {
            listener.notify_one();
        }
    }

    /// Checks Kling's JWT when the engine was given keys to check it with.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<(), ApiFailure> {
        let Some((access_key, secret_key)) = &self.config.verify else {
            return Ok(());
        };
        let authorization = headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("\u{0}"));
        jwt::verify(authorization, access_key, secret_key, wire::now_secs())
            .map(|_| ())
            .map_err(|failure| {
                ApiFailure::new(StatusCode::UNAUTHORIZED, failure.code(), failure.message())
            })
    }

    fn server_failure(&self) -> ApiFailure {
        ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            5000,
            "Server internal error (simulated by the local engine's --engine-fail); try again later",
        )
    }
}

/// Kling's envelope around `data`, or the failure in Kling's error shape.
fn answer(result: Result<serde_json::Value, ApiFailure>) -> Response {
    match result {
        Ok(data) => wire::succeed(data),
        Err(failure) => failure.into_response(STYLE),
    }
}
