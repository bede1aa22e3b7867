//! The local engine over real HTTP: the official API's shapes, validation, timing, failures,
//! results, storage, restarts and expiry.

use std::time::Duration;

use kling_expand_core::geometry::{Ratios, Size};
use kling_expand_proxy::expand::decode;
use serde_json::{json, Value};

use crate::common::*;

const FAST: &[&str] = &["--engine-submitted", "0", "--engine-processing", "0"];

fn engine_args<'a>(data_dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    // Tests poll fast; the rate limit has its own test.
    let mut args = vec![
        "--provider",
        "local",
        "--data-dir",
        data_dir,
        "--rate-limit",
        "0",
        "--enable-list",
    ];
    args.extend_from_slice(extra);
    args
}

#[tokio::test]
async fn a_task_goes_through_submitted_processing_succeed_with_real_pictures() {
    let dir = temp_dir("lifecycle");
    let proxy = Proxy::start(
        &engine_args(
            dir.to_str().unwrap(),
            &[
                "--engine-submitted",
                "600ms",
                "--engine-processing",
                "600ms",
            ],
        ),
        &[],
    );
    let client = client();
    let (width, height) = (420, 360);
    let original_png = png(width, height);
    let ratios = [0.1495, 0.1495, 0.6547, 0.3];
    let body = create_body(&base64(&original_png), ratios, 3, Some("my-order-1"));
    let (status, created) =
        post_json(&client, &proxy.api("/v1/images/editing/expand"), &body).await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["code"], 0);
    assert!(created["request_id"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    let data = &created["data"];
    assert_eq!(data["task_status"], "submitted");
    assert_eq!(data["task_info"]["external_task_id"], "my-order-1");
    let task_id = data["task_id"].as_str().unwrap().to_owned();
    assert!(data["created_at"].as_i64().unwrap() > 1_600_000_000_000);

    let (seen, done) = wait_for_end(
        &client,
        &proxy.api(&format!("/v1/images/editing/expand/{task_id}")),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(seen, vec!["submitted", "processing", "succeed"]);
    let data = &done["data"];
    assert!(data.is_object(), "query data is an object: {data}");
    assert_eq!(data["task_id"], task_id.as_str());
    assert_eq!(data["task_info"]["external_task_id"], "my-order-1");
    assert!(data["updated_at"].as_i64() >= data["created_at"].as_i64());
    let images = data["task_result"]["images"].as_array().unwrap();
    assert_eq!(images.len(), 3);

    // Each result: PNG, exactly the canvas the ratios imply, original pixel-exact in place.
    let canvas = Ratios {
        up: ratios[0],
        down: ratios[1],
        left: ratios[2],
        right: ratios[3],
    }
    .canvas(Size { width, height });
    let original = decode(&original_png, u64::MAX).unwrap();
    let mut pictures = Vec::new();
    for (i, image) in images.iter().enumerate() {
        assert_eq!(image["index"], i);
        let url = image["url"].as_str().unwrap();
        assert_eq!(
            url,
            format!("/api/kling/results/{task_id}/{i}.png"),
            "root-relative result links"
        );
        let answer = client
            .get(format!("{}{url}", proxy.url))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(answer.headers()["content-type"], "image/png");
        let bytes = answer.bytes().await.unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let result = decode(&bytes, u64::MAX).unwrap();
        assert_eq!((result.width, result.height), (canvas.width, canvas.height));
        for y in 0..height {
            for x in 0..width {
                assert_eq!(
                    result.pixel(x + canvas.left_px, y + canvas.top_px),
                    original.pixel(x, y),
                    "original moved or changed at ({x}, {y})"
                );
            }
        }
        // The new area continues the picture: many distinct colours, not a flat fill.
        let mut colours = std::collections::HashSet::new();
        for y in 0..canvas.height {
            for x in 0..canvas.left_px {
                colours.insert(result.pixel(x, y).to_vec());
            }
        }
        assert!(
            colours.len() > 200,
            "left area has {} colours",
            colours.len()
        );
        pictures.push(result.data);
    }
    assert_ne!(pictures[0], pictures[1], "variations differ");
    assert_ne!(pictures[1], pictures[2], "variations differ");

    // Query by external_task_id gives the same task; the list has it.
    let (status, by_external) =
        get_json(&client, &proxy.api("/v1/images/editing/expand/my-order-1")).await;
    assert_eq!(status, 200);
    assert_eq!(by_external["data"]["task_id"], task_id.as_str());
    let (status, list) = get_json(
        &client,
        &proxy.api("/v1/images/editing/expand?pageNum=1&pageSize=30"),
    )
    .await;
    assert_eq!(status, 200);
    let list = list["data"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["task_status"], "succeed");
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn validation_answers_like_kling_with_clear_messages() {
    let dir = temp_dir("validation");
    let proxy = Proxy::start(&engine_args(dir.to_str().unwrap(), FAST), &[]);
    let client = client();
    let create = proxy.api("/v1/images/editing/expand");
    let good = base64(&png(400, 320));

    let cases: Vec<(&str, Value, i64, &str)> = vec![
        (
            "data: prefix",
            create_body(&format!("data:image/png;base64,{good}"), [0.1; 4], 1, None),
            1201,
            "data:",
        ),
        (
            "not PNG or JPEG",
            create_body(
                &base64(b"GIF89a\x90\x01\x90\x01\x00\x00\x00;"),
                [0.1; 4],
                1,
                None,
            ),
            1201,
            "GIF",
        ),
        (
            "too small",
            create_body(&base64(&png(280, 420)), [0.1; 4], 1, None),
            1201,
            "300",
        ),
        (
            "too wide",
            create_body(&base64(&png(1200, 300)), [0.1; 4], 1, None),
            1201,
            "2.5",
        ),
        (
            "side over 2",
            create_body(&good, [0.0, 0.0, 2.5, 0.0], 1, None),
            1201,
            "2",
        ),
        (
            "area over 3",
            create_body(&good, [0.5, 0.5, 0.5, 0.5], 1, None),
            1201,
            "3",
        ),
        (
            "negative ratio",
            create_body(&good, [-0.1, 0.0, 0.0, 0.0], 1, None),
            1201,
            "up",
        ),
        ("n zero", create_body(&good, [0.1; 4], 0, None), 1201, "n"),
        ("n ten", create_body(&good, [0.1; 4], 10, None), 1201, "n"),
        (
            "n as a string",
            {
                let mut b = create_body(&good, [0.1; 4], 1, None);
                b["n"] = json!("2");
                b
            },
            1201,
            "n",
        ),
        (
            "prompt too long",
            {
                let mut b = create_body(&good, [0.1; 4], 1, None);
                b["prompt"] = json!("é".repeat(2501));
                b
            },
            1201,
            "2,500",
        ),
        (
            "missing down ratio",
            {
                let mut b = create_body(&good, [0.1; 4], 1, None);
                b.as_object_mut().unwrap().remove("down_expansion_ratio");
                b
            },
            1201,
            "down_expansion_ratio",
        ),
        (
            "not base64",
            create_body("this is not an image!", [0.1; 4], 1, None),
            1201,
            "Base64",
        ),
        (
            "ftp URL",
            create_body("ftp://example.com/a.png", [0.1; 4], 1, None),
            1201,
            "http",
        ),
    ];
    for (name, body, code, needle) in cases {
        let (status, answer) = post_json(&client, &create, &body).await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert_eq!(answer["code"], code, "{name}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.contains(needle),
            "{name}: message {message:?} should mention {needle:?}"
        );
    }

    // Over 10 MB (but under the body limit): refused by the engine with the size.
    let mut big = png(400, 320);
    big.resize(10 * 1024 * 1024 + 10, 0);
    let (status, answer) = post_json(
        &client,
        &create,
        &create_body(&base64(&big), [0.1; 4], 1, None),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], 1201);
    assert!(
        answer["message"].as_str().unwrap().contains("10"),
        "{answer}"
    );

    // Malformed JSON is 1200.
    let (status, _, text) = Seen::default()
        .send(
            client
                .post(&create)
                .header("content-type", "application/json")
                .body("{\"image\": "),
        )
        .await;
    assert_eq!(status, 400);
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["code"], 1200);

    // The same external_task_id again is the same task, not a second one.
    let body = create_body(&good, [0.1; 4], 1, Some("unique-1"));
    let (status, first) = post_json(&client, &create, &body).await;
    assert_eq!(status, 200, "{first}");
    let (status, second) = post_json(&client, &create, &body).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["data"]["task_id"], first["data"]["task_id"]);

    // Unknown task: 404 / 1203. Bad list page: 400 / 1201.
    let (status, answer) = get_json(&client, &proxy.api("/v1/images/editing/expand/nope")).await;
    assert_eq!(
        (status, answer["code"].as_i64()),
        (404, Some(1203)),
        "{answer}"
    );
    let (status, answer) = get_json(
        &client,
        &proxy.api("/v1/images/editing/expand?pageNum=1&pageSize=501"),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn failure_injection_content_policy_concurrency_and_server() {
    let client = client();
    let good = base64(&png(320, 320));

    let dir = temp_dir("fail-policy");
    let proxy = Proxy::start(
        &engine_args(
            dir.to_str().unwrap(),
            &[
                "--engine-submitted",
                "0",
                "--engine-processing",
                "0",
                "--engine-fail",
                "content-policy",
            ],
        ),
        &[],
    );
    let done = expand_to_end(
        &client,
        &proxy,
        &create_body(&good, [0.1; 4], 1, None),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(done["code"], 0, "a failed task still answers code 0");
    assert_eq!(done["data"]["task_status"], "failed");
    assert!(done["data"]["task_status_msg"]
        .as_str()
        .unwrap()
        .contains("content"));
    assert!(
        done["data"]["task_result"].is_null(),
        "no results for a failed task"
    );
    drop(proxy);

    let dir2 = temp_dir("fail-busy");
    let proxy = Proxy::start(
        &engine_args(dir2.to_str().unwrap(), &["--engine-fail", "concurrency"]),
        &[],
    );
    let (status, headers, text) = Seen::default()
        .send(
            client
                .post(proxy.api("/v1/images/editing/expand"))
                .json(&create_body(&good, [0.1; 4], 1, None)),
        )
        .await;
    assert_eq!(status, 429);
    assert!(headers.contains_key("retry-after"));
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["code"], 1303);
    drop(proxy);

    // A create that fails inside may have made its task: the proxy says the outcome is
    // unknown; a query that fails inside comes back as it is.
    let dir3 = temp_dir("fail-server");
    let proxy = Proxy::start(
        &engine_args(dir3.to_str().unwrap(), &["--engine-fail", "server-create"]),
        &[],
    );
    let (status, body) = post_json(
        &client,
        &proxy.api("/v1/images/editing/expand"),
        &create_body(&good, [0.1; 4], 1, None),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (502, Some("outcome_unknown")),
        "{body}"
    );
    drop(proxy);
    let proxy = Proxy::start(
        &engine_args(dir3.to_str().unwrap(), &["--engine-fail", "server-query"]),
        &[],
    );
    let (status, created) = post_json(
        &client,
        &proxy.api("/v1/images/editing/expand"),
        &create_body(&good, [0.1; 4], 1, None),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["task_id"].as_str().unwrap();
    let (status, body) = get_json(
        &client,
        &proxy.api(&format!("/v1/images/editing/expand/{id}")),
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (500, Some(5000)), "{body}");
    drop(proxy);

    // Real concurrency slots: n = 2 fills a 3-slot account, the next n = 2 is refused.
    let dir4 = temp_dir("slots");
    let proxy = Proxy::start(
        &engine_args(
            dir4.to_str().unwrap(),
            &["--engine-concurrency", "3", "--engine-submitted", "5s"],
        ),
        &[],
    );
    let (status, _) = post_json(
        &client,
        &proxy.api("/v1/images/editing/expand"),
        &create_body(&good, [0.1; 4], 2, None),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = post_json(
        &client,
        &proxy.api("/v1/images/editing/expand"),
        &create_body(&good, [0.1; 4], 2, None),
    )
    .await;
    assert_eq!((status, body["code"].as_i64()), (429, Some(1303)), "{body}");
    drop(proxy);
    for d in [dir, dir2, dir3, dir4] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[tokio::test]
async fn image_urls_are_downloaded_and_unreachable_ones_fail_the_task_clearly() {
    let picture = png(360, 300);
    let served = picture.clone();
    let pictures = serve(axum::Router::new().route(
        "/dog.png",
        axum::routing::get(move || {
            let bytes = served.clone();
            async move { ([("content-type", "image/png")], bytes) }
        }),
    ))
    .await;
    let dir = temp_dir("urls");
    // The fixtures are on loopback, which the engine refuses unless told otherwise.
    let proxy = Proxy::start(
        &engine_args(
            dir.to_str().unwrap(),
            &[
                "--engine-submitted",
                "0",
                "--engine-processing",
                "0",
                "--engine-allow-private-urls",
            ],
        ),
        &[],
    );
    let client = client();

    let done = expand_to_end(
        &client,
        &proxy,
        &create_body(
            &format!("{pictures}/dog.png"),
            [0.2, 0.2, 0.2, 0.2],
            1,
            None,
        ),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(done["data"]["task_status"], "succeed", "{done}");
    let url = done["data"]["task_result"]["images"][0]["url"]
        .as_str()
        .unwrap();
    let bytes = client
        .get(format!("{}{url}", proxy.url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let result = decode(&bytes, u64::MAX).unwrap();
    let canvas = Ratios {
        up: 0.2,
        down: 0.2,
        left: 0.2,
        right: 0.2,
    }
    .canvas(Size {
        width: 360,
        height: 300,
    });
    assert_eq!((result.width, result.height), (canvas.width, canvas.height));

    // A port nobody listens on: the task fails with a message naming the URL, not the socket
    // error.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let done = expand_to_end(
        &client,
        &proxy,
        &create_body(
            &format!("http://{closed}/gone.png?token=abc"),
            [0.1; 4],
            1,
            None,
        ),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(done["data"]["task_status"], "failed");
    let message = done["data"]["task_status_msg"].as_str().unwrap();
    assert!(
        message.contains("could not be downloaded") && message.contains("/gone.png"),
        "{message}"
    );
    assert!(
        !message.contains("token=abc"),
        "query strings are not echoed"
    );
    assert!(
        !message.to_lowercase().contains("refused") && !message.contains("os error"),
        "no network details: {message}"
    );
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn tasks_and_results_survive_a_restart_and_unfinished_ones_resume() {
    let dir = temp_dir("restart");
    let data_dir = dir.to_str().unwrap();
    let client = client();
    let good = base64(&png(330, 310));

    let proxy = Proxy::start(&engine_args(data_dir, FAST), &[]);
    let done = expand_to_end(
        &client,
        &proxy,
        &create_body(&good, [0.1; 4], 2, Some("before-restart")),
        Duration::from_secs(20),
    )
    .await;
    let done_id = done["data"]["task_id"].as_str().unwrap().to_owned();
    assert_eq!(done["data"]["task_status"], "succeed");
    let url = done["data"]["task_result"]["images"][1]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = client
        .get(format!("{}{url}", proxy.url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    proxy.stop();

    // A task created just before a stop (long submitted time) is resumed after the restart.
    let proxy = Proxy::start(
        &engine_args(
            data_dir,
            &["--engine-submitted", "300ms", "--engine-processing", "0"],
        ),
        &[],
    );
    let (_, created) = post_json(
        &client,
        &proxy.api("/v1/images/editing/expand"),
        &create_body(&good, [0.1; 4], 1, None),
    )
    .await;
    let pending_id = created["data"]["task_id"].as_str().unwrap().to_owned();
    proxy.stop();

    let proxy = Proxy::start(&engine_args(data_dir, FAST), &[]);
    let (status, again) = get_json(
        &client,
        &proxy.api("/v1/images/editing/expand/before-restart"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(again["data"]["task_id"], done_id.as_str());
    assert_eq!(again["data"]["task_status"], "succeed");
    let after = client
        .get(format!("{}{url}", proxy.url))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        before, after,
        "the same result picture is served after a restart"
    );
    let (_, resumed) = wait_for_end(
        &client,
        &proxy.api(&format!("/v1/images/editing/expand/{pending_id}")),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(resumed["data"]["task_status"], "succeed", "{resumed}");
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn expired_tasks_answer_1203_and_their_files_are_removed() {
    let dir = temp_dir("ttl");
    let proxy = Proxy::start(
        &engine_args(
            dir.to_str().unwrap(),
            &[
                "--engine-submitted",
                "0",
                "--engine-processing",
                "0",
                "--engine-ttl",
                "2s",
            ],
        ),
        &[],
    );
    let client = client();
    let done = expand_to_end(
        &client,
        &proxy,
        &create_body(&base64(&png(300, 300)), [0.1; 4], 1, Some("short-lived")),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(done["data"]["task_status"], "succeed");
    let url = done["data"]["task_result"]["images"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!files_under(&dir.join("results")).is_empty());

    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (status, gone) =
        get_json(&client, &proxy.api("/v1/images/editing/expand/short-lived")).await;
    assert_eq!((status, gone["code"].as_i64()), (404, Some(1203)), "{gone}");
    let (status, _, _) = Seen::default()
        .send(client.get(format!("{}{url}", proxy.url)))
        .await;
    assert_eq!(status, 404);
    assert!(files_under(&dir.join("results")).is_empty());
    assert!(files_under(&dir.join("tasks")).is_empty());
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn watermarked_results_get_a_watermark_url() {
    let dir = temp_dir("watermark");
    let proxy = Proxy::start(&engine_args(dir.to_str().unwrap(), FAST), &[]);
    let client = client();
    let mut body = create_body(&base64(&png(300, 300)), [0.1; 4], 1, None);
    body["watermark_info"] = json!({"enabled": true});
    let done = expand_to_end(&client, &proxy, &body, Duration::from_secs(20)).await;
    let image = &done["data"]["task_result"]["images"][0];
    assert_eq!(done["data"]["watermark_info"]["enabled"], true);
    let plain = client
        .get(format!("{}{}", proxy.url, image["url"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let marked = client
        .get(format!(
            "{}{}",
            proxy.url,
            image["watermark_url"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (plain, marked) = (
        decode(&plain, u64::MAX).unwrap(),
        decode(&marked, u64::MAX).unwrap(),
    );
    assert_eq!((plain.width, plain.height), (marked.width, marked.height));
    assert_ne!(plain.data, marked.data);
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn callbacks_post_each_status_change() {
    let received: std::sync::Arc<std::sync::Mutex<Vec<Value>>> = Default::default();
    let sink = received.clone();
    let hook = serve(axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body.0);
                "ok"
            }
        }),
    ))
    .await;
    let dir = temp_dir("callback");
    let proxy = Proxy::start(
        &engine_args(
            dir.to_str().unwrap(),
            &[
                "--engine-submitted",
                "300ms",
                "--engine-processing",
                "300ms",
                "--engine-allow-private-urls",
            ],
        ),
        &[],
    );
    let client = client();
    let mut body = create_body(&base64(&png(300, 300)), [0.1; 4], 1, None);
    body["callback_url"] = json!(format!("{hook}/hook"));
    let done = expand_to_end(&client, &proxy, &body, Duration::from_secs(20)).await;
    let id = done["data"]["task_id"].as_str().unwrap().to_owned();
    // The last callback may still be on its way.
    let started = std::time::Instant::now();
    while received.lock().unwrap().len() < 3 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let statuses: Vec<String> = received
        .lock()
        .unwrap()
        .iter()
        .map(|data| {
            assert_eq!(data["task_id"], id.as_str());
            data["task_status"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(statuses, vec!["submitted", "processing", "succeed"]);
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_engine_fetches_and_posts_to_public_addresses_only() {
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    let picture = png(360, 300);
    let fixture = serve(axum::Router::new().fallback(move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let bytes = picture.clone();
        async move { ([("content-type", "image/png")], bytes) }
    }))
    .await;
    let dir = temp_dir("egress");
    let proxy = Proxy::start(&engine_args(dir.to_str().unwrap(), FAST), &[]);
    let client = client();
    let create = proxy.api("/v1/images/editing/expand");
    let good = base64(&png(320, 320));

    // What the address shows is refused at once, with a 400 that says why.
    let cases = [
        (format!("{fixture}/dog.png"), None, "port"),
        (
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            None,
            "not on the public internet",
        ),
        (
            "http://[::ffff:127.0.0.1]/a.png".to_owned(),
            None,
            "not on the public internet",
        ),
        (
            "http://10.0.0.7/a.png".to_owned(),
            None,
            "not on the public internet",
        ),
        (
            good.clone(),
            Some("http://192.168.1.1/hook"),
            "callback_url address cannot be used",
        ),
        (good.clone(), Some(&*format!("{fixture}/hook")), "port"),
    ];
    for (image, callback, needle) in cases {
        let mut body = create_body(&image, [0.1; 4], 1, None);
        if let Some(callback) = callback {
            body["callback_url"] = json!(callback);
        }
        let (status, answer) = post_json(&client, &create, &body).await;
        assert_eq!(status, 400, "{image} {callback:?}: {answer}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message}");
    }

    // A name that resolves to loopback: accepted (the name says nothing), then the task fails
    // with the same sentence as any unreachable address.
    let done = expand_to_end(
        &client,
        &proxy,
        &create_body("http://localhost/dog.png", [0.1; 4], 1, None),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(done["data"]["task_status"], "failed", "{done}");
    assert_eq!(
        done["data"]["task_status_msg"],
        "The image could not be downloaded from http://localhost/dog.png. Check that it is a \
         public http(s) address (port 80 or 443) of a PNG or JPEG picture, or send the picture \
         as Base64"
    );
    // A callback to such a name is not posted; the task itself is not harmed.
    let mut body = create_body(&good, [0.1; 4], 1, None);
    body["callback_url"] = json!("http://localhost/hook");
    let done = expand_to_end(&client, &proxy, &body, Duration::from_secs(20)).await;
    assert_eq!(done["data"]["task_status"], "succeed", "{done}");
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "nothing reached the loopback fixture"
    );
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_engine_is_bounded_in_tasks_bytes_queue_and_field_lengths() {
    let client = client();
    let good = base64(&png(320, 320));

    // At most 2 tasks kept.
    let dir = temp_dir("max-tasks");
    let proxy = Proxy::start(
        &engine_args(dir.to_str().unwrap(), &["--engine-max-tasks", "2"]),
        &[],
    );
    let create = proxy.api("/v1/images/editing/expand");
    for _ in 0..2 {
        let (status, answer) =
            post_json(&client, &create, &create_body(&good, [0.1; 4], 1, None)).await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, answer) =
        post_json(&client, &create, &create_body(&good, [0.1; 4], 1, None)).await;
    assert_eq!(
        (status, answer["code"].as_i64()),
        (429, Some(1303)),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("at most 2 tasks"),
        "{answer}"
    );
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);

    // At most 1 KB under the data directory.
    let dir = temp_dir("max-storage");
    let proxy = Proxy::start(
        &engine_args(dir.to_str().unwrap(), &["--engine-max-storage", "1KB"]),
        &[],
    );
    let (status, answer) = post_json(
        &client,
        &proxy.api("/v1/images/editing/expand"),
        &create_body(&good, [0.1; 4], 1, None),
    )
    .await;
    assert_eq!(
        (status, answer["code"].as_i64()),
        (429, Some(1303)),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("may hold 0.0 MB"),
        "{answer}"
    );
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);

    // A queue of one place, held by a download that does not answer.
    let stalled = serve(axum::Router::new().route(
        "/slow.png",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late"
        }),
    ))
    .await;
    let dir = temp_dir("queue");
    let proxy = Proxy::start(
        &engine_args(
            dir.to_str().unwrap(),
            &["--engine-queue", "1", "--engine-allow-private-urls"],
        ),
        &[],
    );
    let create = proxy.api("/v1/images/editing/expand");
    let (status, answer) = post_json(
        &client,
        &create,
        &create_body(&format!("{stalled}/slow.png"), [0.1; 4], 1, None),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) =
        post_json(&client, &create, &create_body(&good, [0.1; 4], 1, None)).await;
    assert_eq!(
        (status, answer["code"].as_i64()),
        (429, Some(1303)),
        "{answer}"
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("queue holds 1 tasks"),
        "{answer}"
    );

    // Field lengths: external_task_id 128 bytes, addresses 2 KB.
    let long_id = "x".repeat(129);
    let (status, answer) = post_json(
        &client,
        &create,
        &create_body(&good, [0.1; 4], 1, Some(&long_id)),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("at most 128"),
        "{answer}"
    );
    let long_url = format!("https://example.com/{}.png", "a".repeat(2100));
    let (status, answer) =
        post_json(&client, &create, &create_body(&long_url, [0.1; 4], 1, None)).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("at most 2,048"), "{message}");
    assert!(message.len() < 300, "the address is not echoed back");
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_widget_directory_never_serves_dotfiles_nor_holds_the_data_directory() {
    let dir = temp_dir("static");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>widget</title>",
    )
    .unwrap();
    std::fs::write(dir.join(".env"), "KLING_API_KEY=do-not-serve").unwrap();
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join(".git/config"), "[core]").unwrap();
    let data = temp_dir("static-data");
    let proxy = Proxy::start(
        &engine_args(data.to_str().unwrap(), &["--static", dir.to_str().unwrap()]),
        &[],
    );
    let client = client();
    let mut seen = Seen::default();
    let (status, _, _) = seen.send(client.get(format!("{}/", proxy.url))).await;
    assert_eq!(status, 200);
    for path in [
        "/.env",
        "/%2eenv",
        "/.git/config",
        "/%2Egit%2Fconfig",
        "/x/..%2f.env",
    ] {
        let (status, _, text) = seen.send(client.get(format!("{}{path}", proxy.url))).await;
        assert_eq!(status, 404, "{path}");
        assert!(!text.contains("do-not-serve"), "{path}");
    }
    drop(proxy);

    let inside = dir.join(".data");
    let (code, _, stderr) = run_to_exit(
        &[
            "--static",
            dir.to_str().unwrap(),
            "--data-dir",
            inside.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is inside --static"), "{stderr}");
    assert!(!inside.exists(), "nothing was created");
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(data);
}

#[tokio::test]
async fn every_bad_picture_gets_a_specific_400_or_is_expanded() {
    use crate::bad_pictures::{corpus, Engine};
    let dir = temp_dir("bad-pictures");
    let proxy = Proxy::start(&engine_args(dir.to_str().unwrap(), FAST), &[]);
    let client = client();
    let create = proxy.api("/v1/images/editing/expand");
    for picture in corpus() {
        let body = create_body(&base64(&picture.bytes), [0.1; 4], 1, None);
        let started = std::time::Instant::now();
        let (status, answer) = post_json(&client, &create, &body).await;
        match picture.engine {
            Engine::Refused(needle) => {
                assert_eq!(status, 400, "{}: {answer}", picture.file);
                assert_eq!(answer["code"], 1201, "{}: {answer}", picture.file);
                let message = answer["message"].as_str().unwrap();
                assert!(message.contains(needle), "{}: {message}", picture.file);
                eprintln!(
                    "{}: 400 in {:?}: {message}",
                    picture.file,
                    started.elapsed()
                );
            }
            Engine::Expanded => {
                assert_eq!(status, 200, "{}: {answer}", picture.file);
                let id = answer["data"]["task_id"].as_str().unwrap();
                let (_, done) = wait_for_end(
                    &client,
                    &proxy.api(&format!("/v1/images/editing/expand/{id}")),
                    Duration::from_secs(30),
                )
                .await;
                assert_eq!(
                    done["data"]["task_status"], "succeed",
                    "{}: {done}",
                    picture.file
                );
                let url = done["data"]["task_result"]["images"][0]["url"]
                    .as_str()
                    .unwrap();
                let bytes = client
                    .get(format!("{}{url}", proxy.url))
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                let result = decode(&bytes, u64::MAX).unwrap();
                assert!(result.width > 300, "{}", picture.file);
                eprintln!("{}: expanded in {:?}", picture.file, started.elapsed());
            }
        }
    }
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}
