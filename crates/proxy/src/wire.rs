//! Answers the proxy writes itself (its own errors, and the local engine's), in the error shape
//! the widget's dialect parser reads: Kling's `{code, message, request_id}` with Kling codes, or
//! Modellix's, whose `code` is the HTTP status.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kling_expand_core::dialect::{kling, Dialect, Refusal};

/// Largest request body: a 10 MB picture as base64 (13,981,016 bytes) plus the rest of the JSON
/// (a 2500-character prompt escaped as `\uXXXX` pairs stays under 60 KB).
pub const MAX_BODY_BYTES: u64 = 14 * 1024 * 1024;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A random 64-bit number (std's per-process random hash keys mixed with a counter): enough for
/// request and task ids, not for cryptography.
pub fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_i64(now_ms());
    hasher.finish()
}

/// A request id in the style of Kling's (opaque, unique).
pub fn request_id() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

/// How errors written by the proxy are shaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorStyle {
    /// `{code: <Kling code>, message, request_id}` (Kling, CometAPI, KKIAI, local engine).
    Kling,
    /// `{code: <HTTP status>, message}` (Modellix).
    Modellix,
}

impl ErrorStyle {
    pub fn for_dialect(dialect: Dialect) -> ErrorStyle {
        if dialect == Dialect::Modellix {
            ErrorStyle::Modellix
        } else {
            ErrorStyle::Kling
        }
    }
}

/// An error answer: HTTP status, Kling code (used in the Kling style) and a user-facing message;
/// for the proxy's own refusals of a caller, the word of [`Refusal`] in `error` as well.
#[derive(Debug, Clone)]
pub struct ApiFailure {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
    pub retry_after_secs: Option<u64>,
    pub refusal: Option<Refusal>,
}

impl ApiFailure {
    pub fn new(status: StatusCode, code: i64, message: impl Into<String>) -> ApiFailure {
        ApiFailure {
            status,
            code,
            message: message.into(),
            retry_after_secs: None,
            refusal: None,
        }
    }

    /// An error with a Kling code, answered with the HTTP status Kling's table gives it.
    pub fn code(code: i64, message: impl Into<String>) -> ApiFailure {
        let status = StatusCode::from_u16(kling::http_status_for_code(code))
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiFailure::new(status, code, message)
    }

    /// A request that breaks a rule: `400` with Kling's 1201 and the sentence saying which.
    pub fn invalid(message: impl Into<String>) -> ApiFailure {
        ApiFailure::code(1201, message)
    }

    /// One of the proxy's refusals of a caller, with the status the core's table gives it
    /// (`code` is that status too: none of Kling's codes means "this proxy refused you").
    pub fn refused(refusal: Refusal, message: impl Into<String>) -> ApiFailure {
        let status = StatusCode::from_u16(refusal.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiFailure {
            status,
            code: i64::from(status.as_u16()),
            message: message.into(),
            retry_after_secs: None,
            refusal: Some(refusal),
        }
    }

    /// The same failure with another HTTP status (an unknown outcome after a timeout is 504).
    pub fn with_status(mut self, status: StatusCode) -> ApiFailure {
        self.status = status;
        if self.refusal.is_some() {
            self.code = i64::from(status.as_u16());
        }
        self
    }

    pub fn retry_after(mut self, secs: u64) -> ApiFailure {
        self.retry_after_secs = Some(secs);
        self
    }

    pub fn into_response(self, style: ErrorStyle) -> Response {
        let mut body = match style {
            ErrorStyle::Kling => serde_json::json!({
                "code": self.code,
                "message": self.message,
                "request_id": request_id(),
            }),
            ErrorStyle::Modellix => serde_json::json!({
                "code": self.status.as_u16(),
                "message": self.message,
            }),
        };
        if let Some(refusal) = self.refusal {
            body["error"] = serde_json::Value::from(refusal.word());
        }
        let mut response = (self.status, json_body(&body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// A JSON body with its content type.
pub fn json_body(value: &serde_json::Value) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        serde_json::to_vec(value).unwrap_or_default(),
    )
        .into_response()
}

/// A successful answer in Kling's envelope: `{code: 0, message: "SUCCEED", request_id, data}`.
pub fn succeed(data: impl serde::Serialize) -> Response {
    let envelope = kling::Envelope {
        code: 0,
        message: "SUCCEED".to_owned(),
        request_id: request_id(),
        data,
    };
    json_body(&serde_json::to_value(envelope).unwrap_or_default())
}

/// Human-readable size in MB (10^6 bytes) for messages.
pub fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// Says that `actual` bytes (if known) exceed [`MAX_BODY_BYTES`].
pub fn too_large(actual: Option<u64>) -> ApiFailure {
    let size = match actual {
        Some(n) => format!("The request body is {}", megabytes(n)),
        None => "The request body is larger than the limit".to_owned(),
    };
    ApiFailure::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        1201,
        format!(
            "{size}; this proxy accepts at most {} (a 10 MB picture as base64 in JSON). Send a smaller picture or an image URL.",
            megabytes(MAX_BODY_BYTES)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| request_id()).collect();
        assert_eq!(ids.len(), 1000);
    }

    #[test]
    fn the_limit_fits_a_ten_megabyte_picture_as_base64() {
        let base64_len = (10u64 * 1024 * 1024).div_ceil(3) * 4;
        assert!(base64_len + 60_000 < MAX_BODY_BYTES);
    }
}
