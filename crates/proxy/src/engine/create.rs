//! Creating a task from a create body the API has read and checked (see `create_body`): the
//! addresses it gives checked against the egress rules, the engine's own bounds (tasks kept,
//! bytes stored, the work queue) and failure injection, then the task stored and its work
//! queued.

use std::sync::Arc;

use axum::http::StatusCode;
use kling_expand_core::dialect::kling;
use kling_expand_core::validate::ImageSource;
use serde_json::Value;

use super::store::{InsertError, Outcome, TaskRecord};
use super::{query::task_info, Engine};
use crate::config::FailMode;
use crate::create_body::CheckedCreate;
use crate::egress::Egress;
use crate::wire::{self, now_ms, ApiFailure};

impl Engine {
    /// Makes the task of a checked create; the picture, if it was sent, is written to the data
    /// directory until its work is done.
    pub(super) async fn create_task(
        self: &Arc<Self>,
        checked: CheckedCreate,
    ) -> Result<Value, ApiFailure> {
        let CheckedCreate {
            request,
            picture: original,
        } = checked;
        let image_url = match request.image {
            ImageSource::Url(url) => Some(url),
            ImageSource::Base64(_) => None,
        };
        // What the address alone shows (a private address written in it, another port): said
        // now. A name that resolves to a private address fails the task, like any unreachable
        // address, without saying more.
        let egress = Egress::new(self.config.allow_private_urls);
        for (field, url) in [
            ("image", &image_url),
            ("callback_url", &request.callback_url),
        ] {
            if let Some(Err(refused)) = url.as_deref().map(|url| egress.check(url)) {
                return Err(ApiFailure::invalid(format!(
                    "The {field} address cannot be used: {refused}. Give a public http(s) address{}",
                    if field == "image" { ", or send the picture as Base64" } else { "" }
                )));
            }
        }
        if let Some(external) = &request.external_task_id {
            if let Some(task_id) = self.store.task_of_external(external) {
                return Err(duplicate_external_id(external, &task_id));
            }
        }
        if self.config.fails(FailMode::Server) || self.config.fails(FailMode::ServerCreate) {
            return Err(self.server_failure());
        }
        let now = now_ms();
        if self.config.fails(FailMode::Concurrency) {
            return Err(concurrency_failure(
                "simulated by the local engine's --engine-fail concurrency".into(),
            ));
        }
        if self.config.concurrency > 0 {
            let busy = self.store.busy_slots(now);
            if busy + u32::from(request.n) > self.config.concurrency {
                return Err(concurrency_failure(format!(
                    "{busy} of {} slots are busy and this task needs {}",
                    self.config.concurrency, request.n
                )));
            }
        }
        let (tasks, bytes) = self.store.usage();
        let incoming = original.as_ref().map_or(0, |picture| picture.len() as u64);
        if tasks >= self.config.max_tasks {
            return Err(storage_full(format!(
                "it keeps at most {} tasks, and holds {tasks}",
                self.config.max_tasks
            )));
        }
        if bytes + incoming > self.config.max_storage_bytes {
            return Err(storage_full(format!(
                "its data directory may hold {}, and holds {}",
                wire::megabytes(self.config.max_storage_bytes),
                wire::megabytes(bytes)
            )));
        }
        let Ok(place) = self.queue.clone().try_acquire_owned() else {
            return Err(concurrency_failure(format!(
                "the local engine's queue holds {} tasks, all waiting for their work",
                self.config.queue
            )));
        };
        let task_id = self.new_task_id(now);
        if let Some(bytes) = &original {
            let path = self.store.original_file(&task_id);
            tokio::fs::write(&path, bytes).await.map_err(|e| {
                tracing::error!("cannot store an original: {e}");
                cannot_store("the picture")
            })?;
        }
        drop(original);
        let record = TaskRecord {
            task_id: task_id.clone(),
            external_task_id: request.external_task_id,
            created_at_ms: now,
            submitted_for_ms: self.config.submitted_for.as_millis() as u64,
            processing_for_ms: self.config.processing_for.as_millis() as u64,
            expires_at_ms: now + self.config.ttl.as_millis().min(i64::MAX as u128 / 2) as i64,
            n: request.n,
            ratios: request.ratios,
            prompt: request.prompt,
            watermark: request.watermark,
            image_url,
            callback_url: request.callback_url,
            fail_content_policy: self.config.fails(FailMode::ContentPolicy),
            outcome: Outcome::Pending,
        };
        match self.store.insert(record.clone(), incoming) {
            Ok(()) => {}
            Err(InsertError::DuplicateExternalId { task_id: other }) => {
                let _ = std::fs::remove_file(self.store.original_file(&task_id));
                return Err(duplicate_external_id(
                    record.external_task_id.as_deref().unwrap_or_default(),
                    &other,
                ));
            }
            Err(InsertError::Io(error)) => {
                tracing::error!("cannot store a task: {error}");
                let _ = std::fs::remove_file(self.store.original_file(&task_id));
                return Err(cannot_store("the task"));
            }
        }
        tracing::info!(task_id = %task_id, n = record.n, "task created");
        self.spawn_work(record.clone(), place);
        if record.callback_url.is_some() {
            self.spawn_callbacks(task_id.clone());
        }
        let view = record.status_at(now);
        let data = kling::TaskData {
            task_id: record.task_id.clone(),
            task_status: view.status.kling_word().to_owned(),
            task_status_msg: None,
            task_info: Some(task_info(&record)),
            final_unit_deduction: None,
            watermark_info: None,
            created_at: record.created_at_ms,
            updated_at: view.updated_at_ms,
            task_result: None,
        };
        Ok(serde_json::to_value(data).unwrap_or_default())
    }

    /// A numeric id like Kling's: milliseconds since the epoch and six random digits.
    fn new_task_id(&self, now: i64) -> String {
        loop {
            let id = format!("{now}{:06}", wire::random_u64() % 1_000_000);
            if !self.store.contains(&id) && self.store.task_of_external(&id).is_none() {
                return id;
            }
        }
    }
}

fn duplicate_external_id(external: &str, task_id: &str) -> ApiFailure {
    ApiFailure::invalid(format!(
        "external_task_id \"{external}\" is already used by task {task_id}; it must be unique per account"
    ))
}

fn cannot_store(what: &str) -> ApiFailure {
    ApiFailure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        5000,
        format!("The local engine could not store {what}; check the data directory's disk space and permissions"),
    )
}

/// The data directory holds as much as it may: old tasks must expire first.
fn storage_full(why: String) -> ApiFailure {
    ApiFailure::new(
        StatusCode::TOO_MANY_REQUESTS,
        1303,
        format!("The local engine is full ({why}); retry once older tasks have expired, or ask its operator to raise --engine-max-tasks or --engine-max-storage"),
    )
    .retry_after(60)
}

pub(super) fn concurrency_failure(why: String) -> ApiFailure {
    ApiFailure::new(
        StatusCode::TOO_MANY_REQUESTS,
        1303,
        format!("Parallel task limit reached: the account's concurrency is over its limit ({why}); wait for running tasks to end and retry"),
    )
    .retry_after(1)
}
