//! `POST /callbacks`: the provider's status callbacks for tasks this proxy created with its own
//! `callback_url` (official Kling with `--public-url`; a caller can never set one).
//!
//! With `KLING_WEBHOOK_SECRET`, a callback must carry a Standard Webhooks signature
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "{id}.{timestamp}.{body}">`, the timestamp within [`TOLERANCE_SECS`] of now): a signed
//! callback is read like a query's answer and recorded, so every stream of the task gets it at
//! once. A missing, bad or stale signature is refused (401) and changes nothing. Without the
//! secret nothing in a callback is believed: it only makes the task's poller ask the provider
//! now.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::create::store_down;
use super::relay::{remember, unknown_task};
use super::{Api, Caller};
use crate::wire::{self, ApiFailure};

/// How far a callback's timestamp may be from now (Standard Webhooks: 5 minutes).
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// Largest callback body taken (a task's `data`, nine result links at most).
const MAX_CALLBACK_BYTES: u64 = 256 * 1024;

pub async fn handle(State(api): State<Arc<Api>>, request: Request) -> Response {
    match receive(&api, request).await {
        Ok(response) => response,
        Err(failure) => api.fail(failure),
    }
}

async fn receive(api: &Arc<Api>, request: Request) -> Result<Response, ApiFailure> {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = crate::transport::read_body(body, declared, MAX_CALLBACK_BYTES)
        .await
        .map_err(|e| e.failure())?;
    let signed = match &api.live.config.webhook_secret {
        Some(secret) => {
            verify(
                &key_of(secret.expose()),
                &parts.headers,
                &body,
                wire::now_secs() as i64,
            )
            .map_err(|why| {
                tracing::warn!("callback refused: {why}");
                ApiFailure::new(
                    StatusCode::UNAUTHORIZED,
                    1002,
                    format!("The callback is refused: {why}"),
                )
            })?;
            true
        }
        None => false,
    };
    // The body is a query's `data`: read by the dialect's own parser, as a query answer.
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiFailure::invalid("The callback body is not UTF-8 JSON"))?;
    let wrapped = format!(r#"{{"code":0,"message":"SUCCEED","data":{text}}}"#);
    let snapshot = api
        .dialect
        .parse_query(200, &wrapped, None)
        .map_err(|_| ApiFailure::invalid("The callback body is not a task's data"))?;
    let Some(record) = api
        .store
        .task(&snapshot.task_id)
        .await
        .map_err(|e| store_down(&e))?
    else {
        return Err(unknown_task());
    };
    if signed {
        let ended = record.last.as_ref().is_some_and(|last| {
            kling_expand_core::dialect::TaskStatus::from_word(&last.task_status)
                .is_some_and(|s| s.is_terminal())
        });
        if !ended {
            let caller = Caller {
                owner: record.owner.clone(),
                token: None,
            };
            remember(api, &caller, &snapshot, Some(record), None)
                .await
                .map_err(|e| store_down(&e))?;
        }
    } else if let Some(watched) = api.live.watched(&snapshot.task_id) {
        watched.wake.notify_one();
    }
    Ok(wire::json_body(
        &serde_json::json!({"code": 0, "message": "SUCCEED"}),
    ))
}

/// The HMAC key of a webhook secret: Standard Webhooks' `whsec_<base64>` is the decoded bytes,
/// any other secret its own bytes.
pub fn key_of(secret: &str) -> Vec<u8> {
    secret
        .strip_prefix("whsec_")
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec())
}

/// Checks a Standard Webhooks signature of `body` at `now` (Unix seconds).
pub fn verify(key: &[u8], headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), String> {
    let field = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("it has no {name} header"))
    };
    let id = field("webhook-id")?;
    let timestamp = field("webhook-timestamp")?;
    let signatures = field("webhook-signature")?;
    let at: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| "its webhook-timestamp is not a number of seconds".to_owned())?;
    if (now - at).abs() > TOLERANCE_SECS {
        return Err(format!(
            "its timestamp is {} s from now, more than the {TOLERANCE_SECS} s allowed",
            (now - at).abs()
        ));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| "no key".to_owned())?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let matches = signatures
        .split(' ')
        .filter_map(|part| part.strip_prefix("v1,"))
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .any(|signature| mac.clone().verify_slice(&signature).is_ok());
    if matches {
        Ok(())
    } else {
        Err("its signature does not match".to_owned())
    }
}

/// A Standard Webhooks signature header value (for tests and the benchmark).
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(id: &str, at: i64, signature: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("webhook-id", HeaderValue::from_str(id).unwrap());
        h.insert(
            "webhook-timestamp",
            HeaderValue::from_str(&at.to_string()).unwrap(),
        );
        h.insert(
            "webhook-signature",
            HeaderValue::from_str(signature).unwrap(),
        );
        h
    }

    #[test]
    fn a_signature_is_checked_against_id_time_and_body() {
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let body = br#"{"task_id":"1"}"#;
        let now = 1_700_000_000;
        let good = sign(&key, "msg_1", now, body);
        assert_eq!(
            verify(&key, &headers("msg_1", now, &good), body, now + 10),
            Ok(())
        );
        // One of several signatures (a secret being rotated) is enough.
        let two = format!("v1,AAAA {good}");
        assert_eq!(
            verify(&key, &headers("msg_1", now, &two), body, now),
            Ok(())
        );
        assert!(
            verify(&key, &headers("msg_2", now, &good), body, now).is_err(),
            "other id"
        );
        assert!(
            verify(&key, &headers("msg_1", now, &good), b"{}", now).is_err(),
            "other body"
        );
        let stale = verify(&key, &headers("msg_1", now, &good), body, now + 301).unwrap_err();
        assert!(stale.contains("301 s"), "{stale}");
        assert!(
            verify(&key, &headers("msg_1", now, &good), body, now - 301).is_err(),
            "future"
        );
        assert!(verify(&key_of("other"), &headers("msg_1", now, &good), body, now).is_err());
        assert!(verify(&key, &HeaderMap::new(), body, now)
            .unwrap_err()
            .contains("webhook-id"));
    }

    #[test]
    fn secrets_in_the_standard_form_are_decoded() {
        assert_eq!(key_of("whsec_AQID"), vec![1, 2, 3]);
        assert_eq!(key_of("plain"), b"plain".to_vec());
    }
}
