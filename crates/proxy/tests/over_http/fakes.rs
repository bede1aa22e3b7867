//! Fake upstreams that answer as each provider documents (providers.md and the seeds), errors
//! included, and record what reached them.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use kling_expand_proxy::jwt;
use kling_expand_proxy::secret::Secret;
use serde_json::{json, Value};

use crate::common::serve;

/// One request as the upstream saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path_and_query: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Clone, Default)]
pub struct Recorded(Arc<Mutex<Vec<Seen>>>);

impl Recorded {
    pub fn all(&self) -> Vec<Seen> {
        self.0.lock().unwrap().clone()
    }

    pub fn last(&self) -> Seen {
        self.all()
            .last()
            .cloned()
            .expect("the upstream saw a request")
    }

    pub fn count(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// How the fake checks the `Authorization` header.
#[derive(Clone)]
pub enum Expect {
    ApiKey(String),
    Jwt { access: String, secret: String },
}

#[derive(Clone)]
struct Fake {
    provider: &'static str,
    expect: Expect,
    recorded: Recorded,
}

pub const KLING_TASK: &str = "860000000000000001";
pub const MODELLIX_TASK: &str = "task-expansion-xyz789";

fn json_answer(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn kling_error(status: u16, code: i64, message: &str) -> Response {
    json_answer(
        status,
        json!({"code": code, "message": message, "request_id": "req-upstream-err"}),
    )
}

fn modellix_error(status: u16, message: &str) -> Response {
    json_answer(status, json!({"code": status, "message": message}))
}

/// Starts the fake for `provider` ("kling", "cometapi", "kkiai", "modellix"); returns its base
/// URL (what `--upstream` takes: including `/kling` for CometAPI and KKIAI) and its record.
pub async fn start(provider: &'static str, expect: Expect) -> (String, Recorded) {
    let recorded = Recorded::default();
    let fake = Fake {
        provider,
        expect,
        recorded: recorded.clone(),
    };
    let root = serve(Router::new().fallback(handle).with_state(fake)).await;
    let base = match provider {
        "cometapi" | "kkiai" => format!("{root}/kling"),
        _ => root,
    };
    (base, recorded)
}

async fn handle(State(fake): State<Fake>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    fake.recorded.0.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        path_and_query: path_and_query.clone(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    let modellix = fake.provider == "modellix";

    // Authentication.
    let authorization = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let authorized = match &fake.expect {
        Expect::ApiKey(key) => authorization == Some(&format!("Bearer {key}")),
        Expect::Jwt { access, secret } => jwt::verify(
            authorization,
            &Secret::new(access.clone()),
            &Secret::new(secret.clone()),
            kling_expand_proxy::wire::now_secs(),
        )
        .is_ok(),
    };
    if !authorized {
        return if modellix {
            modellix_error(401, "Unauthorized: invalid API key")
        } else if authorization.is_none() {
            kling_error(401, 1001, "Authorization is empty")
        } else {
            kling_error(401, 1002, "Authorization is invalid")
        };
    }

    let path = parts.uri.path().to_owned();
    let prefix = match fake.provider {
        "cometapi" | "kkiai" => "/kling",
        _ => "",
    };
    let Some(path) = path.strip_prefix(prefix) else {
        return kling_error(404, 1202, "not found");
    };
    match (fake.provider, parts.method.as_str()) {
        ("modellix", "POST")
            if path == "/api/v1/image-to-image/kling/kling-image-expansion/async" =>
        {
            modellix_create(&body)
        }
        ("modellix", "GET") if path.starts_with("/api/v1/tasks/") => {
            modellix_query(&path["/api/v1/tasks/".len()..]).await
        }
        ("modellix", _) => modellix_error(404, "Not Found"),
        (_, "POST") if path == "/v1/images/editing/expand" => {
            kling_family_create(fake.provider, &body)
        }
        (_, "GET") if path.starts_with("/v1/images/editing/expand/") => {
            let id = percent_decode(&path["/v1/images/editing/expand/".len()..]);
            kling_query(&id).await
        }
        ("kling", "GET") if path == "/v1/images/editing/expand" => json_answer(
            200,
            json!({"code": 0, "message": "SUCCEED", "request_id": "req-list", "data": [task_object(KLING_TASK, "succeed")]}),
        ),
        _ => kling_error(404, 1202, "Invalid request method or path"),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn task_object(task_id: &str, status: &str) -> Value {
    json!({
        "task_id": task_id,
        "task_status": status,
        "task_status_msg": "",
        "task_info": {"external_task_id": "order-42"},
        "final_unit_deduction": "1",
        "watermark_info": {"enabled": false},
        "created_at": 1722769557708i64,
        "updated_at": 1722769560000i64,
        "task_result": {"images": [{"index": 0, "url": "https://cdn.example.com/result-0.png"}]},
    })
}

/// Official Kling, CometAPI and KKIAI share the path; their bodies and answers differ.
fn kling_family_create(provider: &str, body: &[u8]) -> Response {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return kling_error(400, 1200, "Invalid request parameters");
    };
    let number = |name: &str| fields.get(name).is_some_and(Value::is_number);
    if !fields.get("image").is_some_and(Value::is_string) {
        return kling_error(400, 1201, "image is required");
    }
    for side in ["up", "left", "right"] {
        if !number(&format!("{side}_expansion_ratio")) {
            return kling_error(400, 1201, &format!("{side}_expansion_ratio is required"));
        }
    }
    match provider {
        // Seed 000 names it bottom_expansion_ratio, seed 003 sends down_expansion_ratio.
        "cometapi" => {
            if !number("down_expansion_ratio") && !number("bottom_expansion_ratio") {
                return kling_error(400, 1201, "bottom_expansion_ratio is required");
            }
        }
        _ => {
            if !number("down_expansion_ratio") {
                return kling_error(400, 1201, "down_expansion_ratio is required");
            }
        }
    }
    match (provider, fields.get("n")) {
        // KKIAI requires n, an integer 1..9.
        ("kkiai", Some(Value::Number(n))) if n.as_u64().is_some_and(|n| (1..=9).contains(&n)) => {}
        ("kkiai", _) => return kling_error(400, 1201, "n is required: integer 1-9"),
        // CometAPI types n as a string in seed 000 and a number elsewhere: take both.
        ("cometapi", None | Some(Value::Number(_)) | Some(Value::String(_))) => {}
        (_, None) => {}
        (_, Some(Value::Number(n))) if n.as_u64().is_some_and(|n| (1..=9).contains(&n)) => {}
        _ => return kling_error(400, 1201, "n must be an integer in [1, 9]"),
    }
    let external = fields
        .get("external_task_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    if external.starts_with("busy") {
        let mut answer = kling_error(429, 1303, "Parallel task over resource pack limit");
        let headers = answer.headers_mut();
        headers.insert("retry-after", "3".parse().unwrap());
        headers.insert(
            "set-cookie",
            "upstream-session=abc; Path=/".parse().unwrap(),
        );
        headers.insert("x-internal-trace", "upstream-private".parse().unwrap());
        return answer;
    }
    match provider {
        // Seed 000: live validation returned {"code": null, "message": "404"}.
        "cometapi" => json_answer(404, json!({"code": null, "message": "404"})),
        // Seed 002: the documented success body is {}.
        "kkiai" => json_answer(200, json!({})),
        _ => json_answer(
            200,
            json!({
                "code": 0,
                "message": "SUCCEED",
                "request_id": "req-create",
                "data": {
                    "task_id": KLING_TASK,
                    "task_info": {"external_task_id": external},
                    "task_status": "submitted",
                    "created_at": 1722769557708i64,
                    "updated_at": 1722769557708i64,
                }
            }),
        ),
    }
}

async fn kling_query(id: &str) -> Response {
    match id {
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            json_answer(
                200,
                json!({"code": 0, "message": "SUCCEED", "request_id": "r", "data": task_object("slow", "processing")}),
            )
        }
        KLING_TASK | "order-42" | "order 42 ü?" => json_answer(
            200,
            json!({"code": 0, "message": "SUCCEED", "request_id": "req-query", "data": task_object(KLING_TASK, "succeed")}),
        ),
        _ => kling_error(404, 1203, "Requested resource does not exist"),
    }
}

fn modellix_create(body: &[u8]) -> Response {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return modellix_error(400, "Invalid JSON body");
    };
    for required in [
        "up_expansion_ratio",
        "down_expansion_ratio",
        "left_expansion_ratio",
        "right_expansion_ratio",
    ] {
        if !fields.get(required).is_some_and(Value::is_number) {
            return modellix_error(400, &format!("{required} is required"));
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
            return modellix_error(
                400,
                &format!("{unsupported} is not supported by this model"),
            );
        }
    }
    if fields.get("prompt").and_then(Value::as_str) == Some("no credit") {
        return modellix_error(402, "Insufficient balance");
    }
    json_answer(
        200,
        json!({"code": 0, "message": "success", "data": {"status": "pending", "task_id": MODELLIX_TASK, "model_id": "kling-image-expansion"}}),
    )
}

async fn modellix_query(id: &str) -> Response {
    match id {
        MODELLIX_TASK => json_answer(
            200,
            json!({"code": 0, "message": "success", "data": {
                "task_id": MODELLIX_TASK,
                "status": "success",
                "model_id": "kling-image-expansion",
                "result": {"resources": [{"url": "https://cdn.modellix.example/out-0.png", "type": "image", "width": 1820, "height": 1024, "format": "png"}]},
                "result_expires_at": 1999999999000i64,
            }}),
        ),
        "task-processing" => json_answer(
            200,
            json!({"code": 0, "message": "success", "data": {
                "task_id": "task-processing", "status": "processing", "model_id": "kling-image-expansion"
            }}),
        ),
        "task-failed" => json_answer(
            200,
            json!({"code": 0, "message": "success", "data": {
                "task_id": "task-failed", "status": "failed", "model_id": "kling-image-expansion",
                "error": {"message": "Image pixel is invalid"}
            }}),
        ),
        "limited" => {
            let mut answer = modellix_error(429, "Too Many Requests");
            answer
                .headers_mut()
                .insert("retry-after", "5".parse().unwrap());
            answer
        }
        _ => modellix_error(404, "Task not found"),
    }
}
