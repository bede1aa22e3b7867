//! The four providers' dialects of the Image Expansion API: paths, request bodies and answer
//! parsing, all normalised to [`TaskSnapshot`] and [`ApiError`].
//!
//! | dialect | base | create | query one | list |
//! |---|---|---|---|---|
//! | `kling` | api-singapore.klingai.com | `POST /v1/images/editing/expand` | `GET …/expand/{id}` | `GET …/expand?pageNum&pageSize` |
//! | `cometapi` | api.cometapi.com/kling | same path | same path | — |
//! | `kkiai` | www.kkiai.com/kling | same path | same path | — |
//! | `modellix` | api.modellix.ai | `POST /api/v1/image-to-image/kling/kling-image-expansion/async` | `GET /api/v1/tasks/{id}` | — |
//!
//! Parsing is lenient where providers are known to differ and strict where it matters: `data`
//! may be an object or an array, may be missing, `code` may be `null` (the route is not
//! offered), unknown fields are ignored, timestamps may be numbers or numeric strings; but an
//! answer without a task id or with an unknown status word is an [`ErrorCategory::Protocol`]
//! error rather than a guess. A task that FAILED is a successful answer: a snapshot with
//! [`TaskStatus::Failed`] and the reason in `status_message`.

mod error;
pub mod kling;
mod refusal;
mod task;

use core::fmt;
use core::str::FromStr;

pub use error::{category_for_http, parse_http_date, parse_retry_after, ApiError, ErrorCategory};
pub use refusal::Refusal;
pub use task::{is_web_link, Created, ResultImage, TaskSnapshot, TaskStatus};

use crate::json::{Map, Value};
use crate::limits::{DAY_MS, RESULT_LINK_DAYS};
use crate::validate::ExpandRequest;

/// One provider's flavour of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Kling,
    CometApi,
    Kkiai,
    Modellix,
}

/// A request the proxy recognises for a dialect; anything else is answered 404.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    Create,
    /// `id` is percent-decoded.
    Query {
        id: String,
    },
    List {
        page_num: u32,
        page_size: u32,
    },
}

/// A dialect name that is not one of [`Dialect::ALL`]'s words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDialect(pub String);

impl fmt::Display for UnknownDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\"{}\" is not a known provider; use one of kling, cometapi, kkiai, modellix.",
            self.0
        )
    }
}

impl std::error::Error for UnknownDialect {}

const KLING_CREATE: &str = "/v1/images/editing/expand";
const MODELLIX_CREATE: &str = "/api/v1/image-to-image/kling/kling-image-expansion/async";
const MODELLIX_TASKS: &str = "/api/v1/tasks";
/// Kling's documented list bounds.
const PAGE_NUM_MAX: u32 = 1000;
const PAGE_SIZE_MAX: u32 = 500;
const PAGE_SIZE_DEFAULT: u32 = 30;
/// Longest task id accepted in a path, in bytes after decoding.
const MAX_ID_BYTES: usize = 256;

impl Dialect {
    pub const ALL: [Dialect; 4] = [
        Dialect::Kling,
        Dialect::CometApi,
        Dialect::Kkiai,
        Dialect::Modellix,
    ];

    /// `kling`, `cometapi`, `kkiai`, `modellix`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Dialect::Kling => "kling",
            Dialect::CometApi => "cometapi",
            Dialect::Kkiai => "kkiai",
            Dialect::Modellix => "modellix",
        }
    }

    /// The provider's name for people.
    pub const fn display_name(&self) -> &'static str {
        match self {
            Dialect::Kling => "Kling (official)",
            Dialect::CometApi => "CometAPI",
            Dialect::Kkiai => "KKIAI",
            Dialect::Modellix => "Modellix",
        }
    }

    pub const fn default_base(&self) -> &'static str {
        match self {
            Dialect::Kling => "https://api-singapore.klingai.com",
            Dialect::CometApi => "https://api.cometapi.com/kling",
            Dialect::Kkiai => "https://www.kkiai.com/kling",
            Dialect::Modellix => "https://api.modellix.ai",
        }
    }

    /// Path of the create call, relative to the base.
    pub const fn create_path(&self) -> &'static str {
        match self {
            Dialect::Modellix => MODELLIX_CREATE,
            _ => KLING_CREATE,
        }
    }

    const fn query_prefix(&self) -> &'static str {
        match self {
            Dialect::Modellix => MODELLIX_TASKS,
            _ => KLING_CREATE,
        }
    }

    /// Path of the query-one call for a task id (or Kling external_task_id), percent-encoded.
    pub fn query_path(&self, id: &str) -> String {
        format!("{}/{}", self.query_prefix(), percent_encode(id))
    }

    /// Whether the dialect documents a list call (only official Kling).
    pub const fn supports_list(&self) -> bool {
        matches!(self, Dialect::Kling)
    }

    /// Whether the dialect takes `watermark_info` (only official Kling documents it).
    pub const fn supports_watermark(&self) -> bool {
        matches!(self, Dialect::Kling)
    }

    /// Whether the dialect takes `external_task_id` and `callback_url` (all but Modellix).
    /// Without an external id, a lost create answer cannot be recovered by looking it up.
    pub const fn supports_external_task_id(&self) -> bool {
        !matches!(self, Dialect::Modellix)
    }

    /// Path of the list call, with page bounds clamped to Kling's (1–1000, 1–500); `None`
    /// where the dialect has no list.
    pub fn list_path(&self, page_num: u32, page_size: u32) -> Option<String> {
        self.supports_list().then(|| {
            format!(
                "{}?pageNum={}&pageSize={}",
                KLING_CREATE,
                page_num.clamp(1, PAGE_NUM_MAX),
                page_size.clamp(1, PAGE_SIZE_MAX)
            )
        })
    }

    /// Recognise exactly this dialect's create, query-one and list calls. `path` is relative to
    /// the base and may carry a query string. The id of a query is percent-decoded and refused
    /// if empty, `.`/`..`, longer than 256 bytes, or containing `/`, `\` or control
    /// characters. A list with missing page parameters gets Kling's defaults (1, 30); present
    /// but out of range or not numbers, it is not recognised.
    pub fn route(&self, method: &str, path: &str) -> Option<Route> {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path, None),
        };
        if method.eq_ignore_ascii_case("POST") {
            return (path == self.create_path()).then_some(Route::Create);
        }
        if !method.eq_ignore_ascii_case("GET") {
            return None;
        }
        if let Some(rest) = path
            .strip_prefix(self.query_prefix())
            .and_then(|r| r.strip_prefix('/'))
        {
            let id = percent_decode(rest)?;
            let bad = id.is_empty()
                || id == "."
                || id == ".."
                || id.len() > MAX_ID_BYTES
                || id.chars().any(|c| c == '/' || c == '\\' || c.is_control());
            return (!bad).then_some(Route::Query { id });
        }
        if self.supports_list() && path == KLING_CREATE {
            let mut page_num = 1;
            let mut page_size = PAGE_SIZE_DEFAULT;
            for pair in query
                .unwrap_or_default()
                .split('&')
                .filter(|p| !p.is_empty())
            {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let number = || value.parse::<u32>().ok();
                match key {
                    "pageNum" => page_num = number().filter(|n| (1..=PAGE_NUM_MAX).contains(n))?,
                    "pageSize" => {
                        page_size = number().filter(|n| (1..=PAGE_SIZE_MAX).contains(n))?
                    }
                    _ => {}
                }
            }
            return Some(Route::List {
                page_num,
                page_size,
            });
        }
        None
    }

    /// The JSON body of the create call. Ratios are quantized (4 decimals, limits kept), `n`
    /// is an integer, an empty prompt / external id / callback is left out.
    /// - `kling`: the official body with `watermark_info: {enabled}`.
    /// - `cometapi`: the official body without `watermark_info`, with BOTH
    ///   `down_expansion_ratio` and `bottom_expansion_ratio` (its docs disagree on the name).
    /// - `kkiai`: the official body without `watermark_info` (`n` is required there).
    /// - `modellix`: image, the four ratios, prompt and n only.
    pub fn create_body(&self, req: &ExpandRequest) -> Value {
        let body = kling::CreateBody::from_request(req);
        let mut map = Map::new();
        map.insert("image", body.image);
        map.insert("up_expansion_ratio", body.up_expansion_ratio);
        map.insert("down_expansion_ratio", body.down_expansion_ratio);
        if *self == Dialect::CometApi {
            map.insert("bottom_expansion_ratio", body.down_expansion_ratio);
        }
        map.insert("left_expansion_ratio", body.left_expansion_ratio);
        map.insert("right_expansion_ratio", body.right_expansion_ratio);
        if let Some(prompt) = body.prompt {
            map.insert("prompt", prompt);
        }
        map.insert("n", body.n.unwrap_or(1));
        if *self == Dialect::Modellix {
            return Value::Object(map);
        }
        if let (Dialect::Kling, Some(watermark)) = (self, body.watermark_info) {
            let mut info = Map::new();
            info.insert("enabled", watermark.enabled);
            map.insert("watermark_info", info);
        }
        if let Some(url) = body.callback_url {
            map.insert("callback_url", url);
        }
        if let Some(id) = body.external_task_id {
            map.insert("external_task_id", id);
        }
        Value::Object(map)
    }

    /// Read the answer to a create call. A success that names no task (KKIAI documents `{}`;
    /// other wrappers answer without `data` or without a task id in it) is
    /// [`Created::Unnamed`]: the task exists and is found by the `external_task_id` the
    /// request carried (see [`Dialect::supports_external_task_id`]).
    pub fn parse_create(
        &self,
        http_status: u16,
        body: &str,
        retry_after: Option<&str>,
    ) -> Result<Created, ApiError> {
        let data = self.envelope(http_status, body, retry_after)?;
        let data = match data {
            Some(Value::Array(items)) => items.into_iter().next(),
            other => other,
        };
        let names_a_task = data
            .as_ref()
            .and_then(|d| d.get("task_id"))
            .and_then(value_to_string)
            .is_some_and(|id| !id.is_empty());
        match data {
            Some(data) if names_a_task => self
                .snapshot(&data, http_status, Some(TaskStatus::Submitted))
                .map(Created::Task),
            _ => Ok(Created::Unnamed),
        }
    }

    /// Read the answer to a query-one call. `data` may be an object or a one-element array.
    pub fn parse_query(
        &self,
        http_status: u16,
        body: &str,
        retry_after: Option<&str>,
    ) -> Result<TaskSnapshot, ApiError> {
        let data = self.envelope(http_status, body, retry_after)?;
        let data = match data {
            Some(Value::Array(items)) => match items.into_iter().next() {
                Some(first) => first,
                None => {
                    let mut e = ApiError::new(ErrorCategory::NotFound, "");
                    e.http_status = Some(http_status);
                    return Err(e);
                }
            },
            Some(Value::Null) | None => {
                return Err(protocol(http_status, "the answer carries no task"));
            }
            Some(other) => other,
        };
        self.snapshot(&data, http_status, None)
    }

    /// Read the answer to a list call. A missing or null `data` is an empty list.
    pub fn parse_list(
        &self,
        http_status: u16,
        body: &str,
        retry_after: Option<&str>,
    ) -> Result<Vec<TaskSnapshot>, ApiError> {
        let items = match self.envelope(http_status, body, retry_after)? {
            Some(Value::Array(items)) => items,
            Some(Value::Null) | None => Vec::new(),
            Some(Value::Object(map)) => match map.get("list").or_else(|| map.get("items")) {
                Some(Value::Array(items)) => items.clone(),
                _ => vec![Value::Object(map)],
            },
            Some(_) => return Err(protocol(http_status, "the task list is not a list")),
        };
        items
            .iter()
            .map(|item| self.snapshot(item, http_status, None))
            .collect()
    }

    /// Check the envelope; on success return `data` (if any).
    fn envelope(
        &self,
        http_status: u16,
        body: &str,
        retry_after: Option<&str>,
    ) -> Result<Option<Value>, ApiError> {
        let ok_status = (200..300).contains(&http_status);
        let parsed = Value::parse(body).ok();
        let Some(Value::Object(mut obj)) = parsed else {
            return Err(match http_status {
                // No JSON envelope at all on a 404: the path itself is unknown there.
                404 => fail(ErrorCategory::NotOffered, http_status, None, "", None, None),
                _ if ok_status => protocol(
                    http_status,
                    if body.trim().is_empty() {
                        "the answer is empty"
                    } else {
                        "the answer is not a JSON object"
                    },
                ),
                _ => fail(
                    category_for_http(http_status),
                    http_status,
                    None,
                    "",
                    None,
                    retry_after,
                ),
            });
        };
        let message = match obj.get("message").or_else(|| obj.get("msg")) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let request_id = obj
            .get("request_id")
            .or_else(|| obj.get("requestId"))
            .and_then(value_to_string);
        let data = obj.remove("data");
        // The proxy's own refusals carry a word that says what to do, in any dialect.
        if let Some(refusal) = obj
            .get("error")
            .and_then(Value::as_str)
            .and_then(Refusal::from_word)
        {
            let code = obj.get("code").and_then(value_to_i64);
            let mut e = fail(
                refusal.category(),
                http_status,
                code,
                &message,
                request_id,
                retry_after,
            );
            e.refusal = Some(refusal);
            return Err(e);
        }
        let code = match obj.get("code") {
            // `{"code": null, "message": "404"}`: a wrapper that does not route this call.
            Some(Value::Null) => {
                return Err(fail(
                    ErrorCategory::NotOffered,
                    http_status,
                    None,
                    &message,
                    request_id,
                    None,
                ))
            }
            None => None,
            Some(value) => match value_to_i64(value) {
                Some(code) => Some(code),
                None => return Err(protocol(http_status, "the answer's code is not a number")),
            },
        };
        match code {
            Some(0) | None if ok_status => Ok(data),
            None if http_status == 404 => Err(fail(
                ErrorCategory::NotOffered,
                http_status,
                None,
                &message,
                request_id,
                None,
            )),
            Some(0) | None => Err(fail(
                category_for_http(http_status),
                http_status,
                code,
                &message,
                request_id,
                retry_after,
            )),
            Some(code) => {
                let by_code = match self {
                    // Modellix's code is the HTTP status.
                    Dialect::Modellix => u16::try_from(code)
                        .map(category_for_http)
                        .unwrap_or(ErrorCategory::Protocol),
                    _ => kling::category_for_code(code),
                };
                let category = if by_code == ErrorCategory::Protocol && !ok_status {
                    category_for_http(http_status)
                } else {
                    by_code
                };
                Err(fail(
                    category,
                    http_status,
                    Some(code),
                    &message,
                    request_id,
                    retry_after,
                ))
            }
        }
    }

    /// One task object to a snapshot. `default_status` (given for create answers) applies when
    /// the status is missing or not a known word; otherwise either is a protocol error.
    fn snapshot(
        &self,
        data: &Value,
        http_status: u16,
        default_status: Option<TaskStatus>,
    ) -> Result<TaskSnapshot, ApiError> {
        let Some(obj) = data.as_object() else {
            return Err(protocol(http_status, "the task is not a JSON object"));
        };
        let task_id = obj
            .get("task_id")
            .and_then(value_to_string)
            .filter(|id| !id.is_empty())
            .ok_or_else(|| protocol(http_status, "the task has no task_id"))?;
        let status_key = match self {
            Dialect::Modellix => "status",
            _ => "task_status",
        };
        let status_word = obj
            .get(status_key)
            .or_else(|| obj.get("task_status"))
            .or_else(|| obj.get("status"))
            .and_then(Value::as_str);
        let status = match (status_word, default_status) {
            (Some(word), default) => match (TaskStatus::from_word(word), default) {
                (Some(status), _) => status,
                // A create answer with code 0 and a task id means the task exists and is paid
                // for: an unknown word must not turn it into an error someone retries.
                (None, Some(default)) => default,
                (None, None) => {
                    return Err(protocol(
                        http_status,
                        &format!(
                            "the task status \"{}\" is not one this tool knows",
                            word.chars().take(40).collect::<String>()
                        ),
                    ))
                }
            },
            (None, Some(default)) => default,
            (None, None) => return Err(protocol(http_status, "the task has no status")),
        };
        let created_at_ms = obj.get("created_at").and_then(value_to_i64);
        let updated_at_ms = obj.get("updated_at").and_then(value_to_i64);
        let (mut images, status_message, expires_at_ms) = match self {
            Dialect::Modellix => {
                let resources = obj
                    .get("result")
                    .and_then(|r| r.get("resources"))
                    .and_then(Value::as_array);
                let images = resources
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .filter_map(|(i, r)| {
                        Some(ResultImage {
                            index: u32::try_from(i).ok()?,
                            url: r.get("url").and_then(Value::as_str)?.to_owned(),
                            watermark_url: None,
                            width: r.get("width").and_then(value_to_u32),
                            height: r.get("height").and_then(value_to_u32),
                        })
                    })
                    .filter(|image| !image.url.is_empty())
                    .collect();
                let message = ["error", "error_message", "message", "task_status_msg"]
                    .iter()
                    .filter_map(|key| obj.get(key))
                    .find_map(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Object(o) => o.get("message").and_then(value_to_string),
                        _ => None,
                    });
                let expires = obj.get("result_expires_at").and_then(value_to_i64);
                (images, message, expires)
            }
            _ => {
                let list = obj
                    .get("task_result")
                    .and_then(|r| r.get("images"))
                    .and_then(Value::as_array);
                let mut images: Vec<ResultImage> = list
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .filter_map(|(i, r)| {
                        let index = r
                            .get("index")
                            .and_then(value_to_u32)
                            .or_else(|| u32::try_from(i).ok())?;
                        Some(ResultImage {
                            index,
                            url: r.get("url").and_then(Value::as_str)?.to_owned(),
                            watermark_url: r
                                .get("watermark_url")
                                .and_then(Value::as_str)
                                .filter(|s| !s.is_empty())
                                .map(str::to_owned),
                            width: None,
                            height: None,
                        })
                    })
                    .filter(|image| !image.url.is_empty())
                    .collect();
                images.sort_unstable_by_key(|image| image.index);
                let message = obj.get("task_status_msg").and_then(value_to_string);
                // Kling deletes results RESULT_LINK_DAYS after generation; the last update of
                // a succeeded task is when it was generated.
                let expires = (status == TaskStatus::Succeeded)
                    .then_some(updated_at_ms)
                    .flatten()
                    .map(|t| t.saturating_add(i64::from(RESULT_LINK_DAYS) * DAY_MS));
                (images, message, expires)
            }
        };
        // Links that are not web addresses never reach a client: not stored, shown or opened.
        let listed = images.len();
        images.retain(|image| is_web_link(&image.url));
        let mut refused_links = u32::try_from(listed - images.len()).unwrap_or(u32::MAX);
        for image in &mut images {
            if image
                .watermark_url
                .as_deref()
                .is_some_and(|u| !is_web_link(u))
            {
                image.watermark_url = None;
                refused_links = refused_links.saturating_add(1);
            }
        }
        let external_task_id = obj
            .get("task_info")
            .and_then(|info| info.get("external_task_id"))
            .or_else(|| obj.get("external_task_id"))
            .and_then(value_to_string)
            .filter(|id| !id.is_empty());
        Ok(TaskSnapshot {
            task_id,
            external_task_id,
            status,
            status_message: status_message.filter(|m| !m.is_empty()),
            images,
            created_at_ms,
            updated_at_ms,
            expires_at_ms,
            refused_links,
        })
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = UnknownDialect;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dialect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| UnknownDialect(s.to_owned()))
    }
}

fn fail(
    category: ErrorCategory,
    http_status: u16,
    code: Option<i64>,
    message: &str,
    request_id: Option<String>,
    retry_after: Option<&str>,
) -> ApiError {
    let mut e = ApiError::new(category, message);
    e.http_status = Some(http_status);
    e.code = code;
    e.request_id = request_id;
    if category.retryable() {
        e.retry_after_ms = retry_after.and_then(|v| parse_retry_after(v, None));
    }
    e
}

fn protocol(http_status: u16, what: &str) -> ApiError {
    fail(ErrorCategory::Protocol, http_status, None, what, None, None)
}

fn value_to_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn value_to_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            Some(n.as_f64())
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn value_to_u32(value: &Value) -> Option<u32> {
    value_to_i64(value).and_then(|v| u32::try_from(v).ok())
}

/// Percent-encode everything but RFC 3986 unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(
                char::from_digit(u32::from(b >> 4), 16).map_or('0', |c| c.to_ascii_uppercase()),
            );
            out.push(
                char::from_digit(u32::from(b & 15), 16).map_or('0', |c| c.to_ascii_uppercase()),
            );
        }
    }
    out
}

/// Decode `%XX` escapes; `None` for a malformed escape or bytes that are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let digits = b.get(i + 1..i + 3)?;
            let high = char::from(digits[0]).to_digit(16)?;
            let low = char::from(digits[1]).to_digit(16)?;
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests;
