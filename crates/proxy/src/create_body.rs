//! What a create body says, checked once for every backend: its fields read with a message for
//! each one missing or of the wrong type, then every limit checked by the core's
//! [`ExpandRequest::validate_and_decode`] (the rules the widget applies, with the specific
//! sentences for bad pictures). Pure: no store, no clock, no network (what the fuzzer runs).
//!
//! The API reads each create body with [`read_create`]; the local engine receives the
//! [`CheckedCreate`] with its decoded picture, and a remote provider the
//! [`upstream_body`] of its request.

use std::borrow::Cow;

use axum::body::Bytes;
use axum::http::StatusCode;
use kling_expand_core::dialect::Dialect;
use kling_expand_core::geometry::Ratios;
use kling_expand_core::json;
use kling_expand_core::validate::{ExpandRequest, ImageSource, Problem};
use serde_json::Value;

use crate::wire::ApiFailure;

/// A create body read and checked: the request, and the decoded picture when one was sent as
/// Base64.
#[derive(Debug)]
pub struct CheckedCreate {
    pub request: ExpandRequest,
    pub picture: Option<Vec<u8>>,
}

impl CheckedCreate {
    /// The same without the picture's Base64 text, which is not needed once it is decoded (a
    /// 10 MB picture's text is 14 MB).
    pub fn without_base64(mut self) -> CheckedCreate {
        if let ImageSource::Base64(text) = &mut self.request.image {
            *text = String::new();
        }
        self
    }
}

/// Reads a create body and checks it with the core's rules: a 400 with Kling's code (1200 for
/// a body that is not JSON, 1201 for the rest) and every problem found, or the request. The
/// picture's Base64 is borrowed from the body while the fields are read, then copied once into
/// the request and decoded once, so a 14 MB body costs about 38 MB at its peak.
pub fn read_create(bytes: Vec<u8>) -> Result<CheckedCreate, ApiFailure> {
    let request = {
        let wire: CreateWire = serde_json::from_slice(&bytes).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => ApiFailure::invalid(format!(
                "A field of the request body has the wrong type: {e}"
            )),
            _ => ApiFailure::new(
                StatusCode::BAD_REQUEST,
                1200,
                format!("The request body is not valid JSON: {e}"),
            ),
        })?;
        parse_create(&wire)?
    };
    drop(bytes);
    let picture = request.validate_and_decode().map_err(|problems| {
        ApiFailure::invalid(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        )
    })?;
    Ok(CheckedCreate { request, picture })
}

/// The body a remote provider gets for `request`, in its dialect. The picture's text is moved
/// into the JSON, not copied: the body and its serialised bytes are the only copies at once.
pub fn upstream_body(dialect: Dialect, mut request: ExpandRequest) -> Bytes {
    let image = std::mem::replace(&mut request.image, ImageSource::Base64(String::new()));
    let mut body = dialect.create_body(&request);
    drop(request);
    if let Some(field) = body.get_mut("image") {
        *field = json::Value::String(match image {
            ImageSource::Base64(text) | ImageSource::Url(text) => text,
        });
    }
    Bytes::from(body.to_string())
}

/// A create body as sent. The image text is borrowed from the request bytes (it is most of
/// them); every other field is kept as JSON and read by [`parse_create`] with a clear message.
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

/// Reads the create body's fields into a request, with a clear message for each field of the
/// wrong type or missing. The limits themselves are the core's to check.
fn parse_create(wire: &CreateWire<'_>) -> Result<ExpandRequest, ApiFailure> {
    let image: &str = match &wire.image {
        Some(text) if !text.trim().is_empty() => text.trim(),
        _ => {
            return Err(ApiFailure::invalid(
                "image is missing: send an http(s) URL or the picture as raw Base64",
            ))
        }
    };
    // An address of another scheme is read as an address, so that the core names its scheme.
    let image = match ImageSource::from_wire(image) {
        ImageSource::Base64(text) if !has_prefix(&text, "data:") && text.contains("://") => {
            ImageSource::Url(text)
        }
        source => source,
    };
    let ratio = |name: &str, value: &Value| -> Result<f64, ApiFailure> {
        match value {
            Value::Number(number) => number
                .as_f64()
                .ok_or_else(|| ApiFailure::invalid(format!("{name} is not a usable number"))),
            Value::Null => Err(ApiFailure::invalid(format!(
                "{name} is missing: send a number from 0 to 2 (0 for a side not expanded)"
            ))),
            _ => Err(ApiFailure::invalid(format!(
                "{name} must be a number from 0 to 2"
            ))),
        }
    };
    let ratios = Ratios {
        up: ratio("up_expansion_ratio", &wire.up_expansion_ratio)?,
        down: ratio("down_expansion_ratio", &wire.down_expansion_ratio)?,
        left: ratio("left_expansion_ratio", &wire.left_expansion_ratio)?,
        right: ratio("right_expansion_ratio", &wire.right_expansion_ratio)?,
    };
    let n = match &wire.n {
        Value::Null => 1,
        Value::Number(number) => match number.as_u64() {
            Some(n) => u8::try_from(n).map_err(|_| {
                ApiFailure::invalid(
                    Problem::CountOutOfRange {
                        n: n.min(u64::from(u32::MAX)) as u32,
                    }
                    .to_string(),
                )
            })?,
            None => return Err(ApiFailure::invalid(format!("n is {number}; {WHOLE_N}"))),
        },
        _ => {
            return Err(ApiFailure::invalid(
                "n must be a whole number from 1 to 9, sent as a number",
            ))
        }
    };
    let watermark = match &wire.watermark_info {
        Value::Null => false,
        Value::Object(info) => match info.get("enabled") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(enabled)) => *enabled,
            Some(_) => {
                return Err(ApiFailure::invalid(
                    "watermark_info.enabled must be true or false",
                ))
            }
        },
        _ => {
            return Err(ApiFailure::invalid(
                "watermark_info must be an object like {\"enabled\": true}",
            ))
        }
    };
    let text = |name: &str, value: &Value| -> Result<Option<String>, ApiFailure> {
        match value {
            Value::Null => Ok(None),
            Value::String(text) if text.is_empty() => Ok(None),
            Value::String(text) => Ok(Some(text.clone())),
            _ => Err(ApiFailure::invalid(format!("{name} must be a string"))),
        }
    };
    Ok(ExpandRequest {
        image,
        ratios,
        prompt: text("prompt", &wire.prompt)?,
        n,
        watermark,
        external_task_id: text("external_task_id", &wire.external_task_id)?,
        callback_url: text("callback_url", &wire.callback_url)?,
    })
}

const WHOLE_N: &str = "it must be a whole number from 1 to 9";

fn has_prefix(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(body: Value) -> Result<ExpandRequest, String> {
        let bytes = serde_json::to_vec(&body).unwrap();
        let wire: CreateWire = serde_json::from_slice(&bytes).unwrap();
        parse_create(&wire).map_err(|failure| failure.message)
    }

    fn body() -> Value {
        json!({
            "image": "https://example.com/a.png",
            "up_expansion_ratio": 0.1,
            "down_expansion_ratio": 0,
            "left_expansion_ratio": 0.25,
            "right_expansion_ratio": 0.25,
        })
    }

    #[test]
    fn reads_every_field_of_an_official_body() {
        let mut full = body();
        full["prompt"] = json!("a beach");
        full["n"] = json!(3);
        full["watermark_info"] = json!({"enabled": true});
        full["external_task_id"] = json!("order-1");
        full["callback_url"] = json!("https://example.com/hook");
        let request = parse(full).unwrap();
        assert_eq!(
            request.image,
            ImageSource::Url("https://example.com/a.png".into())
        );
        assert_eq!(request.ratios, Ratios::new(0.1, 0.0, 0.25, 0.25));
        assert_eq!(request.prompt.as_deref(), Some("a beach"));
        assert_eq!((request.n, request.watermark), (3, true));
        assert_eq!(request.external_task_id.as_deref(), Some("order-1"));
        assert_eq!(
            request.callback_url.as_deref(),
            Some("https://example.com/hook")
        );
        // Defaults: one picture, no watermark; empty strings count as absent.
        let mut plain = body();
        plain["prompt"] = json!("");
        let request = parse(plain).unwrap();
        assert_eq!(
            (request.n, request.watermark, request.prompt),
            (1, false, None)
        );
    }

    #[test]
    fn says_which_field_is_missing_or_of_the_wrong_type() {
        let cases = [
            ("image", Value::Null, "image is missing"),
            (
                "down_expansion_ratio",
                Value::Null,
                "down_expansion_ratio is missing",
            ),
            (
                "left_expansion_ratio",
                json!("0.2"),
                "left_expansion_ratio must be a number",
            ),
            ("n", json!("2"), "n must be"),
            ("n", json!(1.5), "n is 1.5"),
            (
                "watermark_info",
                json!(true),
                "watermark_info must be an object",
            ),
            (
                "external_task_id",
                json!(7),
                "external_task_id must be a string",
            ),
        ];
        for (field, value, expected) in cases {
            let mut wrong = body();
            wrong[field] = value;
            let message = parse(wrong).unwrap_err();
            assert!(message.contains(expected), "{field}: {message}");
        }
    }

    #[test]
    fn limits_are_the_cores() {
        let mut many = body();
        many["n"] = json!(300);
        assert_eq!(
            parse(many).unwrap_err(),
            Problem::CountOutOfRange { n: 300 }.to_string()
        );
        // In range for the wire, out of range for Kling: the core says so.
        let mut ten = body();
        ten["n"] = json!(10);
        assert_eq!(
            parse(ten).unwrap().validate(),
            Err(vec![Problem::CountOutOfRange { n: 10 }])
        );
        let mut ftp = body();
        ftp["image"] = json!("ftp://example.com/a.png");
        let problems = parse(ftp).unwrap().validate().unwrap_err();
        assert!(
            matches!(problems[..], [Problem::UrlScheme { .. }]),
            "{problems:?}"
        );
        let mut base64 = body();
        base64["image"] = json!("iVBORw0KGgo");
        assert!(matches!(
            parse(base64).unwrap().image,
            ImageSource::Base64(_)
        ));
    }

    #[test]
    fn a_checked_body_keeps_its_picture_and_its_text_until_told() {
        let png = crate::expand::encode_png(&crate::expand::Pixels::noise(400, 320, 1)).unwrap();
        let mut with_picture = body();
        with_picture["image"] = json!(kling_expand_core::base64::encode(&png));
        let checked = read_create(serde_json::to_vec(&with_picture).unwrap()).unwrap();
        assert_eq!(checked.picture.as_deref(), Some(png.as_slice()));
        assert_eq!(checked.request.validate(), Ok(()));
        let engine_side = checked.without_base64();
        assert_eq!(
            engine_side.request.image,
            ImageSource::Base64(String::new())
        );
        assert!(engine_side.picture.is_some());

        let not_json = read_create(b"{\"image\": ".to_vec()).unwrap_err();
        assert_eq!((not_json.status.as_u16(), not_json.code), (400, 1200));
        let empty = read_create(br#"{"image": ""}"#.to_vec()).unwrap_err();
        assert!(
            empty.message.starts_with("image is missing"),
            "{}",
            empty.message
        );
    }

    #[test]
    fn the_upstream_body_carries_the_picture_in_the_dialects_shape() {
        let mut request = parse(body()).unwrap();
        request.image = ImageSource::Base64("iVBORw0KGgo".into());
        request.n = 2;
        for dialect in [
            Dialect::Kling,
            Dialect::CometApi,
            Dialect::Kkiai,
            Dialect::Modellix,
        ] {
            let sent: Value =
                serde_json::from_slice(&upstream_body(dialect, request.clone())).unwrap();
            let built: Value =
                serde_json::from_str(&dialect.create_body(&request).to_string()).unwrap();
            assert_eq!(sent, built, "{dialect:?}");
        }
    }
}
