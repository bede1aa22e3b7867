//! Expand: create a task at the endpoint, follow it (the proxy's event stream when it offers
//! one, with a query on the core's polling schedule when the stream fails or stays silent; else
//! polling alone), show the results.

use kling_expand_core::dialect::{
    ApiError, Created, Dialect, ErrorCategory, TaskSnapshot, TaskStatus,
};
use kling_expand_core::poll::{PollConfig, PollSchedule};
use kling_expand_core::text;
use kling_expand_core::validate::{ExpandRequest, ImageSource};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::actions::{api, host};
use crate::browser::events::{self, Next};
use crate::browser::{self, file, timer};
use crate::config::WidgetConfig;
use crate::model::framing::AspectPreset;
use crate::model::progress::{CreateStage, Phase};
use crate::state::{
    Generation, GenerationStatus, Part, PictureSource, ResultsFrame, RetryAction, ShownError,
    WidgetState,
};

/// Stands in for the picture in the serialised body; the real base64 is joined in by
/// JavaScript. Searched for together with its key and quotes, which no string value can contain.
const IMAGE_PLACEHOLDER: &str = "kling-expand:image";

/// Starts an expansion of the current picture with the current settings. Does nothing while a
/// task is being created or watched, so a second press sends nothing. After a create whose
/// outcome is unknown, it first asks for that task (see [`retry_create`]).
pub fn expand(state: WidgetState) {
    let unsure = state
        .phase
        .with_untracked(|p| p.unsure_create().map(str::to_owned));
    match unsure {
        Some(external_task_id) => retry_create(state, Some(external_task_id)),
        None => send(state, None),
    }
}

/// Retry after a failed create. With the external id of a create that may have made a task,
/// the task is looked for first and followed if it exists; only when the provider has none is
/// the create sent again, under the same id, so that a task listed late is refused as a
/// duplicate instead of being paid for twice.
pub fn retry_create(state: WidgetState, external_task_id: Option<String>) {
    let Some(external_task_id) = external_task_id else {
        return send(state, None);
    };
    if state.phase.with_untracked(Phase::busy) {
        return;
    }
    let ticket = state.control.get_value().begin();
    let started_ms = browser::now_ms();
    state.error.set(None);
    settle(state, ticket, external_task_id, started_ms, Open::Retry);
}

fn send(state: WidgetState, reused_id: Option<String>) {
    if state.phase.with_untracked(Phase::busy) {
        return;
    }
    let Some(picture) = state.picture.get_untracked() else {
        return;
    };
    if !ready_to_send(state) {
        return;
    }
    let Some(Ok(ratios)) = state.ratios.get_untracked() else {
        return;
    };
    let config = state.config.get_value();
    let reused = reused_id.is_some();
    let external_task_id = reused_id.unwrap_or_else(browser::new_external_task_id);
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
    let framing = state.framing.get_untracked();
    let shape = match (framing.is_free(), framing.preset) {
        (true, _) => "Free".to_owned(),
        (false, AspectPreset::Custom) => framing.custom.to_string(),
        (false, preset) => preset.label().to_owned(),
    };
    // A retry under the same id is the same press: its entry is reused.
    state.history.update(|history| {
        history.retain(|g| g.external_task_id != external_task_id);
        history.push(Generation {
            external_task_id: external_task_id.clone(),
            task_id: None,
            source: picture.name.clone(),
            shape,
            frame: ResultsFrame {
                original: picture.size,
                ratios,
            },
            status: GenerationStatus::Running,
            images: Vec::new(),
        });
    });
    state.phase.set(Phase::Creating {
        started_ms,
        external_task_id: external_task_id.clone(),
        stage: CreateStage::Sending,
    });

    spawn_local(async move {
        let body = match request_body(&config, request, &picture.source).await {
            Ok(body) => body,
            Err(error) => return fail_before_task(state, ticket, error),
        };
        if !control.is_current(ticket) {
            return;
        }
        let url = config.url(config.dialect.create_path());
        let created = match api::send(&config, &url, Some(&body)).await {
            Ok(answer) => config.dialect.parse_create(
                answer.status,
                &answer.body,
                answer.retry_after.as_deref(),
            ),
            Err(lost) => Err(network_error(&config.endpoint, &lost.0)),
        };
        if !control.is_current(ticket) {
            return;
        }
        match created {
            Ok(Created::Task(snapshot)) => follow(state, ticket, snapshot, started_ms).await,
            // Accepted without a task id (KKIAI's `{}`): the task is known by our own id.
            Ok(Created::Unnamed) => {
                settle(state, ticket, external_task_id, started_ms, Open::Unnamed);
            }
            // The task may exist although no definite answer said so: find it before anyone
            // pays for a second one. A refused retry under a reused id may mean the first one
            // was listed late.
            Err(error) if error.create_may_exist() || reused => {
                settle(
                    state,
                    ticket,
                    external_task_id,
                    started_ms,
                    Open::Lost(error),
                );
            }
            Err(error) => fail_before_task(state, ticket, error),
        }
    });
}

/// How often the widget asks for a task it may have created, and how long it waits before
/// each ask (a provider may take a moment to list a new task): about 4 s in all.
const FIND_DELAYS_MS: [u64; 4] = [0, 500, 1_000, 2_000];

/// What asking for a task by its external id told.
enum Found {
    Task(TaskSnapshot),
    /// The provider has no such task: nothing was made, nothing charged.
    Absent,
    /// Not known: the answers were errors (the last one is kept).
    Unknown(ApiError),
}

/// Asks for a task by its external id, a few times with a short backoff.
async fn find(config: &WidgetConfig, external_task_id: &str, alive: impl Fn() -> bool) -> Found {
    let mut last = Found::Absent;
    for delay in FIND_DELAYS_MS {
        timer::sleep_ms(delay).await;
        if !alive() {
            break;
        }
        match lookup(config, external_task_id).await {
            Ok(snapshot) => return Found::Task(snapshot),
            Err(error) if error.category == ErrorCategory::NotFound => last = Found::Absent,
            Err(error) if error.retryable() => last = Found::Unknown(error),
            Err(error) => return Found::Unknown(error),
        }
    }
    last
}

/// Why a create's task has to be looked for.
enum Open {
    /// The provider accepted it without naming the task.
    Unnamed,
    /// No definite answer came back (this error instead).
    Lost(ApiError),
    /// The person pressed Retry after such a create: send again if there is no task.
    Retry,
    /// The page was reloaded while the create was on its way.
    Reload,
}

/// Finds out whether a create made its task, and follows it if so.
fn settle(state: WidgetState, ticket: u64, external_task_id: String, started_ms: f64, open: Open) {
    let config = state.config.get_value();
    let control = state.control.get_value();
    let what = match &open {
        Open::Unnamed => "The provider accepted the task without naming it.".to_owned(),
        Open::Lost(error) => format!(
            "No definite answer came back from the provider ({}).",
            lost_reason(error)
        ),
        Open::Retry | Open::Reload => String::new(),
    };
    if !config.dialect.supports_external_task_id() {
        // Modellix takes no id of ours, so there is nothing to look for.
        state.error.set(Some(ShownError {
            title: "Not known whether the task was made".into(),
            detail: format!(
                "{what} {} cannot look a task up by the widget's own id: check the provider's \
                 task list before pressing Retry, or the task may be charged twice.",
                config.dialect.display_name()
            ),
            retry: Some(RetryAction::Create {
                external_task_id: None,
            }),
        }));
        state.phase.set(Phase::Idle);
        return;
    }
    state.now_ms.set(browser::now_ms());
    state.phase.set(Phase::Creating {
        started_ms,
        external_task_id: external_task_id.clone(),
        stage: CreateStage::Finding,
    });
    spawn_local(async move {
        let found = find(&config, &external_task_id, || control.is_current(ticket)).await;
        if !control.is_current(ticket) {
            return;
        }
        let retry = Some(RetryAction::Create {
            external_task_id: Some(external_task_id.clone()),
        });
        match (found, open) {
            (Found::Task(snapshot), _) => follow(state, ticket, snapshot, started_ms).await,
            (Found::Absent, Open::Retry) => {
                state.phase.set(Phase::Idle);
                send(state, Some(external_task_id));
            }
            (Found::Absent, Open::Reload) => {
                state.phase.set(Phase::Idle);
                drop_running(state);
                state.error.set(Some(ShownError {
                    title: "The page was reloaded while sending".into(),
                    detail: "The provider has no task from that press, so nothing was charged. \
                             Your picture and settings are kept: press Expand to send them."
                        .into(),
                    retry: None,
                }));
            }
            (Found::Absent, Open::Lost(error)) => {
                host::failed(state, &error);
                state.phase.set(Phase::Idle);
                drop_running(state);
                state.error.set(Some(ShownError {
                    title: "Nothing was made".into(),
                    detail: format!(
                        "{what} The widget asked the provider for this task and it has none, \
                         so nothing was charged. Your picture and settings are kept: press Retry \
                         to send them again."
                    ),
                    retry,
                }));
            }
            (found, _) => {
                let reason = match found {
                    Found::Unknown(error) => format!(" ({})", error.explanation()),
                    _ => String::new(),
                };
                state.phase.set(Phase::Creating {
                    started_ms,
                    external_task_id,
                    stage: CreateStage::Unsure,
                });
                state.error.set(Some(ShownError {
                    title: "Not known whether the task was made".into(),
                    detail: format!(
                        "{what} The widget could not find out whether the provider made the \
                         task{reason}. Press Retry: it looks for the task again before sending \
                         anything, so the task is never charged twice."
                    )
                    .trim_start()
                    .to_owned(),
                    retry,
                }));
            }
        }
    });
}

/// True when nothing blocks an expansion (see [`WidgetState::blockers`]).
fn ready_to_send(state: WidgetState) -> bool {
    state.blockers.with_untracked(Vec::is_empty)
}

/// Updates the generation being made (the newest one still running), if any.
fn update_running(state: WidgetState, change: impl FnOnce(&mut Generation)) {
    state.history.update(|history| {
        if let Some(generation) = history
            .iter_mut()
            .rev()
            .find(|g| g.status == GenerationStatus::Running)
        {
            change(generation);
        }
    });
}

/// Forgets the generation being made: nothing came of it (refused, failed, or never made).
fn drop_running(state: WidgetState) {
    state
        .history
        .update(|history| history.retain(|g| g.status != GenerationStatus::Running));
}

/// Looks at an unfinished generation again (cancelled, or not finished in the time the widget
/// waited), and collects its pictures if it has ended.
pub fn check_again(state: WidgetState, external_task_id: String) {
    let Some(id) = state.history.with_untracked(|history| {
        history
            .iter()
            .find(|g| g.external_task_id == external_task_id)
            .map(|g| {
                g.task_id
                    .clone()
                    .unwrap_or_else(|| g.external_task_id.clone())
            })
    }) else {
        return;
    };
    let config = state.config.get_value();
    state
        .notice
        .set(Some("Asking the provider about that task…".into()));
    spawn_local(async move {
        let notice = match lookup(&config, &id).await {
            Ok(snapshot) => match snapshot.status {
                TaskStatus::Succeeded => {
                    let images = resolved(&config, &snapshot);
                    let count = images.len();
                    state.history.update(|history| {
                        if let Some(g) = history
                            .iter_mut()
                            .find(|g| g.external_task_id == external_task_id)
                        {
                            g.task_id = Some(snapshot.task_id.clone());
                            g.images = images;
                            g.status = GenerationStatus::Succeeded;
                        }
                    });
                    format!(
                        "The task has finished: {count} more in Results.{}",
                        refused_note(&snapshot)
                    )
                }
                TaskStatus::Failed => {
                    state
                        .history
                        .update(|h| h.retain(|g| g.external_task_id != external_task_id));
                    "The task failed at the provider; it made nothing.".to_owned()
                }
                _ => "The task is still running at the provider: check again later.".to_owned(),
            },
            Err(error) => error.explanation().to_string(),
        };
        state.notice.set(Some(notice));
    });
}

/// Why a create's answer was not definite, in a few words: the proxy's or provider's own
/// message when it has one, else what kind of failure it was.
fn lost_reason(error: &ApiError) -> String {
    let message = error.message.trim().trim_end_matches('.');
    if message.is_empty() {
        error.category.title().to_owned()
    } else {
        message.to_owned()
    }
}

/// What the person is told about result links the core refused (not web addresses): "" when
/// there were none.
fn refused_note(snapshot: &TaskSnapshot) -> String {
    match snapshot.refused_links {
        0 => String::new(),
        1 => " The provider sent 1 result link that is not a web address; it was left out.".into(),
        n => format!(
            " The provider sent {n} result links that are not web addresses; they were left out."
        ),
    }
}

/// A snapshot's result links, resolved against the endpoint.
fn resolved(config: &WidgetConfig, snapshot: &TaskSnapshot) -> Vec<kling_expand_core::ResultImage> {
    let mut images = snapshot.images.clone();
    for image in &mut images {
        image.url = browser::resolve_url(&image.url, &config.endpoint);
        if let Some(marked) = image.watermark_url.as_mut() {
            *marked = browser::resolve_url(marked, &config.endpoint);
        }
    }
    images
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
            let (head, tail) = text::split_around(&body, &marker)
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
    settle(state, ticket, external_task_id, started_ms, Open::Reload);
}

/// Stops polling; the task may still finish upstream. A create whose task is not known yet
/// stays one to look for, so that the next press cannot pay for it twice.
pub fn cancel(state: WidgetState) {
    state.control.get_value().stop();
    host::cancelled(
        state,
        state
            .phase
            .with_untracked(|p| p.task_id().map(str::to_owned)),
    );
    update_running(state, |g| g.status = GenerationStatus::Unfinished);
    state.phase.update(|phase| {
        *phase = match &mut *phase {
            Phase::Creating {
                started_ms,
                external_task_id,
                ..
            } => Phase::Creating {
                started_ms: *started_ms,
                external_task_id: std::mem::take(external_task_id),
                stage: CreateStage::Unsure,
            },
            other => Phase::Cancelled {
                task_id: other.task_id().map(str::to_owned),
            },
        }
    });
}

/// Asks for a task by either of its ids.
async fn lookup(config: &WidgetConfig, id: &str) -> Result<TaskSnapshot, ApiError> {
    let answer = api::send(config, &config.url(&config.dialect.query_path(id)), None)
        .await
        .map_err(|lost| network_error(&config.endpoint, &lost.0))?;
    config
        .dialect
        .parse_query(answer.status, &answer.body, answer.retry_after.as_deref())
}

/// Watches the task a snapshot describes, starting from what the snapshot says.
async fn follow(state: WidgetState, ticket: u64, snapshot: TaskSnapshot, started_ms: f64) {
    host::submitted(state, &snapshot);
    watch(
        state,
        ticket,
        snapshot.task_id.clone(),
        started_ms,
        Some(snapshot),
    )
    .await
}

/// The watch loop, until the task ends, the person cancels, a newer run starts, or the widget is
/// removed: the proxy's event stream while the endpoint offers one and it works; one query on
/// the core's schedule after each failure of the stream, or at once when it has been silent too
/// long; polling alone (one request at a time) when there is no stream.
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
    let poll = PollConfig::default();
    let mut schedule = PollSchedule::new(poll, browser::random_u64());
    let mut retry_after_ms = None;
    let mut unreadable = 0u8;
    let mut listener = Listener::new(format!("{query_url}/events"), poll, state);
    loop {
        let mut check = false;
        if listener.usable(&config.endpoint) {
            match listener
                .hear(state, &config, &task_id, started_ms, &alive)
                .await
            {
                Heard::Over => return,
                Heard::Silent => check = true,
                Heard::Broken => {}
            }
        }
        let delay = match check {
            true => Some(0),
            false if listener.expired() => None,
            false => schedule.next_delay(retry_after_ms.take()),
        };
        let Some(delay) = delay else {
            update_running(state, |g| g.status = GenerationStatus::Unfinished);
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
        let answer = api::send(&config, &query_url, None).await;
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
                unreadable = 0;
                if check {
                    listener.checked(snapshot.status);
                }
                if show_snapshot(state, &config, &snapshot, started_ms) {
                    return;
                }
            }
            Err(error) if error.category.retryable() => retry_after_ms = error.retry_after_ms,
            // An answer that could not be read is most often one cut short on its way: ask
            // again a few times before saying so.
            Err(error) if error.category == ErrorCategory::Protocol && unreadable < 3 => {
                unreadable += 1;
            }
            Err(error) => {
                host::failed(state, &error);
                state.error.set(Some(shown(
                    &error,
                    Some(RetryAction::Poll {
                        task_id: task_id.clone(),
                    }),
                )));
                update_running(state, |g| g.status = GenerationStatus::Unfinished);
                state.phase.set(Phase::Cancelled {
                    task_id: Some(task_id),
                });
                return;
            }
        }
    }
}

/// Stream failures in a row (refused, cut, closed before the end) after which the widget only
/// polls.
const STREAM_ATTEMPTS: u8 = 3;

/// What listening to the stream came to.
enum Heard {
    /// The task ended, or the widget no longer waits for it.
    Over,
    /// Nothing for longer than the polling schedule would have waited: one query checks.
    Silent,
    /// The stream could not be opened or broke: one query on the schedule, then again.
    Broken,
}

/// The proxy's event stream of one task, kept open across the checks of a silence.
struct Listener {
    url: String,
    /// The id of the last event, sent as `Last-Event-ID` when the stream is opened again.
    last_id: String,
    stream: Option<events::Stream>,
    /// A stream was open once (the deadline below is for streams).
    opened: bool,
    failures: u8,
    /// The status the stream said last.
    said: Option<TaskStatus>,
    /// How long the stream may be silent before a query checks it: the longest wait of the
    /// polling schedule, growing by its factor (to twice that) each time a check found
    /// nothing the stream had not said.
    quiet_ms: u64,
    max_quiet_ms: u64,
    factor: f64,
    /// The schedule's deadline, on the clock: past it, the widget stops waiting.
    until_ms: f64,
}

impl Listener {
    fn new(url: String, poll: PollConfig, state: WidgetState) -> Listener {
        let said = state.phase.with_untracked(|phase| match phase {
            Phase::Running { status, .. } => Some(*status),
            _ => None,
        });
        Listener {
            url,
            last_id: String::new(),
            stream: None,
            opened: false,
            failures: 0,
            said,
            quiet_ms: poll.max_delay_ms,
            max_quiet_ms: 2 * poll.max_delay_ms,
            factor: poll.factor,
            until_ms: browser::now_ms() + poll.deadline_ms as f64,
        }
    }

    /// Whether to listen: the endpoint offers streams (it said so in an answer, which a reload
    /// learns from its first query), and they have not failed too often.
    fn usable(&self, endpoint: &str) -> bool {
        self.failures < STREAM_ATTEMPTS && events::offered(endpoint) && !self.expired()
    }

    fn expired(&self) -> bool {
        self.opened && browser::now_ms() > self.until_ms
    }

    /// Listens, opening the stream if it is not open, until the task ends, a silence needs a
    /// check, or the stream fails.
    async fn hear(
        &mut self,
        state: WidgetState,
        config: &WidgetConfig,
        task_id: &str,
        started_ms: f64,
        alive: &impl Fn() -> bool,
    ) -> Heard {
        if self.stream.is_none() {
            let authorization = api::authorization(config).await;
            let within = u32::try_from(self.quiet_ms).unwrap_or(u32::MAX);
            self.stream =
                events::Stream::open(&self.url, &authorization, &self.last_id, within).await;
        }
        if !alive() {
            return Heard::Over;
        }
        let Some(stream) = self.stream.as_ref() else {
            self.failures += 1;
            return Heard::Broken;
        };
        self.opened = true;
        let mut silent_ms = 0;
        let heard = loop {
            // Short waits, so that Cancel or the widget's removal closes the stream soon.
            let next = stream.next(1_000).await;
            if !alive() {
                return Heard::Over;
            }
            match next {
                Ok(Next::Event { id, data }) => {
                    self.last_id = id;
                    silent_ms = 0;
                    // The proxy's events carry Kling's query answer, whatever the dialect.
                    match Dialect::Kling.parse_query(200, &data, None) {
                        Ok(mut snapshot) if snapshot.task_id == task_id => {
                            // Links the proxy's core left out, which the widget says as for
                            // a query's answer.
                            snapshot.refused_links =
                                snapshot.refused_links.saturating_add(refused_links(&data));
                            self.failures = 0;
                            self.said = Some(snapshot.status);
                            if show_snapshot(state, config, &snapshot, started_ms) {
                                return Heard::Over;
                            }
                        }
                        // A stream that says something else is not believed again.
                        _ => {
                            self.failures = STREAM_ATTEMPTS;
                            break Heard::Broken;
                        }
                    }
                }
                Ok(Next::Quiet) => {
                    silent_ms += 1_000;
                    if silent_ms >= self.quiet_ms || browser::now_ms() > self.until_ms {
                        return Heard::Silent;
                    }
                }
                Ok(Next::Ended) | Err(()) => {
                    self.failures += 1;
                    break Heard::Broken;
                }
            }
        };
        self.stream = None;
        heard
    }

    /// A check of a silent stream found `status`: the stream may be silent for longer when it
    /// had said as much; one that missed a change is closed, and polling takes over.
    fn checked(&mut self, status: TaskStatus) {
        if self.said == Some(status) {
            self.quiet_ms = ((self.quiet_ms as f64 * self.factor) as u64).min(self.max_quiet_ms);
        } else {
            self.stream = None;
            self.failures = STREAM_ATTEMPTS;
        }
    }
}

/// The `refused_links` count of a change the proxy sent (0 when it has none). Its JSON is the
/// proxy's compact writing: the key with its quotes, unescaped, appears nowhere else (a quote
/// inside a string value is escaped).
fn refused_links(data: &str) -> u32 {
    text::split_around(data, "\"refused_links\":").map_or(0, |(_, rest)| {
        rest.bytes()
            .take_while(u8::is_ascii_digit)
            .fold(0u32, |n, d| {
                n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
            })
    })
}

/// Writes a snapshot into the state; true when the task has ended.
fn show_snapshot(
    state: WidgetState,
    config: &WidgetConfig,
    snapshot: &TaskSnapshot,
    started_ms: f64,
) -> bool {
    let now = browser::now_ms();
    host::snapshot(state, config, snapshot, now - started_ms);
    state.now_ms.set(now);
    let task_id = snapshot.task_id.clone();
    match snapshot.status {
        TaskStatus::Submitted | TaskStatus::Processing => {
            update_running(state, |g| g.task_id = Some(task_id.clone()));
            state.phase.set(Phase::Running {
                task_id,
                status: snapshot.status,
                started_ms,
            });
            false
        }
        TaskStatus::Succeeded => {
            let images = resolved(config, snapshot);
            let count = images.len();
            let before: usize = state
                .history
                .with_untracked(|h| h.iter().map(|g| g.images.len()).sum());
            update_running(state, |g| {
                g.task_id = Some(task_id.clone());
                g.images = images;
                g.status = GenerationStatus::Succeeded;
            });
            // Where the person's eyes should go: the first new picture (if the focus was left
            // on Cancel or nowhere, not if they went on to something else).
            if snapshot.refused_links > 0 {
                state
                    .notice
                    .set(Some(refused_note(snapshot).trim_start().to_owned()));
            }
            if count > 0 {
                browser::focus_if_idle(
                    &state.id(Part::ResultThumb(before + 1)),
                    &state.id(Part::CancelButton),
                );
            }
            state.phase.set(Phase::Finished {
                task_id,
                status: TaskStatus::Succeeded,
                elapsed_ms: now - started_ms,
            });
            true
        }
        TaskStatus::Failed => {
            drop_running(state);
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
    // Only for errors that said nothing was made: the others were settled by looking.
    host::failed(state, &error);
    drop_running(state);
    let retry = error.category.retryable();
    state.error.set(Some(shown(
        &error,
        retry.then_some(RetryAction::Create {
            external_task_id: None,
        }),
    )));
    state.phase.set(Phase::Idle);
}

fn shown(error: &ApiError, retry: Option<RetryAction>) -> ShownError {
    ShownError {
        title: error.category.title().to_owned(),
        detail: error.explanation().to_string(),
        retry,
    }
}

fn network_error(endpoint: &str, reason: &str) -> ApiError {
    ApiError::network(&format!(
        "Could not reach {endpoint} ({reason}). Check the connection and press Retry."
    ))
}

fn protocol_error(what: &str) -> ApiError {
    ApiError::new(
        ErrorCategory::Protocol,
        &format!("The widget could not prepare the request: {what}."),
    )
}
