//! `GET <create path>?pageNum&pageSize`: off unless `--enable-list`; then the caller's own
//! tasks, newest first, from the proxy's records (never the provider's list of the account).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::Response;
use axum::Extension;
use kling_expand_core::dialect::Route;

use super::create::store_down;
use super::{not_a_route, Api, Caller};
use crate::wire::{self, ApiFailure};

pub async fn handle(
    State(api): State<Arc<Api>>,
    Extension(caller): Extension<Caller>,
    method: Method,
    uri: Uri,
) -> Response {
    match list(&api, &caller, &method, &uri).await {
        Ok(response) => response,
        Err(failure) => api.fail(failure),
    }
}

async fn list(
    api: &Api,
    caller: &Caller,
    method: &Method,
    uri: &Uri,
) -> Result<Response, ApiFailure> {
    // Nested under MOUNT: the path is already relative to it.
    let path = uri.path();
    if !api.enable_list || !api.dialect.supports_list() {
        return Err(not_a_route(api.dialect, method, path));
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path.to_owned(),
    };
    let Some(Route::List {
        page_num,
        page_size,
    }) = api.dialect.route("GET", &path_and_query)
    else {
        return Err(ApiFailure::code(
            1201,
            "pageNum must be a whole number from 1 to 1000 and pageSize from 1 to 500",
        ));
    };
    let size = page_size as usize;
    let records = api
        .store
        .tasks_of(&caller.owner, (page_num as usize - 1) * size, size)
        .await
        .map_err(|e| store_down(&e))?;
    let data: Vec<_> = records.into_iter().filter_map(|r| r.last).collect();
    Ok(wire::succeed(data))
}
