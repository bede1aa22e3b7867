//! The HTTP server: routes, CORS, body limit, rate limit, access log, static files.
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

use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{any, get};
use axum::Router;
use kling_expand_core::dialect::Route;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use crate::config::{Config, Provider};
use crate::engine::{Engine, MOUNT};
use crate::forward::Forwarder;
use crate::ratelimit::RateLimiter;
use crate::wire::{self, ApiFailure, ErrorStyle, MAX_BODY_BYTES};

enum Backend {
    Local(Arc<Engine>),
    Remote(Forwarder),
}

struct AppState {
    provider: Provider,
    backend: Backend,
    limiter: RateLimiter,
    style: ErrorStyle,
}

/// Builds the application. The local engine (if any) starts here, so this must run inside a
/// Tokio runtime.
pub fn app(config: &Config) -> Result<Router, String> {
    let backend = match config.provider {
        Provider::Local => Backend::Local(Engine::start(config.engine.clone()).map_err(|e| {
            format!(
                "the local engine cannot use --data-dir {}: {e}",
                config.engine.data_dir.display()
            )
        })?),
        Provider::Remote(dialect) => Backend::Remote(Forwarder::new(
            dialect,
            config
                .upstream
                .clone()
                .ok_or("a remote provider needs an upstream")?,
            config
                .credentials
                .clone()
                .ok_or("a remote provider needs a secret")?,
            config.connect_timeout,
            config.read_timeout,
        )?),
    };
    let state = Arc::new(AppState {
        provider: config.provider,
        backend,
        limiter: RateLimiter::new(config.rate_limit),
        style: ErrorStyle::for_dialect(config.provider.dialect()),
    });

    let api = Router::new()
        .route(MOUNT, any(api))
        .route(&format!("{MOUNT}/{{*rest}}"), any(api))
        .with_state(state.clone());

    let provider_name = config.provider.name();
    let mut router = Router::new()
        .route(
            "/healthz",
            get(move || async move {
                wire::json_body(&serde_json::json!({"status": "ok", "provider": provider_name}))
            }),
        )
        .merge(api);
    router = match &config.static_dir {
        Some(dir) => router.fallback_service(ServeDir::new(dir)),
        None => router.fallback(|| async {
            (
                StatusCode::NOT_FOUND,
                "Not found. This proxy serves the widget only when started with --static DIR.\n",
            )
        }),
    };
    Ok(router
        // Bodies are limited by the API handler itself (413 with a clear message).
        .layer(DefaultBodyLimit::disable())
        .layer(cors(&config.allow_origins))
        .layer(middleware::from_fn(access_log)))
}

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
        .allow_headers([header::CONTENT_TYPE])
        // The widget reads Retry-After to pace its polling.
        .expose_headers([header::RETRY_AFTER])
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

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

async fn api(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    if let Err(wait) = state.limiter.check(client.ip(), Instant::now()) {
        let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
        let per_minute = state.limiter.config().per_minute;
        return ApiFailure::new(
            StatusCode::TOO_MANY_REQUESTS,
            1302,
            format!(
                "Too many requests from this client: this proxy allows {per_minute} per minute. Retry after {secs} s."
            ),
        )
        .retry_after(secs)
        .into_response(state.style);
    }
    let (parts, body) = request.into_parts();
    let rest = parts.uri.path().strip_prefix(MOUNT).unwrap_or("");

    if let Backend::Local(engine) = &state.backend {
        if parts.method == Method::GET {
            if let Some((task_id, file)) = rest
                .strip_prefix("/results/")
                .and_then(|tail| tail.split_once('/'))
            {
                return engine.result_file(task_id, file).await;
            }
        }
    }

    let path_and_query = match parts.uri.query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_owned(),
    };
    let dialect = state.provider.dialect();
    let Some(route) = dialect.route(parts.method.as_str(), &path_and_query) else {
        if let Backend::Local(engine) = &state.backend {
            // The list path with page numbers out of range: Kling answers 400, not 404.
            if parts.method == Method::GET && rest == dialect.create_path() {
                return engine.bad_page(parts.uri.query().unwrap_or_default());
            }
        }
        return ApiFailure::new(
            StatusCode::NOT_FOUND,
            1202,
            format!(
                "No such route: {} {}{rest}. This proxy answers only the {} image-expansion routes under {MOUNT}.",
                parts.method,
                MOUNT,
                dialect.as_str()
            ),
        )
        .into_response(state.style);
    };

    let body = if route == Route::Create {
        if !is_json(&parts.headers) {
            return ApiFailure::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                1200,
                "The create call needs Content-Type: application/json with a JSON body",
            )
            .into_response(state.style);
        }
        let declared = parts
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Some(length) = declared {
            if length > MAX_BODY_BYTES {
                return wire::too_large(Some(length)).into_response(state.style);
            }
        }
        body
    } else {
        // Queries carry no body; never pass one on.
        Body::empty()
    };

    match &state.backend {
        Backend::Local(engine) => engine.handle(route, &parts.headers, body).await,
        Backend::Remote(forwarder) => {
            forwarder
                .forward(route, parts.method, &parts.headers, body)
                .await
        }
    }
}

/// Binds, prints the one stdout line scripts wait for, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), String> {
    let app = app(&config)?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "kling-expand-proxy listening on http://{address}");
        let _ = stdout.flush();
    }
    match (&config.provider, &config.upstream) {
        (Provider::Remote(_), Some(upstream)) => tracing::info!(
            provider = config.provider.name(),
            upstream = %upstream.origin,
            "forwarding the expand routes"
        ),
        _ => tracing::info!(provider = "local", "answering with the local engine"),
    }
    if config.allow_origins.iter().any(|o| o == "*") {
        tracing::warn!("--allow-origin * lets any web page call this proxy from a browser");
    }
    // On Ctrl-C or SIGTERM: stop accepting, let requests in flight finish, but wait at most
    // SHUTDOWN_GRACE for them (a slow upstream must not hold the process).
    let stopping = Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        signalled.notify_one();
    });
    tokio::select! {
        result = server => result.map_err(|e| format!("the server stopped: {e}")),
        () = async {
            stopping.notified().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!("requests still in flight after {} s; stopping anyway", SHUTDOWN_GRACE.as_secs());
            Ok(())
        }
    }
}

/// How long requests in flight may take to finish once a stop is asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
