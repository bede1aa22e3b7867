//! Taking a create body in, with bounded memory however many clients send at once and however
//! slowly.
//!
//! 1. [`Intake::receive`]: the body is taken in whole before anything others wait for is held,
//!    so a client that trickles its bytes holds only its own connection, until the transport's
//!    body deadline (`--body-timeout`, 408). A body announced at most [`IN_MEMORY_BODY_BYTES`]
//!    long is read into memory; a longer one, or one of unknown length, is spooled to
//!    `<data-dir>/uploads/<id>.part` as it arrives: bodies arriving at once cost disk, not
//!    memory.
//! 2. [`Intake::check`]: at most one body per core (two at least) is read back and checked at
//!    once ([`read_create`]: about 28 MB for a 14 MB body at its peak). The [`CheckSlot`] is
//!    held until the checked create has been handed on (see `create`), so that the creates in
//!    memory are bounded by the slots, not by the clients.

use std::path::{Path, PathBuf};

use axum::body::Body;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::create_body::{read_create, CheckedCreate};
use crate::transport::{self, BodyError};
use crate::wire::{self, ApiFailure, MAX_BODY_BYTES};

/// Bodies announced at most this long are read into memory; longer ones, and bodies of unknown
/// length, are spooled to the data directory while they arrive.
pub const IN_MEMORY_BODY_BYTES: u64 = 256 * 1024;

pub struct Intake {
    uploads: PathBuf,
    checks: Semaphore,
}

/// A body taken in whole: in memory, or in a file that is removed when this is dropped.
pub enum Received {
    InMemory(Vec<u8>),
    Spooled(Upload),
}

/// A spooled body's file, removed when dropped (also when its request is abandoned).
pub struct Upload(PathBuf);

impl Drop for Upload {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The right to hold one checked create in memory.
pub type CheckSlot<'a> = SemaphorePermit<'a>;

impl Intake {
    /// Creates `<data_dir>/uploads`, removing bodies that were arriving when the process last
    /// stopped (never a task).
    pub fn open(data_dir: &Path) -> std::io::Result<Intake> {
        let uploads = data_dir.join("uploads");
        std::fs::create_dir_all(&uploads)?;
        for entry in std::fs::read_dir(&uploads)?.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Intake {
            uploads,
            checks: Semaphore::new(cores.max(2)),
        })
    }

    /// Takes `body` in whole (see the module's notes); `declared` is its Content-Length.
    pub async fn receive(&self, body: Body, declared: Option<u64>) -> Result<Received, ApiFailure> {
        if declared.is_some_and(|length| length <= IN_MEMORY_BODY_BYTES) {
            return transport::read_body(body, declared, MAX_BODY_BYTES)
                .await
                .map(Received::InMemory)
                .map_err(failure);
        }
        let upload = Upload(self.uploads.join(format!("{}.part", wire::request_id())));
        transport::spool_body(body, MAX_BODY_BYTES, &upload.0)
            .await
            .map_err(failure)?;
        Ok(Received::Spooled(upload))
    }

    /// Waits for a slot, then reads the body back and checks it.
    pub async fn check(
        &self,
        received: Received,
    ) -> Result<(CheckedCreate, CheckSlot<'_>), ApiFailure> {
        let slot = self.checks.acquire().await.expect("never closed");
        let bytes = match received {
            Received::InMemory(bytes) => bytes,
            Received::Spooled(upload) => tokio::fs::read(&upload.0)
                .await
                .map_err(|error| failure(BodyError::Storage(error.to_string())))?,
        };
        Ok((read_create(bytes)?, slot))
    }
}

/// The answer for a body that could not be taken in: the client's fault each time (4xx), but
/// for a disk that would not take it.
fn failure(error: BodyError) -> ApiFailure {
    if let BodyError::Storage(why) = &error {
        tracing::error!("cannot spool a create body: {why}");
    }
    error.failure()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    fn intake() -> (Intake, PathBuf) {
        let dir = std::env::temp_dir().join(format!("kling-expand-intake-{}", wire::random_u64()));
        std::fs::create_dir_all(dir.join("uploads")).unwrap();
        std::fs::write(dir.join("uploads/left-over.part"), b"{").unwrap();
        (Intake::open(&dir).unwrap(), dir)
    }

    fn uploads(dir: &Path) -> usize {
        std::fs::read_dir(dir.join("uploads")).unwrap().count()
    }

    #[tokio::test]
    async fn large_bodies_are_spooled_and_their_files_removed_once_read() {
        let (intake, dir) = intake();
        assert_eq!(uploads(&dir), 0, "what a stop left behind is removed");
        let padding = "x".repeat(300_000);
        let body = format!(r#"{{"image": "", "prompt": "{padding}"}}"#);
        let received = intake
            .receive(Body::from(body.clone()), Some(body.len() as u64))
            .await
            .unwrap();
        assert!(matches!(received, Received::Spooled(_)));
        assert_eq!(uploads(&dir), 1);
        let refused = intake.check(received).await.unwrap_err();
        assert!(
            refused.message.starts_with("image is missing"),
            "{}",
            refused.message
        );
        assert_eq!(uploads(&dir), 0, "the file went with the body");

        let small = intake.receive(Body::from("[1]"), Some(3)).await.unwrap();
        assert!(matches!(small, Received::InMemory(_)));
        assert_eq!(intake.check(small).await.unwrap_err().code, 1201);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_413_and_leaves_no_file() {
        let (intake, dir) = intake();
        let huge = Body::from(vec![b' '; MAX_BODY_BYTES as usize + 1]);
        let refused = intake.receive(huge, None).await.err().unwrap();
        assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(uploads(&dir), 0);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
