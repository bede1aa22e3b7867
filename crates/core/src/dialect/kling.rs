//! Official Kling wire types (seed 001), serialisable both ways so the proxy's local engine
//! emits exactly what [`super::Dialect::parse_query`] reads, and the error-code table.

use serde::{Deserialize, Serialize};

use super::error::ErrorCategory;
use super::task::{TaskSnapshot, TaskStatus};
use crate::geometry::Ratios;
use crate::validate::{ExpandRequest, ImageSource};

/// Every answer: `{code, message, request_id, data}`. `code` 0 means the call succeeded (even
/// when the task it reports has failed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub code: i64,
    pub message: String,
    pub request_id: String,
    pub data: T,
}

/// An error answer: the envelope without `data`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: i64,
    pub message: String,
    pub request_id: String,
}

/// `watermark_info`: whether a watermarked copy is produced as well.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatermarkInfo {
    pub enabled: bool,
}

/// The body of `POST /v1/images/editing/expand`, all fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateBody {
    /// An http(s) URL or raw Base64 (no `data:` prefix).
    pub image: String,
    pub up_expansion_ratio: f64,
    pub down_expansion_ratio: f64,
    pub left_expansion_ratio: f64,
    pub right_expansion_ratio: f64,
    /// CometAPI's name for `down_expansion_ratio`; sent by that dialect beside it, never by
    /// the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottom_expansion_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
}

impl CreateBody {
    /// The official body for a request: ratios quantized to 4 decimals, `n` always present,
    /// empty prompt / ids / callback left out, `watermark_info` always present.
    pub fn from_request(req: &ExpandRequest) -> Self {
        let ratios = req.ratios.quantized();
        let non_empty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        CreateBody {
            image: req.image.as_wire().to_owned(),
            up_expansion_ratio: ratios.up,
            down_expansion_ratio: ratios.down,
            left_expansion_ratio: ratios.left,
            right_expansion_ratio: ratios.right,
            bottom_expansion_ratio: None,
            prompt: non_empty(&req.prompt),
            n: Some(u32::from(req.n)),
            watermark_info: Some(WatermarkInfo {
                enabled: req.watermark,
            }),
            callback_url: non_empty(&req.callback_url),
            external_task_id: non_empty(&req.external_task_id),
        }
    }

    /// The four ratios as received (`bottom_expansion_ratio` is ignored when
    /// `down_expansion_ratio` is there, which it must be).
    pub fn ratios(&self) -> Ratios {
        Ratios {
            up: self.up_expansion_ratio,
            down: self.down_expansion_ratio,
            left: self.left_expansion_ratio,
            right: self.right_expansion_ratio,
        }
    }

    /// The request this body describes, for validation by a server. `n` defaults to 1 and
    /// values above 255 saturate (validation then reports them).
    pub fn to_request(&self) -> ExpandRequest {
        let empty_to_none = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
        ExpandRequest {
            image: ImageSource::from_wire(&self.image),
            ratios: self.ratios(),
            prompt: empty_to_none(&self.prompt),
            n: self.n.map_or(1, |n| u8::try_from(n).unwrap_or(u8::MAX)),
            watermark: self.watermark_info.is_some_and(|w| w.enabled),
            external_task_id: empty_to_none(&self.external_task_id),
            callback_url: empty_to_none(&self.callback_url),
        }
    }
}

/// `task_info`: the creation parameters echoed back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_task_id: Option<String>,
}

/// One result picture in `task_result.images`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageResult {
    pub index: u32,
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_url: Option<String>,
}

/// `task_result`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskResult {
    #[serde(default)]
    pub images: Vec<ImageResult>,
}

/// `data` of a create answer (the optional fields left out) and of a query answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskData {
    pub task_id: String,
    /// `submitted`, `processing`, `succeed` or `failed`.
    pub task_status: String,
    /// The failure reason, e.g. "Image pixel is invalid".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_status_msg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_info: Option<TaskInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_unit_deduction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark_info: Option<WatermarkInfo>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_result: Option<TaskResult>,
}

impl TaskData {
    /// The official representation of a snapshot (missing times become 0).
    pub fn from_snapshot(snapshot: &TaskSnapshot) -> Self {
        let images: Vec<ImageResult> = snapshot
            .images
            .iter()
            .map(|image| ImageResult {
                index: image.index,
                url: image.url.clone(),
                watermark_url: image.watermark_url.clone(),
            })
            .collect();
        TaskData {
            task_id: snapshot.task_id.clone(),
            task_status: snapshot.status.kling_word().to_owned(),
            task_status_msg: snapshot.status_message.clone(),
            task_info: Some(TaskInfo {
                external_task_id: snapshot.external_task_id.clone(),
            }),
            final_unit_deduction: None,
            watermark_info: None,
            created_at: snapshot.created_at_ms.unwrap_or(0),
            updated_at: snapshot.updated_at_ms.unwrap_or(0),
            task_result: (snapshot.status == TaskStatus::Succeeded)
                .then_some(TaskResult { images }),
        }
    }
}

/// One row of Kling's error-code table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CodeInfo {
    pub code: i64,
    /// The HTTP status Kling answers this code with.
    pub http_status: u16,
    pub category: ErrorCategory,
    /// Kling's own description.
    pub meaning: &'static str,
}

const fn row(
    code: i64,
    http_status: u16,
    category: ErrorCategory,
    meaning: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        http_status,
        category,
        meaning,
    }
}

/// Kling's error codes (`providers.md`, section 2).
pub const ERROR_CODES: &[CodeInfo] = &[
    row(
        1000,
        401,
        ErrorCategory::Configuration,
        "Authentication failed",
    ),
    row(
        1001,
        401,
        ErrorCategory::Configuration,
        "Authorization is empty",
    ),
    row(
        1002,
        401,
        ErrorCategory::Configuration,
        "Authorization is invalid",
    ),
    row(
        1003,
        401,
        ErrorCategory::Configuration,
        "Authorization is not yet valid",
    ),
    row(
        1004,
        401,
        ErrorCategory::Configuration,
        "Authorization has expired",
    ),
    row(1100, 429, ErrorCategory::Billing, "Account exception"),
    row(1101, 429, ErrorCategory::Billing, "Account in arrears"),
    row(
        1102,
        429,
        ErrorCategory::Billing,
        "Resource pack depleted or expired",
    ),
    row(
        1103,
        403,
        ErrorCategory::Permission,
        "Unauthorized access to requested resource",
    ),
    row(
        1200,
        400,
        ErrorCategory::InvalidInput,
        "Invalid request parameters",
    ),
    row(1201, 400, ErrorCategory::InvalidInput, "Invalid parameters"),
    row(1202, 404, ErrorCategory::NotFound, "Invalid request method"),
    row(
        1203,
        404,
        ErrorCategory::NotFound,
        "Requested resource does not exist",
    ),
    row(
        1300,
        400,
        ErrorCategory::ContentPolicy,
        "Trigger platform strategy",
    ),
    row(
        1301,
        400,
        ErrorCategory::ContentPolicy,
        "Trigger content security policy",
    ),
    row(
        1302,
        429,
        ErrorCategory::RateLimited,
        "API request too fast",
    ),
    row(
        1303,
        429,
        ErrorCategory::RateLimited,
        "Concurrency or QPS exceeds limit",
    ),
    row(
        1304,
        429,
        ErrorCategory::Configuration,
        "Trigger IP whitelist policy",
    ),
    row(5000, 500, ErrorCategory::Server, "Server internal error"),
    row(
        5001,
        503,
        ErrorCategory::Server,
        "Server temporarily unavailable (maintenance)",
    ),
    row(5002, 504, ErrorCategory::Server, "Server internal timeout"),
];

/// The table row of a code, if Kling documents it.
pub fn code_info(code: i64) -> Option<&'static CodeInfo> {
    ERROR_CODES.iter().find(|row| row.code == code)
}

/// The category of a Kling error code. Undocumented codes fall back by family: 10xx
/// configuration, 11xx billing, 12xx invalid input, 13xx rate limited, 5xxx server; anything
/// else is [`ErrorCategory::Protocol`].
pub fn category_for_code(code: i64) -> ErrorCategory {
    if let Some(row) = code_info(code) {
        return row.category;
    }
    match code {
        1000..=1099 => ErrorCategory::Configuration,
        1100..=1199 => ErrorCategory::Billing,
        1200..=1299 => ErrorCategory::InvalidInput,
        1300..=1399 => ErrorCategory::RateLimited,
        5000..=5999 => ErrorCategory::Server,
        _ => ErrorCategory::Protocol,
    }
}

/// The HTTP status Kling answers a code with (500 for undocumented codes).
pub fn http_status_for_code(code: i64) -> u16 {
    code_info(code).map_or(500, |row| row.http_status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_contract() {
        for (code, status, category) in [
            (1000, 401, ErrorCategory::Configuration),
            (1004, 401, ErrorCategory::Configuration),
            (1101, 429, ErrorCategory::Billing),
            (1103, 403, ErrorCategory::Permission),
            (1201, 400, ErrorCategory::InvalidInput),
            (1203, 404, ErrorCategory::NotFound),
            (1301, 400, ErrorCategory::ContentPolicy),
            (1302, 429, ErrorCategory::RateLimited),
            (1303, 429, ErrorCategory::RateLimited),
            (1304, 429, ErrorCategory::Configuration),
            (5001, 503, ErrorCategory::Server),
            (5002, 504, ErrorCategory::Server),
        ] {
            assert_eq!(category_for_code(code), category, "{code}");
            assert_eq!(http_status_for_code(code), status, "{code}");
        }
        assert_eq!(category_for_code(1205), ErrorCategory::InvalidInput);
        assert_eq!(category_for_code(42), ErrorCategory::Protocol);
    }

    #[test]
    fn create_body_serialises_like_the_seed_example() {
        let mut req = ExpandRequest::new(
            ImageSource::Url(
                "https://p1-kling.klingai.com/kcdn/cdn-kcdn112452/kling-qa-test/dog.png".into(),
            ),
            Ratios::new(0.1495, 0.1495, 0.6547, 0.6547),
        );
        req.n = 2;
        let body = serde_json::to_value(CreateBody::from_request(&req)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "image": "https://p1-kling.klingai.com/kcdn/cdn-kcdn112452/kling-qa-test/dog.png",
                "up_expansion_ratio": 0.1495,
                "down_expansion_ratio": 0.1495,
                "left_expansion_ratio": 0.6547,
                "right_expansion_ratio": 0.6547,
                "n": 2,
                "watermark_info": {"enabled": false}
            })
        );
        let text = serde_json::to_string(&CreateBody::from_request(&req)).unwrap();
        assert!(text.contains("\"left_expansion_ratio\":0.6547"), "{text}");
        let back: CreateBody = serde_json::from_str(&text).unwrap();
        assert_eq!(back.to_request(), req);
    }
}
