//! The result pictures, served from the data directory: `results/<task_id>/<index>.png` or
//! `<index>-watermark.png`, streamed in 64 KiB chunks.

use axum::body::Body;
use axum::http::{header, StatusCode};
use axum::response::Response;

use super::{Engine, STYLE};
use crate::wire::{now_ms, ApiFailure};

impl Engine {
    /// Serves a result picture of a task that still exists.
    pub async fn result_file(&self, task_id: &str, file: &str) -> Response {
        let not_found = || {
            ApiFailure::new(
                StatusCode::NOT_FOUND,
                1203,
                "No such result picture (the task is unknown, not finished, or expired)",
            )
            .into_response(STYLE)
        };
        if !is_result_name(task_id, file) || self.store.find(task_id, now_ms()).is_none() {
            return not_found();
        }
        let path = self.store.results_dir(task_id).join(file);
        match tokio::fs::File::open(&path).await {
            Ok(handle) => {
                let length = handle.metadata().await.map(|m| m.len()).ok();
                let stream = file_stream(handle);
                let mut response = Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "image/png")
                    .header(header::CACHE_CONTROL, "public, max-age=86400, immutable");
                if let Some(length) = length {
                    response = response.header(header::CONTENT_LENGTH, length);
                }
                response
                    .body(Body::from_stream(stream))
                    .unwrap_or_else(|_| not_found())
            }
            Err(_) => not_found(),
        }
    }
}

/// A numeric task id and `<index>.png` or `<index>-watermark.png` with a one- or two-digit
/// index: nothing else can name a file under the data directory.
fn is_result_name(task_id: &str, file: &str) -> bool {
    let id_ok = !task_id.is_empty() && task_id.bytes().all(|b| b.is_ascii_digit());
    let stem = file.strip_suffix(".png").unwrap_or("");
    let number = stem.strip_suffix("-watermark").unwrap_or(stem);
    id_ok && !number.is_empty() && number.len() <= 2 && number.bytes().all(|b| b.is_ascii_digit())
}

/// A file as a stream of 64 KiB chunks, so large results are not held in memory.
fn file_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok(bytes::Bytes::from(buffer)), Some(file)))
            }
            Err(error) => Some((Err(error), None)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_result_names_reach_the_disk() {
        assert!(is_result_name("1712345678901123456", "0.png"));
        assert!(is_result_name("17", "12-watermark.png"));
        for (task, file) in [
            ("17", "../tasks/17.json"),
            ("..", "0.png"),
            ("17", "123.png"),
            ("17", ".png"),
            ("17", "0.PNG"),
            ("17a", "0.png"),
            ("", "0.png"),
            ("17", "0-watermark"),
        ] {
            assert!(!is_result_name(task, file), "{task}/{file}");
        }
    }
}
