//! Expand: create a task at the endpoint, poll it on the core's schedule, show the results.

use kling_expand_core::dialect::{ApiError, ErrorCategory, TaskSnapshot, TaskStatus};
use kling_expand_core::poll::{PollConfig, PollSchedule};
use kling_expand_core::validate::{ExpandRequest, ImageSource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::browser::{self, file, http, timer};
use crate::config::WidgetConfig;
use crate::model::progress::Phase;
use crate::model::readiness;
use crate::state::{PictureSource, ResultsFrame, RetryAction, ShownError, WidgetState};

/// Stands in for the picture in the serialised body; the real base64 is joined in by
/// JavaScript. Searched for together with its key and quotes, which no string value can contain.
const IMAGE_PLACEHOLDER: &str = "kling-expand:image";

/// Starts an expansion of the current picture with the current settings. Does nothing while a
/// task is being created or watched, so a second press sends nothing.
pub fn expand(state: WidgetState) {
    if state.phase.with_untracked(Phase::busy) {
        return;
    }
    let Some(picture) = state.picture.get_untracked() else {
        return;
    };
    if !ready_to_send(state) {
        return;
    }
    let Ok(ratios) = state.framing.with_untracked(|f| f.ratios(picture.size)) else {
        return;
    };
    let config = state.config.get_value();
    let external_task_id = browser::new_external_task_id();
    let request = ExpandRequest {
        image: ImageSource::Url(String::new()),
        ratios,
        prompt: Some(state.prompt.get_untracked()).filter(|p| !p.trim().is_empty()),
        n: u8::try_from(state.n.get_untracked()).unwrap_or(1),
        watermark: state.watermark.get_untracked(),
        external_task_id: Some(external_task_id.clone()),
        callback_url: None,
    };
    let control = state.control.get_value();
    let ticket = control.begin();
    let started_ms = browser::now_ms();
    state.now_ms.set(started_ms);
    state.error.set(None);
    state.results.set(Vec::new());
    state.results_frame.set(Some(ResultsFrame {
        original: picture.size,
        ratios,
    }));
    state.phase.set(Phase::Creating {
        started_ms,
        external_task_id,
    });

    spawn_local(async move {
        let body = match request_body(&config, request.clone(), &picture.source).await {
            Ok(body) => body,
            Err(error) => return fail_before_task(state, ticket, error),
        };
        if !control.is_current(ticket) {
            return;
        }
        let url = config.url(config.dialect.create_path());
        let created = match http::post_json(&url, &body).await {
            Ok(answer) => config.dialect.parse_create(
                answer.status,
                &answer.body,
                answer.retry_after.as_deref(),
            ),
            Err(lost) => {
                // The create call may have reached the provider even though its answer did not
                // reach us: ask for the task by our own id before anyone pays for a second one.
                let external_id = request.external_task_id.clone().unwrap_or_default();
                lookup(&config, &external_id)
                    .await
                    .map_err(|_| network_error(&config.endpoint, &lost.0))
            }
        };
        if !control.is_current(ticket) {
            return;
        }
        match created {
            Ok(snapshot) => follow(state, ticket, snapshot, started_ms).await,
            Err(error) => fail_before_task(state, ticket, error),
        }
    });
}

/// True when nothing blocks an expansion (see [`expand_blockers`]).
fn ready_to_send(state: WidgetState) -> bool {
    untrack(|| expand_blockers(state).is_empty())
}

/// Why Expand cannot be pressed now, as sentences for the person; empty when it can.
pub fn expand_blockers(state: WidgetState) -> Vec<String> {
    let size = state.picture.with(|p| p.as_ref().map(|p| p.size));
    let ratios = size.map(|size| state.framing.with(|f| f.ratios(size)));
    // The picture's own problems first (a format, a size or a shape Kling refuses, or fix-ups
    // still running).
    let mut blockers = state.picture_blockers();
    blockers.extend(state.prompt.with(|prompt| {
        readiness::expand_blockers(size.is_some(), ratios.as_ref(), prompt, state.n.get())
    }));
    blockers
}

/// The create call's JSON body. For bytes, the body is serialised around a placeholder and the
/// picture's base64 is put in its place by JavaScript, so the picture never enters wasm memory.
async fn request_body(
    config: &WidgetConfig,
    mut request: ExpandRequest,
    source: &PictureSource,
) -> Result<JsValue, ApiError> {
    match source {
        PictureSource::Url(url) => {
            request.image = ImageSource::Url(url.clone());
            Ok(JsValue::from_str(
                &config.dialect.create_body(&request).to_string(),
            ))
        }
        PictureSource::Bytes(bytes) => {
            request.image = ImageSource::Base64(IMAGE_PLACEHOLDER.to_owned());
            let body = config.dialect.create_body(&request).to_string();
            let marker = format!("\"image\":\"{IMAGE_PLACEHOLDER}\"");
            let (head, tail) = body
                .split_once(&marker)
                .ok_or_else(|| protocol_error("the request body has no image field"))?;
            file::json_body(&format!("{head}\"image\":\""), bytes, &format!("\"{tail}"))
                .await
                .map(JsValue::from)
                .map_err(|_| protocol_error("the browser could not read the picture"))
        }
    }
}

/// Polls an existing task again (after Retry, or after a reload), keeping the time it started.
pub fn resume(state: WidgetState, task_id: String, started_ms: Option<f64>) {
    if state.phase.with_untracked(Phase::busy) {
        return;
    }
    let ticket = state.control.get_value().begin();
    let started_ms = started_ms.unwrap_or_else(browser::now_ms);
    state.now_ms.set(browser::now_ms());
    state.error.set(None);
    state.phase.set(Phase::Running {
        task_id: task_id.clone(),
        status: TaskStatus::Submitted,
        started_ms,
    });
    spawn_local(async move { watch(state, ticket, task_id, started_ms, None).await });
}

/// After a reload during a create call: finds the task by the id the widget gave it, and
/// watches it if the call had reached the provider.
pub fn recover(state: WidgetState, external_task_id: String, started_ms: f64) {
    let ticket = state.control.get_value().begin();
    let config = state.config.get_value();
    state.phase.set(Phase::Creating {
        started_ms,
        external_task_id: external_task_id.clone(),
    });
    spawn_local(async move {
        let found = lookup(&config, &external_task_id).await;
        if !state.control.get_value().is_current(ticket) {
            return;
        }
        match found {
            Ok(snapshot) => follow(state, ticket, snapshot, started_ms).await,
            Err(error) if error.category != ErrorCategory::NotFound => {
                // Unknown whether the task exists: keep its id so Retry asks again.
                state.phase.set(Phase::Cancelled {
                    task_id: Some(external_task_id.clone()),
                });
                state.error.set(Some(shown(
                    &error,
                    Some(RetryAction::Poll {
                        task_id: external_task_id,
                    }),
                )));
            }
            Err(_) => {
                state.phase.set(Phase::Idle);
                state.error.set(Some(ShownError {
                    title: "The page was reloaded while sending".into(),
                    detail: "The provider has no task from that press, so nothing was charged. \
                             Your picture and settings are kept: press Expand to send them."
                        .into(),
                    retry: None,
                }));
            }
        }
    });
}

/// Stops polling; the task may still finish upstream.
pub fn cancel(state: WidgetState) {
    state.control.get_value().stop();
    let task_id = state
        .phase
        .with_untracked(|p| p.task_id().map(str::to_owned));
    state.phase.set(Phase::Cancelled { task_id });
}

/// Asks for a task by either of its ids.
async fn lookup(config: &WidgetConfig, id: &str) -> Result<TaskSnapshot, ApiError> {
    let answer = http::get(&config.url(&config.dialect.query_path(id)))
        .await
        .map_err(|lost| network_error(&config.endpoint, &lost.0))?;
    config
        .dialect
        .parse_query(answer.status, &answer.body, answer.retry_after.as_deref())
}

/// Watches the task a snapshot describes, starting from what the snapshot says.
async fn follow(state: WidgetState, ticket: u64, snapshot: TaskSnapshot, started_ms: f64) {
    watch(
        state,
        ticket,
        snapshot.task_id.clone(),
        started_ms,
        Some(snapshot),
    )
    .await
}

/// The poll loop: one request at a time, on the core's schedule, until the task ends, the person
/// cancels, a newer run starts, or the widget is removed.
async fn watch(
    state: WidgetState,
    ticket: u64,
    task_id: String,
    started_ms: f64,
    first: Option<TaskSnapshot>,
) {
    let control = state.control.get_value();
    let config = state.config.get_value();
    let alive = move || control.is_current(ticket);
    if let Some(snapshot) = first {
        if show_snapshot(state, &config, &snapshot, started_ms) {
            return;
        }
    } else {
        state.phase.set(Phase::Running {
            task_id: task_id.clone(),
            status: TaskStatus::Submitted,
            started_ms,
        });
    }
    let query_url = config.url(&config.dialect.query_path(&task_id));
    let mut schedule = PollSchedule::new(PollConfig::default(), browser::random_u64());
    let mut retry_after_ms = None;
    loop {
        let Some(delay) = schedule.next_delay(retry_after_ms.take()) else {
            state.error.set(Some(ShownError {
                title: "Still not finished".into(),
                detail: "The task has not finished in the time the widget waits. It may still \
                         finish at the provider; press Retry to keep watching."
                    .into(),
                retry: Some(RetryAction::Poll { task_id }),
            }));
            return;
        };
        timer::sleep_ms(delay).await;
        if !alive() {
            return;
        }
        let answer = http::get(&query_url).await;
        if !alive() {
            return;
        }
        state.now_ms.set(browser::now_ms());
        let answer = match answer {
            Ok(answer) => answer,
            // A dropped connection is not the task's failure: keep the task and keep trying.
            Err(_) => continue,
        };
        match config
            .dialect
            .parse_query(answer.status, &answer.body, answer.retry_after.as_deref())
        {
            Ok(snapshot) => {
                if show_snapshot(state, &config, &snapshot, started_ms) {
                    return;
                }
            }
            Err(error) if error.category.retryable() => retry_after_ms = error.retry_after_ms,
            Err(error) => {
                state.error.set(Some(shown(
                    &error,
                    Some(RetryAction::Poll {
                        task_id: task_id.clone(),
                    }),
                )));
                state.phase.set(Phase::Cancelled {
                    task_id: Some(task_id),
                });
                return;
            }
        }
    }
}

/// Writes a snapshot into the state; true when the task has ended.
fn show_snapshot(
    state: WidgetState,
    config: &WidgetConfig,
    snapshot: &TaskSnapshot,
    started_ms: f64,
) -> bool {
    let now = browser::now_ms();
    state.now_ms.set(now);
    let task_id = snapshot.task_id.clone();
    match snapshot.status {
        TaskStatus::Submitted | TaskStatus::Processing => {
            state.phase.set(Phase::Running {
                task_id,
                status: snapshot.status,
                started_ms,
            });
            false
        }
        TaskStatus::Succeeded => {
            let mut images = snapshot.images.clone();
            for image in &mut images {
                image.url = browser::resolve_url(&image.url, &config.endpoint);
                if let Some(marked) = image.watermark_url.as_mut() {
                    *marked = browser::resolve_url(marked, &config.endpoint);
                }
            }
            state.results.set(images);
            state.phase.set(Phase::Finished {
                task_id,
                status: TaskStatus::Succeeded,
                elapsed_ms: now - started_ms,
            });
            true
        }
        TaskStatus::Failed => {
            let reason = snapshot
                .status_message
                .clone()
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| "The provider gave no reason.".to_owned());
            state.error.set(Some(ShownError {
                title: "The expansion failed".into(),
                detail: format!("{reason} Your picture and settings are unchanged: adjust them and press Expand again."),
                retry: None,
            }));
            state.phase.set(Phase::Finished {
                task_id,
                status: TaskStatus::Failed,
                elapsed_ms: now - started_ms,
            });
            true
        }
    }
}

fn fail_before_task(state: WidgetState, ticket: u64, error: ApiError) {
    if !state.control.get_value().is_current(ticket) {
        return;
    }
    let retry = error.category.retryable() || error.category == ErrorCategory::Network;
    state
        .error
        .set(Some(shown(&error, retry.then_some(RetryAction::Create))));
    state.phase.set(Phase::Idle);
}

fn shown(error: &ApiError, retry: Option<RetryAction>) -> ShownError {
    ShownError {
        title: error.category.title().to_owned(),
        detail: error.to_string(),
        retry,
    }
}

fn network_error(endpoint: &str, reason: &str) -> ApiError {
    ApiError {
        category: ErrorCategory::Network,
        http_status: None,
        code: None,
        message: format!(
            "Could not reach {endpoint} ({reason}). Check the connection and press Retry."
        ),
        request_id: None,
        retry_after_ms: None,
    }
}

fn protocol_error(what: &str) -> ApiError {
    ApiError {
        category: ErrorCategory::Protocol,
        http_status: None,
        code: None,
        message: format!("The widget could not prepare the request: {what}."),
        request_id: None,
        retry_after_ms: None,
    }
}
