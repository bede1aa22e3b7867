//! Result pictures, served from a second origin that sends no CORS headers (as a CDN may):
//! PNGs of the result's exact size, a different shade for each index.

use std::io::Cursor;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::tasks::Phase;
use crate::Shared;

pub(crate) async fn serve(
    State(shared): State<Arc<Shared>>,
    Path((task_id, file)): Path<(String, String)>,
) -> Response {
    let Some(stem) = file.strip_suffix(".png") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (index, watermarked) = match stem.strip_suffix("-watermark") {
        Some(index) => (index, true),
        None => (stem, false),
    };
    let Ok(index) = index.parse::<u32>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let size = {
        let tasks = shared.tasks.lock().unwrap();
        tasks
            .iter()
            .find(|t| t.task_id == task_id)
            .filter(|t| {
                t.phase(shared.clock, Instant::now()) == Phase::Succeeded
                    && !t.results_missing
                    && index < t.n
                    && (!watermarked || t.watermark)
            })
            .map(|t| (t.width, t.height))
    };
    let Some((width, height)) = size else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let key = (task_id, file);
    let cached = shared.pictures.lock().unwrap().get(&key).cloned();
    let bytes = match cached {
        Some(bytes) => bytes,
        None => {
            let bytes = tokio::task::spawn_blocking(move || png(width, height, index, watermarked))
                .await
                .unwrap_or_default();
            shared.pictures.lock().unwrap().insert(key, bytes.clone());
            bytes
        }
    };
    ([("content-type", "image/png")], bytes).into_response()
}

fn png(width: u32, height: u32, index: u32, watermarked: bool) -> Bytes {
    let shade = (40 + index * 23 % 180) as u8;
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let band = if watermarked && (x / 40 + y / 40) % 2 == 0 {
            60
        } else {
            0
        };
        image::Rgb([
            shade,
            (x * 255 / width.max(1)) as u8,
            ((y * 255 / height.max(1)) as u8).saturating_sub(band),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    let _ = picture.write_to(&mut out, image::ImageFormat::Png);
    Bytes::from(out.into_inner())
}
