//! Live status across instances sharing a Redis store: every change is appended to the task's
//! list of events and published on `kling-expand:status:<task>` (`store::redis`); each instance
//! listens to all of them on one subscriber connection and hands those of the tasks it watches
//! to their streams. After a lost connection, the lists of the watched tasks are read again, so
//! nothing published meanwhile is missed.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use super::Watched;
use crate::api::Api;
use crate::store::{RedisStore, STATUS_CHANNEL};

/// Listens for the changes other instances publish, for as long as the process runs.
pub async fn listen(api: Arc<Api>) {
    let Some(redis) = api.store.shared() else {
        return;
    };
    let client = redis.client();
    loop {
        if let Ok(Ok(mut pubsub)) =
            tokio::time::timeout(Duration::from_secs(5), client.get_async_pubsub()).await
        {
            if pubsub
                .psubscribe(format!("{STATUS_CHANNEL}*"))
                .await
                .is_ok()
            {
                for watched in api.live.all_watched() {
                    load(redis, &watched).await;
                }
                let mut messages = pubsub.into_on_message();
                while let Some(message) = messages.next().await {
                    let Some(task_id) = message.get_channel_name().strip_prefix(STATUS_CHANNEL)
                    else {
                        continue;
                    };
                    let Ok(payload) = message.get_payload::<String>() else {
                        continue;
                    };
                    let Some((seq, data)) = payload.split_once(' ') else {
                        continue;
                    };
                    let (Ok(seq), Some(watched)) = (seq.parse::<u64>(), api.live.watched(task_id))
                    else {
                        continue;
                    };
                    if seq > watched.latest() + 1 {
                        // One was missed: the list has them all.
                        load(redis, &watched).await;
                    } else {
                        watched.put(seq, data);
                    }
                }
            }
        }
        tracing::warn!("live status: the store's subscription was lost; connecting again");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Takes in every change the store has of the task (they are numbered by their place).
pub async fn load(redis: &RedisStore, watched: &Watched) {
    if let Ok(events) = redis.events(&watched.task_id).await {
        for (index, data) in events.iter().enumerate() {
            watched.put(index as u64 + 1, data);
        }
    }
}
