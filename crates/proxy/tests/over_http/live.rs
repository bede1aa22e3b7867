//! Live status over real HTTP: the proxy follows each task once however many streams watch it,
//! streams resume with `Last-Event-ID`, long streams outlive the transport's timeouts, the caps
//! on streams hold, callbacks are believed only when signed, and two instances on one
//! `redis-server` share what either saw.

use std::time::{Duration, Instant};

use kling_expand_core::dialect::{Dialect, Refusal};
use serde_json::{json, Value};

use crate::access::Redis;
use crate::common::*;
use crate::fakes::{Expect, FakeUpstream, Options};
use crate::forwarding::{open_proxy, API_KEY};

const EXPAND: &str = "/v1/images/editing/expand";

/// One event of a stream: its id, and its data (a Kling query answer).
#[derive(Debug, Clone)]
struct Seen {
    id: u64,
    data: Value,
}

impl Seen {
    fn status(&self) -> &str {
        self.data["data"]["task_status"].as_str().unwrap_or("")
    }
}

/// An open stream of events.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(
        url: &str,
        last: Option<u64>,
        client_ip: Option<&str>,
    ) -> Result<Stream, (u16, String)> {
        let mut request = client().get(url).header("accept", "text/event-stream");
        if let Some(last) = last {
            request = request.header("last-event-id", last.to_string());
        }
        if let Some(ip) = client_ip {
            request = request.header("x-forwarded-for", ip);
        }
        Stream::connect(request).await
    }

    /// Opens a stream with the access token `token`, or with none.
    async fn open_as(url: &str, token: Option<&str>) -> Result<Stream, (u16, String)> {
        let mut request = client().get(url).header("accept", "text/event-stream");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Stream::connect(request).await
    }

    async fn connect(request: reqwest::RequestBuilder) -> Result<Stream, (u16, String)> {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        if status != 200 {
            return Err((status, response.text().await.unwrap_or_default()));
        }
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Ok(Stream {
            response,
            buffer: String::new(),
        })
    }

    /// The next event, or `None` once the server closed the stream.
    async fn next(&mut self) -> Option<Seen> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut id = None;
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return Some(Seen {
                    id: id.expect("every event has an id"),
                    data: serde_json::from_str(&data).expect("JSON data"),
                });
            }
            match self.response.chunk().await {
                Ok(Some(bytes)) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Every event until the server closes the stream (within `limit`).
    async fn read_to_end(mut self, limit: Duration) -> Vec<Seen> {
        let mut seen = Vec::new();
        tokio::time::timeout(limit, async {
            while let Some(event) = self.next().await {
                seen.push(event);
            }
        })
        .await
        .unwrap_or_else(|_| panic!("the stream did not close within {limit:?}; saw {seen:?}"));
        seen
    }
}

fn events_url(proxy: &Proxy, id: &str) -> String {
    proxy.api(&format!("{EXPAND}/{id}/events"))
}

/// Creates a task by URL picture at the proxy; its task id.
async fn create(
    proxy: &Proxy,
    external: &str,
    client_ip: Option<&str>,
) -> (String, reqwest::header::HeaderMap) {
    let body = json!({
        "image": "https://example.com/dog.png",
        "up_expansion_ratio": 0.1, "down_expansion_ratio": 0.1,
        "left_expansion_ratio": 0.2, "right_expansion_ratio": 0.2,
        "n": 1, "external_task_id": external,
    });
    let mut request = client().post(proxy.api(EXPAND)).json(&body);
    if let Some(ip) = client_ip {
        request = request.header("x-forwarded-for", ip);
    }
    let answer = request.send().await.unwrap();
    let headers = answer.headers().clone();
    let status = answer.status().as_u16();
    let created: Value = answer.json().await.unwrap();
    assert_eq!(status, 200, "{created}");
    (
        created["data"]["task_id"].as_str().unwrap().to_owned(),
        headers,
    )
}

/// Queries of task `id` that reached the upstream.
fn upstream_queries(fake: &FakeUpstream, id: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path_and_query.ends_with(&format!("/{id}")))
        .count()
}

async fn slow_fake(submitted_ms: u64, processing_ms: u64) -> FakeUpstream {
    FakeUpstream::start(
        Options::new(Dialect::Kling, Expect::ApiKey(API_KEY.into())).clock(
            Duration::from_millis(submitted_ms),
            Duration::from_millis(processing_ms),
        ),
    )
    .await
}

#[tokio::test]
async fn twenty_watchers_of_one_task_cause_one_upstream_poller() {
    let fake = slow_fake(1_000, 3_000).await;
    let proxy = open_proxy(
        "kling",
        &fake.base,
        &["--allow-private-results", "--max-streams-per-client", "24"],
        &[],
    );
    let (id, headers) = create(&proxy, "live-20", None).await;
    assert_eq!(
        headers["x-kling-expand-events"], "1",
        "the create says streams are offered"
    );
    let started = Instant::now();
    let mut watchers = Vec::new();
    for _ in 0..20 {
        let stream = Stream::open(&events_url(&proxy, &id), None, None)
            .await
            .unwrap();
        watchers.push(tokio::spawn(stream.read_to_end(Duration::from_secs(20))));
    }
    let mut ends = Vec::new();
    for watcher in watchers {
        let seen = watcher.await.unwrap();
        let last = seen.last().expect("events").clone();
        assert_eq!(last.status(), "succeed", "{seen:?}");
        let url = last.data["data"]["task_result"]["images"][0]["url"]
            .as_str()
            .unwrap();
        assert!(
            url.starts_with("http"),
            "the result link comes with the end: {url}"
        );
        let ids: Vec<u64> = seen.iter().map(|e| e.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ids grow: {ids:?}");
        ends.push(started.elapsed());
    }
    let queries = upstream_queries(&fake, &id);
    eprintln!(
        "20 watchers, task of 4 s: {queries} upstream queries; streams closed after {:?}",
        ends.iter().max()
    );
    // One poller on the schedule (1 s, then ×1.15): four or five queries in 4 s, not 20 × that.
    assert!(
        (2..=7).contains(&queries),
        "{queries} upstream queries for one task"
    );
    // Nothing more once it ended.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    assert_eq!(
        upstream_queries(&fake, &id),
        queries,
        "the poller stopped at the end"
    );
}

#[tokio::test]
async fn a_stream_cut_mid_task_resumes_with_last_event_id_and_outlives_the_timeouts() {
    let dir = temp_dir("live-resume");
    let proxy = Proxy::start(
        &[
            "--data-dir",
            dir.to_str().unwrap(),
            "--engine-submitted",
            "1500ms",
            "--engine-processing",
            "2500ms",
            "--engine-allow-private-urls",
            // Shorter than the streams: neither may cut one.
            "--header-timeout",
            "1s",
            "--body-timeout",
            "1s",
            "--trust-proxy",
            "127.0.0.1",
        ],
        &[],
    );
    let picture = base64(&png(400, 300));
    let (status, created) = post_json(
        &client(),
        &proxy.api(EXPAND),
        &create_body(&picture, [0.1, 0.1, 0.2, 0.2], 1, Some("resume-1")),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["task_id"].as_str().unwrap().to_owned();

    // Another caller is told the task does not exist, by either id.
    for other in [id.as_str(), "resume-1"] {
        let refused = Stream::open(&events_url(&proxy, other), None, Some("203.0.113.9")).await;
        let (status, body) = refused.err().expect("refused");
        assert_eq!(status, 404, "{body}");
        assert!(body.contains("1203"), "{body}");
    }

    // The first event, then the connection is cut.
    let mut stream = Stream::open(&events_url(&proxy, "resume-1"), None, None)
        .await
        .unwrap();
    let first = stream.next().await.unwrap();
    assert_eq!((first.id, first.status()), (1, "submitted"));
    drop(stream);
    tokio::time::sleep(Duration::from_millis(2_000)).await;

    // Back with the last id: only what came after it, to the end.
    let rest = Stream::open(&events_url(&proxy, &id), Some(first.id), None)
        .await
        .unwrap()
        .read_to_end(Duration::from_secs(15))
        .await;
    let statuses: Vec<(u64, &str)> = rest.iter().map(|e| (e.id, e.status())).collect();
    assert_eq!(statuses, [(2, "processing"), (3, "succeed")], "{rest:?}");
    let url = rest[1].data["data"]["task_result"]["images"][0]["url"]
        .as_str()
        .unwrap();
    assert!(url.contains(&format!("/results/{id}/0.png")), "{url}");
    assert_eq!(
        rest[1].data["data"]["task_info"]["external_task_id"], "resume-1",
        "the caller's own external id"
    );

    // A stream after the end says the end again, and closes.
    let late = Stream::open(&events_url(&proxy, &id), Some(3), None)
        .await
        .unwrap()
        .read_to_end(Duration::from_secs(5))
        .await;
    assert_eq!(
        late.iter().map(|e| e.status()).collect::<Vec<_>>(),
        ["succeed"]
    );
    let _ = std::fs::remove_dir_all(dir);
}

const TOKEN_SECRET: &str = "a-secret-of-at-least-32-bytes-for-live";

#[tokio::test]
async fn under_tokens_a_stranger_cannot_open_a_tasks_stream() {
    let dir = temp_dir("live-owner");
    let proxy = Proxy::start(
        &[
            "--auth",
            "token",
            "--data-dir",
            dir.to_str().unwrap(),
            "--engine-submitted",
            "1500ms",
            "--engine-processing",
            "0",
        ],
        &[("KLING_EXPAND_TOKEN_SECRET", TOKEN_SECRET)],
    );
    let token_for = |sub| mint(&["--sub", sub, "--ttl", "10m"], TOKEN_SECRET);
    let (alice, bob) = (token_for("alice"), token_for("bob"));
    let picture = base64(&png(400, 300));
    let answer = client()
        .post(proxy.api(EXPAND))
        .bearer_auth(&alice)
        .json(&create_body(
            &picture,
            [0.1, 0.1, 0.2, 0.2],
            1,
            Some("owned-1"),
        ))
        .send()
        .await
        .unwrap();
    let status = answer.status().as_u16();
    let created: Value = answer.json().await.unwrap();
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["task_id"].as_str().unwrap().to_owned();

    // Bob's answer for a task that does not exist, to compare his answer for Alice's with.
    let (status, unknown) = Stream::open_as(&events_url(&proxy, "no-such-task"), Some(&bob))
        .await
        .err()
        .expect("refused");
    assert_eq!(status, 404, "{unknown}");
    assert!(unknown.contains("1203"), "{unknown}");
    let unknown: Value = serde_json::from_str(&unknown).unwrap();

    for other in [id.as_str(), "owned-1"] {
        let url = events_url(&proxy, other);
        let (status, body) = Stream::open_as(&url, None).await.err().expect("refused");
        assert_eq!(status, 401, "{other}: {body}");
        assert_eq!(
            Refusal::in_body(&body),
            Some(Refusal::TokenMissing),
            "{body}"
        );

        let (status, body) = Stream::open_as(&url, Some(&bob))
            .await
            .err()
            .expect("refused");
        assert_eq!(status, 404, "{other}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        // Everything but the request_id, which every answer has its own of.
        assert_eq!(
            (&body["code"], &body["message"]),
            (&unknown["code"], &unknown["message"]),
            "{other}: the same answer as for a task that does not exist"
        );
    }

    // Alice's own token opens it (Stream::open_as checks text/event-stream), by either id.
    for own in [id.as_str(), "owned-1"] {
        let mut stream = Stream::open_as(&events_url(&proxy, own), Some(&alice))
            .await
            .unwrap_or_else(|(status, body)| panic!("{own}: {status} {body}"));
        let first = stream.next().await.expect("an event");
        assert_eq!(first.data["data"]["task_id"], id.as_str(), "{first:?}");
    }
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

/// The proxy stops mid-task (SIGTERM) while the engine is still fetching the picture, and
/// another process starts on the same data directory: the old stream closes without an end (it
/// does not hold the stop), and a stream on the new process, resumed with the last id it had,
/// gets the end of the task the engine took up again, with a result link that is served.
#[tokio::test]
async fn a_stream_on_a_restarted_proxy_gets_the_end_of_the_task_the_engine_took_up_again() {
    // The picture takes a while to come, so the work is not done when the proxy stops.
    let served = png(400, 300);
    let fetched = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = fetched.clone();
    let pictures = serve(axum::Router::new().route(
        "/slow.png",
        axum::routing::get(move || {
            let bytes = served.clone();
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_millis(2_500)).await;
                ([("content-type", "image/png")], bytes)
            }
        }),
    ))
    .await;
    let dir = temp_dir("live-restart");
    let args = [
        "--data-dir",
        dir.to_str().unwrap(),
        "--engine-submitted",
        "300ms",
        "--engine-processing",
        "1s",
        "--engine-allow-private-urls",
    ];
    let mut first = Proxy::start(&args, &[]);
    let body = json!({
        "image": format!("{pictures}/slow.png"),
        "up_expansion_ratio": 0.1, "down_expansion_ratio": 0.1,
        "left_expansion_ratio": 0.2, "right_expansion_ratio": 0.2,
        "n": 1, "external_task_id": "restart-1",
    });
    let (status, created) = post_json(&client(), &first.api(EXPAND), &body).await;
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["task_id"].as_str().unwrap().to_owned();

    let mut stream = Stream::open(&events_url(&first, &id), None, None)
        .await
        .unwrap();
    let mut last = stream.next().await.unwrap();
    while last.status() != "processing" {
        last = stream.next().await.expect("events up to processing");
    }
    // Stopped off the test's thread, so that the picture keeps coming meanwhile: a process
    // that held the stream through its grace would finish the task and send its end from
    // where its result links can no longer be fetched.
    let stopping = Instant::now();
    let (first, exit) = tokio::task::spawn_blocking(move || {
        let exit = first.terminate(Duration::from_secs(10));
        (first, exit)
    })
    .await
    .unwrap();
    eprintln!("stopped with a stream open in {:?}", stopping.elapsed());
    assert_eq!(exit, Some(0), "{}", first.output());
    let rest = stream.read_to_end(Duration::from_secs(10)).await;
    assert!(
        rest.iter().all(|e| e.status() != "succeed"),
        "the stream closed as the stop began, before the task ended: {rest:?}\n{}",
        first.output()
    );
    drop(first);

    let second = Proxy::start(&args, &[]);
    let events = Stream::open(&events_url(&second, &id), Some(last.id), None)
        .await
        .unwrap()
        .read_to_end(Duration::from_secs(20))
        .await;
    let end = events.last().expect("events on the new process");
    assert_eq!(end.status(), "succeed", "{events:?}");
    assert_eq!(
        fetched.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "the new process fetched the picture again: its engine took the task up"
    );
    let url = end.data["data"]["task_result"]["images"][0]["url"]
        .as_str()
        .unwrap();
    assert!(url.contains(&format!("/results/{id}/0.png")), "{url}");
    let link = match url.starts_with('/') {
        true => format!("{}{url}", second.url),
        false => url.to_owned(),
    };
    let picture = client().get(link).send().await.unwrap();
    assert_eq!(picture.status(), 200);
    drop(second);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn streams_are_capped_per_client_and_in_all() {
    let dir = temp_dir("live-caps");
    let proxy = Proxy::start(
        &[
            "--data-dir",
            dir.to_str().unwrap(),
            "--engine-submitted",
            "30s",
            "--max-streams-per-client",
            "2",
            "--max-streams",
            "3",
            "--trust-proxy",
            "127.0.0.1",
        ],
        &[],
    );
    let picture = base64(&png(400, 300));
    let mut ids = Vec::new();
    for (i, ip) in ["198.51.100.1", "198.51.100.2"].iter().enumerate() {
        let answer = client()
            .post(proxy.api(EXPAND))
            .header("x-forwarded-for", *ip)
            .json(&create_body(
                &picture,
                [0.1, 0.1, 0.2, 0.2],
                1,
                Some(&format!("cap-{i}")),
            ))
            .send()
            .await
            .unwrap();
        let body: Value = answer.json().await.unwrap();
        ids.push(body["data"]["task_id"].as_str().unwrap().to_owned());
    }
    let a = "198.51.100.1";
    let _one = Stream::open(&events_url(&proxy, &ids[0]), None, Some(a))
        .await
        .unwrap();
    let _two = Stream::open(&events_url(&proxy, &ids[0]), None, Some(a))
        .await
        .unwrap();
    let (status, body) = Stream::open(&events_url(&proxy, &ids[0]), None, Some(a))
        .await
        .err()
        .unwrap();
    assert_eq!(status, 429, "{body}");
    assert!(
        body.contains("1302") && body.contains("2 event streams"),
        "{body}"
    );
    let b = "198.51.100.2";
    let _three = Stream::open(&events_url(&proxy, &ids[1]), None, Some(b))
        .await
        .unwrap();
    let (status, body) = Stream::open(&events_url(&proxy, &ids[1]), None, Some(b))
        .await
        .err()
        .unwrap();
    assert_eq!(status, 503, "the proxy's own cap: {body}");
    // A closed stream gives its place back.
    drop(_one);
    let started = Instant::now();
    loop {
        match Stream::open(&events_url(&proxy, &ids[1]), None, Some(b)).await {
            Ok(_) => break,
            Err(e) => assert!(started.elapsed() < Duration::from_secs(20), "{e:?}"),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn without_streams_the_proxy_says_nothing_of_them_and_polls_nothing() {
    let fake = slow_fake(500, 1_000).await;
    let proxy = open_proxy("kling", &fake.base, &["--no-events"], &[]);
    let (id, headers) = create(&proxy, "plain-1", None).await;
    assert!(!headers.contains_key("x-kling-expand-events"));
    let answer = client().get(events_url(&proxy, &id)).send().await.unwrap();
    assert_eq!(answer.status().as_u16(), 404);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(
        upstream_queries(&fake, &id),
        0,
        "nobody asked, nothing was asked"
    );
}

const WEBHOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// POSTs a callback with the given signature headers (`None`: none).
async fn callback(proxy: &Proxy, body: &str, signed: Option<(&str, i64, String)>) -> (u16, String) {
    let mut request = client()
        .post(proxy.api("/callbacks"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some((id, at, signature)) = signed {
        request = request
            .header("webhook-id", id)
            .header("webhook-timestamp", at.to_string())
            .header("webhook-signature", signature);
    }
    let answer = request.send().await.unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn callbacks_are_set_by_the_proxy_and_believed_only_when_signed() {
    use kling_expand_proxy::api::callbacks::{key_of, sign};
    // The task would take a minute upstream: what ends it here is the callback.
    let fake = slow_fake(500, 60_000).await;
    let proxy = open_proxy(
        "kling",
        &fake.base,
        &[
            "--public-url",
            "https://proxy.example.com",
            "--allow-private-results",
        ],
        &[("KLING_WEBHOOK_SECRET", WEBHOOK_SECRET)],
    );
    let (id, _) = create(&proxy, "hook-1", None).await;
    let sent: Value = serde_json::from_slice(&fake.requests()[0].body).unwrap();
    assert_eq!(
        sent["callback_url"],
        "https://proxy.example.com/api/kling/callbacks"
    );

    let stream = Stream::open(&events_url(&proxy, &id), None, None)
        .await
        .unwrap();
    let watcher = tokio::spawn(stream.read_to_end(Duration::from_secs(30)));
    let done = json!({
        "task_id": id, "task_status": "succeed", "created_at": 1, "updated_at": 2,
        "task_result": {"images": [{"index": 0, "url": "https://cdn.example.com/a.png"}]},
    })
    .to_string();
    let key = key_of(WEBHOOK_SECRET);
    let now = kling_expand_proxy::wire::now_secs() as i64;
    let refused = [
        ("unsigned", callback(&proxy, &done, None).await),
        (
            "signed with another key",
            callback(
                &proxy,
                &done,
                Some(("m1", now, sign(b"not the key", "m1", now, done.as_bytes()))),
            )
            .await,
        ),
        (
            "signed for another body",
            callback(
                &proxy,
                &done,
                Some(("m1", now, sign(&key, "m1", now, b"{}"))),
            )
            .await,
        ),
        (
            "ten minutes old",
            callback(
                &proxy,
                &done,
                Some((
                    "m1",
                    now - 600,
                    sign(&key, "m1", now - 600, done.as_bytes()),
                )),
            )
            .await,
        ),
    ];
    for (what, (status, body)) in &refused {
        assert_eq!(*status, 401, "{what}: {body}");
        assert!(body.contains("The callback is refused"), "{what}: {body}");
    }
    // Nothing changed: the task is still running for its watcher.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(!watcher.is_finished(), "no end from a refused callback");
    let (status, body) = get_json(&client(), &proxy.api(&format!("{EXPAND}/{id}"))).await;
    assert_eq!(
        (status, body["data"]["task_status"].as_str()),
        (200, Some("processing")),
        "{body}"
    );

    let (status, body) = callback(
        &proxy,
        &done,
        Some(("m2", now, sign(&key, "m2", now, done.as_bytes()))),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let seen = watcher.await.unwrap();
    let last = seen.last().unwrap();
    assert_eq!(last.status(), "succeed", "{seen:?}");
    assert_eq!(
        last.data["data"]["task_result"]["images"][0]["url"],
        "https://cdn.example.com/a.png"
    );
    // A callback for a task this proxy did not make changes nothing either.
    let stranger = done.replace(&id, "999999");
    let (status, _) = callback(
        &proxy,
        &stranger,
        Some(("m3", now, sign(&key, "m3", now, stranger.as_bytes()))),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn two_instances_on_one_redis_share_what_either_saw_and_poll_once() {
    let redis = Redis::start();
    let fake = slow_fake(500, 3_000).await;
    let url = redis.url();
    let shared = ["--state", url.as_str(), "--allow-private-results"];
    let a = open_proxy("kling", &fake.base, &shared, &[]);
    let b = open_proxy("kling", &fake.base, &shared, &[]);
    let (id, _) = create(&a, "shared-1", None).await;
    // A follows the task first…
    let on_a = Stream::open(&events_url(&a, &id), None, None)
        .await
        .unwrap();
    let on_a = tokio::spawn(on_a.read_to_end(Duration::from_secs(20)));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let asked_by_a = upstream_queries(&fake, &id);
    assert!(asked_by_a >= 1, "A polls");
    // … and B's watcher, by the caller's external id, gets what A sees.
    let on_b = Stream::open(&events_url(&b, "shared-1"), None, None)
        .await
        .unwrap();
    let seen_b = on_b.read_to_end(Duration::from_secs(20)).await;
    let seen_a = on_a.await.unwrap();
    assert_eq!(seen_b.last().unwrap().status(), "succeed", "{seen_b:?}");
    assert_eq!(seen_a.last().unwrap().status(), "succeed", "{seen_a:?}");
    assert_eq!(
        seen_b.last().unwrap().id,
        seen_a.last().unwrap().id,
        "one numbering of the task's changes"
    );
    let queries = upstream_queries(&fake, &id);
    eprintln!("two instances, one task of 3.5 s: {queries} upstream queries");
    assert!(queries <= 6, "{queries}: one poller, not one per instance");
}
