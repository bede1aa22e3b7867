//! What the handlers share: relaying an answer, taking the caller's namespace off external ids,
//! the answer for a task that is not the caller's, looking a task up by external id, and
//! recording what was relayed.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kling_expand_core::dialect::kling::TaskData;
use kling_expand_core::dialect::{Route, TaskSnapshot};
use serde_json::Value;

use super::{Api, Caller};
use crate::forward::Answer;
use crate::store::{flight_key, Claim, StoreResult, TaskRecord};
use crate::wire::{now_ms, ApiFailure};

/// The waits between look-ups by external id after a create answer that named no task (the
/// provider may take a moment to list it).
const LOOKUP_BACKOFF: [Duration; 4] = [
    Duration::ZERO,
    Duration::from_millis(300),
    Duration::from_millis(700),
    Duration::from_millis(1500),
];

/// The upstream's answer as the caller gets it: status, JSON body, `Retry-After`; nothing else.
pub fn respond(answer: &Answer, body: Bytes) -> Response {
    let mut response = (
        answer.status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response();
    if let Some(value) = &answer.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, value.clone());
    }
    response
}

/// The body with `namespace` taken off every external task id in `data` (an object or a list).
pub fn unspace(body: &Bytes, namespace: &str) -> Bytes {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return body.clone();
    };
    let mut changed = false;
    let mut strip = |task: &mut Value| {
        for pointer in ["/task_info/external_task_id", "/external_task_id"] {
            if let Some(slot) = task.pointer_mut(pointer) {
                if let Some(own) = slot.as_str().and_then(|s| s.strip_prefix(namespace)) {
                    *slot = Value::from(own.to_owned());
                    changed = true;
                }
            }
        }
    };
    match value.get_mut("data") {
        Some(Value::Array(items)) => items.iter_mut().for_each(&mut strip),
        Some(task @ Value::Object(_)) => strip(task),
        _ => {}
    }
    if changed {
        Bytes::from(serde_json::to_vec(&value).unwrap_or_default())
    } else {
        body.clone()
    }
}

/// The answer for a task id the caller does not own, whether or not it exists: the same as
/// for a task that does not exist.
pub fn unknown_task() -> ApiFailure {
    ApiFailure::code(
        1203,
        "Requested resource does not exist: no such task (it may have expired)",
    )
}

/// The proxy's answer for a task it found itself, as a Kling-family create or query answer.
pub fn task_answer(data: &TaskData) -> Response {
    crate::wire::succeed(data)
}

/// Looks a task up at the upstream by its namespaced external id, a few times with a short
/// backoff; `None` if it never showed.
pub async fn look_up(
    api: &Api,
    upstream_external: &str,
    authorization: Option<&HeaderValue>,
) -> Option<TaskSnapshot> {
    let route = Route::Query {
        id: upstream_external.to_owned(),
    };
    for wait in LOOKUP_BACKOFF {
        tokio::time::sleep(wait).await;
        if let Ok(answer) = api.backend.call(&route, authorization).await {
            if answer.status == StatusCode::OK {
                if let Ok(snapshot) =
                    api.dialect
                        .parse_query(200, answer.text(), answer.retry_after_str())
                {
                    return Some(snapshot);
                }
            }
        }
    }
    None
}

/// Records what was just relayed about a task to its owner (creating the record from the
/// create's claim the first time); a task that ended no longer counts as in flight.
pub async fn remember(
    api: &Api,
    caller: &Caller,
    snapshot: &TaskSnapshot,
    known: Option<TaskRecord>,
    claim: Option<&Claim>,
) -> StoreResult<TaskRecord> {
    let namespace = caller.namespace();
    let mut shown = snapshot.clone();
    shown.external_task_id = shown
        .external_task_id
        .as_deref()
        .map(|id| id.strip_prefix(&namespace).unwrap_or(id).to_owned());
    let is_new = known.is_none();
    let mut record = known.unwrap_or_else(|| TaskRecord {
        task_id: snapshot.task_id.clone(),
        owner: caller.owner.clone(),
        external_task_id: claim.map(|c| c.external_task_id.clone()),
        dialect: api.dialect,
        created_ms: claim.map_or_else(now_ms, |c| c.created_ms),
        n: claim.map_or(1, |c| c.n),
        flight: claim.and_then(|c| c.flight.clone()),
        last: None,
    });
    if shown.external_task_id.is_none() {
        shown.external_task_id = record.external_task_id.clone();
    }
    let last = Some(TaskData::from_snapshot(&shown));
    let landed = snapshot.status.is_terminal() && record.flight.is_some();
    // A poll that shows nothing new writes nothing: the store grows with changes, not polls.
    if record.last == last && !landed && !is_new {
        return Ok(record);
    }
    record.last = last;
    if landed {
        if let Some(member) = record.flight.take() {
            api.store.land(&flight_key(&record.owner), &member).await?;
        }
    }
    api.store.put_task(&record).await?;
    // Every stream of the task gets the change, whoever learnt it (a query, the task's poller,
    // a callback).
    api.live
        .publish(&api.store, &record, snapshot.refused_links)
        .await;
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_callers_namespace_comes_off_external_ids_in_objects_and_lists() {
        let one = Bytes::from(
            r#"{"code":0,"data":{"task_id":"1","task_info":{"external_task_id":"ab12-order-1"}}}"#,
        );
        let out: Value = serde_json::from_slice(&unspace(&one, "ab12-")).unwrap();
        assert_eq!(out["data"]["task_info"]["external_task_id"], "order-1");
        let list = Bytes::from(
            r#"{"data":[{"external_task_id":"ab12-x"},{"task_info":{"external_task_id":"zz-y"}}]}"#,
        );
        let out: Value = serde_json::from_slice(&unspace(&list, "ab12-")).unwrap();
        assert_eq!(out["data"][0]["external_task_id"], "x");
        assert_eq!(
            out["data"][1]["task_info"]["external_task_id"], "zz-y",
            "another namespace is left as it is"
        );
        let untouched = Bytes::from_static(b"{}");
        assert_eq!(unspace(&untouched, "ab12-"), untouched);
    }
}
