//! Callbacks: with `callback_url`, the task's `data` object is POSTed on each status change
//! (best effort, like a webhook without a signing secret).

use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use kling_expand_core::dialect::TaskStatus;

use super::work::display_url;
use super::Engine;
use crate::egress::cause_of;
use crate::wire::now_ms;

/// Longest wait for a callback's receiver to answer.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

impl Engine {
    /// One delivery, when one of the few delivery slots is free, within [`DELIVERY_TIMEOUT`].
    /// Only the outcome's kind is logged: the address is the client's, its answer not ours.
    async fn deliver(&self, task_id: &str, url: &str, data: &serde_json::Value) {
        let _slot = self.callbacks.acquire().await.expect("semaphore open");
        let request = match self.http.post(url) {
            Ok(request) => request,
            Err(refused) => {
                tracing::warn!(
                    task_id,
                    "callback to {} refused: {refused}",
                    display_url(url)
                );
                return;
            }
        };
        let sent = request
            .timeout(DELIVERY_TIMEOUT)
            .header(header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(data).unwrap_or_default())
            .send()
            .await;
        if let Err(error) = sent {
            tracing::warn!(
                task_id,
                "callback to {} failed: {}",
                display_url(url),
                cause_of(&error)
            );
        }
    }

    pub(super) fn spawn_callbacks(self: &Arc<Self>, task_id: String) {
        let engine = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut last_sent: Option<TaskStatus> = None;
            loop {
                let Some(strong) = engine.upgrade() else {
                    return;
                };
                let now = now_ms();
                let Some(record) = strong.store.find(&task_id, now) else {
                    return;
                };
                let Some(url) = record.callback_url.clone() else {
                    return;
                };
                let view = record.status_at(now);
                if last_sent != Some(view.status) {
                    let data = strong.task_data(&record, now);
                    strong.deliver(&task_id, &url, &data).await;
                    last_sent = Some(view.status);
                }
                if view.status.is_terminal() {
                    return;
                }
                let wait = record
                    .next_change_after(now)
                    .map(|at| (at - now).max(1) as u64)
                    .unwrap_or(100);
                drop(strong);
                tokio::time::sleep(Duration::from_millis(wait.min(1000))).await;
            }
        });
    }
}
