//! `GET /results/{task_id}/{index}[?watermarked=1]`: a copy, under the proxy's origin, of a
//! result picture whose link the proxy itself relayed to that task's owner (for hosts that send
//! no CORS headers), and nothing else: no address from the request, `image/png|jpeg|webp`
//! only, at most [`MAX_RESULT_BYTES`], a read timeout, and behind the egress guard
//! (`egress.rs`): http(s) on ports 80 and 443 to public addresses only, every resolved address
//! checked, no redirects (`--allow-private-results` lifts the address and port rules). With the
//! local engine the same path answers from the engine's files; `/results/{task_id}/{n}.png` are
//! those files themselves.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use futures_util::StreamExt;

use super::create::store_down;
use super::relay::unknown_task;
use super::{caller, Api};
use crate::egress::{Egress, GuardedClient, Refused};
use crate::wire::{self, ApiFailure};

/// The largest result picture copied: a 3× expansion of a large original as PNG stays below.
pub const MAX_RESULT_BYTES: u64 = 40 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The client result copies are fetched with: behind the egress guard, following no redirect.
pub fn copier(allow_private: bool) -> Result<GuardedClient, String> {
    Egress::new(allow_private)
        .client(
            reqwest::Client::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .read_timeout(READ_TIMEOUT)
                .user_agent(concat!("kling-expand-proxy/", env!("CARGO_PKG_VERSION"))),
            0,
        )
        .map_err(|e| format!("the HTTP client for result copies could not be set up: {e}"))
}

pub async fn handle(
    State(api): State<Arc<Api>>,
    Path((task_id, file)): Path<(String, String)>,
    request: Request,
) -> Response {
    if file.ends_with(".png") {
        // The local engine's own files, public like a CDN's links.
        return match api.backend.engine() {
            Some(engine) => engine.result_file(&task_id, &file).await,
            None => api.fail(unknown_task()),
        };
    }
    let caller = match caller::resolve(&api, &request) {
        Ok(caller) => caller,
        Err(failure) => return api.fail(failure),
    };
    let watermarked = request
        .uri()
        .query()
        .is_some_and(|q| q.split('&').any(|p| p == "watermarked=1"));
    match copy(&api, &caller.owner, &task_id, &file, watermarked).await {
        Ok(response) => response,
        Err(failure) => api.fail(failure),
    }
}

async fn copy(
    api: &Api,
    owner: &str,
    task_id: &str,
    file: &str,
    watermarked: bool,
) -> Result<Response, ApiFailure> {
    let no_such = || {
        ApiFailure::code(
            1203,
            "No such result picture (the task is unknown, not finished, or expired)",
        )
    };
    let index: u32 = file.parse().map_err(|_| no_such())?;
    let record = api
        .store
        .task(task_id)
        .await
        .map_err(|e| store_down(&e))?
        .filter(|r| r.owner == owner)
        .ok_or_else(no_such)?;
    if let Some(engine) = api.backend.engine() {
        let name = if watermarked {
            format!("{index}-watermark.png")
        } else {
            format!("{index}.png")
        };
        return Ok(engine.result_file(task_id, &name).await);
    }
    let image = record
        .last
        .as_ref()
        .and_then(|d| d.task_result.as_ref())
        .and_then(|r| r.images.iter().find(|i| i.index == index))
        .ok_or_else(no_such)?;
    let link = if watermarked {
        image.watermark_url.as_deref().ok_or_else(no_such)?
    } else {
        image.url.as_str()
    };
    fetch(&api.result_copies, link, api.backend.origin()).await
}

fn unfetchable(why: impl std::fmt::Display) -> ApiFailure {
    ApiFailure::new(
        StatusCode::BAD_GATEWAY,
        5000,
        format!("The result picture could not be copied: {why}"),
    )
}

/// What a refused address is told: one sentence whatever the rule (the details go to the log).
const NOT_PUBLIC: &str =
    "its link is not a public address on port 80 or 443, and this proxy fetches only those";

/// Streams the picture behind `link` (resolved against `origin` when root-relative).
async fn fetch(
    client: &GuardedClient,
    link: &str,
    origin: Option<&str>,
) -> Result<Response, ApiFailure> {
    let url = match (reqwest::Url::parse(link), origin) {
        (Ok(url), _) => url,
        (Err(_), Some(origin)) if link.starts_with('/') => {
            reqwest::Url::parse(&format!("{origin}{link}"))
                .map_err(|_| unfetchable("its link is not a URL"))?
        }
        _ => return Err(unfetchable("its link is not a URL")),
    };
    let request = client.get(url.as_str()).map_err(|refused| {
        tracing::info!("result copy refused: {refused}");
        match refused {
            Refused::NotHttp => unfetchable("its link is not http(s)"),
            _ => unfetchable(NOT_PUBLIC),
        }
    })?;
    let answer = request.send().await.map_err(|error| {
        tracing::info!("result copy failed: {}", crate::egress::cause_of(&error));
        if error.is_redirect() {
            unfetchable("its host answered with a redirect, which this proxy does not follow")
        } else if crate::egress::was_refused(&error) {
            unfetchable(NOT_PUBLIC)
        } else {
            unfetchable("its host did not answer")
        }
    })?;
    if !answer.status().is_success() {
        return Err(unfetchable(format!(
            "its host answered HTTP {}",
            answer.status().as_u16()
        )));
    }
    let content_type = answer
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !matches!(
        content_type.as_str(),
        "image/png" | "image/jpeg" | "image/webp"
    ) {
        return Err(unfetchable(
            "its host did not send a PNG, JPEG or WebP picture",
        ));
    }
    if answer
        .content_length()
        .is_some_and(|length| length > MAX_RESULT_BYTES)
    {
        return Err(unfetchable(format!(
            "it is larger than {}",
            wire::megabytes(MAX_RESULT_BYTES)
        )));
    }
    let mut seen: u64 = 0;
    let stream = answer.bytes_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        seen += chunk.len() as u64;
        if seen > MAX_RESULT_BYTES {
            return Err(std::io::Error::other("result picture over the size cap"));
        }
        Ok(chunk)
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "private, max-age=3600")
        .body(Body::from_stream(stream))
        .map_err(|_| unfetchable("the answer could not be built"))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn message(client: &GuardedClient, link: &str) -> String {
        match fetch(client, link, None).await {
            Ok(_) => panic!("{link} was fetched"),
            Err(failure) => {
                assert_eq!(failure.status, StatusCode::BAD_GATEWAY, "{link}");
                failure.message
            }
        }
    }

    #[tokio::test]
    async fn links_to_addresses_that_are_not_public_are_not_fetched() {
        let strict = copier(false).unwrap();
        for link in [
            "http://127.0.0.1/0.png",
            "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:10.0.0.1]/0.png",
            "https://cdn.example.com:8443/0.png",
            // A name is judged by what it resolves to, at connect time.
            "http://localhost/0.png",
        ] {
            let said = message(&strict, link).await;
            assert!(said.contains("not a public address"), "{link}: {said}");
        }
        assert!(message(&strict, "ftp://cdn.example.com/0.png")
            .await
            .contains("not http(s)"));
    }

    #[tokio::test]
    async fn a_redirect_is_not_followed() {
        let app = axum::Router::new().route(
            "/0.png",
            axum::routing::get(|| async {
                axum::response::Redirect::temporary("http://169.254.169.254/latest/meta-data/")
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        // Private addresses allowed (the test server is on loopback): redirects still are not.
        let open = copier(true).unwrap();
        let said = message(&open, &format!("http://{address}/0.png")).await;
        assert!(said.contains("redirect"), "{said}");
    }
}
