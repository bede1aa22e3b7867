//! `POST <create path>`: taken in without holding anything others wait for (see `intake`),
//! checked once by the core before any paid round-trip, counted against the caller's limits,
//! handed to the engine as the checked request or re-serialised for the provider with the
//! caller's namespace on its external id, and recorded as the caller's. A create that ends
//! without a definite answer may have made its task: the caller is told so (`outcome_unknown`)
//! and keeps the right to look it up.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use kling_expand_core::dialect::kling::TaskData;
use kling_expand_core::dialect::{Created, Dialect, Refusal};
use kling_expand_core::validate::ExpandRequest;

use super::relay::{self, look_up, remember, task_answer, unspace};
use super::{Api, Caller};
use crate::forward::{Answer, Failure};
use crate::store::{Claim, StoreDown};
use crate::wire::{now_ms, random_u64, ApiFailure};

/// Longest external task id a caller may send (the namespace is added to it).
const MAX_EXTERNAL_ID_BYTES: usize = 100;

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(crate::forward::is_json_type)
}

pub fn store_down(error: &StoreDown) -> ApiFailure {
    tracing::error!("state store unreachable: {}", error.0);
    ApiFailure::refused(
        Refusal::StoreUnavailable,
        "The proxy cannot reach its state store, so it cannot check who may spend; nothing was sent to the provider. Try again in a minute.",
    )
    .retry_after(30)
}

/// What this proxy allows beyond the core's rules. A client may not make a paid provider post
/// to an address of its choosing: its `callback_url` is refused (the local engine, which costs
/// nothing, takes one and checks the address itself).
fn allowed(api: &Api, caller: &Caller, request: &ExpandRequest) -> Result<(), ApiFailure> {
    if request.callback_url.is_some() && api.backend.engine().is_none() {
        return Err(ApiFailure::invalid(
            "callback_url is not accepted from callers: the proxy tells no other address about tasks; poll the task instead",
        ));
    }
    let max_n = api.limits.max_n(caller.token.as_ref());
    if request.n > max_n {
        return Err(ApiFailure::invalid(format!(
            "n is {}; this proxy makes at most {max_n} picture{} per task. Ask for fewer.",
            request.n,
            if max_n == 1 { "" } else { "s" }
        )));
    }
    if let Some(id) = &request.external_task_id {
        if id.len() > MAX_EXTERNAL_ID_BYTES || id.chars().any(|c| c.is_control()) {
            return Err(ApiFailure::invalid(format!(
                "external_task_id must be at most {MAX_EXTERNAL_ID_BYTES} bytes without control characters"
            )));
        }
    }
    Ok(())
}

pub async fn handle(
    State(api): State<Arc<Api>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match create(&api, &caller, &headers, body).await {
        Ok(response) => response,
        Err(failure) => api.fail(failure),
    }
}

async fn create(
    api: &Api,
    caller: &Caller,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, ApiFailure> {
    if !is_json(headers) {
        return Err(ApiFailure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            1200,
            "The create call needs Content-Type: application/json with a JSON body",
        ));
    }
    let authorization = headers.get(header::AUTHORIZATION);
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let received = api.intake.receive(body, declared).await?;
    let (mut checked, slot) = api.intake.check(received).await?;
    allowed(api, caller, &checked.request)?;
    let request = &mut checked.request;
    // The provider tells this proxy, and no one else, about the task's changes.
    if let Some(url) = &api.live.config.callback_url {
        request.callback_url = Some(url.clone());
    }
    let dialect = api.dialect;
    let namespaced = dialect.supports_external_task_id();
    // Without an external id the task could not be found again after a lost answer.
    let external = request
        .external_task_id
        .clone()
        .filter(|_| namespaced)
        .unwrap_or_else(|| format!("kx{:016x}", random_u64()));
    let upstream_external = format!("{}{external}", caller.namespace());

    // The same external id again: the task the first create made, if it is known, is the
    // answer; nothing is sent or counted twice.
    let earlier = if namespaced {
        api.store
            .claim(&caller.owner, &external)
            .await
            .map_err(|e| store_down(&e))?
    } else {
        None
    };
    if let Some(task_id) = earlier.as_ref().and_then(|c| c.task_id.clone()) {
        if let Some(record) = api.store.task(&task_id).await.map_err(|e| store_down(&e))? {
            if let Some(last) = &record.last {
                return Ok(task_answer(last));
            }
        }
    }

    let now = now_ms();
    let member = format!("{:016x}", random_u64());
    let spend = api.limits.spend(
        &caller.owner,
        caller.token.as_ref(),
        u32::from(request.n),
        &member,
        now,
    );
    if let Err(exceeded) = api
        .store
        .spend(&spend, now)
        .await
        .map_err(|e| store_down(&e))?
    {
        return Err(api.limits.refusal(&exceeded, u32::from(request.n), now));
    }
    let claim = Claim {
        owner: caller.owner.clone(),
        external_task_id: external.clone(),
        dialect,
        n: u32::from(request.n),
        created_ms: now,
        flight: spend.in_flight.as_ref().map(|f| f.member.clone()),
        task_id: None,
    };
    if let Err(e) = api.store.put_claim(&claim).await {
        let _ = api.store.refund(&spend).await;
        return Err(store_down(&e));
    }

    request.external_task_id = namespaced.then(|| upstream_external.clone());
    let outgoing = api.backend.prepare(dialect, checked);
    // The slot is given up only once the create may leave: creates waiting to be sent are
    // bounded by the slots too.
    let _sending = api.sending.acquire().await.expect("never closed");
    drop(slot);
    let outcome = outgoing.send(authorization).await;
    let namespace = caller.namespace();
    match outcome {
        Ok(answer) => match dialect.parse_create(
            answer.status.as_u16(),
            answer.text(),
            answer.retry_after_str(),
        ) {
            Ok(Created::Task(snapshot)) => {
                remember(api, caller, &snapshot, None, Some(&claim))
                    .await
                    .map_err(|e| store_down(&e))?;
                Ok(relay::respond(&answer, unspace(&answer.body, &namespace)))
            }
            Ok(Created::Unnamed) => {
                unnamed(
                    api,
                    caller,
                    &answer,
                    &claim,
                    &upstream_external,
                    authorization,
                )
                .await
            }
            Err(error) if error.create_may_exist() => Err(unknown_outcome(
                dialect,
                &external,
                false,
                "the provider answered an internal error",
            )),
            Err(_) => {
                // A resend after a lost answer can be refused because the first one made the
                // task (its external id is taken): look before saying no.
                if earlier.is_some() {
                    if let Some(snapshot) = look_up(api, &upstream_external, authorization).await {
                        let record = remember(api, caller, &snapshot, None, Some(&claim))
                            .await
                            .map_err(|e| store_down(&e))?;
                        let _ = api.store.refund(&spend).await;
                        if let Some(last) = &record.last {
                            return Ok(task_answer(last));
                        }
                    }
                }
                // The provider refused: nothing was made, nothing is spent.
                let _ = api.store.refund(&spend).await;
                Ok(relay::respond(&answer, answer.body.clone()))
            }
        },
        Err(Failure::Unreachable(failure)) => {
            let _ = api.store.refund(&spend).await;
            Err(failure)
        }
        Err(Failure::Lost { timed_out, failure }) => {
            tracing::warn!("a create got no definite answer: {}", failure.message);
            Err(unknown_outcome(
                dialect,
                &external,
                timed_out,
                if timed_out {
                    "the provider did not answer in time"
                } else {
                    "the connection to the provider was lost before its answer"
                },
            ))
        }
        Err(Failure::Distrusted { status, failure }) => {
            if status.is_client_error() {
                let _ = api.store.refund(&spend).await;
                return Err(failure);
            }
            Err(unknown_outcome(
                dialect,
                &external,
                false,
                "the provider's answer was not one the proxy can read",
            ))
        }
    }
}

/// A 2xx create answer that named no task (KKIAI's `{}`): the task exists; find it by its
/// external id, record it, and answer with it. If it does not show, the caller gets the
/// provider's answer and looks it up later itself.
async fn unnamed(
    api: &Api,
    caller: &Caller,
    answer: &Answer,
    claim: &Claim,
    upstream_external: &str,
    authorization: Option<&axum::http::HeaderValue>,
) -> Result<Response, ApiFailure> {
    if !api.dialect.supports_external_task_id() {
        return Ok(relay::respond(answer, answer.body.clone()));
    }
    match look_up(api, upstream_external, authorization).await {
        Some(snapshot) => {
            let record = remember(api, caller, &snapshot, None, Some(claim))
                .await
                .map_err(|e| store_down(&e))?;
            let data = record
                .last
                .clone()
                .unwrap_or_else(|| TaskData::from_snapshot(&snapshot));
            Ok(task_answer(&data))
        }
        None => Ok(relay::respond(answer, answer.body.clone())),
    }
}

/// The answer to a create that may have made its task: 502 (504 after a timeout) with
/// `outcome_unknown`, saying how to find out before sending again.
fn unknown_outcome(dialect: Dialect, external: &str, timed_out: bool, why: &str) -> ApiFailure {
    let message = if dialect.supports_external_task_id() {
        format!(
            "The outcome is unknown: {why}, so the provider may have made the task. Look it up by its external_task_id \"{external}\" before sending it again."
        )
    } else {
        format!(
            "The outcome is unknown: {why}, so the provider may have made the task. {} cannot be asked by external id: check its task list before sending it again.",
            dialect.display_name()
        )
    };
    let failure = ApiFailure::refused(Refusal::OutcomeUnknown, message);
    if timed_out {
        failure.with_status(StatusCode::GATEWAY_TIMEOUT)
    } else {
        failure
    }
}
