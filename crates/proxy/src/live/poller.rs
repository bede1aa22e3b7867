//! The one follower of a task: asks the upstream on the core's polling schedule (about 1 s at
//! first, backing off, `Retry-After` and 1302 honoured), or, for the local engine, waits for the
//! engine's own changes; records what it learns like any query (`relay::remember`, which hands
//! it to the streams); stops when the task ends, or when nobody has watched it for [`IDLE`].
//! With the shared store, it asks only while this instance holds the task's lease, so one
//! instance polls a task however many watch it.

use std::sync::Arc;
use std::time::Duration;

use kling_expand_core::dialect::ErrorCategory;
use kling_expand_core::poll::{PollConfig, PollSchedule};

use super::{Watched, IDLE};
use crate::api::{remember, Api, Caller};
use crate::store::TaskRecord;
use crate::wire::now_ms;

/// Polling a provider for the first minute, when most tasks end: every 0.8 s (±10 %), so a
/// result is seen within a second of being ready. One poller per task whatever the number of
/// watchers, so this is about 1.25 upstream queries a second per running task, not per page.
pub const POLL_FIRST_MINUTE: PollConfig = PollConfig {
    first_delay_ms: 800,
    factor: 1.0,
    max_delay_ms: 800,
    jitter: 0.1,
    deadline_ms: 60 * 1_000,
};

/// Polling a provider after the first minute: 1 s, growing ×1.15 to a 2.5 s cap; half an hour
/// at most.
pub const POLL: PollConfig = PollConfig {
    first_delay_ms: 1_000,
    factor: 1.15,
    max_delay_ms: 2_500,
    jitter: 0.1,
    deadline_ms: 30 * 60 * 1_000,
};

/// With callbacks, polling is only the safety net for a callback that never came.
pub const POLL_WITH_CALLBACKS: PollConfig = PollConfig {
    first_delay_ms: 5_000,
    factor: 1.5,
    max_delay_ms: 20_000,
    jitter: 0.1,
    deadline_ms: 30 * 60 * 1_000,
};

/// A 1302 without `Retry-After`: wait at least this long before asking again.
const RATE_LIMITED_MS: u64 = 5_000;

/// The local engine is asked again at least this often (it is in the same process).
const ENGINE_CHECK: Duration = Duration::from_secs(2);

/// Answers in a row that could not be read before the poller gives up.
const MAX_UNREADABLE: u32 = 5;

/// Follows `record`'s task until it ends or nobody watches it; then tells `Live`.
pub async fn follow(api: Arc<Api>, watched: Arc<Watched>, record: TaskRecord) {
    let task_id = record.task_id.clone();
    run(&api, &watched, record).await;
    if let Some(redis) = api.store.shared() {
        let _ = redis.release(&task_id, &api.live.instance).await;
    }
    api.live.stopped(&watched);
}

/// Whether this instance may ask the upstream about the task now: always alone, and with the
/// shared store while it holds the task's lease (taken, or renewed, for `lease_ms`).
async fn may_ask(api: &Api, task_id: &str, lease_ms: u64) -> bool {
    match api.store.shared() {
        None => true,
        Some(redis) => redis
            .lease(task_id, &api.live.instance, lease_ms)
            .await
            .unwrap_or(false),
    }
}

async fn run(api: &Arc<Api>, watched: &Watched, mut record: TaskRecord) {
    let caller = Caller {
        owner: record.owner.clone(),
        token: None,
    };
    let callbacks = api.live.config.callback_url.is_some();
    let config = if callbacks { POLL_WITH_CALLBACKS } else { POLL };
    let mut schedule = PollSchedule::new(config, seed(&record.task_id));
    // Without callbacks, the first minute is polled at a steady pace before the backoff starts.
    let mut first_minute =
        (!callbacks).then(|| PollSchedule::new(POLL_FIRST_MINUTE, seed(&record.task_id)));
    // Outlives a few of the longest waits, so a live holder keeps it.
    let lease_ms = (3 * config.max_delay_ms).max(10_000);
    let mut retry_after_ms = None;
    let mut unreadable = 0;
    loop {
        if watched.ended() || watched.unwatched_for() > IDLE {
            return;
        }
        match api.backend.engine() {
            Some(engine) => {
                // Registered before looking, so an end in between is not missed.
                let finished = engine.on_finish(&record.task_id);
                let now = now_ms();
                let wait = engine
                    .next_change(&record.task_id, now)
                    .map_or(ENGINE_CHECK, |at| {
                        Duration::from_millis((at - now).max(1) as u64).min(ENGINE_CHECK)
                    });
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = finished.notified() => {}
                    () = watched.wake.notified() => {}
                }
            }
            None => {
                let retry_after = retry_after_ms.take();
                let steady = first_minute
                    .as_mut()
                    .and_then(|s| s.next_delay(retry_after));
                if steady.is_none() {
                    first_minute = None;
                }
                let Some(delay) = steady.or_else(|| schedule.next_delay(retry_after)) else {
                    tracing::info!(task_id = %record.task_id, "stopped following a task that has not ended");
                    return;
                };
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(delay)) => {}
                    () = watched.wake.notified() => {}
                }
            }
        }
        if watched.ended() {
            return;
        }
        if !may_ask(api, &record.task_id, lease_ms).await {
            // Another instance follows it; its changes arrive through the store.
            continue;
        }
        let Ok(answer) = api.backend.watch_query(&record.task_id).await else {
            // No answer: the schedule backs off and the next query tries again.
            continue;
        };
        if answer.status.as_u16() == 404 {
            return;
        }
        match api.dialect.parse_query(
            answer.status.as_u16(),
            answer.text(),
            answer.retry_after_str(),
        ) {
            Ok(snapshot) if snapshot.task_id == record.task_id => {
                unreadable = 0;
                match remember(api, &caller, &snapshot, Some(record.clone()), None).await {
                    Ok(updated) => record = updated,
                    Err(down) => tracing::warn!("live status not recorded: {}", down.0),
                }
                if snapshot.status.is_terminal() {
                    return;
                }
            }
            Ok(_) => unreadable += 1,
            Err(error) if error.category == ErrorCategory::NotFound => return,
            Err(error) if error.category == ErrorCategory::RateLimited => {
                retry_after_ms = Some(error.retry_after_ms.unwrap_or(RATE_LIMITED_MS));
            }
            Err(error) if error.retryable() => retry_after_ms = error.retry_after_ms,
            Err(_) => unreadable += 1,
        }
        if unreadable >= MAX_UNREADABLE {
            tracing::warn!(task_id = %record.task_id, "stopped following a task whose answers cannot be read");
            return;
        }
    }
}

/// A seed from the task id, so tasks created together do not poll in step.
fn seed(task_id: &str) -> u64 {
    task_id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
