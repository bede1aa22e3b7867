//! Who answers a call: the local engine, or a remote provider through the [`Forwarder`]. Both
//! give an [`Answer`] (status, `Retry-After`, a JSON body of bounded size) or a [`Failure`].

use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use kling_expand_core::dialect::{Dialect, Route};

use crate::create_body::{upstream_body, CheckedCreate};
use crate::engine::Engine;
use crate::forward::{is_json_type, Answer, Failure, Forwarder, MAX_ANSWER_BYTES};
use crate::wire::ApiFailure;

pub enum Backend {
    Local(Arc<Engine>),
    Remote(Forwarder),
}

/// A checked create made ready for its backend by [`Backend::prepare`]: the engine takes the
/// request and the decoded picture, a provider the body in its dialect.
pub enum Outgoing<'a> {
    Engine(&'a Arc<Engine>, CheckedCreate),
    Provider(&'a Forwarder, Bytes),
}

impl Outgoing<'_> {
    /// Sends the create. `authorization` is passed to the local engine only (which may check
    /// Kling's JWT); a remote provider gets the proxy's own credentials.
    pub async fn send(self, authorization: Option<&HeaderValue>) -> Result<Answer, Failure> {
        match self {
            Outgoing::Provider(forwarder, body) => forwarder.call(&Route::Create, Some(body)).await,
            Outgoing::Engine(engine, checked) => {
                engine_answer(engine.create(&headers_with(authorization), checked).await).await
            }
        }
    }
}

impl Backend {
    /// What the backend takes of a checked create; what it does not need is dropped now.
    pub fn prepare(&self, dialect: Dialect, checked: CheckedCreate) -> Outgoing<'_> {
        match self {
            Backend::Local(engine) => Outgoing::Engine(engine, checked.without_base64()),
            Backend::Remote(forwarder) => {
                Outgoing::Provider(forwarder, upstream_body(dialect, checked.request))
            }
        }
    }

    /// A query or the list (creates go through [`Backend::create`]).
    pub async fn call(
        &self,
        route: &Route,
        authorization: Option<&HeaderValue>,
    ) -> Result<Answer, Failure> {
        match self {
            Backend::Remote(forwarder) => forwarder.call(route, None).await,
            Backend::Local(engine) => {
                engine_answer(engine.handle(route.clone(), &headers_with(authorization))).await
            }
        }
    }

    /// A query the proxy makes itself to follow a task (live status): a provider gets the
    /// proxy's credentials as always, the local engine is asked without a caller's.
    pub async fn watch_query(&self, task_id: &str) -> Result<Answer, Failure> {
        let route = Route::Query {
            id: task_id.to_owned(),
        };
        match self {
            Backend::Remote(forwarder) => forwarder.call(&route, None).await,
            Backend::Local(engine) => engine_answer(engine.watch_answer(task_id)).await,
        }
    }

    pub fn engine(&self) -> Option<&Arc<Engine>> {
        match self {
            Backend::Local(engine) => Some(engine),
            Backend::Remote(_) => None,
        }
    }

    /// Where a root-relative result link points: the provider's origin.
    pub fn origin(&self) -> Option<&str> {
        match self {
            Backend::Local(_) => None,
            Backend::Remote(forwarder) => Some(forwarder.origin()),
        }
    }
}

fn headers_with(authorization: Option<&HeaderValue>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(value) = authorization {
        headers.insert(header::AUTHORIZATION, value.clone());
    }
    headers
}

/// The engine's answer, held to the same rules as a provider's: JSON of bounded size.
async fn engine_answer(response: Response) -> Result<Answer, Failure> {
    let status = response.status();
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_type);
    let retry_after = response.headers().get(header::RETRY_AFTER).cloned();
    let body = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
        .await
        .unwrap_or_default();
    if !json {
        return Err(Failure::Distrusted {
            status,
            failure: ApiFailure::new(
                StatusCode::BAD_GATEWAY,
                5000,
                "The local engine answered without JSON",
            ),
        });
    }
    Ok(Answer {
        status,
        retry_after,
        body,
    })
}
