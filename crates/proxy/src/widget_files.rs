//! The built widget, served from `--static DIR` by tower-http's `ServeDir`, except files and
//! folders whose name starts with a dot (`.git`, `.env`, `.data`, …): those are 404 however the
//! path is spelled (`%2e`, `%2F` inside a segment), since `ServeDir` decodes the path before
//! it looks.

use std::path::Path;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::services::ServeDir;

/// The widget's files under `dir`, dotfiles excepted.
pub fn service(dir: &Path) -> Router {
    Router::new()
        .fallback_service(ServeDir::new(dir))
        .layer(middleware::from_fn(refuse_dotfiles))
}

async fn refuse_dotfiles(request: Request, next: Next) -> Response {
    if names_a_dotfile(request.uri().path()) {
        return (StatusCode::NOT_FOUND, "Not found.\n").into_response();
    }
    next.run(request).await
}

/// Does any segment of the decoded path start with a dot?
fn names_a_dotfile(path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    decoded
        .split(['/', '\\'])
        .any(|segment| segment.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_names_are_found_in_every_spelling() {
        for path in [
            "/.git/config",
            "/.env",
            "/assets/.secret",
            "/%2egit/config",
            "/%2Eenv",
            "/a%2f.git%2fconfig",
            "/..%2f..%2fetc/passwd",
        ] {
            assert!(names_a_dotfile(path), "{path}");
        }
        for path in [
            "/",
            "/index.html",
            "/kling-expand-abc123.wasm",
            "/style.v2.css",
        ] {
            assert!(!names_a_dotfile(path), "{path}");
        }
    }
}
