//! The HTTP server: the API (see `api`), health, the widget's static files with their CSP,
//! CORS and the access log.
//!
//! ```text
//! GET  /healthz                               200 {"status":"ok","provider":…}
//! *    /api/kling/<dialect path>              the configured provider's expand routes only
//!                                             (create, query one, query list); anything else 404
//! GET  /api/kling/results/<task>/<n>.png      local engine result pictures
//! GET  /…                                     the built widget (--static DIR), index.html for /
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::access::client::TrustedProxies;
use crate::api::{self, Api, Backend, Intake, MOUNT};
use crate::config::{Config, Provider, StateConfig};
use crate::engine::Engine;
use crate::forward::Forwarder;
use crate::live::Live;
use crate::ratelimit::RateLimiter;
use crate::store::Store;
use crate::wire::{self, ErrorStyle};

/// Builds the application, and gives its live status (whose streams end when the process
/// stops). The local engine (if any) starts here, so this must run inside a Tokio runtime.
pub fn app(config: &Config) -> Result<(Router, Arc<Live>), String> {
    let backend = match &config.provider {
        Provider::Local => Backend::Local(Engine::start(config.engine.clone()).map_err(|e| {
            format!(
                "the local engine cannot use --data-dir {}: {e}",
                config.engine.data_dir.display()
            )
        })?),
        Provider::Remote(remote) => Backend::Remote(Forwarder::new(
            remote,
            config.connect_timeout,
            config.read_timeout,
        )?),
    };
    let store = match &config.access.state {
        StateConfig::Embedded(dir) => Store::embedded(dir).map_err(|e| {
            format!(
                "the state store cannot use --data-dir {}: {e}",
                dir.display()
            )
        })?,
        StateConfig::Redis(url) => Store::redis(url)?,
    };
    let dialect = config.provider.dialect();
    let state = Arc::new(Api {
        dialect,
        backend,
        store,
        auth: config.access.auth.clone(),
        limits: config.access.limits,
        enable_list: config.access.enable_list,
        trusted: TrustedProxies::new(config.access.trust_proxy.clone()),
        limiter: RateLimiter::new(config.rate_limit),
        result_copies: api::results::copier(config.access.allow_private_results)?,
        style: ErrorStyle::for_dialect(dialect),
        intake: Intake::open(&config.engine.data_dir).map_err(|e| {
            format!(
                "create bodies cannot be spooled under --data-dir {}: {e}",
                config.engine.data_dir.display()
            )
        })?,
        sending: tokio::sync::Semaphore::new(api::SENDING_SLOTS),
        live: Arc::new(Live::new(config.live.clone())),
    });

    if state.live.config.enabled && state.store.shared().is_some() {
        tokio::spawn(crate::live::shared::listen(state.clone()));
    }
    let live = state.live.clone();
    let provider_name = config.provider.name();
    let mut router = Router::new()
        .route(
            "/healthz",
            get(move || async move {
                wire::json_body(&serde_json::json!({"status": "ok", "provider": provider_name}))
            }),
        )
        .nest(MOUNT, api::router(state));
    router = match &config.static_dir {
        Some(dir) => router.fallback_service(
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static(PAGE_CSP),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("strict-origin-when-cross-origin"),
                ))
                .service(crate::widget_files::service(dir)),
        ),
        None => router.fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "Not found. This proxy serves the widget only when started with --static DIR.\n",
            )
        }),
    };
    let router = router
        // Bodies are limited by the API's own layer (413 with a clear message).
        .layer(DefaultBodyLimit::disable())
        .layer(cors(&config.allow_origins))
        .layer(middleware::from_fn(access_log));
    Ok((router, live))
}

/// The widget's page runs under a strict policy: its own scripts and WebAssembly only
/// (`'wasm-unsafe-eval'`; the build leaves no inline script), its own stylesheets only (styles
/// are set through the CSSOM, never as `style` attributes), requests to its own origin only,
/// and framing by its own origin only. Pictures may also come from http(s) addresses: the
/// widget previews a picture given by its address, and a remote provider's result links are on
/// that provider's hosts.
const PAGE_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' blob: data: https: http:; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok())
                .collect::<Vec<_>>(),
        )
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST])
        // The widget sends its access token as `Authorization: Bearer`, and resumes a stream
        // with `Last-Event-ID`.
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static("last-event-id"),
        ])
        // The widget reads Retry-After to pace its polling, and whether it may stream.
        .expose_headers([header::RETRY_AFTER, api::CAPABILITY])
        .max_age(Duration::from_secs(600))
}

/// One line per request: client, method, path (no query, no body), status, time.
async fn access_log(
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let mut response = next.run(request).await;
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    tracing::info!(
        target: "access",
        client = %client.ip(),
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
    );
    response
}
