//! The process contract and the safety rules: stdout line, help, configuration errors, static
//! files, health, CORS, body limit, content type, rate limit.

use std::time::Duration;

use serde_json::Value;

use crate::common::*;
use kling_expand_core::dialect::Dialect;

use crate::fakes::{self, Call, Expect, Fault, FaultKind};

#[test]
fn prints_exactly_one_listening_line_and_documents_its_flags() {
    let dir = temp_dir("stdout");
    let proxy = Proxy::start(&["--data-dir", dir.to_str().unwrap()], &[]);
    let url = proxy.url.clone();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0, "a real port was picked");
    assert_eq!(
        proxy.stdout_line,
        format!("kling-expand-proxy listening on {url}")
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(proxy.extra_stdout(), "", "logs go to stderr, not stdout");
    let output = proxy.stop();
    assert!(
        output.contains("local engine ready"),
        "logs on stderr: {output}"
    );

    let (code, help, _) = run_to_exit(&["--help"], &[]);
    assert_eq!(code, 0);
    for flag in [
        "--listen",
        "--provider",
        "--upstream",
        "--region",
        "--static",
        "--data-dir",
        "--allow-origin",
        "--rate-limit",
        "--engine-submitted",
        "--engine-processing",
        "--engine-fail",
        "--engine-ttl",
        "--engine-concurrency",
        "KLING_API_KEY",
        "KLING_ACCESS_KEY",
        "KLING_ENGINE_ACCESS_KEY",
        "content-policy",
    ] {
        assert!(help.contains(flag), "--help mentions {flag}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn configuration_errors_are_clear_and_never_show_a_secret() {
    let (code, _, stderr) = run_to_exit(&["--provider", "kling"], &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("KLING_API_KEY"), "{stderr}");

    let (code, _, stderr) = run_to_exit(
        &["--provider", "modellix"],
        &[
            ("KLING_ACCESS_KEY", "ak-visible-1"),
            ("KLING_SECRET_KEY", "sk-visible-2"),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        !stderr.contains("ak-visible-1") && !stderr.contains("sk-visible-2"),
        "{stderr}"
    );

    let (code, _, stderr) = run_to_exit(
        &["--provider", "kling"],
        &[("KLING_API_KEY", "sk with spaces 3")],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("KLING_API_KEY") && !stderr.contains("sk with spaces 3"),
        "{stderr}"
    );

    let (code, _, stderr) = run_to_exit(&["--static", "/nonexistent-widget-dir"], &[]);
    assert_eq!(code, 2);
    assert!(stderr.contains("index.html"), "{stderr}");
}

#[tokio::test]
async fn serves_the_widget_and_health() {
    let site = temp_dir("static");
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>kling-expand</title>",
    )
    .unwrap();
    std::fs::write(site.join("app.js"), "console.log('widget')").unwrap();
    let data = temp_dir("static-data");
    let proxy = Proxy::start(
        &[
            "--static",
            site.to_str().unwrap(),
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    let client = client();
    let index = client.get(format!("{}/", proxy.url)).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert!(index.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(index.text().await.unwrap().contains("kling-expand"));
    let script = client
        .get(format!("{}/app.js", proxy.url))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(script.text().await.unwrap(), "console.log('widget')");
    let missing = client
        .get(format!("{}/missing.js", proxy.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let health = client
        .get(format!("{}/healthz", proxy.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let health: Value = health.json().await.unwrap();
    assert_eq!(health["provider"], "local");
    drop(proxy);

    // Without --static, / is a plain 404.
    let proxy = Proxy::start(&["--data-dir", data.to_str().unwrap()], &[]);
    let root = client.get(format!("{}/", proxy.url)).send().await.unwrap();
    assert_eq!(root.status(), 404);
    drop(proxy);
    let _ = std::fs::remove_dir_all(site);
    let _ = std::fs::remove_dir_all(data);
}

#[tokio::test]
async fn cors_allows_only_listed_origins() {
    let data = temp_dir("cors");
    let client = client();
    let preflight = |url: String, origin: &'static str| {
        let client = client.clone();
        async move {
            client
                .request(reqwest::Method::OPTIONS, url)
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "content-type")
                .send()
                .await
                .unwrap()
        }
    };

    // No --allow-origin: no browser origin gets access, and never a wildcard.
    let proxy = Proxy::start(&["--data-dir", data.to_str().unwrap()], &[]);
    let answer = preflight(
        proxy.api("/v1/images/editing/expand"),
        "https://evil.example",
    )
    .await;
    assert!(!answer.headers().contains_key("access-control-allow-origin"));
    drop(proxy);

    let proxy = Proxy::start(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--allow-origin",
            "http://127.0.0.1:8081",
        ],
        &[],
    );
    let answer = preflight(
        proxy.api("/v1/images/editing/expand"),
        "http://127.0.0.1:8081",
    )
    .await;
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8081"
    );
    let methods = answer.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let answer = preflight(
        proxy.api("/v1/images/editing/expand"),
        "https://evil.example",
    )
    .await;
    assert!(!answer.headers().contains_key("access-control-allow-origin"));
    // Simple requests get the header too, and Retry-After is readable by the page.
    let answer = client
        .get(proxy.api("/v1/images/editing/expand/1"))
        .header("origin", "http://127.0.0.1:8081")
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8081"
    );
    assert!(answer.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("retry-after"));
    drop(proxy);
    let _ = std::fs::remove_dir_all(data);
}

#[tokio::test]
async fn bodies_over_14_mb_are_413_and_a_10_mb_picture_fits() {
    let data = temp_dir("limits");
    let proxy = Proxy::start(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--engine-submitted",
            "0",
            "--engine-processing",
            "0",
        ],
        &[],
    );
    let client = client();
    let create = proxy.api("/v1/images/editing/expand");

    // A 10 MB noise PNG (incompressible) as base64 in JSON: about 14 MB, accepted.
    let png_bytes = kling_expand_proxy::expand::encode_png(
        &kling_expand_proxy::expand::Pixels::noise(1810, 1810, 0x1234_5678),
    )
    .unwrap();
    assert!(
        png_bytes.len() > 9_500_000 && png_bytes.len() <= 10 * 1024 * 1024,
        "{}",
        png_bytes.len()
    );
    let body = serde_json::to_vec(&create_body(
        &base64(&png_bytes),
        [0.01, 0.01, 0.01, 0.01],
        1,
        None,
    ))
    .unwrap();
    assert!(body.len() > 13_000_000, "{}", body.len());
    let answer = client
        .post(&create)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let text = answer.text().await.unwrap();
    assert_eq!(status, 200, "{text}");

    // 15 MB with a Content-Length: refused before it is read.
    let too_big = vec![b' '; 15 * 1024 * 1024];
    let answer = client
        .post(&create)
        .header("content-type", "application/json")
        .body(too_big.clone())
        .send()
        .await;
    match answer {
        Ok(answer) => {
            assert_eq!(answer.status(), 413);
            let body: Value = answer.json().await.unwrap();
            assert!(body["message"].as_str().unwrap().contains("MB"), "{body}");
        }
        // The server may close the connection while the client is still sending.
        Err(error) => assert!(error.is_request() || error.is_body(), "{error}"),
    }

    // 15 MB streamed without a Content-Length: cut at the limit, 413.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..15).map(|_| Ok(vec![b' '; 1024 * 1024])).collect();
    let answer = client
        .post(&create)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await;
    if let Ok(answer) = answer {
        assert_eq!(answer.status(), 413);
    }
    drop(proxy);

    // Forwarding: the upstream never sees an oversized body.
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey("k".into())).await;
    let proxy = Proxy::start(
        &[
            "--provider",
            "kling",
            "--upstream",
            &fake.base,
            "--auth",
            "none",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[("KLING_API_KEY", "k")],
    );
    let answer = client
        .post(proxy.api("/v1/images/editing/expand"))
        .header("content-type", "application/json")
        .body(too_big)
        .send()
        .await;
    if let Ok(answer) = answer {
        assert_eq!(answer.status(), 413);
    }
    assert_eq!(fake.request_count(), 0);
    drop(proxy);
    let _ = std::fs::remove_dir_all(data);
}

#[tokio::test]
async fn creates_must_be_json() {
    let data = temp_dir("ctype");
    let proxy = Proxy::start(&["--data-dir", data.to_str().unwrap()], &[]);
    let answer = client()
        .post(proxy.api("/v1/images/editing/expand"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 415);
    drop(proxy);
    let _ = std::fs::remove_dir_all(data);
}

#[tokio::test]
async fn each_client_is_rate_limited_with_429_and_retry_after() {
    let data = temp_dir("rate");
    let proxy = Proxy::start(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--rate-limit",
            "30",
            "--rate-burst",
            "3",
        ],
        &[],
    );
    let client = client();
    let url = proxy.api("/v1/images/editing/expand/123");
    for _ in 0..3 {
        let answer = client.get(&url).send().await.unwrap();
        assert_eq!(answer.status(), 404, "within the burst: the engine answers");
    }
    let answer = client.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 429);
    let retry_after: u64 = answer.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["code"], 1302);
    // Health and static files are not limited.
    let health = client
        .get(format!("{}/healthz", proxy.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    // After Retry-After, requests are allowed again.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    let answer = client.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), 404);
    drop(proxy);
    let _ = std::fs::remove_dir_all(data);
}

#[tokio::test]
async fn sigterm_stops_promptly_even_with_a_request_in_flight() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey("k".into())).await;
    let data = temp_dir("sigterm");
    let mut proxy = Proxy::start(
        &[
            "--provider",
            "kling",
            "--upstream",
            &fake.base,
            "--auth",
            "none",
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[("KLING_API_KEY", "k")],
    );
    let client = client();
    let body = wire_body(Dialect::Kling, &crate::forwarding::request(Some("slow")));
    let (status, created) =
        post_json(&client, &proxy.api("/v1/images/editing/expand"), &body).await;
    assert_eq!(status, 200, "{created}");
    fake.add_fault(Fault::once(Call::Query, FaultKind::Slow { ms: 3000 }));
    // A keep-alive connection, and a query the fake answers only after 3 s.
    let health = client
        .get(format!("{}/healthz", proxy.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let slow = tokio::spawn({
        let url = proxy.api("/v1/images/editing/expand/slow");
        let client = client.clone();
        async move { client.get(url).send().await.map(|a| a.status().as_u16()) }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let code = tokio::task::spawn_blocking(move || {
        let code = proxy.terminate(Duration::from_secs(10));
        (code, proxy)
    })
    .await
    .unwrap();
    assert_eq!(code.0, Some(0), "exits cleanly within the grace period");
    // The request in flight was allowed to finish.
    assert_eq!(slow.await.unwrap().ok(), Some(200));
}
