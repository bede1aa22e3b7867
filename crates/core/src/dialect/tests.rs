use serde_json::json;

use super::*;
use crate::geometry::Ratios;
use crate::validate::ImageSource;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $name
        ))
    };
}

const KLING_FAMILY: [Dialect; 3] = [Dialect::Kling, Dialect::CometApi, Dialect::Kkiai];

fn request() -> ExpandRequest {
    ExpandRequest {
        image: ImageSource::Url("https://example.com/dog.png".into()),
        ratios: Ratios::new(0.1495, 0.1495, 0.6547, 0.6547),
        prompt: Some("white sun".into()),
        n: 2,
        watermark: true,
        external_task_id: Some("ext-1".into()),
        callback_url: None,
    }
}

// ---------------------------------------------------------------- names, paths, routes

#[test]
fn names_round_trip() {
    for d in Dialect::ALL {
        assert_eq!(d.as_str().parse::<Dialect>(), Ok(d));
    }
    assert_eq!(
        ["kling", "cometapi", "kkiai", "modellix"],
        Dialect::ALL.map(|d| d.as_str())
    );
    let err = "Kling".parse::<Dialect>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "\"Kling\" is not a known provider; use one of kling, cometapi, kkiai, modellix."
    );
}

#[test]
fn paths() {
    assert_eq!(
        Dialect::Kling.default_base(),
        "https://api-singapore.klingai.com"
    );
    assert_eq!(
        Dialect::CometApi.default_base(),
        "https://api.cometapi.com/kling"
    );
    assert_eq!(Dialect::Kkiai.default_base(), "https://www.kkiai.com/kling");
    assert_eq!(Dialect::Modellix.default_base(), "https://api.modellix.ai");
    for d in KLING_FAMILY {
        assert_eq!(d.create_path(), "/v1/images/editing/expand");
        assert_eq!(d.query_path("123"), "/v1/images/editing/expand/123");
    }
    assert_eq!(
        Dialect::Modellix.create_path(),
        "/api/v1/image-to-image/kling/kling-image-expansion/async"
    );
    assert_eq!(
        Dialect::Modellix.query_path("task-expansion-xyz789"),
        "/api/v1/tasks/task-expansion-xyz789"
    );
    assert_eq!(
        Dialect::Kling.query_path("my id/../x?y"),
        "/v1/images/editing/expand/my%20id%2F..%2Fx%3Fy"
    );
    assert_eq!(
        Dialect::Kling.list_path(1, 30).as_deref(),
        Some("/v1/images/editing/expand?pageNum=1&pageSize=30")
    );
    assert_eq!(
        Dialect::Kling.list_path(0, 9999).as_deref(),
        Some("/v1/images/editing/expand?pageNum=1&pageSize=500")
    );
    assert_eq!(Dialect::CometApi.list_path(1, 30), None);
    assert_eq!(Dialect::Modellix.list_path(1, 30), None);
}

#[test]
fn routes_are_an_exact_allowlist() {
    let k = Dialect::Kling;
    assert_eq!(
        k.route("POST", "/v1/images/editing/expand"),
        Some(Route::Create)
    );
    assert_eq!(
        k.route("GET", "/v1/images/editing/expand/7771"),
        Some(Route::Query { id: "7771".into() })
    );
    assert_eq!(
        k.route("GET", "/v1/images/editing/expand/my%20id?x=1"),
        Some(Route::Query { id: "my id".into() })
    );
    assert_eq!(
        k.route("GET", "/v1/images/editing/expand?pageNum=2&pageSize=50"),
        Some(Route::List {
            page_num: 2,
            page_size: 50
        })
    );
    assert_eq!(
        k.route("GET", "/v1/images/editing/expand"),
        Some(Route::List {
            page_num: 1,
            page_size: 30
        })
    );
    for (method, path) in [
        ("GET", "/v1/images/editing/expand?pageNum=0"),
        ("GET", "/v1/images/editing/expand?pageSize=501"),
        ("GET", "/v1/images/editing/expand?pageNum=x"),
        ("DELETE", "/v1/images/editing/expand/1"),
        ("POST", "/v1/images/editing/expand/1"),
        ("POST", "/v1/images/editing/expandx"),
        ("GET", "/v1/images/editing/expand/"),
        ("GET", "/v1/images/editing/expand/a/b"),
        ("GET", "/v1/images/editing/expand/a%2Fb"),
        ("GET", "/v1/images/editing/expand/.."),
        ("GET", "/v1/images/editing/expand/%2e%2e"),
        ("GET", "/v1/images/editing/expand/%zz"),
        ("GET", "/v1/images/editing/expand/%0a"),
        ("GET", "/v1/videos/text2video/1"),
        ("GET", "/api/v1/tasks/1"),
        ("POST", "/"),
    ] {
        assert_eq!(k.route(method, path), None, "{method} {path}");
    }
    let long = format!("/v1/images/editing/expand/{}", "a".repeat(300));
    assert_eq!(k.route("GET", &long), None);

    // Wrappers have no list.
    assert_eq!(
        Dialect::CometApi.route("GET", "/v1/images/editing/expand?pageNum=1"),
        None
    );
    let m = Dialect::Modellix;
    assert_eq!(
        m.route(
            "POST",
            "/api/v1/image-to-image/kling/kling-image-expansion/async"
        ),
        Some(Route::Create)
    );
    assert_eq!(
        m.route("GET", "/api/v1/tasks/task-1"),
        Some(Route::Query {
            id: "task-1".into()
        })
    );
    assert_eq!(m.route("POST", "/v1/images/editing/expand"), None);
    assert_eq!(m.route("GET", "/v1/images/editing/expand/1"), None);
}

#[test]
fn query_path_and_route_agree() {
    for d in Dialect::ALL {
        for id in ["123", "ext id", "ünïcode", "a+b=c&d", "..x", "%41"] {
            assert_eq!(
                d.route("GET", &d.query_path(id)),
                Some(Route::Query { id: id.into() }),
                "{d} {id}"
            );
        }
    }
}

// ---------------------------------------------------------------- request bodies

/// A create body as serde_json reads its text.
fn body_of(dialect: Dialect, req: &ExpandRequest) -> serde_json::Value {
    serde_json::from_str(&dialect.create_body(req).to_string()).unwrap()
}

#[test]
fn official_bodies_are_the_wire_type_serialised() {
    let mut req = request();
    req.callback_url = Some("https://example.com/hook".into());
    for dialect in [Dialect::Kling, Dialect::CometApi, Dialect::Kkiai] {
        let mut expected = kling::CreateBody::from_request(&req);
        if dialect != Dialect::Kling {
            expected.watermark_info = None;
        }
        if dialect == Dialect::CometApi {
            expected.bottom_expansion_ratio = Some(expected.down_expansion_ratio);
        }
        assert_eq!(
            body_of(dialect, &req),
            serde_json::to_value(&expected).unwrap(),
            "{dialect}"
        );
    }
}

#[test]
fn kling_body() {
    let body = body_of(Dialect::Kling, &request());
    assert_eq!(
        body,
        json!({
            "image": "https://example.com/dog.png",
            "up_expansion_ratio": 0.1495,
            "down_expansion_ratio": 0.1495,
            "left_expansion_ratio": 0.6547,
            "right_expansion_ratio": 0.6547,
            "prompt": "white sun",
            "n": 2,
            "watermark_info": {"enabled": true},
            "external_task_id": "ext-1"
        })
    );
}

#[test]
fn cometapi_body_sends_both_down_names() {
    let body = body_of(Dialect::CometApi, &request());
    assert_eq!(body["down_expansion_ratio"], json!(0.1495));
    assert_eq!(body["bottom_expansion_ratio"], json!(0.1495));
    assert_eq!(body["n"], json!(2), "n is an integer, not a string");
    assert!(body.get("watermark_info").is_none());
    assert_eq!(body["external_task_id"], json!("ext-1"));
}

#[test]
fn kkiai_body_always_has_n() {
    let mut req = request();
    req.n = 1;
    let body = body_of(Dialect::Kkiai, &req);
    assert_eq!(body["n"], json!(1));
    assert!(body.get("watermark_info").is_none());
    assert!(body.get("bottom_expansion_ratio").is_none());
}

#[test]
fn modellix_body_has_only_what_it_supports() {
    let mut req = request();
    req.ratios = Ratios::new(0.0, 0.0, 1.0, 1.0 / 3.0);
    let body = body_of(Dialect::Modellix, &req);
    assert_eq!(
        body,
        json!({
            "image": "https://example.com/dog.png",
            "up_expansion_ratio": 0.0,
            "down_expansion_ratio": 0.0,
            "left_expansion_ratio": 1.0,
            "right_expansion_ratio": 0.3333,
            "prompt": "white sun",
            "n": 2
        })
    );
}

#[test]
fn bodies_quantize_and_drop_empty_fields() {
    let mut req = request();
    req.ratios = Ratios::new(0.123_456, 0.0, 0.0, 0.0);
    req.prompt = Some(String::new());
    req.external_task_id = Some(String::new());
    req.image = ImageSource::Base64("iVBORw0KGgo".into());
    for d in Dialect::ALL {
        let body = body_of(d, &req);
        assert_eq!(body["up_expansion_ratio"], json!(0.1235), "{d}");
        assert!(body.get("prompt").is_none(), "{d}");
        assert!(body.get("external_task_id").is_none(), "{d}");
        assert_eq!(body["image"], json!("iVBORw0KGgo"), "{d}");
        let text = d.create_body(&req).to_string();
        assert!(
            text.contains("\"up_expansion_ratio\":0.1235"),
            "{d}: {text}"
        );
    }
}

// ---------------------------------------------------------------- seeds' own payloads

#[test]
fn seed_001_create_answer() {
    let s = Dialect::Kling
        .parse_create(200, fixture!("kling_create.json"), None)
        .unwrap()
        .into_task()
        .unwrap();
    assert_eq!(s.task_id, "string");
    assert_eq!(s.external_task_id.as_deref(), Some("string"));
    // The placeholder status word is unknown, but a created task is never turned into an
    // error: it is submitted.
    assert_eq!(s.status, TaskStatus::Submitted);
    assert_eq!(s.created_at_ms, Some(1_722_769_557_708));
    assert_eq!(s.updated_at_ms, Some(1_722_769_557_708));
}

#[test]
fn seed_001_query_answer_with_data_as_array() {
    let err = Dialect::Kling
        .parse_query(200, fixture!("kling_query_array.json"), None)
        .unwrap_err();
    // The seed prints the placeholder "string" as the status: a query must not guess.
    assert_eq!(err.category, ErrorCategory::Protocol);
    assert!(err.message.contains("\"string\""), "{}", err.message);

    let real = fixture!("kling_query_array.json").replace(
        "\"task_status\": \"string\"",
        "\"task_status\": \"succeed\"",
    );
    // The seed's placeholder "string" is no web address: it is left out and counted.
    let s = Dialect::Kling.parse_query(200, &real, None).unwrap();
    assert!(s.images.is_empty());
    assert!(s.refused_links >= 1);
    let real = real.replace(
        "\"url\": \"string\"",
        "\"url\": \"https://cdn.example/0.png\"",
    );
    let s = Dialect::Kling.parse_query(200, &real, None).unwrap();
    assert_eq!(s.status, TaskStatus::Succeeded);
    assert_eq!(s.images.len(), 1);
    assert_eq!(s.images[0].url, "https://cdn.example/0.png");
    assert_eq!(s.images[0].index, 0);
    assert_eq!(
        s.expires_at_ms,
        Some(1_722_769_557_708 + 30 * 24 * 3600 * 1000)
    );
}

#[test]
fn seed_001_list_answer() {
    let real = fixture!("kling_list.json")
        .replace(
            "\"task_status\": \"string\"",
            "\"task_status\": \"succeed\"",
        )
        .replace(
            "\"url\": \"string\"",
            "\"url\": \"https://cdn.example/0.png\"",
        )
        .replace(
            "\"watermark_url\": \"string\"",
            "\"watermark_url\": \"https://cdn.example/0-w.png\"",
        );
    let list = Dialect::Kling.parse_list(200, &real, None).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0].images[0].watermark_url.as_deref(),
        Some("https://cdn.example/0-w.png")
    );
}

#[test]
fn seed_000_cometapi_schema_and_live_answer() {
    // The schema example carries code 123: an undocumented code is an error, not a task.
    let err = Dialect::CometApi
        .parse_create(200, fixture!("cometapi_create_schema.json"), None)
        .unwrap_err();
    assert_eq!(err.category, ErrorCategory::Protocol);
    assert_eq!(err.code, Some(123));

    for status in [200, 404] {
        let err = Dialect::CometApi
            .parse_create(status, fixture!("cometapi_live_404.json"), None)
            .unwrap_err();
        assert_eq!(err.category, ErrorCategory::NotOffered);
        assert_eq!(err.code, None);
        assert!(err
            .to_string()
            .contains("The provider does not offer this route."));
    }
}

#[test]
fn seed_003_cometapi_apifox_answer() {
    let s = Dialect::CometApi
        .parse_create(200, fixture!("cometapi_create_apifox.json"), None)
        .unwrap()
        .into_task()
        .unwrap();
    assert_eq!(s.task_id, "string");
    assert_eq!(s.status, TaskStatus::Submitted);
    assert_eq!(s.created_at_ms, Some(0));
}

#[test]
fn seed_002_kkiai_empty_answer_is_a_task_known_by_its_external_id() {
    let created = Dialect::Kkiai
        .parse_create(200, fixture!("kkiai_create.json"), None)
        .unwrap();
    assert_eq!(created, Created::Unnamed);
    // The same holds for an answer whose data is missing, null, empty or lacks the task id.
    for body in [
        r#"{"code":0,"message":"SUCCEED"}"#,
        r#"{"code":0,"message":"SUCCEED","data":null}"#,
        r#"{"code":0,"message":"SUCCEED","data":{}}"#,
        r#"{"code":0,"message":"SUCCEED","data":{"task_status":"submitted"}}"#,
        r#"{"code":0,"message":"SUCCEED","data":[]}"#,
    ] {
        assert_eq!(
            Dialect::Kling.parse_create(200, body, None).unwrap(),
            Created::Unnamed,
            "{body}"
        );
    }
    let err = Dialect::Kkiai
        .parse_query(200, fixture!("kkiai_create.json"), None)
        .unwrap_err();
    assert_eq!(err.category, ErrorCategory::Protocol);
}

#[test]
fn seed_004_modellix_create_answer() {
    let s = Dialect::Modellix
        .parse_create(200, fixture!("modellix_create.json"), None)
        .unwrap()
        .into_task()
        .unwrap();
    assert_eq!(s.task_id, "task-expansion-xyz789");
    assert_eq!(s.status, TaskStatus::Submitted);
}

// ---------------------------------------------------------------- one realistic answer per status

fn kling_answer(status: &str, extra: serde_json::Value) -> String {
    let mut data = json!({
        "task_id": "865097340493414459",
        "task_status": status,
        "task_status_msg": "",
        "task_info": {"external_task_id": "ke-5f1c"},
        "final_unit_deduction": "1",
        "watermark_info": {"enabled": false},
        "created_at": 1_761_000_000_000i64,
        "updated_at": 1_761_000_012_345i64,
        "some_future_field": {"ignored": true}
    });
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    json!({
        "code": 0,
        "message": "SUCCEED",
        "request_id": "a1b2c3d4-0000-4000-8000-123456789abc",
        "data": data
    })
    .to_string()
}

#[test]
fn kling_family_every_status() {
    for d in KLING_FAMILY {
        let s = d
            .parse_query(200, &kling_answer("submitted", json!({})), None)
            .unwrap();
        assert_eq!(s.status, TaskStatus::Submitted, "{d}");
        assert_eq!(s.status_message, None, "{d}: empty message is none");
        assert_eq!(s.external_task_id.as_deref(), Some("ke-5f1c"));
        assert!(s.images.is_empty());
        assert_eq!(s.expires_at_ms, None);

        let s = d
            .parse_query(200, &kling_answer("processing", json!({})), None)
            .unwrap();
        assert_eq!(s.status, TaskStatus::Processing, "{d}");

        let s = d
            .parse_query(
                200,
                &kling_answer(
                    "succeed",
                    json!({"task_result": {"images": [
                        {"index": 1, "url": "https://cdn.klingai.com/b.png", "watermark_url": "https://cdn.klingai.com/b_wm.png"},
                        {"index": 0, "url": "https://cdn.klingai.com/a.png"}
                    ]}}),
                ),
                None,
            )
            .unwrap();
        assert_eq!(s.status, TaskStatus::Succeeded, "{d}");
        assert_eq!(
            s.images.iter().map(|i| i.url.as_str()).collect::<Vec<_>>(),
            [
                "https://cdn.klingai.com/a.png",
                "https://cdn.klingai.com/b.png"
            ],
            "{d}: sorted by index"
        );
        assert_eq!(
            s.images[1].watermark_url.as_deref(),
            Some("https://cdn.klingai.com/b_wm.png")
        );
        assert_eq!(s.expires_at_ms, Some(1_761_000_012_345 + 30 * 86_400_000));

        // A failed task: code 0, "SUCCEED", and the reason in task_status_msg.
        let s = d
            .parse_query(
                200,
                &kling_answer(
                    "failed",
                    json!({"task_status_msg": "Image pixel is invalid"}),
                ),
                None,
            )
            .unwrap();
        assert_eq!(s.status, TaskStatus::Failed, "{d}");
        assert_eq!(s.status_message.as_deref(), Some("Image pixel is invalid"));
        assert!(s.images.is_empty());
    }
}

#[test]
fn kling_query_tolerates_array_data_numeric_ids_and_string_times() {
    let body = json!({
        "code": "0",
        "message": "SUCCEED",
        "request_id": "r",
        "data": [{
            "task_id": 865_097_340_493_414_459u64,
            "task_status": "PROCESSING",
            "created_at": "1761000000000",
            "updated_at": 1_761_000_000_500.0
        }]
    })
    .to_string();
    let s = Dialect::Kling.parse_query(200, &body, None).unwrap();
    assert_eq!(s.task_id, "865097340493414459");
    assert_eq!(s.status, TaskStatus::Processing);
    assert_eq!(s.created_at_ms, Some(1_761_000_000_000));
    assert_eq!(s.updated_at_ms, Some(1_761_000_000_500));
}

#[test]
fn empty_query_array_is_not_found() {
    let body = r#"{"code":0,"message":"SUCCEED","request_id":"r","data":[]}"#;
    let err = Dialect::Kling.parse_query(200, body, None).unwrap_err();
    assert_eq!(err.category, ErrorCategory::NotFound);
}

fn modellix_answer(status: &str, extra: serde_json::Value) -> String {
    let mut data = json!({
        "task_id": "task-expansion-xyz789",
        "model_id": "kling-image-expansion",
        "status": status,
        "created_at": 1_761_000_000_000i64
    });
    if let (Some(d), Some(e)) = (data.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    json!({"code": 0, "message": "success", "data": data}).to_string()
}

#[test]
fn modellix_every_status() {
    let m = Dialect::Modellix;
    let s = m
        .parse_query(200, &modellix_answer("pending", json!({})), None)
        .unwrap();
    assert_eq!(s.status, TaskStatus::Submitted);
    let s = m
        .parse_query(200, &modellix_answer("processing", json!({})), None)
        .unwrap();
    assert_eq!(s.status, TaskStatus::Processing);
    let s = m
        .parse_query(
            200,
            &modellix_answer(
                "success",
                json!({
                    "result": {"resources": [
                        {"url": "https://cdn.modellix.ai/r/1.png", "type": "image", "width": 1920, "height": 1080, "format": "png"}
                    ]},
                    "result_expires_at": 1_763_592_000_000i64
                }),
            ),
            None,
        )
        .unwrap();
    assert_eq!(s.status, TaskStatus::Succeeded);
    assert_eq!(
        s.images,
        vec![ResultImage {
            index: 0,
            url: "https://cdn.modellix.ai/r/1.png".into(),
            watermark_url: None,
            width: Some(1920),
            height: Some(1080),
        }]
    );
    assert_eq!(s.expires_at_ms, Some(1_763_592_000_000));
    let s = m
        .parse_query(
            200,
            &modellix_answer("failed", json!({"error": {"message": "content rejected"}})),
            None,
        )
        .unwrap();
    assert_eq!(s.status, TaskStatus::Failed);
    assert_eq!(s.status_message.as_deref(), Some("content rejected"));
}

#[test]
fn unknown_status_on_a_query_is_a_protocol_error() {
    let err = Dialect::Kling
        .parse_query(200, &kling_answer("exploded", json!({})), None)
        .unwrap_err();
    assert_eq!(err.category, ErrorCategory::Protocol);
    assert!(err.message.contains("exploded"));
}

// ---------------------------------------------------------------- errors

fn kling_error(code: i64, message: &str) -> String {
    json!({"code": code, "message": message, "request_id": "req-9"}).to_string()
}

#[test]
fn kling_error_codes_map_to_categories() {
    for d in KLING_FAMILY {
        for (status, code, category) in [
            (401, 1004, ErrorCategory::Configuration),
            (429, 1102, ErrorCategory::Billing),
            (403, 1103, ErrorCategory::Permission),
            (400, 1201, ErrorCategory::InvalidInput),
            (404, 1203, ErrorCategory::NotFound),
            (400, 1301, ErrorCategory::ContentPolicy),
            (429, 1303, ErrorCategory::RateLimited),
            (429, 1304, ErrorCategory::Configuration),
            (500, 5000, ErrorCategory::Server),
            (503, 5001, ErrorCategory::Server),
        ] {
            let err = d
                .parse_query(status, &kling_error(code, "detail"), Some("3"))
                .unwrap_err();
            assert_eq!(err.category, category, "{d} {code}");
            assert_eq!(err.code, Some(code));
            assert_eq!(err.http_status, Some(status));
            assert_eq!(err.request_id.as_deref(), Some("req-9"));
            assert_eq!(err.message, "detail");
            // Retry-After only where retrying makes sense.
            let expected = category.retryable().then_some(3000);
            assert_eq!(err.retry_after_ms, expected, "{d} {code}");
        }
    }
}

#[test]
fn the_explanation_is_the_message_without_its_title() {
    let err = Dialect::Kling
        .parse_query(500, &kling_error(5000, "internal"), None)
        .unwrap_err();
    let explanation = err.explanation().to_string();
    assert!(!explanation.contains(err.category.title()), "{explanation}");
    assert_eq!(
        err.to_string(),
        format!("{}. {explanation}", err.category.title())
    );
}

#[test]
fn a_create_may_exist_after_no_answer_a_gateway_error_or_an_internal_one() {
    let may_exist = |status: u16, body: &str| {
        Dialect::Kling
            .parse_create(status, body, None)
            .unwrap_err()
            .create_may_exist()
    };
    assert!(ApiError::network("connection reset").create_may_exist());
    assert!(may_exist(500, &kling_error(5000, "internal error")));
    assert!(may_exist(504, &kling_error(5002, "internal timeout")));
    assert!(may_exist(502, "<html>Bad Gateway</html>"));
    assert!(may_exist(504, ""));
    // A 200 with code 5000 (a wrapper that always answers 200) is the same case.
    assert!(may_exist(200, &kling_error(5000, "internal error")));
    // A success cut short on its way made its task.
    assert!(may_exist(
        200,
        r#"{"code":0,"message":"SUCCEED","data":{"task_id":"86"#
    ));
    // Definite refusals: nothing was made.
    assert!(!may_exist(400, &kling_error(1201, "invalid")));
    assert!(!may_exist(429, &kling_error(1303, "concurrency")));
    assert!(!may_exist(401, &kling_error(1004, "expired")));
    assert!(!may_exist(503, &kling_error(5001, "maintenance")));
}

#[test]
fn the_proxys_refusals_are_read_in_every_dialect() {
    for dialect in Dialect::ALL {
        let body = json!({
            "code": 401,
            "message": "The access token expired 3 minutes ago",
            "error": "token_expired",
        })
        .to_string();
        let err = dialect.parse_query(401, &body, None).unwrap_err();
        assert_eq!(err.refusal, Some(Refusal::TokenExpired), "{dialect}");
        assert_eq!(err.category, ErrorCategory::SignIn, "{dialect}");
        // Not the provider's own authentication failure, which is a configuration problem.
        assert!(err.to_string().starts_with("Sign in again. "), "{err}");
    }
    let quota = json!({
        "code": 1302,
        "message": "You have used today's 20 expansions; more from 00:00 UTC",
        "request_id": "r",
        "error": "quota_creates",
    })
    .to_string();
    let err = Dialect::Kling
        .parse_create(429, &quota, Some("3600"))
        .unwrap_err();
    assert_eq!(err.category, ErrorCategory::Quota);
    assert!(!err.retryable(), "a spent quota is not retried on its own");
    assert_eq!(
        err.explanation().to_string(),
        "You have used today's 20 expansions; more from 00:00 UTC"
    );
    // A provider's 1303 without the word stays the provider's rate limit.
    let err = Dialect::Kling
        .parse_create(429, &kling_error(1303, "busy"), None)
        .unwrap_err();
    assert_eq!(err.refusal, None);
    assert_eq!(err.category, ErrorCategory::RateLimited);
}

#[test]
fn error_messages_read_well() {
    let err = Dialect::Kling
        .parse_create(
            429,
            &kling_error(1303, "parallel task over resource pack limit"),
            Some("5"),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Too many requests: retry later. Too many requests or tasks are running on this account \
         right now. Wait 5 s and try again. The provider said: \u{201c}parallel task over \
         resource pack limit\u{201d}. (HTTP 429, code 1303, request req-9)"
    );
    let err = Dialect::Kling
        .parse_create(401, &kling_error(1002, "Authorization is invalid"), None)
        .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("Proxy not set up correctly. "), "{text}");
    assert!(text.contains("trying again will not help"), "{text}");
    let err = Dialect::Kling
        .parse_create(400, &kling_error(1301, "risk control"), None)
        .unwrap_err();
    assert!(err.to_string().contains("content policy"));
}

#[test]
fn credentials_in_provider_messages_are_redacted() {
    let body = kling_error(
        1002,
        "invalid token Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJBSyJ9.c2lnbmF0dXJlLXg",
    );
    let err = Dialect::Kling.parse_create(401, &body, None).unwrap_err();
    assert!(!err.to_string().contains("eyJ"), "{err}");
}

#[test]
fn modellix_codes_are_http_statuses() {
    let m = Dialect::Modellix;
    for (code, category) in [
        (400, ErrorCategory::InvalidInput),
        (401, ErrorCategory::Configuration),
        (402, ErrorCategory::Billing),
        (404, ErrorCategory::NotFound),
        (429, ErrorCategory::RateLimited),
        (500, ErrorCategory::Server),
        (503, ErrorCategory::Server),
    ] {
        let body = json!({"code": code, "message": "m"}).to_string();
        let err = m.parse_query(code as u16, &body, Some("2")).unwrap_err();
        assert_eq!(err.category, category, "{code}");
        assert_eq!(
            err.retry_after_ms,
            category.retryable().then_some(2000),
            "{code}"
        );
    }
}

#[test]
fn answers_that_are_not_json() {
    let k = Dialect::Kling;
    let err = k
        .parse_query(502, "<html><body>Bad Gateway</body></html>", Some("10"))
        .unwrap_err();
    assert_eq!(err.category, ErrorCategory::Server);
    assert_eq!(err.retry_after_ms, Some(10_000));
    assert!(!err.to_string().contains("<html>"));
    let err = k.parse_create(404, "Not Found", None).unwrap_err();
    assert_eq!(err.category, ErrorCategory::NotOffered);
    let err = k.parse_create(200, "", None).unwrap_err();
    assert_eq!(err.category, ErrorCategory::Protocol);
    assert_eq!(err.message, "the answer is empty");
    let err = k.parse_create(200, "[1,2]", None).unwrap_err();
    assert_eq!(err.category, ErrorCategory::Protocol);
    // A JSON 404 without a code: the route is not there.
    let err = k
        .parse_create(404, r#"{"message":"no route"}"#, None)
        .unwrap_err();
    assert_eq!(err.category, ErrorCategory::NotOffered);
    // Code 0 with an error status: trust the status.
    let err = k
        .parse_query(503, r#"{"code":0,"message":"maintenance"}"#, None)
        .unwrap_err();
    assert_eq!(err.category, ErrorCategory::Server);
}

#[test]
fn missing_data_in_a_list_is_empty() {
    let body = r#"{"code":0,"message":"SUCCEED","request_id":"r"}"#;
    assert_eq!(Dialect::Kling.parse_list(200, body, None).unwrap(), vec![]);
    let body = r#"{"code":0,"message":"SUCCEED","request_id":"r","data":null}"#;
    assert_eq!(Dialect::Kling.parse_list(200, body, None).unwrap(), vec![]);
}

// ---------------------------------------------------------------- the wire types round-trip

#[test]
fn local_engine_output_parses_back() {
    let snapshot = TaskSnapshot {
        task_id: "local-1".into(),
        external_task_id: Some("ext".into()),
        status: TaskStatus::Succeeded,
        status_message: None,
        images: vec![ResultImage {
            index: 0,
            url: "http://127.0.0.1:8080/results/local-1/0.png".into(),
            watermark_url: None,
            width: None,
            height: None,
        }],
        created_at_ms: Some(1000),
        updated_at_ms: Some(2000),
        expires_at_ms: Some(2000 + 30 * 86_400_000),
        refused_links: 0,
    };
    let envelope = kling::Envelope {
        code: 0,
        message: "SUCCEED".into(),
        request_id: "r".into(),
        data: kling::TaskData::from_snapshot(&snapshot),
    };
    let text = serde_json::to_string(&envelope).unwrap();
    assert_eq!(
        Dialect::Kling.parse_query(200, &text, None).unwrap(),
        snapshot
    );
    // And an error body the same way.
    let error = kling::ErrorBody {
        code: 1201,
        message: "n must be between 1 and 9".into(),
        request_id: "r".into(),
    };
    let err = Dialect::Kling
        .parse_create(
            kling::http_status_for_code(1201),
            &serde_json::to_string(&error).unwrap(),
            None,
        )
        .unwrap_err();
    assert_eq!(err.category, ErrorCategory::InvalidInput);
    assert_eq!(err.http_status, Some(400));
}

// ---------------------------------------------------------------- never a panic

mod props {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    /// Arbitrary JSON up to a few levels deep, biased toward the envelope's own keys.
    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            prop::sample::select(vec![
                "succeed",
                "failed",
                "pending",
                "0",
                "",
                "string",
                "processing",
                "https://x/y.png",
            ])
            .prop_map(|s| json!(s)),
            ".{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop::sample::select(vec![
                            "code",
                            "message",
                            "request_id",
                            "data",
                            "task_id",
                            "task_status",
                            "status",
                            "task_result",
                            "images",
                            "url",
                            "index",
                            "result",
                            "resources",
                            "created_at",
                            "task_info",
                            "external_task_id",
                            "error",
                        ]),
                        inner
                    ),
                    0..6
                )
                .prop_map(|pairs| {
                    Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        #[test]
        fn parsers_never_panic(
            status in prop_oneof![Just(200u16), Just(404u16), Just(429u16), 100u16..600],
            body in prop_oneof![json_value().prop_map(|v| v.to_string()), ".{0,80}"],
            retry in prop::option::of(".{0,12}"),
            dialect in prop::sample::select(Dialect::ALL.to_vec()),
        ) {
            let retry = retry.as_deref();
            // A create named no task (it is found by its external id), or a task with an id.
            let created = dialect
                .parse_create(status, &body, retry)
                .map(|created| created.into_task().map(|task| task.task_id));
            let queried = dialect
                .parse_query(status, &body, retry)
                .map(|task| Some(task.task_id));
            for result in [created, queried] {
                match result {
                    Ok(id) => prop_assert!(id.is_none_or(|id| !id.is_empty())),
                    Err(e) => {
                        prop_assert!(!e.to_string().is_empty());
                        prop_assert!(e.retry_after_ms.is_none() || e.retryable());
                    }
                }
            }
            let _ = dialect.parse_list(status, &body, retry);
        }

        #[test]
        fn routes_never_panic_and_ids_round_trip(
            id in "\\PC{1,40}",
            path in ".{0,60}",
            dialect in prop::sample::select(Dialect::ALL.to_vec()),
        ) {
            let _ = dialect.route("GET", &path);
            let _ = dialect.route("POST", &path);
            let expected = (id != "." && id != ".." && !id.contains(['/', '\\']) && id.len() <= 256)
                .then(|| Route::Query { id: id.clone() });
            prop_assert_eq!(dialect.route("GET", &dialect.query_path(&id)), expected);
        }
    }
}

#[test]
fn result_links_that_are_not_web_addresses_are_left_out_and_counted() {
    let body = json!({"code": 0, "message": "SUCCEED", "data": {
        "task_id": "t", "task_status": "succeed",
        "task_result": {"images": [
            {"index": 0, "url": "javascript:alert(1)"},
            {"index": 1, "url": "data:text/html,<script>alert(1)</script>"},
            {"index": 2, "url": "https://cdn.example/2.png", "watermark_url": "javascript:x"},
            {"index": 3, "url": "/api/kling/results/t/3.png"},
        ]},
    }})
    .to_string();
    let snapshot = Dialect::Kling.parse_query(200, &body, None).unwrap();
    let urls: Vec<&str> = snapshot.images.iter().map(|i| i.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://cdn.example/2.png", "/api/kling/results/t/3.png"]
    );
    assert_eq!(snapshot.images[0].watermark_url, None);
    assert_eq!(snapshot.refused_links, 3);
}
