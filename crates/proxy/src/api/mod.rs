//! The API under `/api/kling`: who is calling, what they may still spend, and the handlers.
//!
//! ```text
//! layers, outermost first:  security headers (nosniff, a sandboxing CSP)
//!                           body limit   (413 past 14 MiB, from Content-Length)
//!                           rate limit   (per client address; 429/1302)
//!                           caller       (access token or client address; 401 with a word)
//! routes:  POST <create path>             create::handle   validated, counted, recorded
//!          GET  <query path>/{id}         query::handle    the caller's own tasks only
//!          GET  <query path>/{id}/events  events::handle   the same tasks, as Server-Sent
//!                                                          Events (off with --no-events)
//!          GET  <create path>?pageNum&…   list::handle     off unless --enable-list
//!          POST /callbacks                callbacks::handle  the provider's status callbacks
//!                                                          (with --public-url; signed with
//!                                                          KLING_WEBHOOK_SECRET)
//!          GET  /results/{task}/{index}   results::handle  a copy of a relayed result link
//!          GET  /results/{task}/{n}.png   results::handle  the local engine's files (public,
//!                                                          like a CDN)
//! ```
//!
//! With live status on, every answer of the paid routes carries `X-Kling-Expand-Events: 1`, so
//! a widget learns from its create (or any query) that it can follow the task as a stream.

mod backend;
pub mod callbacks;
mod caller;
mod create;
mod events;
mod intake;
mod list;
mod query;
mod relay;
pub mod results;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use kling_expand_core::dialect::Dialect;
use tower_http::set_header::SetResponseHeaderLayer;

pub use backend::Backend;
pub use caller::Caller;
pub use events::CAPABILITY;
pub use intake::Intake;
pub(crate) use relay::remember;

use crate::access::client::TrustedProxies;
use crate::access::quota::SpendingLimits;
use crate::config::Auth;
use crate::egress::GuardedClient;
use crate::ratelimit::RateLimiter;
use crate::store::Store;
use crate::wire::{self, ApiFailure, ErrorStyle, MAX_BODY_BYTES};

/// Where the API is mounted.
pub const MOUNT: &str = "/api/kling";

/// The CSP of every API answer: nothing in it may run, load or be framed.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

/// Everything the handlers share.
pub struct Api {
    pub dialect: Dialect,
    pub backend: Backend,
    pub store: Store,
    pub auth: Auth,
    pub limits: SpendingLimits,
    pub enable_list: bool,
    pub trusted: TrustedProxies,
    pub limiter: RateLimiter,
    /// Fetches result links for their copies, behind the egress guard (see `results`).
    pub result_copies: GuardedClient,
    pub style: ErrorStyle,
    /// Create bodies taken in, and checked a bounded number at once.
    pub intake: Intake,
    /// Checked creates on their way to the backend at once (a 14 MiB body each at most).
    pub sending: tokio::sync::Semaphore,
    /// The tasks being watched, and their streams.
    pub live: Arc<crate::live::Live>,
}

/// How many checked creates are on their way to the backend at once.
pub const SENDING_SLOTS: usize = 8;

impl Api {
    fn fail(&self, failure: ApiFailure) -> Response {
        failure.into_response(self.style)
    }
}

/// The API router, to be nested at [`MOUNT`].
pub fn router(api: Arc<Api>) -> Router {
    let dialect = api.dialect;
    let create_path = dialect.create_path();
    let query_route = format!(
        "{}/{{id}}",
        dialect
            .query_path("id")
            .strip_suffix("/id")
            .unwrap_or_default()
    );
    let paid = Router::new()
        .route(
            create_path,
            axum::routing::post(create::handle)
                .get(list::handle)
                .fallback(no_such_route),
        )
        .route(&query_route, get(query::handle).fallback(no_such_route));
    let live = api.live.config.enabled;
    let paid = if live {
        paid.route(
            &format!("{query_route}/events"),
            get(events::handle).fallback(no_such_route),
        )
    } else {
        paid
    };
    let paid = paid.route_layer(middleware::from_fn_with_state(
        api.clone(),
        caller::identify,
    ));
    let paid = if live {
        paid.layer(SetResponseHeaderLayer::overriding(
            CAPABILITY,
            HeaderValue::from_static("1"),
        ))
    } else {
        paid
    };
    let open = Router::new();
    // The provider calls it, not a caller: its signature (or nothing) is what it is trusted by.
    let open = if api.live.config.callback_url.is_some() {
        open.route(
            "/callbacks",
            axum::routing::post(callbacks::handle).fallback(no_such_route),
        )
    } else {
        open
    };
    open
        // Checks the caller itself: the local engine's `.png` files stay public.
        .route(
            "/results/{task}/{file}",
            get(results::handle).fallback(no_such_route),
        )
        .merge(paid)
        .fallback(no_such_route)
        .layer(middleware::from_fn_with_state(api.clone(), rate_limit))
        .layer(middleware::from_fn_with_state(api.clone(), body_limit))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(API_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .with_state(api)
}

/// Anything under the mount that is not one of the dialect's routes.
async fn no_such_route(State(api): State<Arc<Api>>, request: Request) -> Response {
    let path = request.uri().path();
    api.fail(not_a_route(api.dialect, request.method(), path))
}

fn not_a_route(dialect: Dialect, method: &Method, path: &str) -> ApiFailure {
    ApiFailure::code(
        1202,
        format!(
            "No such route: {method} {MOUNT}{path}. This proxy answers only the {} image-expansion routes under {MOUNT}.",
            dialect.as_str()
        ),
    )
}

/// 413 from `Content-Length` before anything is read (bodies are also capped while read).
async fn body_limit(State(api): State<Arc<Api>>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = declared {
        if length > MAX_BODY_BYTES {
            return api.fail(wire::too_large(Some(length)));
        }
    }
    next.run(request).await
}

/// Per client address (behind --trust-proxy, the forwarded one; IPv6 by /64).
async fn rate_limit(State(api): State<Arc<Api>>, request: Request, next: Next) -> Response {
    let client = caller::client_ip(&api, &request);
    if let Err(wait) = api.limiter.check(
        crate::access::client::group_ip(client),
        std::time::Instant::now(),
    ) {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let per_minute = api.limiter.config().per_minute;
        return api.fail(
            ApiFailure::code(
                1302,
                format!(
                    "Too many requests from this client: this proxy allows {per_minute} per minute. Retry after {secs} s."
                ),
            )
            .retry_after(secs),
        );
    }
    next.run(request).await
}
