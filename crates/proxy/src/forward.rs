//! Forwarding the allowlisted expand routes to a remote provider, with the secret added.
//!
//! The request path is rebuilt from the recognised [`Route`] with the dialect's own path
//! builders, so nothing the client adds (other query parameters, `..` segments) reaches the
//! upstream. Only the body and its content type go up; only the status, the body, its content
//! type and `Retry-After` come back: no other header crosses the proxy in either direction.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use futures_util::StreamExt;
use kling_expand_core::dialect::{Dialect, Route};

use crate::config::{Credentials, Upstream};
use crate::jwt::TokenSigner;
use crate::wire::{self, ApiFailure, ErrorStyle, MAX_BODY_BYTES};

enum Auth {
    ApiKey(HeaderValue),
    Jwt(TokenSigner),
}

pub struct Forwarder {
    dialect: Dialect,
    upstream: Upstream,
    client: reqwest::Client,
    auth: Auth,
    read_timeout_secs: u64,
}

impl Forwarder {
    pub fn new(
        dialect: Dialect,
        upstream: Upstream,
        credentials: Credentials,
        connect_timeout: std::time::Duration,
        read_timeout: std::time::Duration,
    ) -> Result<Forwarder, String> {
        let client = reqwest::Client::builder()
            .connect_timeout(connect_timeout)
            .read_timeout(read_timeout)
            // A redirect would carry the secret to wherever it points: never follow one.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kling-expand-proxy/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the HTTP client could not be set up: {e}"))?;
        let auth = match credentials {
            Credentials::ApiKey(key) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                    .map_err(|_| {
                        "KLING_API_KEY cannot go in an HTTP header; copy the key again".to_owned()
                    })?;
                value.set_sensitive(true);
                Auth::ApiKey(value)
            }
            Credentials::AccessKey {
                access_key,
                secret_key,
            } => Auth::Jwt(TokenSigner::new(access_key, secret_key)),
        };
        Ok(Forwarder {
            dialect,
            upstream,
            client,
            auth,
            read_timeout_secs: read_timeout.as_secs().max(1),
        })
    }

    fn authorization(&self) -> HeaderValue {
        match &self.auth {
            Auth::ApiKey(value) => value.clone(),
            Auth::Jwt(signer) => {
                let token = signer.token(wire::now_secs());
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .expect("a JWT is header-safe");
                value.set_sensitive(true);
                value
            }
        }
    }

    fn style(&self) -> ErrorStyle {
        ErrorStyle::for_dialect(self.dialect)
    }

    /// The upstream path for a recognised route.
    fn upstream_path(&self, route: &Route) -> Option<String> {
        match route {
            Route::Create => Some(self.dialect.create_path().to_owned()),
            Route::Query { id } => Some(self.dialect.query_path(id)),
            Route::List {
                page_num,
                page_size,
            } => self.dialect.list_path(*page_num, *page_size),
        }
    }

    /// Sends the request upstream and streams the answer back.
    pub async fn forward(
        &self,
        route: Route,
        method: Method,
        headers: &HeaderMap,
        body: Body,
    ) -> Response {
        let Some(path) = self.upstream_path(&route) else {
            return not_offered(self.dialect).into_response(self.style());
        };
        let url = format!("{}{}", self.upstream.base, path);
        let mut request = self
            .client
            .request(method.clone(), &url)
            .header(header::AUTHORIZATION, self.authorization())
            .header(header::ACCEPT, "application/json");
        let body_too_large = Arc::new(AtomicBool::new(false));
        if method == Method::POST {
            request = request.header(header::CONTENT_TYPE, "application/json");
            if let Some(length) = headers.get(header::CONTENT_LENGTH) {
                request = request.header(header::CONTENT_LENGTH, length.clone());
            }
            // Stream the body up instead of buffering it, so memory stays flat however many
            // large creates arrive at once; stop (and answer 413) past the limit.
            let flag = body_too_large.clone();
            let mut seen: u64 = 0;
            let stream = body.into_data_stream().map(move |chunk| {
                let chunk = chunk.map_err(std::io::Error::other)?;
                seen += chunk.len() as u64;
                if seen > MAX_BODY_BYTES {
                    flag.store(true, Ordering::Relaxed);
                    return Err(std::io::Error::other("request body over the limit"));
                }
                Ok(chunk)
            });
            request = request.body(reqwest::Body::wrap_stream(stream));
        }
        let started = Instant::now();
        let answer = match request.send().await {
            Ok(answer) => answer,
            Err(error) => {
                if body_too_large.load(Ordering::Relaxed) {
                    return wire::too_large(None).into_response(self.style());
                }
                let failure = self.transport_failure(&error);
                tracing::warn!(
                    upstream = %self.upstream.origin,
                    status = failure.status.as_u16(),
                    ms = started.elapsed().as_millis() as u64,
                    "upstream unreachable: {}",
                    failure.message
                );
                return failure.into_response(self.style());
            }
        };
        let status = answer.status();
        // The access log already has the status; this line adds the upstream's own time.
        tracing::debug!(
            upstream = %self.upstream.origin,
            status = status.as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "upstream answered"
        );
        let mut response = Response::builder().status(status.as_u16());
        for name in [header::CONTENT_TYPE, header::RETRY_AFTER] {
            if let Some(value) = answer.headers().get(&name) {
                response = response.header(name, value.clone());
            }
        }
        let read_timeout_secs = self.read_timeout_secs;
        let origin = self.upstream.origin.clone();
        let stream = answer.bytes_stream().map(move |chunk| {
            chunk.map_err(|e| {
                tracing::warn!(upstream = %origin, "upstream answer cut off: {}", describe(&e, read_timeout_secs));
                std::io::Error::other("upstream answer cut off")
            })
        });
        response
            .body(Body::from_stream(stream))
            .unwrap_or_else(|_| {
                ApiFailure::new(
                    StatusCode::BAD_GATEWAY,
                    5000,
                    "The upstream answer could not be relayed",
                )
                .into_response(self.style())
            })
    }

    fn transport_failure(&self, error: &reqwest::Error) -> ApiFailure {
        let origin = &self.upstream.origin;
        let why = describe(error, self.read_timeout_secs);
        if error.is_timeout() {
            ApiFailure::new(
                StatusCode::GATEWAY_TIMEOUT,
                5002,
                format!(
                    "The provider at {origin} did not answer in time ({why}); try again shortly."
                ),
            )
        } else {
            ApiFailure::new(
                StatusCode::BAD_GATEWAY,
                5000,
                format!("The proxy could not reach the provider at {origin} ({why}); check the network and --upstream."),
            )
        }
    }
}

/// The innermost cause of a transport error, without the URL that reqwest's own message carries.
fn describe(error: &reqwest::Error, read_timeout_secs: u64) -> String {
    if error.is_timeout() {
        return format!("no answer within the timeout; read timeout is {read_timeout_secs} s");
    }
    let mut cause: &dyn std::error::Error = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    if text.is_empty() || text.contains("http://") || text.contains("https://") {
        if error.is_connect() {
            "connection failed".into()
        } else {
            "transport error".into()
        }
    } else {
        text
    }
}

/// A route this provider does not have (the list route on Modellix).
pub fn not_offered(dialect: Dialect) -> ApiFailure {
    ApiFailure::new(
        StatusCode::NOT_FOUND,
        1202,
        format!(
            "{} does not offer this route; the proxy forwards only its expand routes",
            dialect.as_str()
        ),
    )
}
