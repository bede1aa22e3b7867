//! Each provider's contract: paths, bodies it accepts, answers and errors (providers.md).

use std::time::{Duration, Instant};

use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use kling_expand_core::dialect::Dialect;
use kling_expand_core::geometry::{Ratios, Size};
use serde_json::{json, Map, Value};

use crate::faults::{Call, FaultKind};
use crate::tasks::{now_ms, Phase, Task};
use crate::{json_answer, DropConnection, Shared};

const KLING_CREATE: &str = "/v1/images/editing/expand";
const MODELLIX_CREATE: &str = "/api/v1/image-to-image/kling/kling-image-expansion/async";
const MODELLIX_TASKS: &str = "/api/v1/tasks/";
/// The first task id the fake hands out (Kling's ids are 18 digits).
const FIRST_TASK: u64 = 860_000_000_000_000_001;

fn kling_error(status: u16, code: i64, message: &str) -> Response {
    json_answer(
        status,
        json!({"code": code, "message": message, "request_id": "req-upstream-err"}),
    )
}

fn modellix_error(status: u16, message: &str) -> Response {
    json_answer(status, json!({"code": status, "message": message}))
}

fn error(shared: &Shared, status: u16, code: i64, message: &str) -> Response {
    if shared.provider == Dialect::Modellix {
        modellix_error(status, message)
    } else {
        kling_error(status, code, message)
    }
}

fn dropped() -> Response {
    let mut response = ().into_response();
    response.extensions_mut().insert(DropConnection);
    response
}

/// Answers one API call (already recorded).
pub(crate) async fn answer(shared: &Shared, parts: &Parts, body: &[u8]) -> Response {
    let authorization = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let now_secs = (now_ms() / 1000) as u64;
    if let Err(refused) = shared.expect.check(authorization, now_secs) {
        return if shared.provider == Dialect::Modellix {
            modellix_error(401, "Unauthorized: invalid API key")
        } else {
            kling_error(401, refused.code(), refused.message())
        };
    }
    let prefix = match shared.provider {
        Dialect::CometApi | Dialect::Kkiai => "/kling",
        _ => "",
    };
    let Some(path) = parts.uri.path().strip_prefix(prefix) else {
        return error(shared, 404, 1202, "Not Found");
    };
    let method = parts.method.as_str();
    let call = match (shared.provider, method) {
        (Dialect::Modellix, "POST") if path == MODELLIX_CREATE => Call::Create,
        (Dialect::Modellix, "GET") if path.starts_with(MODELLIX_TASKS) => Call::Query,
        (Dialect::Modellix, _) => return modellix_error(404, "Not Found"),
        (_, "POST") if path == KLING_CREATE => Call::Create,
        (_, "GET") if path.starts_with("/v1/images/editing/expand/") => Call::Query,
        (Dialect::Kling, "GET") if path == KLING_CREATE => Call::List,
        _ => return kling_error(404, 1202, "Invalid request method or path"),
    };
    let fault = shared.faults.lock().unwrap().take(call);
    // Refusals come before anything is made.
    match &fault {
        Some(FaultKind::Status {
            status,
            code,
            message,
            retry_after,
        }) => {
            let message = message.clone().unwrap_or_else(|| default_message(*code));
            let body = if shared.provider == Dialect::Modellix && code.is_some() {
                json!({"code": status, "message": message})
            } else {
                json!({"code": code, "message": message, "request_id": "req-upstream-err"})
            };
            let mut answer = json_answer(*status, body);
            if let Some(secs) = retry_after {
                answer
                    .headers_mut()
                    .insert("retry-after", secs.to_string().parse().unwrap());
            }
            // Headers that must never cross the proxy.
            answer.headers_mut().insert(
                "set-cookie",
                "upstream-session=abc; Path=/".parse().unwrap(),
            );
            answer
                .headers_mut()
                .insert("x-internal-trace", "upstream-private".parse().unwrap());
            return answer;
        }
        Some(FaultKind::Slow { ms }) => tokio::time::sleep(Duration::from_millis(*ms)).await,
        _ => {}
    }
    let normal = match call {
        Call::Create => create(shared, body, fault.as_ref()),
        Call::Query => {
            let id = match shared.provider {
                Dialect::Modellix => &path[MODELLIX_TASKS.len()..],
                _ => &path["/v1/images/editing/expand/".len()..],
            };
            query(shared, &percent_decode(id))
        }
        _ => list(shared, parts.uri.query().unwrap_or("")),
    };
    let normal = match normal {
        Ok(value) => value,
        Err(refusal) => return refusal,
    };
    match fault {
        Some(FaultKind::Drop) => dropped(),
        Some(FaultKind::InternalAfterCreate) => error(shared, 500, 5000, "Internal error"),
        Some(FaultKind::Empty) => json_answer(200, json!({})),
        Some(FaultKind::Malformed) => (
            [("content-type", "application/json")],
            r#"{"code":0,"message":"SUCCEED","data":{"task_id":"8600"#,
        )
            .into_response(),
        Some(FaultKind::NotJson { status }) => (
            axum::http::StatusCode::from_u16(status).unwrap(),
            [("content-type", "text/html")],
            "<html><body><h1>Bad Gateway</h1></body></html>",
        )
            .into_response(),
        Some(FaultKind::Oversize { bytes }) => {
            let mut value = normal;
            value["padding"] = Value::String("x".repeat(bytes));
            json_answer(200, value)
        }
        _ => {
            if shared.provider == Dialect::Kkiai && call == Call::Create {
                // Seed 002: the documented success body is {}.
                return json_answer(200, json!({}));
            }
            json_answer(200, normal)
        }
    }
}

fn default_message(code: Option<i64>) -> String {
    match code {
        Some(1302) => "Rate limit exceeded".into(),
        Some(1303) => "Parallel task over resource pack limit".into(),
        Some(1003) => "Authorization is not yet valid".into(),
        Some(1004) => "Authorization has expired".into(),
        Some(5000) => "Internal error".into(),
        Some(5001) => "Service temporarily unavailable: maintenance".into(),
        Some(5002) => "Internal timeout".into(),
        None => "404".into(),
        Some(code) => format!("error {code}"),
    }
}

/// Makes the task of a create call; `Err` is the provider's refusal of a bad body.
fn create(shared: &Shared, body: &[u8], fault: Option<&FaultKind>) -> Result<Value, Response> {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Err(error(shared, 400, 1200, "Invalid request parameters"));
    };
    check_body(shared.provider, &fields)?;
    let external = fields
        .get("external_task_id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let n = fields.get("n").and_then(Value::as_u64).unwrap_or(1) as u32;
    let ratio = |name: &str| fields.get(name).and_then(Value::as_f64).unwrap_or(0.0);
    let ratios = Ratios {
        up: ratio("up_expansion_ratio"),
        down: fields
            .get("down_expansion_ratio")
            .or_else(|| fields.get("bottom_expansion_ratio"))
            .and_then(Value::as_f64)
            .unwrap_or(0.0),
        left: ratio("left_expansion_ratio"),
        right: ratio("right_expansion_ratio"),
    };
    let original = fields
        .get("image")
        .and_then(Value::as_str)
        .and_then(original_size)
        .unwrap_or(Size::new(1024, 1024));
    let canvas = ratios.canvas(original);
    let mut tasks = shared.tasks.lock().unwrap();
    if let Some(external) = &external {
        if tasks
            .iter()
            .any(|t| t.external_task_id.as_deref() == Some(external))
        {
            return Err(error(
                shared,
                400,
                1201,
                "external_task_id already exists in this account",
            ));
        }
    }
    let task_id = match shared.provider {
        Dialect::Modellix => format!("task-expansion-{}", tasks.len() + 1),
        _ => (FIRST_TASK + tasks.len() as u64).to_string(),
    };
    let task = Task {
        task_id,
        external_task_id: external,
        n,
        watermark: fields
            .get("watermark_info")
            .and_then(|w| w.get("enabled"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        width: canvas.width,
        height: canvas.height,
        created: Instant::now(),
        created_at_ms: now_ms(),
        fails: matches!(fault, Some(FaultKind::FailTask | FaultKind::HostileReason)),
        results_missing: matches!(fault, Some(FaultKind::MissingResults)),
        hostile_links: matches!(fault, Some(FaultKind::HostileLinks)),
        hostile_reason: matches!(fault, Some(FaultKind::HostileReason)),
    };
    let answer = match shared.provider {
        Dialect::Modellix => json!({"code": 0, "message": "success", "data": {
            "status": "pending", "task_id": task.task_id, "model_id": "kling-image-expansion"
        }}),
        _ => json!({
            "code": 0,
            "message": "SUCCEED",
            "request_id": format!("req-create-{}", tasks.len() + 1),
            "data": {
                "task_id": task.task_id,
                "task_info": {"external_task_id": task.external_task_id.clone().unwrap_or_default()},
                "task_status": "submitted",
                "created_at": task.created_at_ms,
                "updated_at": task.created_at_ms,
            }
        }),
    };
    tasks.push(task);
    Ok(answer)
}

/// The original's stored size, for a Base64 picture.
fn original_size(image: &str) -> Option<Size> {
    use base64::Engine;
    if image.starts_with("http://") || image.starts_with("https://") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(image)
        .ok()?;
    kling_expand_core::inspect::inspect(&bytes)
        .ok()
        .map(|info| info.size)
}

/// The fields each provider requires (providers.md).
fn check_body(provider: Dialect, fields: &Map<String, Value>) -> Result<(), Response> {
    let number = |name: &str| fields.get(name).is_some_and(Value::is_number);
    if provider == Dialect::Modellix {
        for required in [
            "up_expansion_ratio",
            "down_expansion_ratio",
            "left_expansion_ratio",
            "right_expansion_ratio",
        ] {
            if !number(required) {
                return Err(modellix_error(400, &format!("{required} is required")));
            }
        }
        for unsupported in [
            "negative_prompt",
            "aspect_ratio",
            "resolution",
            "image_fidelity",
            "image_reference",
            "human_fidelity",
        ] {
            if fields.contains_key(unsupported) {
                return Err(modellix_error(
                    400,
                    &format!("{unsupported} is not supported by this model"),
                ));
            }
        }
        if fields.get("prompt").and_then(Value::as_str) == Some("no credit") {
            return Err(modellix_error(402, "Insufficient balance"));
        }
        return Ok(());
    }
    if !fields.get("image").is_some_and(Value::is_string) {
        return Err(kling_error(400, 1201, "image is required"));
    }
    for side in ["up", "left", "right"] {
        if !number(&format!("{side}_expansion_ratio")) {
            return Err(kling_error(
                400,
                1201,
                &format!("{side}_expansion_ratio is required"),
            ));
        }
    }
    match provider {
        // Seed 000 names it bottom_expansion_ratio, seed 003 sends down_expansion_ratio.
        Dialect::CometApi => {
            if !number("down_expansion_ratio") && !number("bottom_expansion_ratio") {
                return Err(kling_error(400, 1201, "bottom_expansion_ratio is required"));
            }
        }
        _ => {
            if !number("down_expansion_ratio") {
                return Err(kling_error(400, 1201, "down_expansion_ratio is required"));
            }
        }
    }
    match (provider, fields.get("n")) {
        // KKIAI requires n, an integer 1..9.
        (Dialect::Kkiai, Some(Value::Number(n)))
            if n.as_u64().is_some_and(|n| (1..=9).contains(&n)) => {}
        (Dialect::Kkiai, _) => return Err(kling_error(400, 1201, "n is required: integer 1-9")),
        // CometAPI types n as a string in seed 000 and a number elsewhere: take both.
        (Dialect::CometApi, None | Some(Value::Number(_)) | Some(Value::String(_))) => {}
        (_, None) => {}
        (_, Some(Value::Number(n))) if n.as_u64().is_some_and(|n| (1..=9).contains(&n)) => {}
        _ => return Err(kling_error(400, 1201, "n must be an integer in [1, 9]")),
    }
    Ok(())
}

fn query(shared: &Shared, id: &str) -> Result<Value, Response> {
    let tasks = shared.tasks.lock().unwrap();
    let found = tasks.iter().find(|t| {
        t.task_id == id
            || (shared.provider != Dialect::Modellix && t.external_task_id.as_deref() == Some(id))
    });
    let Some(task) = found else {
        return Err(match shared.provider {
            Dialect::Modellix => modellix_error(404, "Task not found"),
            _ => kling_error(404, 1203, "Requested resource does not exist"),
        });
    };
    let data = task_object(shared, task);
    Ok(match shared.provider {
        Dialect::Modellix => json!({"code": 0, "message": "success", "data": data}),
        _ => json!({"code": 0, "message": "SUCCEED", "request_id": "req-query", "data": data}),
    })
}

fn list(shared: &Shared, query: &str) -> Result<Value, Response> {
    let mut page_num = 1usize;
    let mut page_size = 30usize;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match (key, value.parse::<usize>()) {
            ("pageNum", Ok(n)) if (1..=1000).contains(&n) => page_num = n,
            ("pageSize", Ok(n)) if (1..=500).contains(&n) => page_size = n,
            ("pageNum" | "pageSize", _) => {
                return Err(kling_error(400, 1201, "pageNum or pageSize out of range"))
            }
            _ => {}
        }
    }
    let tasks = shared.tasks.lock().unwrap();
    let items: Vec<Value> = tasks
        .iter()
        .rev()
        .skip((page_num - 1) * page_size)
        .take(page_size)
        .map(|t| task_object(shared, t))
        .collect();
    Ok(json!({"code": 0, "message": "SUCCEED", "request_id": "req-list", "data": items}))
}

/// A failure reason that is markup and script, for clients that must show it as text.
pub const HOSTILE_REASON: &str =
    "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=1</script>Image <b>refused</b>";

fn task_object(shared: &Shared, task: &Task) -> Value {
    let now = Instant::now();
    let phase = task.phase(shared.clock, now);
    let origin = &shared.results_origin;
    let url = |i: u32| format!("{origin}/results/{}/{i}.png", task.task_id);
    if shared.provider == Dialect::Modellix {
        let mut data = json!({
            "task_id": task.task_id,
            "status": phase.modellix_word(),
            "model_id": "kling-image-expansion",
        });
        match phase {
            Phase::Succeeded => {
                data["result"] = json!({"resources": (0..task.n).map(|i| json!({
                    "url": url(i), "type": "image", "width": task.width, "height": task.height, "format": "png"
                })).collect::<Vec<_>>()});
                data["result_expires_at"] = json!(task.created_at_ms + 30 * 86_400_000);
            }
            Phase::Failed => data["error"] = json!({"message": "Image pixel is invalid"}),
            _ => {}
        }
        return data;
    }
    let reason = if task.hostile_reason {
        HOSTILE_REASON
    } else {
        "Image pixel is invalid"
    };
    let mut data = json!({
        "task_id": task.task_id,
        "task_status": phase.kling_word(),
        "task_status_msg": if phase == Phase::Failed { reason } else { "" },
        "task_info": {"external_task_id": task.external_task_id.clone().unwrap_or_default()},
        "final_unit_deduction": if phase == Phase::Succeeded { task.n.to_string() } else { "0".into() },
        "watermark_info": {"enabled": task.watermark},
        "created_at": task.created_at_ms,
        "updated_at": task.updated_at_ms(shared.clock, now),
    });
    if phase == Phase::Succeeded {
        let hostile = [
            json!({"index": 0, "url": "javascript:window.__pwned=1"}),
            json!({"index": 0, "url": "data:text/html,<script>window.__pwned=1</script>"}),
        ];
        let hostile = if task.hostile_links {
            &hostile[..]
        } else {
            &[]
        };
        let images: Vec<Value> = hostile
            .iter()
            .cloned()
            .chain((0..task.n).map(|i| {
                let mut image = json!({"index": i, "url": url(i)});
                if task.watermark {
                    image["watermark_url"] = json!(format!(
                        "{origin}/results/{}/{i}-watermark.png",
                        task.task_id
                    ));
                }
                image
            }))
            .collect();
        data["task_result"] = json!({ "images": images });
    }
    data
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
