//! Calls to a remote provider, with the secret added, and its answers distrusted.
//!
//! The request path is rebuilt from the recognised route with the dialect's own path builders,
//! so nothing the client adds (other query parameters, `..` segments) reaches the upstream.
//! Only a JSON body goes up. An answer comes back only if it is `application/json` and at most
//! [`MAX_ANSWER_BYTES`]; only its status, body and `Retry-After` are kept. Redirects are never
//! followed (they would carry the secret elsewhere).

use std::time::Instant;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, Method, StatusCode};
use futures_util::StreamExt;
use kling_expand_core::dialect::{Dialect, Route};

use crate::config::{Credentials, Remote};
use crate::jwt::TokenSigner;
use crate::wire::{self, ApiFailure};

/// The largest upstream answer relayed: a full list page (500 tasks of 9 results) is ~1 MB.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

enum Auth {
    ApiKey(HeaderValue),
    Jwt(TokenSigner),
}

pub struct Forwarder {
    dialect: Dialect,
    base: String,
    origin: String,
    client: reqwest::Client,
    auth: Auth,
    read_timeout_secs: u64,
}

/// An upstream answer that passed the checks.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub retry_after: Option<HeaderValue>,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("")
    }

    pub fn retry_after_str(&self) -> Option<&str> {
        self.retry_after.as_ref().and_then(|v| v.to_str().ok())
    }
}

/// A call that brought back no answer the proxy can relay.
#[derive(Clone, Debug)]
pub enum Failure {
    /// The connection could not be made: the request never left.
    Unreachable(ApiFailure),
    /// The request was sent, then the answer was lost (a reset, a cut, a timeout): whatever it
    /// asked for may have happened.
    Lost {
        timed_out: bool,
        failure: ApiFailure,
    },
    /// An answer came, but not one to relay (not JSON, too large): `status` is the upstream's.
    Distrusted {
        status: StatusCode,
        failure: ApiFailure,
    },
}

impl Failure {
    pub fn into_failure(self) -> ApiFailure {
        match self {
            Failure::Unreachable(f) | Failure::Lost { failure: f, .. } => f,
            Failure::Distrusted { failure, .. } => failure,
        }
    }
}

impl Forwarder {
    pub fn new(
        remote: &Remote,
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
        let auth = match &remote.credentials {
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
            } => Auth::Jwt(TokenSigner::new(access_key.clone(), secret_key.clone())),
        };
        Ok(Forwarder {
            dialect: remote.dialect,
            base: remote.upstream.base.clone(),
            origin: remote.upstream.origin.clone(),
            client,
            auth,
            read_timeout_secs: read_timeout.as_secs().max(1),
        })
    }

    pub fn origin(&self) -> &str {
        &self.origin
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

    /// The upstream path for a recognised route (`None`: the dialect has no such route).
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

    /// Sends one call; a query refused for the proxy's own JWT's time (1003 not yet valid,
    /// 1004 expired: clocks apart, or a token cached across a suspend) is signed anew and sent
    /// once more.
    pub async fn call(&self, route: &Route, body: Option<Bytes>) -> Result<Answer, Failure> {
        let Some(path) = self.upstream_path(route) else {
            return Err(Failure::Distrusted {
                status: StatusCode::NOT_FOUND,
                failure: not_offered(self.dialect),
            });
        };
        let answer = self.send(&path, body.clone()).await?;
        if let (Auth::Jwt(signer), Route::Query { .. }) = (&self.auth, route) {
            if answer.status == StatusCode::UNAUTHORIZED && refuses_token_time(&answer.body) {
                signer.renew();
                tracing::info!(upstream = %self.origin, "the provider refused the JWT's time; signed a new one");
                return self.send(&path, body).await;
            }
        }
        Ok(answer)
    }

    async fn send(&self, path: &str, body: Option<Bytes>) -> Result<Answer, Failure> {
        let url = format!("{}{}", self.base, path);
        let method = if body.is_some() {
            Method::POST
        } else {
            Method::GET
        };
        let mut request = self
            .client
            .request(method, &url)
            .header(header::AUTHORIZATION, self.authorization())
            .header(header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let started = Instant::now();
        let answer = request.send().await.map_err(|error| {
            let failure = self.transport_failure(&error);
            tracing::warn!(
                upstream = %self.origin,
                ms = started.elapsed().as_millis() as u64,
                "upstream call failed: {}",
                failure.message
            );
            if error.is_connect() {
                Failure::Unreachable(failure)
            } else {
                Failure::Lost {
                    timed_out: error.is_timeout(),
                    failure,
                }
            }
        })?;
        let status =
            StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        let retry_after = answer
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| HeaderValue::from_bytes(v.as_bytes()).ok());
        let content_type = answer
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if !is_json_type(&content_type) {
            let shown: String = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(60)
                .collect();
            return Err(Failure::Distrusted {
                status,
                failure: ApiFailure::new(
                    StatusCode::BAD_GATEWAY,
                    5000,
                    format!(
                        "The provider at {} answered HTTP {} with {} instead of JSON; the proxy relays only JSON answers",
                        self.origin,
                        status.as_u16(),
                        if shown.is_empty() { "no content type".to_owned() } else { shown }
                    ),
                ),
            });
        }
        let mut stream = answer.bytes_stream();
        let mut body = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| Failure::Lost {
                timed_out: error.is_timeout(),
                failure: self.transport_failure(&error),
            })?;
            if body.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(Failure::Distrusted {
                    status,
                    failure: ApiFailure::new(
                        StatusCode::BAD_GATEWAY,
                        5000,
                        format!(
                            "The provider at {} sent an answer larger than {}; the proxy relays at most that",
                            self.origin,
                            wire::megabytes(MAX_ANSWER_BYTES as u64)
                        ),
                    ),
                });
            }
            body.extend_from_slice(&chunk);
        }
        tracing::debug!(
            upstream = %self.origin,
            status = status.as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "upstream answered"
        );
        Ok(Answer {
            status,
            retry_after,
            body: Bytes::from(body),
        })
    }

    fn transport_failure(&self, error: &reqwest::Error) -> ApiFailure {
        let origin = &self.origin;
        let why = describe(error, self.read_timeout_secs);
        if error.is_timeout() {
            ApiFailure::code(
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

/// `application/json`, with or without parameters.
pub fn is_json_type(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// Whether a 401 answer is Kling's 1003 (token not yet valid) or 1004 (expired).
fn refuses_token_time(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("code").and_then(serde_json::Value::as_i64))
        .is_some_and(|code| code == 1003 || code == 1004)
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
    ApiFailure::code(
        1202,
        format!(
            "{} does not offer this route; the proxy forwards only its expand routes",
            dialect.as_str()
        ),
    )
}
