//! The local engine: an offline emulator of the official Kling Image Expansion API.
//!
//! Same paths and shapes as the official API (seed 001), the same validation answered with
//! Kling's statuses and codes, optional JWT verification (1000–1004), task ids and
//! external_task_id, `submitted → processing → succeed` with configurable timing, failure
//! injection, the list route, real expanded pictures at the canvas size the ratios imply, and
//! storage with a time to live that survives restarts.

pub mod store;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::StreamExt;
use http_body_util::BodyExt;
use kling_expand_core::dialect::{kling, Route, TaskStatus};
use kling_expand_core::geometry::{Ratios, Size};
use kling_expand_core::inspect::inspect;
use kling_expand_core::limits::{MAX_FILE_BYTES, MAX_N, MIN_N};
use kling_expand_core::validate::{
    check_callback_url, check_image, check_image_url, check_n, check_prompt, check_ratios,
    decode_base64_image,
};
use serde_json::Value;
use std::borrow::Cow;
use tokio::sync::Semaphore;

use crate::config::{EngineConfig, FailMode};
use crate::expand::{self, Placement};
use crate::jwt;
use crate::wire::{self, now_ms, ApiFailure, ErrorStyle};
use store::{ImageMeta, InsertError, Outcome, Store, TaskRecord};

/// Where the engine is mounted; result links are `<public url><MOUNT>/results/...`.
pub const MOUNT: &str = "/api/kling";

/// The largest picture (in pixels, after decoding) the engine expands: bounds the memory one
/// task may take (a 3× canvas of 40 MP in RGB is 360 MB).
pub const MAX_DECODED_PIXELS: u64 = 40_000_000;

/// Kling's list-route bounds (seed 001).
const MAX_PAGE_NUM: u32 = 1000;
const MAX_PAGE_SIZE: u32 = 500;

const STYLE: ErrorStyle = ErrorStyle::Kling;

pub struct Engine {
    config: EngineConfig,
    store: Store,
    /// Downloads image URLs and delivers callbacks.
    http: reqwest::Client,
    /// Expansion work running at once (one per core).
    workers: Semaphore,
    /// Create bodies read and checked at once: bounds the memory of many large uploads.
    intake: Semaphore,
}

fn bad_request(code: i64, message: impl Into<String>) -> ApiFailure {
    ApiFailure::new(StatusCode::BAD_REQUEST, code, message)
}

fn invalid(message: impl Into<String>) -> ApiFailure {
    bad_request(1201, message)
}

/// A URL as shown in messages: scheme, host, port and path, without user info or query (which
/// may carry someone's token).
fn display_url(url: &str) -> String {
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

impl Engine {
    /// Opens the data directory, resumes unfinished tasks and starts the expiry sweeper.
    pub fn start(config: EngineConfig) -> std::io::Result<Arc<Engine>> {
        let store = Store::open(&config.data_dir)?;
        let removed = store.sweep(now_ms());
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::limited(5))
            .user_agent(concat!(
                "kling-expand-local-engine/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(std::io::Error::other)?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let engine = Arc::new(Engine {
            config,
            store,
            http,
            workers: Semaphore::new(cores),
            intake: Semaphore::new(cores.max(2)),
        });
        let pending = engine.store.pending();
        tracing::info!(
            data_dir = %engine.store.root().display(),
            resumed = pending.len(),
            expired = removed,
            "local engine ready"
        );
        for record in pending {
            engine.spawn_work(record);
        }
        let sweeper = Arc::downgrade(&engine);
        let every =
            (engine.config.ttl / 4).clamp(Duration::from_millis(200), Duration::from_secs(60));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(engine) = sweeper.upgrade() else {
                    break;
                };
                let removed = engine.store.sweep(now_ms());
                if removed > 0 {
                    tracing::info!(removed, "expired tasks removed");
                }
            }
        });
        Ok(engine)
    }

    /// Answers one recognised API route.
    pub async fn handle(
        self: &Arc<Self>,
        route: Route,
        headers: &HeaderMap,
        body: Body,
    ) -> Response {
        if let Err(failure) = self.authenticate(headers) {
            return failure.into_response(STYLE);
        }
        let result = match route {
            Route::Create => {
                let declared = headers
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok());
                self.create(body, declared).await
            }
            Route::Query { id } => self.query(&id),
            Route::List {
                page_num,
                page_size,
            } => self.list(page_num, page_size),
        };
        match result {
            Ok(data) => {
                let envelope = kling::Envelope {
                    code: 0,
                    message: "SUCCEED".to_owned(),
                    request_id: wire::request_id(),
                    data,
                };
                wire::json_body(&serde_json::to_value(envelope).unwrap_or_default())
            }
            Err(failure) => failure.into_response(STYLE),
        }
    }

    fn authenticate(&self, headers: &HeaderMap) -> Result<(), ApiFailure> {
        let Some((access_key, secret_key)) = &self.config.verify else {
            return Ok(());
        };
        let authorization = headers
            .get(header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap_or("\u{0}"));
        jwt::verify(authorization, access_key, secret_key, wire::now_secs())
            .map(|_| ())
            .map_err(|failure| {
                ApiFailure::new(StatusCode::UNAUTHORIZED, failure.code(), failure.message())
            })
    }

    fn server_failure(&self) -> ApiFailure {
        ApiFailure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            5000,
            "Server internal error (simulated by the local engine's --engine-fail); try again later",
        )
    }

    async fn create(
        self: &Arc<Self>,
        body: Body,
        declared_len: Option<u64>,
    ) -> Result<Value, ApiFailure> {
        // Read and check a bounded number of bodies at once; the rest wait with their bytes
        // still in the socket. Each body is read into one buffer sized from Content-Length and
        // the picture's Base64 is parsed in place, so a 14 MB create costs about 14 MB plus the
        // decoded 10 MB picture.
        let _permit = self.intake.acquire().await.expect("semaphore open");
        let bytes = read_body(body, declared_len).await?;
        let wire: CreateWire = serde_json::from_slice(&bytes).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => invalid(format!(
                "A field of the request body has the wrong type: {e}"
            )),
            _ => bad_request(1200, format!("The request body is not valid JSON: {e}")),
        })?;
        let ParsedCreate { image, request } = parse_create(&wire)?;
        let mut problems = Vec::new();
        // The picture itself: Base64 is checked now (like Kling), a URL when it is downloaded.
        let original = match &image {
            WireImage::Url(url) => {
                problems.extend(check_image_url(url).err());
                None
            }
            WireImage::Base64(text) => match decode_base64_image(text) {
                Ok(bytes) => Some(bytes),
                Err(found) => {
                    problems.extend(found);
                    None
                }
            },
        };
        problems.extend(check_ratios(&request.ratios).err());
        if let Some(prompt) = &request.prompt {
            problems.extend(check_prompt(prompt).err());
        }
        problems.extend(check_n(u32::from(request.n)).err());
        if let Some(url) = &request.callback_url {
            problems.extend(check_callback_url(url).err());
        }
        if !problems.is_empty() {
            return Err(invalid(join_problems(problems)));
        }
        let image_url = match image {
            WireImage::Url(url) => Some(url),
            WireImage::Base64(_) => None,
        };
        drop(wire);
        drop(bytes);
        if let Some(external) = &request.external_task_id {
            if let Some(task_id) = self.store.task_of_external(external) {
                return Err(invalid(format!(
                    "external_task_id \"{external}\" is already used by task {task_id}; it must be unique per account"
                )));
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
        let task_id = self.new_task_id(now);
        if let Some(bytes) = &original {
            let path = self.store.original_file(&task_id);
            tokio::fs::write(&path, bytes).await.map_err(|e| {
                tracing::error!("cannot store an original: {e}");
                ApiFailure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    5000,
                    "The local engine could not store the picture; check the data directory's disk space and permissions",
                )
            })?;
        }
        drop(original);
        let record = TaskRecord {
            task_id: task_id.clone(),
            external_task_id: request.external_task_id.clone(),
            created_at_ms: now,
            submitted_for_ms: self.config.submitted_for.as_millis() as u64,
            processing_for_ms: self.config.processing_for.as_millis() as u64,
            expires_at_ms: now + self.config.ttl.as_millis().min(i64::MAX as u128 / 2) as i64,
            n: request.n,
            ratios: request.ratios,
            prompt: request.prompt.clone(),
            watermark: request.watermark,
            image_url,
            callback_url: request.callback_url.clone(),
            fail_content_policy: self.config.fails(FailMode::ContentPolicy),
            outcome: Outcome::Pending,
        };
        match self.store.insert(record.clone()) {
            Ok(()) => {}
            Err(InsertError::DuplicateExternalId { task_id: other }) => {
                let _ = std::fs::remove_file(self.store.original_file(&task_id));
                return Err(invalid(format!(
                    "external_task_id \"{}\" is already used by task {other}; it must be unique per account",
                    request.external_task_id.unwrap_or_default()
                )));
            }
            Err(InsertError::Io(error)) => {
                tracing::error!("cannot store a task: {error}");
                let _ = std::fs::remove_file(self.store.original_file(&task_id));
                return Err(ApiFailure::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    5000,
                    "The local engine could not store the task; check the data directory's disk space and permissions",
                ));
            }
        }
        tracing::info!(task_id = %task_id, n = record.n, "task created");
        self.spawn_work(record.clone());
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

    fn query(&self, id: &str) -> Result<Value, ApiFailure> {
        if self.config.fails(FailMode::Server) || self.config.fails(FailMode::ServerQuery) {
            return Err(self.server_failure());
        }
        let now = now_ms();
        let record = self.store.find(id, now).ok_or_else(|| {
            ApiFailure::new(
                StatusCode::NOT_FOUND,
                1203,
                format!(
                    "Task {id} does not exist: no task has this task_id or external_task_id (results are kept {})",
                    describe_ttl(self.config.ttl)
                ),
            )
        })?;
        Ok(self.task_data(&record, now))
    }

    fn list(&self, page_num: u32, page_size: u32) -> Result<Value, ApiFailure> {
        if self.config.fails(FailMode::Server) || self.config.fails(FailMode::ServerQuery) {
            return Err(self.server_failure());
        }
        if !(1..=MAX_PAGE_NUM).contains(&page_num) {
            return Err(invalid(format!(
                "pageNum is {page_num}; it must be from 1 to {MAX_PAGE_NUM}"
            )));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(invalid(format!(
                "pageSize is {page_size}; it must be from 1 to {MAX_PAGE_SIZE}"
            )));
        }
        let now = now_ms();
        let page = self.store.list(page_num, page_size, now);
        Ok(Value::Array(
            page.iter().map(|r| self.task_data(r, now)).collect(),
        ))
    }

    /// Answers a list call whose pageNum or pageSize is missing a number or out of range.
    pub fn bad_page(&self, query: &str) -> Response {
        let mut problems = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let (name, max) = match key {
                "pageNum" => ("pageNum", MAX_PAGE_NUM),
                "pageSize" => ("pageSize", MAX_PAGE_SIZE),
                _ => continue,
            };
            if !value.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n)) {
                let shown: String = value.chars().take(20).collect();
                problems.push(format!(
                    "{name} is \"{shown}\"; it must be a whole number from 1 to {max}."
                ));
            }
        }
        if problems.is_empty() {
            problems.push("pageNum must be 1 to 1000 and pageSize 1 to 500.".to_owned());
        }
        invalid(problems.join(" ")).into_response(STYLE)
    }

    /// The `data` object of a query, as Kling documents it.
    fn task_data(&self, record: &TaskRecord, now: i64) -> Value {
        let view = record.status_at(now);
        let task_result = match (&record.outcome, view.status) {
            (Outcome::Succeeded { images, .. }, TaskStatus::Succeeded) => Some(kling::TaskResult {
                images: images
                    .iter()
                    .map(|image| kling::ImageResult {
                        index: image.index,
                        url: self.result_url(&record.task_id, &format!("{}.png", image.index)),
                        watermark_url: record.watermark.then(|| {
                            self.result_url(
                                &record.task_id,
                                &format!("{}-watermark.png", image.index),
                            )
                        }),
                    })
                    .collect(),
            }),
            _ => None,
        };
        let deduction = match view.status {
            TaskStatus::Succeeded => record.n.to_string(),
            _ => "0".to_owned(),
        };
        let data = kling::TaskData {
            task_id: record.task_id.clone(),
            task_status: view.status.kling_word().to_owned(),
            task_status_msg: Some(view.message.unwrap_or_default()),
            task_info: Some(task_info(record)),
            final_unit_deduction: Some(deduction),
            watermark_info: Some(kling::WatermarkInfo {
                enabled: record.watermark,
            }),
            created_at: record.created_at_ms,
            updated_at: view.updated_at_ms,
            task_result,
        };
        serde_json::to_value(data).unwrap_or_default()
    }

    fn result_url(&self, task_id: &str, file: &str) -> String {
        format!("{}{MOUNT}/results/{task_id}/{file}", self.config.public_url)
    }

    /// Serves a result picture: `results/<task_id>/<index>.png` or `<index>-watermark.png`.
    pub async fn result_file(&self, task_id: &str, file: &str) -> Response {
        let not_found = || {
            ApiFailure::new(
                StatusCode::NOT_FOUND,
                1203,
                "No such result picture (the task is unknown, not finished, or expired)",
            )
            .into_response(STYLE)
        };
        let id_ok = !task_id.is_empty() && task_id.bytes().all(|b| b.is_ascii_digit());
        let stem = file.strip_suffix(".png").unwrap_or("");
        let number = stem.strip_suffix("-watermark").unwrap_or(stem);
        let file_ok =
            !number.is_empty() && number.len() <= 2 && number.bytes().all(|b| b.is_ascii_digit());
        if !id_ok || !file_ok {
            return not_found();
        }
        if self.store.find(task_id, now_ms()).is_none() {
            return not_found();
        }
        let path = self.store.results_dir(task_id).join(file);
        match tokio::fs::File::open(&path).await {
            Ok(handle) => {
                let length = handle.metadata().await.map(|m| m.len()).ok();
                let stream = file_stream(handle);
                let mut response = Response::builder()
                    .status(StatusCode::OK)
                    .header(header::CONTENT_TYPE, "image/png")
                    .header(header::CACHE_CONTROL, "public, max-age=86400, immutable");
                if let Some(length) = length {
                    response = response.header(header::CONTENT_LENGTH, length);
                }
                response
                    .body(Body::from_stream(stream))
                    .unwrap_or_else(|_| not_found())
            }
            Err(_) => not_found(),
        }
    }

    fn spawn_work(self: &Arc<Self>, record: TaskRecord) {
        let engine = self.clone();
        tokio::spawn(async move {
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
            Some(url) => match self.download(url).await {
                Ok(bytes) => bytes,
                Err(message) => return failed(message),
            },
        };
        if record.image_url.is_some() {
            match inspect(&bytes) {
                Ok(info) => {
                    let problems = check_image(&info, bytes.len() as u64);
                    if !problems.is_empty() {
                        return failed(join_problems(problems));
                    }
                }
                Err(error) => {
                    return failed(format!("The downloaded image is not usable: {error}"))
                }
            }
        }
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

    /// Downloads an image URL (at most 10 MB), or says clearly why it could not.
    async fn download(&self, url: &str) -> Result<Vec<u8>, String> {
        let shown = display_url(url);
        let answer = self.http.get(url).send().await.map_err(|error| {
            let mut cause: &dyn std::error::Error = &error;
            while let Some(next) = cause.source() {
                cause = next;
            }
            let why = if error.is_timeout() {
                "no answer in time".to_owned()
            } else {
                cause.to_string()
            };
            format!("The image could not be downloaded from {shown}: {why}. Check the URL is reachable from the engine, or send the picture as Base64")
        })?;
        if !answer.status().is_success() {
            return Err(format!(
                "The image could not be downloaded from {shown}: the server answered HTTP {}",
                answer.status().as_u16()
            ));
        }
        let mut bytes = Vec::new();
        let mut stream = answer.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| {
                format!(
                    "The download of {shown} was cut off; try again or send the picture as Base64"
                )
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

    /// POSTs the task's `data` object to its callback URL on each status change (best effort,
    /// like a webhook without a signing secret).
    fn spawn_callbacks(self: &Arc<Self>, task_id: String) {
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
                    let sent = strong
                        .http
                        .post(&url)
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(serde_json::to_vec(&data).unwrap_or_default())
                        .send()
                        .await;
                    if let Err(error) = sent {
                        tracing::warn!(task_id = %task_id, "callback to {} failed: {}", display_url(&url), error.without_url());
                    }
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

fn task_info(record: &TaskRecord) -> kling::TaskInfo {
    kling::TaskInfo {
        external_task_id: record.external_task_id.clone(),
    }
}

fn concurrency_failure(why: String) -> ApiFailure {
    ApiFailure::new(
        StatusCode::TOO_MANY_REQUESTS,
        1303,
        format!("Parallel task limit reached: the account's concurrency is over its limit ({why}); wait for running tasks to end and retry"),
    )
    .retry_after(1)
}

fn describe_ttl(ttl: Duration) -> String {
    let secs = ttl.as_secs();
    if secs >= 86_400 && secs.is_multiple_of(86_400) {
        format!("{} days", secs / 86_400)
    } else if secs >= 3600 && secs.is_multiple_of(3600) {
        format!("{} hours", secs / 3600)
    } else if secs >= 1 {
        format!("{secs} s")
    } else {
        format!("{} ms", ttl.as_millis())
    }
}

fn join_problems<P: std::fmt::Display>(problems: Vec<P>) -> String {
    problems
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A create body as sent. The image text is borrowed from the request bytes (it is most of
/// them); every other field is kept as JSON and checked by [`parse_create`] with a clear message.
#[derive(serde::Deserialize)]
struct CreateWire<'a> {
    #[serde(borrow, default)]
    image: Option<Cow<'a, str>>,
    #[serde(default)]
    up_expansion_ratio: Value,
    #[serde(default)]
    down_expansion_ratio: Value,
    #[serde(default)]
    left_expansion_ratio: Value,
    #[serde(default)]
    right_expansion_ratio: Value,
    #[serde(default)]
    prompt: Value,
    #[serde(default)]
    n: Value,
    #[serde(default)]
    watermark_info: Value,
    #[serde(default)]
    callback_url: Value,
    #[serde(default)]
    external_task_id: Value,
}

impl CreateWire<'_> {
    fn field(&self, name: &str) -> &Value {
        match name {
            "up_expansion_ratio" => &self.up_expansion_ratio,
            "down_expansion_ratio" => &self.down_expansion_ratio,
            "left_expansion_ratio" => &self.left_expansion_ratio,
            "right_expansion_ratio" => &self.right_expansion_ratio,
            "prompt" => &self.prompt,
            "n" => &self.n,
            "watermark_info" => &self.watermark_info,
            "callback_url" => &self.callback_url,
            "external_task_id" => &self.external_task_id,
            _ => &Value::Null,
        }
    }
}

enum WireImage<'a> {
    Url(String),
    Base64(&'a str),
}

/// A create request with typed fields; the picture still as sent.
struct ParsedCreate<'a> {
    image: WireImage<'a>,
    request: CreateRequest,
}

/// The parts of a create the engine keeps.
struct CreateRequest {
    ratios: Ratios,
    prompt: Option<String>,
    n: u8,
    watermark: bool,
    external_task_id: Option<String>,
    callback_url: Option<String>,
}

/// Reads the create body's fields with a clear message for each mistake.
fn parse_create<'a>(wire: &'a CreateWire<'a>) -> Result<ParsedCreate<'a>, ApiFailure> {
    let image: &str = match &wire.image {
        Some(text) if !text.trim().is_empty() => text.trim(),
        _ => {
            return Err(invalid(
                "image is missing: send an http(s) URL or the picture as raw Base64",
            ))
        }
    };
    // The same rule as `ImageSource::from_wire`, without copying megabytes of Base64.
    let starts = |prefix: &str| {
        image
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    let image = if starts("http://") || starts("https://") {
        WireImage::Url(image.to_owned())
    } else {
        if !starts("data:") && image.contains("://") {
            return Err(invalid("image URLs must start with http:// or https://"));
        }
        WireImage::Base64(image)
    };
    let fields = wire;
    let ratio = |name: &str| -> Result<f64, ApiFailure> {
        match Some(fields.field(name)).filter(|v| !v.is_null()) {
            Some(Value::Number(number)) => number
                .as_f64()
                .ok_or_else(|| invalid(format!("{name} is not a usable number"))),
            None | Some(Value::Null) => Err(invalid(format!(
                "{name} is missing: send a number from 0 to 2 (0 for a side not expanded)"
            ))),
            Some(_) => Err(invalid(format!("{name} must be a number from 0 to 2"))),
        }
    };
    let ratios = Ratios {
        up: ratio("up_expansion_ratio")?,
        down: ratio("down_expansion_ratio")?,
        left: ratio("left_expansion_ratio")?,
        right: ratio("right_expansion_ratio")?,
    };
    let prompt = match Some(fields.field("prompt")).filter(|v| !v.is_null()) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) if text.is_empty() => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => return Err(invalid("prompt must be a string")),
    };
    let n = match Some(fields.field("n")).filter(|v| !v.is_null()) {
        None | Some(Value::Null) => 1,
        Some(Value::Number(number)) => match number.as_u64() {
            Some(n) if (u64::from(MIN_N)..=u64::from(MAX_N)).contains(&n) => n as u8,
            _ => {
                return Err(invalid(format!(
                    "n is {number}; it must be a whole number from {MIN_N} to {MAX_N}"
                )))
            }
        },
        Some(_) => {
            return Err(invalid(format!(
                "n must be a whole number from {MIN_N} to {MAX_N}, not a string"
            )))
        }
    };
    let watermark = match Some(fields.field("watermark_info")).filter(|v| !v.is_null()) {
        None | Some(Value::Null) => false,
        Some(Value::Object(info)) => match info.get("enabled") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(enabled)) => *enabled,
            Some(_) => return Err(invalid("watermark_info.enabled must be true or false")),
        },
        Some(_) => {
            return Err(invalid(
                "watermark_info must be an object like {\"enabled\": true}",
            ))
        }
    };
    let optional_text = |name: &str| -> Result<Option<String>, ApiFailure> {
        match Some(fields.field(name)).filter(|v| !v.is_null()) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) if text.is_empty() => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(invalid(format!("{name} must be a string"))),
        }
    };
    let callback_url = optional_text("callback_url")?;
    let external_task_id = optional_text("external_task_id")?;
    Ok(ParsedCreate {
        image,
        request: CreateRequest {
            ratios,
            prompt,
            n,
            watermark,
            external_task_id,
            callback_url,
        },
    })
}

/// Reads a body into one buffer (sized from Content-Length when given), refusing more than
/// [`wire::MAX_BODY_BYTES`].
async fn read_body(body: Body, declared_len: Option<u64>) -> Result<Vec<u8>, ApiFailure> {
    let limit = wire::MAX_BODY_BYTES as usize;
    let mut buffer =
        Vec::with_capacity(declared_len.unwrap_or(0).min(wire::MAX_BODY_BYTES) as usize);
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame
            .map_err(|_| bad_request(1200, "The request body could not be read completely"))?;
        if let Ok(data) = frame.into_data() {
            if buffer.len() + data.len() > limit {
                return Err(wire::too_large(None));
            }
            buffer.extend_from_slice(&data);
        }
    }
    Ok(buffer)
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

/// A file as a stream of 64 KiB chunks, so large results are not held in memory.
fn file_stream(
    file: tokio::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(Some(file), |state| async move {
        let mut file = state?;
        let mut buffer = vec![0u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(n) => {
                buffer.truncate(n);
                Some((Ok(bytes::Bytes::from(buffer)), Some(file)))
            }
            Err(error) => Some((Err(error), None)),
        }
    })
}
