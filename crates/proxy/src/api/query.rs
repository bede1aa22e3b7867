//! `GET <query path>/{id}`: the caller's own tasks only, by task id or by the external id it
//! sent. Any other id is answered exactly like a task that does not exist, without asking the
//! provider.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::Extension;
use kling_expand_core::dialect::Route;

use super::create::store_down;
use super::relay::{self, remember, unknown_task, unspace};
use super::{not_a_route, Api, Caller};
use crate::wire::ApiFailure;

pub async fn handle(
    State(api): State<Arc<Api>>,
    Extension(caller): Extension<Caller>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    match query(&api, &caller, &method, &uri, &headers).await {
        Ok(response) => response,
        Err(failure) => api.fail(failure),
    }
}

async fn query(
    api: &Api,
    caller: &Caller,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Response, ApiFailure> {
    // Nested under MOUNT: the path is already relative to it.
    let rest = uri.path();
    let Some(Route::Query { id }) = api.dialect.route("GET", rest) else {
        return Err(not_a_route(api.dialect, method, rest));
    };
    let known = api.store.task(&id).await.map_err(|e| store_down(&e))?;
    let (upstream_id, known, claim) = match known {
        Some(record) if record.owner == caller.owner => (id.clone(), Some(record), None),
        Some(_) => return Err(unknown_task()),
        None if api.dialect.supports_external_task_id() => {
            match api
                .store
                .claim(&caller.owner, &id)
                .await
                .map_err(|e| store_down(&e))?
            {
                Some(claim) => {
                    let known = match &claim.task_id {
                        Some(task_id) => {
                            api.store.task(task_id).await.map_err(|e| store_down(&e))?
                        }
                        None => None,
                    };
                    (format!("{}{id}", caller.namespace()), known, Some(claim))
                }
                None => return Err(unknown_task()),
            }
        }
        None => return Err(unknown_task()),
    };
    let answer = api
        .backend
        .call(
            &Route::Query { id: upstream_id },
            headers.get(header::AUTHORIZATION),
        )
        .await
        .map_err(|failure| failure.into_failure())?;
    if answer.status == StatusCode::NOT_FOUND {
        // The same answer whether the provider or the proxy does not know it.
        return Err(unknown_task());
    }
    if let Ok(snapshot) = api.dialect.parse_query(
        answer.status.as_u16(),
        answer.text(),
        answer.retry_after_str(),
    ) {
        let record = remember(api, caller, &snapshot, known, claim.as_ref())
            .await
            .map_err(|e| store_down(&e))?;
        if snapshot.task_id != record.task_id {
            return Err(unknown_task());
        }
    }
    Ok(relay::respond(
        &answer,
        unspace(&answer.body, &caller.namespace()),
    ))
}
