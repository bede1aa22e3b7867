//! Forwarding to each remote provider, against fakes that answer as the providers document, and
//! the JWT signed by one proxy checked by another proxy's local engine.

use std::time::Duration;

use kling_expand_core::dialect::{Dialect, ErrorCategory, TaskStatus};
use kling_expand_core::geometry::Ratios;
use kling_expand_core::validate::{ExpandRequest, ImageSource};
use serde_json::Value;

use crate::common::*;
use crate::fakes::{self, Call, Expect, Fault, FaultKind};

pub const API_KEY: &str = "sk-test-5d1c0ffee0ddba11";
const ACCESS_KEY: &str = "AK-test-9a8b7c6d";
const SECRET_KEY: &str = "SK-test-0f1e2d3c4b5a";

pub fn request(external: Option<&str>) -> ExpandRequest {
    let mut request = ExpandRequest::new(
        ImageSource::Url("https://example.com/dog.png".into()),
        Ratios {
            up: 0.1495,
            down: 0.1495,
            left: 0.6547,
            right: 0.6547,
        },
    );
    request.n = 2;
    request.external_task_id = external.map(Into::into);
    request
}

/// A proxy in front of `upstream` for `provider`, open to anyone (`--auth none`).
pub fn open_proxy(provider: &str, upstream: &str, extra: &[&str], env: &[(&str, &str)]) -> Proxy {
    let dir = temp_dir(&format!("fwd-{provider}"));
    let mut args = vec![
        "--provider",
        provider,
        "--upstream",
        upstream,
        "--auth",
        "none",
        "--data-dir",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let mut all_env = vec![("KLING_API_KEY", API_KEY)];
    all_env.extend_from_slice(env);
    if env.iter().any(|(k, _)| *k == "KLING_ACCESS_KEY") {
        all_env.remove(0);
    }
    Proxy::start(&args, &all_env)
}

#[tokio::test]
async fn kling_with_an_api_key_forwards_only_the_expand_routes() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let proxy = open_proxy("kling", &fake.base, &[], &[("KLING_PROXY_LOG", "debug")]);
    let client = client();
    let mut seen = Seen::default();
    let dialect = Dialect::Kling;

    // Create: re-serialised with the proxy's key, none of the client's headers, unknown
    // fields dropped, the external id namespaced for this caller.
    let mut body = wire_body(dialect, &request(Some("order-42")));
    body["debug_field"] = Value::from("dropped");
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .header("authorization", "Bearer client-supplied-token")
                .header("cookie", "session=browser-cookie")
                .header("x-forwarded-for", "10.1.2.3")
                .json(&body),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let snapshot = dialect
        .parse_create(status, &text, None)
        .unwrap()
        .into_task()
        .unwrap();
    assert_eq!(snapshot.status, TaskStatus::Submitted);
    assert_eq!(
        snapshot.external_task_id.as_deref(),
        Some("order-42"),
        "the caller sees its own id"
    );
    let up = fake.last_request();
    assert_eq!(up.method, "POST");
    assert_eq!(up.path_and_query, "/v1/images/editing/expand");
    let sent: Value = serde_json::from_slice(&up.body).unwrap();
    assert!(sent.get("debug_field").is_none());
    let upstream_external = sent["external_task_id"].as_str().unwrap().to_owned();
    assert!(
        upstream_external.ends_with("-order-42") && upstream_external != "order-42",
        "{upstream_external}"
    );
    assert_eq!(
        up.headers["authorization"],
        format!("Bearer {API_KEY}").as_str()
    );
    assert_eq!(up.headers["content-type"], "application/json");
    assert!(!up.headers.contains_key("cookie"));
    assert!(!up.headers.contains_key("x-forwarded-for"));

    // Query one, by task id and by the caller's external id.
    let (status, _, text) = seen
        .send(client.get(proxy.api(&dialect.query_path(&snapshot.task_id))))
        .await;
    assert_eq!(status, 200, "{text}");
    let (status, _, text) = seen
        .send(client.get(proxy.api(&dialect.query_path("order-42"))))
        .await;
    assert_eq!(status, 200, "{text}");
    let found = dialect.parse_query(status, &text, None).unwrap();
    assert_eq!(found.task_id, snapshot.task_id);
    assert_eq!(found.status, TaskStatus::Succeeded);
    assert_eq!(found.images.len(), 2);
    assert_eq!(
        recorded_path(&fake),
        dialect.query_path(&upstream_external),
        "the upstream is asked by the namespaced id"
    );

    // Upstream errors come back with their status, code, message and Retry-After, but none of
    // the upstream's other headers.
    fake.add_fault(Fault::once(
        Call::Create,
        FaultKind::Status {
            status: 429,
            code: Some(1303),
            message: None,
            retry_after: Some(3),
        },
    ));
    let (status, headers, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .json(&wire_body(dialect, &request(Some("busy-1")))),
        )
        .await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "3");
    assert!(!headers.contains_key("set-cookie"));
    assert!(!headers.contains_key("x-internal-trace"));
    let error = dialect.parse_create(status, &text, Some("3")).unwrap_err();
    assert_eq!(error.code, Some(1303));
    assert_eq!(error.category, ErrorCategory::RateLimited);

    // Anything else is 404 and never reaches the upstream; so is the list (off by default).
    let before = fake.request_count();
    for (method, path) in [
        ("GET", "/v1/images/generations"),
        ("POST", "/v1/videos/text2video"),
        ("DELETE", "/v1/images/editing/expand/860000000000000001"),
        ("GET", "/v1/images/editing/expand/%2e%2e"),
        ("GET", "/v1/images/editing/expand/a%2Fb"),
        ("GET", "/v1/images/editing/expand?pageNum=1&pageSize=30"),
        ("GET", "/"),
        ("GET", ""),
    ] {
        let (status, _, text) = seen
            .send(
                client
                    .request(method.parse().unwrap(), proxy.api(path))
                    .header("content-type", "application/json")
                    .body("{}"),
            )
            .await;
        assert_eq!(status, 404, "{method} {path}: {text}");
    }
    assert_eq!(
        fake.request_count(),
        before,
        "no extra request reached the upstream"
    );

    let output = proxy.stop();
    seen.assert_clean(&output, &[API_KEY]);
    assert!(
        output.contains("path=/api/kling/v1/images/editing/expand"),
        "access log: {output}"
    );
}

fn recorded_path(fake: &fakes::FakeUpstream) -> String {
    fake.last_request().path_and_query
}

#[tokio::test]
async fn kling_with_access_keys_signs_one_cached_jwt_and_signs_again_after_a_1004() {
    let fake = fakes::start(
        Dialect::Kling,
        Expect::Jwt {
            access: ACCESS_KEY.into(),
            secret: SECRET_KEY.into(),
        },
    )
    .await;
    let proxy = open_proxy(
        "kling",
        &fake.base,
        &[],
        &[
            ("KLING_ACCESS_KEY", ACCESS_KEY),
            ("KLING_SECRET_KEY", SECRET_KEY),
        ],
    );
    let client = client();
    let mut seen = Seen::default();
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(Dialect::Kling.create_path()))
                .json(&wire_body(Dialect::Kling, &request(Some("jwt-1")))),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    for _ in 0..2 {
        let (status, _, text) = seen
            .send(client.get(proxy.api(&Dialect::Kling.query_path("jwt-1"))))
            .await;
        assert_eq!(status, 200, "the fake accepted the signed token: {text}");
    }
    let tokens: Vec<String> = fake
        .requests()
        .iter()
        .map(|s| s.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(tokens.len(), 3);
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "the token is reused"
    );
    // The token's nbf is at least 30 s back.
    let claims: Value = {
        use base64::Engine;
        let part = tokens[0]
            .trim_start_matches("Bearer ")
            .split('.')
            .nth(1)
            .unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    };
    let now = kling_expand_proxy::wire::now_secs();
    assert!(claims["nbf"].as_u64().unwrap() + 30 <= now + 1, "{claims}");

    // The provider says the token expired (1004): the proxy signs anew and asks once more.
    fake.add_fault(Fault::once(
        Call::Query,
        FaultKind::Status {
            status: 401,
            code: Some(1004),
            message: None,
            retry_after: None,
        },
    ));
    let before = fake.request_count();
    let (status, _, text) = seen
        .send(client.get(proxy.api(&Dialect::Kling.query_path("jwt-1"))))
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(fake.request_count(), before + 2, "one retry, not more");
    let output = proxy.stop();
    let token = tokens[0].trim_start_matches("Bearer ").to_owned();
    seen.assert_clean(&output, &[ACCESS_KEY, SECRET_KEY, &token]);
}

#[tokio::test]
async fn cometapi_gets_both_down_and_bottom_and_code_null_passes_through() {
    let fake = fakes::start(Dialect::CometApi, Expect::ApiKey(API_KEY.into())).await;
    let proxy = open_proxy("cometapi", &fake.base, &[], &[]);
    let client = client();
    let mut seen = Seen::default();
    let dialect = Dialect::CometApi;
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .json(&wire_body(dialect, &request(Some("comet-1")))),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let up = fake.last_request();
    assert_eq!(up.path_and_query, "/kling/v1/images/editing/expand");
    let sent: Value = serde_json::from_slice(&up.body).unwrap();
    assert_eq!(sent["down_expansion_ratio"], sent["bottom_expansion_ratio"]);
    assert!(sent["n"].is_u64());
    assert!(sent.get("watermark_info").is_none());

    // Seed 000's live answer, verbatim: nothing was made, so the caller may send again.
    fake.add_fault(Fault::once(
        Call::Create,
        FaultKind::Status {
            status: 404,
            code: None,
            message: None,
            retry_after: None,
        },
    ));
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .json(&wire_body(dialect, &request(None))),
        )
        .await;
    assert_eq!(status, 404);
    let error = dialect.parse_create(status, &text, None).unwrap_err();
    assert_eq!(error.category, ErrorCategory::NotOffered);
    // CometAPI has no list route.
    let (status, _, _) = seen
        .send(client.get(proxy.api("/v1/images/editing/expand?pageNum=1&pageSize=30")))
        .await;
    assert_eq!(status, 404);
    seen.assert_clean(&proxy.stop(), &[API_KEY]);
}

#[tokio::test]
async fn modellix_paths_statuses_and_errors() {
    let fake = fakes::start(Dialect::Modellix, Expect::ApiKey(API_KEY.into())).await;
    let proxy = open_proxy("modellix", &fake.base, &[], &[]);
    let client = client();
    let mut seen = Seen::default();
    let dialect = Dialect::Modellix;
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .json(&wire_body(dialect, &request(None))),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        fake.last_request().path_and_query,
        "/api/v1/image-to-image/kling/kling-image-expansion/async"
    );
    let sent: Value = serde_json::from_slice(&fake.last_request().body).unwrap();
    assert!(
        sent.get("external_task_id").is_none(),
        "Modellix takes none"
    );
    let snapshot = dialect
        .parse_create(status, &text, None)
        .unwrap()
        .into_task()
        .unwrap();
    assert_eq!(snapshot.status, TaskStatus::Submitted);

    let (status, _, text) = seen
        .send(client.get(proxy.api(&dialect.query_path(&snapshot.task_id))))
        .await;
    assert_eq!(
        fake.last_request().path_and_query,
        format!("/api/v1/tasks/{}", snapshot.task_id)
    );
    let done = dialect.parse_query(status, &text, None).unwrap();
    assert_eq!(done.status, TaskStatus::Succeeded);
    assert_eq!(done.images.len(), 2);
    assert!(done.images[0].width.is_some());

    fake.add_fault(Fault::once(
        Call::Query,
        FaultKind::Status {
            status: 429,
            code: Some(429),
            message: Some("Too Many Requests".into()),
            retry_after: Some(5),
        },
    ));
    let (status, headers, text) = seen
        .send(client.get(proxy.api(&dialect.query_path(&snapshot.task_id))))
        .await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "5");
    let error = dialect.parse_query(status, &text, Some("5")).unwrap_err();
    assert_eq!(error.retry_after_ms, Some(5000));

    let mut poor = request(None);
    poor.prompt = Some("no credit".into());
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .json(&wire_body(dialect, &poor)),
        )
        .await;
    assert_eq!(status, 402);
    assert_eq!(
        dialect
            .parse_create(status, &text, None)
            .unwrap_err()
            .category,
        ErrorCategory::Billing
    );

    // The Kling paths and a list are not Modellix routes; the proxy's own 404 uses Modellix's
    // error shape (code = HTTP status).
    let before = fake.request_count();
    let (status, _, text) = seen
        .send(client.get(proxy.api("/v1/images/editing/expand?pageNum=1&pageSize=30")))
        .await;
    assert_eq!(status, 404);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["code"], 404);
    assert_eq!(fake.request_count(), before);
    seen.assert_clean(&proxy.stop(), &[API_KEY]);
}

#[tokio::test]
async fn a_wrong_key_is_the_providers_401_and_an_unreachable_or_slow_upstream_is_502_or_504() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let mut seen = Seen::default();
    let client = client();
    let proxy = open_proxy(
        "kling",
        &fake.base,
        &["--read-timeout", "1s"],
        &[("KLING_API_KEY", "sk-wrong-key-000")],
    );
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(Dialect::Kling.create_path()))
                .json(&wire_body(Dialect::Kling, &request(Some("wrong-key")))),
        )
        .await;
    assert_eq!(status, 401, "{text}");
    assert_eq!(
        Dialect::Kling
            .parse_create(status, &text, None)
            .unwrap_err()
            .category,
        ErrorCategory::Configuration
    );
    seen.assert_clean(&proxy.stop(), &["sk-wrong-key-000"]);

    let proxy = open_proxy("kling", &fake.base, &["--read-timeout", "1s"], &[]);
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(Dialect::Kling.create_path()))
                .json(&wire_body(Dialect::Kling, &request(Some("slow-1")))),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    fake.add_fault(Fault::once(Call::Query, FaultKind::Slow { ms: 3000 }));
    let (status, _, text) = seen
        .send(client.get(proxy.api(&Dialect::Kling.query_path("slow-1"))))
        .await;
    assert_eq!(status, 504, "{text}");
    assert!(text.contains("did not answer in time"), "{text}");
    seen.assert_clean(&proxy.stop(), &[API_KEY]);

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let proxy = open_proxy("kling", &format!("http://{closed}"), &[], &[]);
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(Dialect::Kling.create_path()))
                .json(&wire_body(Dialect::Kling, &request(Some("nowhere")))),
        )
        .await;
    assert_eq!(status, 502, "{text}");
    assert!(
        text.contains(&format!("http://{closed}")),
        "names the upstream: {text}"
    );
    assert!(
        !text.contains("outcome_unknown"),
        "nothing left the proxy, so nothing can exist: {text}"
    );
    seen.assert_clean(&proxy.stop(), &[API_KEY]);
}

#[tokio::test]
async fn the_jwt_signed_by_one_proxy_is_verified_by_another_proxys_local_engine() {
    let dir = temp_dir("jwt-chain");
    let engine = Proxy::start(
        &[
            "--provider",
            "local",
            "--data-dir",
            dir.to_str().unwrap(),
            "--engine-submitted",
            "0",
            "--engine-processing",
            "0",
        ],
        &[
            ("KLING_ENGINE_ACCESS_KEY", ACCESS_KEY),
            ("KLING_ENGINE_SECRET_KEY", SECRET_KEY),
        ],
    );
    let upstream = format!("{}/api/kling", engine.url);
    let signer = open_proxy(
        "kling",
        &upstream,
        &[],
        &[
            ("KLING_ACCESS_KEY", ACCESS_KEY),
            ("KLING_SECRET_KEY", SECRET_KEY),
        ],
    );
    let client = client();
    let mut seen = Seen::default();

    // Straight to the verifying engine without a token: 401 / 1001.
    let body = wire_body(
        Dialect::Kling,
        &ExpandRequest::new(
            ImageSource::Base64(base64(&png(320, 300))),
            Ratios {
                up: 0.0,
                down: 0.0,
                left: 0.25,
                right: 0.25,
            },
        ),
    );
    let (status, _, text) = seen
        .send(
            client
                .post(engine.api(Dialect::Kling.create_path()))
                .json(&body),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["code"], 1001);
    // An expired and a not-yet-valid token: 1004 and 1003.
    let now = kling_expand_proxy::wire::now_secs();
    let (ak, sk) = (
        kling_expand_proxy::secret::Secret::new(ACCESS_KEY),
        kling_expand_proxy::secret::Secret::new(SECRET_KEY),
    );
    for (issued, code) in [(now - 3600, 1004), (now + 600, 1003)] {
        let token = kling_expand_proxy::jwt::sign(&ak, &sk, issued);
        let (status, _, text) = seen
            .send(
                client
                    .post(engine.api(Dialect::Kling.create_path()))
                    .bearer_auth(token)
                    .json(&body),
            )
            .await;
        assert_eq!(status, 401);
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap()["code"],
            code,
            "{text}"
        );
    }

    // Through the signing proxy: created, queried, finished.
    let mut expand = ExpandRequest::new(
        ImageSource::Base64(base64(&png(320, 300))),
        Ratios {
            up: 0.0,
            down: 0.0,
            left: 0.25,
            right: 0.25,
        },
    );
    expand.external_task_id = Some("chained-1".into());
    let (status, _, text) = seen
        .send(
            client
                .post(signer.api(Dialect::Kling.create_path()))
                .json(&wire_body(Dialect::Kling, &expand)),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let (_, done) = wait_for_end(
        &client,
        &signer.api(&Dialect::Kling.query_path("chained-1")),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(done["data"]["task_status"], "succeed");
    let snapshot = Dialect::Kling
        .parse_query(200, &done.to_string(), None)
        .unwrap();
    assert_eq!(snapshot.images.len(), 1);

    // A signer with the wrong secret gets the engine's 401 / 1002 through.
    expand.external_task_id = Some("chained-2".into());
    let wrong = open_proxy(
        "kling",
        &upstream,
        &[],
        &[
            ("KLING_ACCESS_KEY", ACCESS_KEY),
            ("KLING_SECRET_KEY", "SK-wrong-1234"),
        ],
    );
    let (status, _, text) = seen
        .send(
            client
                .post(wrong.api(Dialect::Kling.create_path()))
                .json(&wire_body(Dialect::Kling, &expand)),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["code"], 1002);

    let outputs = format!("{}\n{}\n{}", wrong.stop(), signer.stop(), engine.stop());
    seen.assert_clean(&outputs, &[ACCESS_KEY, SECRET_KEY, "SK-wrong-1234"]);
    let _ = std::fs::remove_dir_all(dir);
}
