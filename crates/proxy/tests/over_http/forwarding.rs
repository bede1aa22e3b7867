//! Forwarding to each remote provider, against fakes that answer as the providers document, and
//! the JWT signed by one proxy checked by another proxy's local engine.

use std::time::Duration;

use kling_expand_core::dialect::{Dialect, ErrorCategory, TaskStatus};
use kling_expand_core::geometry::Ratios;
use kling_expand_core::validate::{ExpandRequest, ImageSource};
use serde_json::Value;

use crate::common::*;
use crate::fakes::{self, Expect, KLING_TASK, MODELLIX_TASK};

const API_KEY: &str = "sk-test-5d1c0ffee0ddba11";
const ACCESS_KEY: &str = "AK-test-9a8b7c6d";
const SECRET_KEY: &str = "SK-test-0f1e2d3c4b5a";

fn request(external: Option<&str>) -> ExpandRequest {
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

/// Everything a client or an operator could see: answers (headers and bodies) and the
/// process's output. None of it may contain a secret.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    /// Sends a request to the proxy and keeps what came back.
    async fn send(
        &mut self,
        request: reqwest::RequestBuilder,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let answer = request.send().await.unwrap();
        let status = answer.status().as_u16();
        let headers = answer.headers().clone();
        let body = answer.text().await.unwrap();
        self.0.push(format!("{headers:?}\n{body}"));
        (status, headers, body)
    }

    fn assert_clean(&self, extra: &str, secrets: &[&str]) {
        for secret in secrets {
            for text in self.0.iter().map(String::as_str).chain([extra]) {
                assert!(!text.contains(secret), "a secret leaked into: {text}");
            }
        }
    }
}

#[tokio::test]
async fn kling_with_an_api_key_forwards_only_the_expand_routes() {
    let (upstream, recorded) = fakes::start("kling", Expect::ApiKey(API_KEY.into())).await;
    let proxy = Proxy::start(
        &["--provider", "kling", "--upstream", &upstream],
        &[("KLING_API_KEY", API_KEY), ("KLING_PROXY_LOG", "debug")],
    );
    let client = client();
    let mut seen = Seen::default();
    let dialect = Dialect::Kling;

    // Create: the body goes up byte for byte with the proxy's key, none of the client's headers.
    let body = serde_json::to_vec(&dialect.create_body(&request(Some("order-42")))).unwrap();
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .header("content-type", "application/json")
                .header("authorization", "Bearer client-supplied-token")
                .header("cookie", "session=browser-cookie")
                .header("x-forwarded-for", "10.1.2.3")
                .body(body.clone()),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let snapshot = dialect.parse_create(status, &text, None).unwrap();
    assert_eq!(snapshot.task_id, KLING_TASK);
    assert_eq!(snapshot.status, TaskStatus::Submitted);
    let up = recorded.last();
    assert_eq!(up.method, "POST");
    assert_eq!(up.path_and_query, "/v1/images/editing/expand");
    assert_eq!(up.body.as_ref(), body.as_slice());
    assert_eq!(
        up.headers["authorization"],
        format!("Bearer {API_KEY}").as_str()
    );
    assert_eq!(up.headers["content-type"], "application/json");
    assert!(!up.headers.contains_key("cookie"));
    assert!(!up.headers.contains_key("x-forwarded-for"));

    // Query one, by an external id that needs percent-encoding.
    let (status, _, text) = seen
        .send(client.get(proxy.api(&dialect.query_path("order 42/ü?"))))
        .await;
    // A '/' inside an id is refused by the allowlist (it would change the upstream path).
    assert_eq!(status, 404, "{text}");
    let (status, _, text) = seen
        .send(client.get(proxy.api(&dialect.query_path("order 42 ü?"))))
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        recorded.last().path_and_query,
        dialect.query_path("order 42 ü?"),
        "the id reaches the upstream percent-encoded"
    );
    let (status, _, text) = seen
        .send(client.get(proxy.api(&dialect.query_path("order-42"))))
        .await;
    assert_eq!(status, 200, "{text}");
    let snapshot = dialect.parse_query(status, &text, None).unwrap();
    assert_eq!(snapshot.status, TaskStatus::Succeeded);
    assert_eq!(snapshot.images.len(), 1);
    assert_eq!(
        recorded.last().path_and_query,
        "/v1/images/editing/expand/order-42"
    );

    // List, with only the page parameters passed on.
    let (status, _, text) = seen
        .send(client.get(proxy.api("/v1/images/editing/expand?pageNum=2&pageSize=5&debug=1")))
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(dialect.parse_list(status, &text, None).unwrap().len(), 1);
    assert_eq!(
        recorded.last().path_and_query,
        "/v1/images/editing/expand?pageNum=2&pageSize=5"
    );

    // Upstream errors come back with their status, code, message and Retry-After, but none of
    // the upstream's other headers.
    let body = serde_json::to_vec(&dialect.create_body(&request(Some("busy-1")))).unwrap();
    let (status, headers, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .header("content-type", "application/json")
                .body(body),
        )
        .await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "3");
    assert!(!headers.contains_key("set-cookie"));
    assert!(!headers.contains_key("x-internal-trace"));
    let error = dialect.parse_create(status, &text, Some("3")).unwrap_err();
    assert_eq!(error.code, Some(1303));
    assert_eq!(error.category, ErrorCategory::RateLimited);
    assert_eq!(error.message, "Parallel task over resource pack limit");

    // Anything else is 404 and never reaches the upstream.
    let before = recorded.count();
    for (method, path) in [
        ("GET", "/v1/images/generations"),
        ("POST", "/v1/videos/text2video"),
        ("DELETE", "/v1/images/editing/expand/860000000000000001"),
        ("GET", "/v1/images/editing/expand/%2e%2e"),
        ("GET", "/v1/images/editing/expand/a%2Fb"),
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
        recorded.count(),
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

#[tokio::test]
async fn kling_with_access_keys_signs_one_cached_jwt() {
    let (upstream, recorded) = fakes::start(
        "kling",
        Expect::Jwt {
            access: ACCESS_KEY.into(),
            secret: SECRET_KEY.into(),
        },
    )
    .await;
    let proxy = Proxy::start(
        &["--provider", "kling", "--upstream", &upstream],
        &[
            ("KLING_ACCESS_KEY", ACCESS_KEY),
            ("KLING_SECRET_KEY", SECRET_KEY),
        ],
    );
    let client = client();
    let mut seen = Seen::default();
    for _ in 0..3 {
        let (status, _, text) = seen
            .send(client.get(proxy.api(&Dialect::Kling.query_path(KLING_TASK))))
            .await;
        assert_eq!(status, 200, "the fake accepted the signed token: {text}");
    }
    let tokens: Vec<String> = recorded
        .all()
        .iter()
        .map(|s| s.headers["authorization"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(tokens.len(), 3);
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "the token is reused"
    );
    let output = proxy.stop();
    let token = tokens[0].trim_start_matches("Bearer ").to_owned();
    seen.assert_clean(&output, &[ACCESS_KEY, SECRET_KEY, &token]);
}

#[tokio::test]
async fn cometapi_gets_both_down_and_bottom_and_code_null_passes_through() {
    let (upstream, recorded) = fakes::start("cometapi", Expect::ApiKey(API_KEY.into())).await;
    let proxy = Proxy::start(
        &["--provider", "cometapi", "--upstream", &upstream],
        &[("KLING_API_KEY", API_KEY)],
    );
    let client = client();
    let mut seen = Seen::default();
    let dialect = Dialect::CometApi;
    let body = dialect.create_body(&request(None));
    let (status, _, text) = seen
        .send(client.post(proxy.api(dialect.create_path())).json(&body))
        .await;
    let up = recorded.last();
    assert_eq!(up.path_and_query, "/kling/v1/images/editing/expand");
    let sent: Value = serde_json::from_slice(&up.body).unwrap();
    assert_eq!(sent["down_expansion_ratio"], sent["bottom_expansion_ratio"]);
    assert!(sent["n"].is_u64());
    // Seed 000's live answer, verbatim.
    assert_eq!(status, 404);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        serde_json::json!({"code": null, "message": "404"})
    );
    let error = dialect.parse_create(status, &text, None).unwrap_err();
    assert_eq!(error.category, ErrorCategory::NotOffered);

    let (status, _, text) = seen
        .send(client.get(proxy.api(&dialect.query_path(KLING_TASK))))
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        recorded.last().path_and_query,
        format!("/kling/v1/images/editing/expand/{KLING_TASK}")
    );
    // CometAPI has no list route.
    let (status, _, _) = seen
        .send(client.get(proxy.api("/v1/images/editing/expand?pageNum=1&pageSize=30")))
        .await;
    assert_eq!(status, 404);
    seen.assert_clean(&proxy.stop(), &[API_KEY]);
}

#[tokio::test]
async fn kkiai_empty_answer_passes_through() {
    let (upstream, recorded) = fakes::start("kkiai", Expect::ApiKey(API_KEY.into())).await;
    let proxy = Proxy::start(
        &["--provider", "kkiai", "--upstream", &upstream],
        &[("KLING_API_KEY", API_KEY)],
    );
    let client = client();
    let mut seen = Seen::default();
    let dialect = Dialect::Kkiai;
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .json(&dialect.create_body(&request(Some("kk-1")))),
        )
        .await;
    assert_eq!((status, text.as_str()), (200, "{}"));
    let sent: Value = serde_json::from_slice(&recorded.last().body).unwrap();
    assert_eq!(sent["n"], 2, "KKIAI requires n as an integer");
    assert!(sent.get("watermark_info").is_none());
    // An `n` the provider refuses comes back as its 400.
    let mut bad = dialect.create_body(&request(None));
    bad["n"] = Value::String("2".into());
    let (status, _, text) = seen
        .send(client.post(proxy.api(dialect.create_path())).json(&bad))
        .await;
    assert_eq!(status, 400);
    assert!(text.contains("1201"), "{text}");
    seen.assert_clean(&proxy.stop(), &[API_KEY]);
}

#[tokio::test]
async fn modellix_paths_statuses_and_errors() {
    let (upstream, recorded) = fakes::start("modellix", Expect::ApiKey(API_KEY.into())).await;
    let proxy = Proxy::start(
        &["--provider", "modellix", "--upstream", &upstream],
        &[("KLING_API_KEY", API_KEY)],
    );
    let client = client();
    let mut seen = Seen::default();
    let dialect = Dialect::Modellix;
    let (status, _, text) = seen
        .send(
            client
                .post(proxy.api(dialect.create_path()))
                .json(&dialect.create_body(&request(None))),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        recorded.last().path_and_query,
        "/api/v1/image-to-image/kling/kling-image-expansion/async"
    );
    let snapshot = dialect.parse_create(status, &text, None).unwrap();
    assert_eq!(snapshot.task_id, MODELLIX_TASK);
    assert_eq!(snapshot.status, TaskStatus::Submitted);

    let (status, _, text) = seen
        .send(client.get(proxy.api(&dialect.query_path(MODELLIX_TASK))))
        .await;
    assert_eq!(
        recorded.last().path_and_query,
        format!("/api/v1/tasks/{MODELLIX_TASK}")
    );
    let snapshot = dialect.parse_query(status, &text, None).unwrap();
    assert_eq!(snapshot.status, TaskStatus::Succeeded);
    assert_eq!(snapshot.images[0].width, Some(1820));

    for (id, expected) in [
        ("task-processing", TaskStatus::Processing),
        ("task-failed", TaskStatus::Failed),
    ] {
        let (status, _, text) = seen
            .send(client.get(proxy.api(&dialect.query_path(id))))
            .await;
        let snapshot = dialect.parse_query(status, &text, None).unwrap();
        assert_eq!(snapshot.status, expected, "{text}");
    }

    let (status, headers, text) = seen
        .send(client.get(proxy.api(&dialect.query_path("limited"))))
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
                .json(&dialect.create_body(&poor)),
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
    let before = recorded.count();
    let (status, _, text) = seen
        .send(client.get(proxy.api("/v1/images/editing/expand?pageNum=1&pageSize=30")))
        .await;
    assert_eq!(status, 404);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["code"], 404);
    assert_eq!(recorded.count(), before);
    seen.assert_clean(&proxy.stop(), &[API_KEY]);
}

#[tokio::test]
async fn a_wrong_key_is_the_providers_401_and_an_unreachable_or_slow_upstream_is_502_or_504() {
    let (upstream, _) = fakes::start("kling", Expect::ApiKey(API_KEY.into())).await;
    let proxy = Proxy::start(
        &[
            "--provider",
            "kling",
            "--upstream",
            &upstream,
            "--read-timeout",
            "1s",
        ],
        &[("KLING_API_KEY", "sk-wrong-key-000")],
    );
    let client = client();
    let mut seen = Seen::default();
    let (status, _, text) = seen
        .send(client.get(proxy.api(&Dialect::Kling.query_path(KLING_TASK))))
        .await;
    assert_eq!(status, 401);
    assert_eq!(
        Dialect::Kling
            .parse_query(status, &text, None)
            .unwrap_err()
            .category,
        ErrorCategory::Configuration
    );
    seen.assert_clean(&proxy.stop(), &["sk-wrong-key-000"]);

    let proxy = Proxy::start(
        &[
            "--provider",
            "kling",
            "--upstream",
            &upstream,
            "--read-timeout",
            "1s",
        ],
        &[("KLING_API_KEY", API_KEY)],
    );
    let (status, _, text) = seen
        .send(client.get(proxy.api(&Dialect::Kling.query_path("slow"))))
        .await;
    assert_eq!(status, 504, "{text}");
    assert!(text.contains("did not answer in time"), "{text}");
    seen.assert_clean(&proxy.stop(), &[API_KEY]);

    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let proxy = Proxy::start(
        &[
            "--provider",
            "kling",
            "--upstream",
            &format!("http://{closed}"),
        ],
        &[("KLING_API_KEY", API_KEY)],
    );
    let (status, _, text) = seen
        .send(client.get(proxy.api(&Dialect::Kling.query_path("x"))))
        .await;
    assert_eq!(status, 502, "{text}");
    assert!(
        text.contains(&format!("http://{closed}")),
        "names the upstream: {text}"
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
    let signer = Proxy::start(
        &["--provider", "kling", "--upstream", &upstream],
        &[
            ("KLING_ACCESS_KEY", ACCESS_KEY),
            ("KLING_SECRET_KEY", SECRET_KEY),
        ],
    );
    let client = client();
    let mut seen = Seen::default();

    // Straight to the verifying engine without a token: 401 / 1001.
    let (status, _, text) = seen
        .send(client.get(engine.api("/v1/images/editing/expand/123")))
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
                    .get(engine.api("/v1/images/editing/expand/123"))
                    .bearer_auth(token),
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
                .json(&Dialect::Kling.create_body(&expand)),
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
    let wrong = Proxy::start(
        &["--provider", "kling", "--upstream", &upstream],
        &[
            ("KLING_ACCESS_KEY", ACCESS_KEY),
            ("KLING_SECRET_KEY", "SK-wrong-1234"),
        ],
    );
    let (status, _, text) = seen
        .send(client.get(wrong.api(&Dialect::Kling.query_path("chained-1"))))
        .await;
    assert_eq!(status, 401);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["code"], 1002);

    let outputs = format!("{}\n{}\n{}", wrong.stop(), signer.stop(), engine.stop());
    seen.assert_clean(&outputs, &[ACCESS_KEY, SECRET_KEY, "SK-wrong-1234"]);
    let _ = std::fs::remove_dir_all(dir);
}
