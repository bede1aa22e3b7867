#![allow(clippy::result_large_err)] // Err is the answer itself, made once per call.

//! A fake of each provider's Image Expansion API (providers.md and the seeds), faithful to the
//! documented contract, errors and odd answers included, with faults a test can ask for.
//!
//! It runs in a test's own runtime ([`FakeUpstream::start`]) or as its own process
//! (`fake-upstream --provider kling`), which prints one line,
//! `fake-upstream listening on http://127.0.0.1:PORT`. CometAPI's and KKIAI's API lives under
//! `/kling` there, as on the real hosts. Result pictures come from a second origin that sends
//! no CORS headers, as Kling's CDN may.
//!
//! Control routes (never recorded as API calls):
//! - `GET /__fake/tasks`: `{"count": N, "tasks": [{task_id, external_task_id, n, status}]}`
//! - `GET /__fake/requests`: `[{method, path}]`, every API call that reached the fake
//! - `POST /__fake/faults`: a [`Fault`] or a list of them; `DELETE /__fake/faults` clears them
//! - `GET /__fake/info`: `{"provider", "base", "results_origin"}`

mod auth;
pub mod faults;
mod pictures;
mod provider;
pub mod tasks;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::TokioIo;
use kling_expand_core::dialect::Dialect;
use serde_json::{json, Value};
use tower::ServiceExt;

pub use auth::Expect;
use faults::Faults;
pub use faults::{Call, Fault, FaultKind};
use tasks::{Clock, Task, TaskView};

/// What the fake is and how it behaves.
#[derive(Clone, Debug)]
pub struct Options {
    pub provider: Dialect,
    pub expect: Expect,
    pub clock: Clock,
    pub faults: Vec<Fault>,
}

impl Options {
    /// A provider whose tasks end at once, expecting `Bearer <key>`.
    pub fn new(provider: Dialect, expect: Expect) -> Options {
        Options {
            provider,
            expect,
            clock: Clock {
                submitted: Duration::ZERO,
                processing: Duration::ZERO,
            },
            faults: Vec::new(),
        }
    }

    pub fn clock(mut self, submitted: Duration, processing: Duration) -> Options {
        self.clock = Clock {
            submitted,
            processing,
        };
        self
    }
}

/// One request as the upstream saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

pub(crate) struct Shared {
    pub provider: Dialect,
    pub expect: Expect,
    pub clock: Clock,
    pub faults: Mutex<Faults>,
    pub tasks: Mutex<Vec<Task>>,
    pub seen: Mutex<Vec<Seen>>,
    pub results_origin: String,
    pub pictures: Mutex<HashMap<(String, String), Bytes>>,
}

/// A running fake; it stops with the runtime that started it.
#[derive(Clone)]
pub struct FakeUpstream {
    shared: Arc<Shared>,
    /// `http://127.0.0.1:PORT`: the control routes, and the API of Kling and Modellix.
    pub root: String,
    /// What `--upstream` takes: the root, with `/kling` for CometAPI and KKIAI.
    pub base: String,
}

/// Marks a response whose connection is to be closed instead of answered.
#[derive(Clone, Copy)]
pub(crate) struct DropConnection;

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

impl FakeUpstream {
    /// Binds `listen` (port 0 for a free one) and a second loopback port for result pictures.
    pub async fn start_on(listen: SocketAddr, options: Options) -> std::io::Result<FakeUpstream> {
        let api = tokio::net::TcpListener::bind(listen).await?;
        let pictures = tokio::net::TcpListener::bind(SocketAddr::new(listen.ip(), 0)).await?;
        let root = format!("http://{}", api.local_addr()?);
        let results_origin = format!("http://{}", pictures.local_addr()?);
        let mut faults = Faults::default();
        for fault in options.faults {
            faults.add(fault);
        }
        let shared = Arc::new(Shared {
            provider: options.provider,
            expect: options.expect,
            clock: options.clock,
            faults: Mutex::new(faults),
            tasks: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            results_origin,
            pictures: Mutex::new(HashMap::new()),
        });
        let control = Router::new()
            .route("/__fake/tasks", get(list_tasks))
            .route("/__fake/requests", get(list_requests))
            .route(
                "/__fake/faults",
                axum::routing::post(add_faults).delete(clear_faults),
            )
            .route("/__fake/info", get(info))
            .fallback(api_call)
            .with_state(shared.clone());
        let results = Router::new()
            .route("/results/{task}/{file}", get(pictures::serve))
            .with_state(shared.clone());
        tokio::spawn(serve(api, control));
        tokio::spawn(serve(pictures, results));
        let base = match options.provider {
            Dialect::CometApi | Dialect::Kkiai => format!("{root}/kling"),
            _ => root.clone(),
        };
        Ok(FakeUpstream { shared, root, base })
    }

    /// On a free loopback port.
    pub async fn start(options: Options) -> FakeUpstream {
        FakeUpstream::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), options)
            .await
            .expect("bind loopback ports")
    }

    /// Every API call that reached the fake, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.shared.seen.lock().unwrap().clone()
    }

    pub fn last_request(&self) -> Seen {
        self.requests()
            .last()
            .cloned()
            .expect("the upstream saw a request")
    }

    /// How many API calls reached the fake.
    pub fn request_count(&self) -> usize {
        self.shared.seen.lock().unwrap().len()
    }

    /// How many tasks the fake made (each one would be paid for).
    pub fn task_count(&self) -> usize {
        self.shared.tasks.lock().unwrap().len()
    }

    /// The tasks made, oldest first.
    pub fn tasks(&self) -> Vec<TaskView> {
        task_views(&self.shared)
    }

    pub fn add_fault(&self, fault: Fault) {
        self.shared.faults.lock().unwrap().add(fault);
    }

    /// The origin result pictures are served from (no CORS headers).
    pub fn results_origin(&self) -> &str {
        &self.shared.results_origin
    }
}

/// Serves `router` on `listener`, closing a connection whose response is marked
/// [`DropConnection`] without writing anything.
async fn serve(listener: tokio::net::TcpListener, router: Router) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let router = router.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                    let router = router.clone();
                    async move {
                        let response = router
                            .oneshot(request.map(Body::new))
                            .await
                            .unwrap_or_else(|never| match never {});
                        if response.extensions().get::<DropConnection>().is_some() {
                            Err(Dropped)
                        } else {
                            Ok(response)
                        }
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn task_views(shared: &Shared) -> Vec<TaskView> {
    let now = std::time::Instant::now();
    shared
        .tasks
        .lock()
        .unwrap()
        .iter()
        .map(|t| TaskView {
            task_id: t.task_id.clone(),
            external_task_id: t.external_task_id.clone(),
            n: t.n,
            status: t.phase(shared.clock, now),
        })
        .collect()
}

async fn list_tasks(State(shared): State<Arc<Shared>>) -> Response {
    let tasks = task_views(&shared);
    json_answer(200, json!({"count": tasks.len(), "tasks": tasks}))
}

async fn list_requests(State(shared): State<Arc<Shared>>) -> Response {
    let seen: Vec<Value> = shared
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|s| json!({"method": s.method, "path": s.path_and_query}))
        .collect();
    json_answer(200, Value::Array(seen))
}

async fn add_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let faults: Vec<Fault> = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Array(items)) => match items
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<Vec<Fault>, _>>()
        {
            Ok(faults) => faults,
            Err(e) => return json_answer(400, json!({"error": e.to_string()})),
        },
        Ok(one) => match serde_json::from_value(one) {
            Ok(fault) => vec![fault],
            Err(e) => return json_answer(400, json!({"error": e.to_string()})),
        },
        Err(e) => return json_answer(400, json!({"error": e.to_string()})),
    };
    let mut queue = shared.faults.lock().unwrap();
    for fault in faults {
        queue.add(fault);
    }
    json_answer(200, json!({"ok": true}))
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.faults.lock().unwrap().clear();
    json_answer(200, json!({"ok": true}))
}

async fn info(State(shared): State<Arc<Shared>>) -> Response {
    json_answer(
        200,
        json!({"provider": shared.provider.as_str(), "results_origin": shared.results_origin}),
    )
}

async fn api_call(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 64 * 1024 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    shared.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        path_and_query,
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    provider::answer(&shared, &parts, &body).await
}

pub(crate) fn json_answer(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}
