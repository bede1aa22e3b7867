//! The work of a task: its picture read from the data directory or downloaded, checked, expanded
//! `n` times, the results written, and the outcome recorded. At most one picture per core is
//! expanded at once.

use std::sync::Arc;

use futures_util::StreamExt;
use kling_expand_core::geometry::Size;
use kling_expand_core::limits::MAX_FILE_BYTES;
use kling_expand_core::validate::check_image_bytes;
use tokio::sync::OwnedSemaphorePermit;

use super::expand::{self, Placement};
use super::store::{ImageMeta, Outcome, TaskRecord};
use super::{join_problems, Engine};
use crate::egress::cause_of;
use crate::wire::{self, now_ms};

/// The largest picture (in pixels, after decoding) the engine expands: bounds the memory one
/// task may take (a 3× canvas of 40 MP in RGB is 360 MB).
pub const MAX_DECODED_PIXELS: u64 = 40_000_000;

impl Engine {
    /// Runs a task's work once a worker is free; `place` is its place in the queue, given back
    /// when the work ends.
    pub(super) fn spawn_work(self: &Arc<Self>, record: TaskRecord, place: OwnedSemaphorePermit) {
        let engine = self.clone();
        tokio::spawn(async move {
            let _place = place;
            let _permit = engine.workers.acquire().await.expect("semaphore open");
            let task_id = record.task_id.clone();
            let outcome = engine.process(record).await;
            match &outcome {
                Outcome::Succeeded { images, .. } => {
                    tracing::info!(task_id = %task_id, images = images.len(), "task succeeded")
                }
                Outcome::Failed { message, .. } => {
                    tracing::info!(task_id = %task_id, "task failed: {message}")
                }
                Outcome::Pending => {}
            }
            if let Err(error) = engine.store.finish(&task_id, outcome) {
                tracing::error!(task_id = %task_id, "cannot record a task's outcome: {error}");
            }
            let _ = tokio::fs::remove_file(engine.store.original_file(&task_id)).await;
            engine.store.recount(&task_id);
            engine.finished(&task_id);
        });
    }

    async fn process(&self, record: TaskRecord) -> Outcome {
        let failed = |message: String| Outcome::Failed {
            finished_at_ms: now_ms(),
            message,
        };
        if record.fail_content_policy {
            return failed(
                "Failure to pass the risk control system: the picture or prompt was refused by the content-security policy (simulated by the local engine's --engine-fail content-policy)"
                    .into(),
            );
        }
        let bytes = match &record.image_url {
            None => match tokio::fs::read(self.store.original_file(&record.task_id)).await {
                Ok(bytes) => bytes,
                Err(error) => {
                    return failed(format!(
                        "The uploaded picture is no longer available to the engine ({error}); create the task again"
                    ))
                }
            },
            Some(url) => match self.download(&record.task_id, url).await {
                Ok(bytes) => match check_image_bytes(&bytes) {
                    Ok(_) => bytes,
                    Err(problems) => {
                        return failed(format!(
                            "The downloaded image is not usable: {}",
                            join_problems(problems)
                        ))
                    }
                },
                Err(message) => return failed(message),
            },
        };
        let store_dir = self.store.results_dir(&record.task_id);
        let rendered =
            tokio::task::spawn_blocking(move || render(&record, bytes, &store_dir)).await;
        match rendered {
            Ok(Ok(images)) => Outcome::Succeeded {
                finished_at_ms: now_ms(),
                images,
            },
            Ok(Err(message)) => failed(message),
            Err(_) => failed(
                "The engine stopped while expanding the picture; create the task again".into(),
            ),
        }
    }

    /// Downloads an image URL (at most 10 MB). When it cannot, the task's message says so
    /// without network details (which address was refused or unreachable, the socket error,
    /// the status): those would let a client map the network the engine runs in. The details
    /// go to the log.
    async fn download(&self, task_id: &str, url: &str) -> Result<Vec<u8>, String> {
        let shown = display_url(url);
        let unusable = || {
            format!(
                "The image could not be downloaded from {shown}. Check that it is a public http(s) address (port 80 or 443) of a PNG or JPEG picture, or send the picture as Base64"
            )
        };
        let request = self.http.get(url).map_err(|refused| {
            tracing::info!(task_id, "image download refused: {refused}");
            unusable()
        })?;
        let answer = request.send().await.map_err(|error| {
            tracing::info!(task_id, "image download failed: {}", cause_of(&error));
            unusable()
        })?;
        if !answer.status().is_success() {
            tracing::info!(
                task_id,
                status = answer.status().as_u16(),
                "image download answered"
            );
            return Err(unusable());
        }
        let mut bytes = Vec::new();
        let mut stream = answer.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| {
                tracing::info!(task_id, "image download cut off: {}", cause_of(&error));
                unusable()
            })?;
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > MAX_FILE_BYTES {
                return Err(format!(
                    "The image at {shown} is over {}; Kling accepts at most 10 MB",
                    wire::megabytes(MAX_FILE_BYTES)
                ));
            }
        }
        Ok(bytes)
    }
}

/// A URL as shown in messages: scheme, host, port and path, without user info or query (which
/// may carry someone's token).
pub(super) fn display_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => {
            let host = parsed.host_str().unwrap_or("");
            let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{host}{port}{}", parsed.scheme(), parsed.path())
        }
        Err(_) => "the given URL".into(),
    }
}

/// A stable 64-bit hash (FNV-1a) of a task id, to seed its variations.
fn seed_of(task_id: &str, index: u32) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in task_id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash ^ (u64::from(index) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Expands the picture `n` times and writes the results; runs on a blocking thread.
fn render(
    record: &TaskRecord,
    bytes: Vec<u8>,
    results_dir: &std::path::Path,
) -> Result<Vec<ImageMeta>, String> {
    let original = expand::decode(&bytes, MAX_DECODED_PIXELS)
        .map_err(|e| format!("Image pixel is invalid: {e}"))?;
    drop(bytes);
    let canvas = record.ratios.canvas(Size {
        width: original.width,
        height: original.height,
    });
    let placement = Placement {
        canvas_width: canvas.width,
        canvas_height: canvas.height,
        left_px: canvas.left_px,
        top_px: canvas.top_px,
    };
    std::fs::create_dir_all(results_dir)
        .map_err(|e| format!("The engine could not store the results: {e}"))?;
    let write = |name: String, pixels: &expand::Pixels| -> Result<(), String> {
        let path = results_dir.join(name);
        let tmp = path.with_extension("png.tmp");
        let file = std::fs::File::create(&tmp)
            .map_err(|e| format!("The engine could not store a result: {e}"))?;
        let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
        expand::write_png(pixels, &mut out)
            .map_err(|e| format!("The engine could not encode a result: {e}"))?;
        std::io::Write::flush(&mut out)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("The engine could not store a result: {e}"))
    };
    let mut images = Vec::with_capacity(usize::from(record.n));
    for index in 0..u32::from(record.n) {
        let result = expand::expand(&original, placement, seed_of(&record.task_id, index));
        write(format!("{index}.png"), &result)?;
        if record.watermark {
            write(
                format!("{index}-watermark.png"),
                &expand::watermark(&result),
            )?;
        }
        images.push(ImageMeta {
            index,
            width: canvas.width,
            height: canvas.height,
        });
    }
    Ok(images)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kling_expand_core::geometry::Ratios;

    fn record(n: u8, watermark: bool) -> TaskRecord {
        TaskRecord {
            task_id: "1700000000000123456".into(),
            external_task_id: None,
            created_at_ms: 0,
            submitted_for_ms: 0,
            processing_for_ms: 0,
            expires_at_ms: i64::MAX / 2,
            n,
            ratios: Ratios::new(0.5, 0.0, 0.25, 0.25),
            prompt: None,
            watermark,
            image_url: None,
            callback_url: None,
            fail_content_policy: false,
            outcome: Outcome::Pending,
        }
    }

    #[test]
    fn variations_have_their_own_seeds() {
        assert_ne!(seed_of("1", 0), seed_of("1", 1));
        assert_ne!(seed_of("1", 0), seed_of("2", 0));
        assert_eq!(seed_of("1", 0), seed_of("1", 0));
    }

    #[test]
    fn renders_n_results_at_the_canvas_size_with_watermarked_copies() {
        let dir = std::env::temp_dir().join(format!("kling-expand-render-{}", wire::random_u64()));
        let png = expand::encode_png(&expand::Pixels::noise(40, 20, 7)).unwrap();
        let images = render(&record(2, true), png, &dir).unwrap();
        assert_eq!(images.len(), 2);
        assert_eq!((images[1].width, images[1].height), (60, 30));
        for name in ["0.png", "1.png", "0-watermark.png", "1-watermark.png"] {
            let bytes = std::fs::read(dir.join(name)).unwrap();
            let picture = expand::decode(&bytes, u64::MAX).unwrap();
            assert_eq!((picture.width, picture.height), (60, 30), "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_picture_that_does_not_decode_fails_with_a_sentence() {
        let dir = std::env::temp_dir().join(format!("kling-expand-render-{}", wire::random_u64()));
        let message = render(
            &record(1, false),
            b"\x89PNG\r\n\x1a\nnot really".to_vec(),
            &dir,
        )
        .unwrap_err();
        assert!(message.starts_with("Image pixel is invalid"), "{message}");
        assert!(!dir.exists(), "nothing written");
    }

    #[test]
    fn addresses_are_shown_without_user_or_query() {
        assert_eq!(
            display_url("https://user:pw@example.com:8443/a/b.png?token=secret#x"),
            "https://example.com:8443/a/b.png"
        );
        assert_eq!(display_url("not a url"), "the given URL");
    }
}
