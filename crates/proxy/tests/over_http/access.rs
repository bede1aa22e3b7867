//! Who may spend the credits: access tokens, spending limits, private tasks, client addresses
//! behind reverse proxies, and state kept in the embedded store or a real `redis-server`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kling_expand_core::dialect::{Dialect, ErrorCategory, Refusal};
use serde_json::Value;

use crate::common::*;
use crate::fakes::{self, Expect, FakeUpstream};
use crate::forwarding::{request, API_KEY};

const SECRET: &str = "a-secret-of-at-least-32-bytes-for-tests";
const OLD_SECRET: &str = "the-previous-secret-still-accepted-00";
const CREATE: &str = "/v1/images/editing/expand";

fn env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("KLING_API_KEY", API_KEY),
        ("KLING_EXPAND_TOKEN_SECRET", SECRET),
        ("KLING_EXPAND_TOKEN_SECRET_PREVIOUS", OLD_SECRET),
    ]
}

/// A proxy with tokens (the default for a remote provider) in front of `fake`.
fn token_proxy(fake: &FakeUpstream, dir: &std::path::Path, extra: &[&str]) -> Proxy {
    let mut args = vec![
        "--provider",
        "kling",
        "--upstream",
        &fake.base,
        "--data-dir",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Proxy::start(&args, &env())
}

/// A token signed here with any claims (for the ones the subcommand does not make).
fn sign(claims: Value, secret: &str) -> String {
    use base64::Engine;
    use hmac::Mac;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

async fn create_as(
    client: &reqwest::Client,
    proxy: &Proxy,
    token: Option<&str>,
    external: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut call = client
        .post(proxy.api(CREATE))
        .json(&wire_body(Dialect::Kling, &request(Some(external))));
    if let Some(token) = token {
        call = call.bearer_auth(token);
    }
    let answer = call.send().await.unwrap();
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    (status, headers, answer.json().await.unwrap())
}

async fn get_as(client: &reqwest::Client, url: &str, token: &str) -> (u16, Value) {
    let answer = client.get(url).bearer_auth(token).send().await.unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

#[tokio::test]
async fn every_bad_token_is_a_401_that_says_which_and_nothing_is_forwarded() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let dir = temp_dir("tokens");
    let proxy = token_proxy(&fake, &dir, &[]);
    let client = client();
    let now = kling_expand_proxy::wire::now_secs();
    let good = json_claims("alice", now + 600);
    let mut other_service = good.clone();
    other_service["aud"] = "another-service".into();
    let mut bound = good.clone();
    bound["origin"] = "https://shop.example".into();
    let cases = [
        (None, Refusal::TokenMissing, "needs an access token"),
        (
            Some(sign(json_claims("alice", now - 600), SECRET)),
            Refusal::TokenExpired,
            "expired",
        ),
        (
            Some(sign(good.clone(), "a-forged-secret-of-at-least-32-bytes")),
            Refusal::TokenInvalid,
            "signature",
        ),
        (
            Some(sign(other_service, SECRET)),
            Refusal::TokenAudience,
            "another service",
        ),
        (
            Some(sign(bound, SECRET)),
            Refusal::TokenOrigin,
            "https://shop.example",
        ),
    ];
    for (token, refusal, needle) in cases {
        let (status, _, body) = create_as(&client, &proxy, token.as_deref(), "t-1").await;
        assert_eq!(status, 401, "{refusal:?}: {body}");
        assert_eq!(body["error"], refusal.word(), "{body}");
        assert!(
            body["message"].as_str().unwrap().contains(needle),
            "{refusal:?}: {body}"
        );
        let error = Dialect::Kling
            .parse_create(status, &body.to_string(), None)
            .unwrap_err();
        assert_eq!(
            error.category,
            ErrorCategory::SignIn,
            "not a configuration problem"
        );
    }
    assert_eq!(fake.request_count(), 0, "nothing reached the provider");

    // A good token, signed with the current or the previous secret, goes through.
    for secret in [SECRET, OLD_SECRET] {
        let token = sign(good.clone(), secret);
        let (status, _, body) = create_as(
            &client,
            &proxy,
            Some(&token),
            &format!("ok-{}", secret.len()),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(fake.task_count(), 2);
    let output = proxy.stop();
    assert!(!output.contains(SECRET) && !output.contains(OLD_SECRET));
    let _ = std::fs::remove_dir_all(dir);
}

/// A stream lasts no longer than the token it was opened with is accepted: it ends before the
/// task does, the same token cannot open another, and a renewed one can.
#[tokio::test]
async fn an_event_stream_lasts_no_longer_than_its_token() {
    let fake = FakeUpstream::start(
        fakes::Options::new(Dialect::Kling, Expect::ApiKey(API_KEY.into()))
            .clock(Duration::from_secs(120), Duration::from_secs(60)),
    )
    .await;
    let dir = temp_dir("stream-token");
    let proxy = token_proxy(&fake, &dir, &[]);
    let client = client();
    let short = mint(&["--sub", "alice", "--ttl", "1s"], SECRET);
    let (status, _, created) = create_as(&client, &proxy, Some(&short), "stream-1").await;
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["task_id"].as_str().unwrap();
    let events = proxy.api(&format!("{CREATE}/{id}/events"));

    let started = Instant::now();
    let stream = client
        .get(&events)
        .bearer_auth(&short)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let body = tokio::time::timeout(Duration::from_secs(30), stream.text())
        .await
        .expect("the stream ends with its token")
        .unwrap();
    eprintln!(
        "a stream opened with a token of 1 s ended after {:?}",
        started.elapsed()
    );
    assert!(body.contains(r#""task_status":"submitted""#), "{body}");

    let (status, refused) = get_as(&client, &events, &short).await;
    assert_eq!(status, 401, "{refused}");
    assert_eq!(
        Refusal::in_body(&refused.to_string()),
        Some(Refusal::TokenExpired)
    );
    let renewed = mint(&["--sub", "alice", "--ttl", "10m"], SECRET);
    let mut again = client
        .get(&events)
        .bearer_auth(&renewed)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let first = tokio::time::timeout(Duration::from_secs(10), again.chunk())
        .await
        .expect("an event")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&first).contains("submitted"));
    drop(again);
    let _ = std::fs::remove_dir_all(dir);
}

fn json_claims(sub: &str, exp: u64) -> Value {
    serde_json::json!({"sub": sub, "exp": exp, "iat": exp - 600, "aud": "kling-expand"})
}

#[test]
fn a_remote_provider_refuses_to_start_without_a_token_secret() {
    let (code, _, err) = run_to_exit(
        &["--provider", "kling", "--upstream", "http://127.0.0.1:9"],
        &[("KLING_API_KEY", API_KEY)],
    );
    assert_eq!(code, 2);
    assert!(err.contains("KLING_EXPAND_TOKEN_SECRET"), "{err}");
    assert!(err.contains("--auth none"), "{err}");
}

#[tokio::test]
async fn quotas_answer_429_with_a_sentence_and_the_tokens_own_creates() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let dir = temp_dir("quotas");
    let proxy = token_proxy(
        &fake,
        &dir,
        &["--creates-per-period", "3", "--max-in-flight", "0"],
    );
    let client = client();
    let alice = mint(&["--sub", "alice", "--ttl", "10m"], SECRET);
    for i in 0..3 {
        let (status, _, body) = create_as(&client, &proxy, Some(&alice), &format!("q-{i}")).await;
        assert_eq!(status, 200, "{body}");
    }
    let before = fake.request_count();
    let (status, headers, body) = create_as(&client, &proxy, Some(&alice), "q-3").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "quota_creates");
    assert_eq!(
        body["message"],
        "You have used today's 3 expansions; more from 00:00 UTC"
    );
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=86_400).contains(&wait), "{wait}");
    let error = Dialect::Kling
        .parse_create(status, &body.to_string(), None)
        .unwrap_err();
    assert_eq!(
        error.explanation().to_string(),
        "You have used today's 3 expansions; more from 00:00 UTC",
        "the widget shows the sentence as it is"
    );
    assert_eq!(fake.request_count(), before, "nothing forwarded");

    // Another user has their own count; a token with `creates` 1 allows one.
    let bob = mint(&["--sub", "bob", "--ttl", "10m", "--creates", "1"], SECRET);
    let (status, _, body) = create_as(&client, &proxy, Some(&bob), "b-1").await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = create_as(&client, &proxy, Some(&bob), "b-2").await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "quota_creates");
    assert!(
        body["message"].as_str().unwrap().contains("sign in again"),
        "{body}"
    );
    drop(proxy);

    // Tasks in flight, pictures per period (weighted by n), --max-n, and the daily budget.
    let dir = temp_dir("quotas-2");
    let proxy = token_proxy(
        &fake,
        &dir,
        &[
            "--images-per-period",
            "5",
            "--max-n",
            "2",
            "--max-in-flight",
            "1",
        ],
    );
    let carol = mint(&["--sub", "carol", "--ttl", "10m"], SECRET);
    let (status, _, body) = create_as(&client, &proxy, Some(&carol), "c-1").await;
    assert_eq!(status, 200, "{body}");
    let (status, headers, body) = create_as(&client, &proxy, Some(&carol), "c-2").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("quota_in_flight")),
        "{body}"
    );
    assert!(headers.contains_key("retry-after"));
    // The first task ends once the caller sees it end; then the next may start.
    assert_eq!(
        body_task(&client, &proxy, &carol, "c-1").await["task_status"],
        "succeed"
    );
    let (status, _, body) = create_as(&client, &proxy, Some(&carol), "c-2").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body_task(&client, &proxy, &carol, "c-2").await["task_status"],
        "succeed"
    );
    let (status, _, body) = create_as(&client, &proxy, Some(&carol), "c-3").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("quota_images")),
        "{body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("only 1 of today's 5"),
        "{body}"
    );
    let mut four = wire_body(Dialect::Kling, &request(Some("c-3")));
    four["n"] = 4.into();
    let answer = client
        .post(proxy.api(CREATE))
        .bearer_auth(&carol)
        .json(&four)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await.unwrap().contains("at most 2 pictures"));
    drop(proxy);

    let dir = temp_dir("budget");
    let proxy = token_proxy(&fake, &dir, &["--daily-budget", "3"]);
    let dave = mint(&["--sub", "dave", "--ttl", "10m"], SECRET);
    let erin = mint(&["--sub", "erin", "--ttl", "10m"], SECRET);
    let (status, _, _) = create_as(&client, &proxy, Some(&dave), "d-1").await;
    assert_eq!(status, 200);
    let (status, _, body) = create_as(&client, &proxy, Some(&erin), "e-1").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("quota_budget")),
        "{body}"
    );
}

/// Polls the caller's task until it ends; its `data`.
async fn body_task(client: &reqwest::Client, proxy: &Proxy, token: &str, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, body) = get_as(client, &proxy.api(&format!("{CREATE}/{id}")), token).await;
        assert_eq!(status, 200, "{body}");
        let status = body["data"]["task_status"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        if status == "succeed" || status == "failed" || started.elapsed() > Duration::from_secs(20)
        {
            return body["data"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn one_user_cannot_see_anothers_tasks_and_the_list_is_their_own() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let dir = temp_dir("private");
    let proxy = token_proxy(&fake, &dir, &[]);
    let client = client();
    let alice = mint(&["--sub", "alice", "--ttl", "10m"], SECRET);
    let bob = mint(&["--sub", "bob", "--ttl", "10m"], SECRET);
    let (_, _, created) = create_as(&client, &proxy, Some(&alice), "shared-name").await;
    let task_id = created["data"]["task_id"].as_str().unwrap().to_owned();

    let (unknown_status, unknown) =
        get_as(&client, &proxy.api(&format!("{CREATE}/no-such-task")), &bob).await;
    for id in [task_id.as_str(), "shared-name"] {
        let before = fake.request_count();
        let (status, body) = get_as(&client, &proxy.api(&format!("{CREATE}/{id}")), &bob).await;
        assert_eq!(status, unknown_status);
        assert_eq!(body["code"], unknown["code"]);
        assert_eq!(
            body["message"], unknown["message"],
            "exactly like an unknown task"
        );
        assert_eq!(fake.request_count(), before, "the provider is not asked");
    }
    // Bob may use the same external id: his own task, no collision at the provider.
    let (status, _, body) = create_as(&client, &proxy, Some(&bob), "shared-name").await;
    assert_eq!(status, 200, "{body}");
    assert_ne!(body["data"]["task_id"], task_id.as_str());
    assert_eq!(fake.task_count(), 2);

    // The list: off by default, then each caller's own.
    let list = proxy.api(&format!("{CREATE}?pageNum=1&pageSize=30"));
    let (status, _) = get_as(&client, &list, &alice).await;
    assert_eq!(status, 404);
    drop(proxy);
    let proxy = token_proxy(&fake, &dir, &["--enable-list"]);
    let list = proxy.api(&format!("{CREATE}?pageNum=1&pageSize=30"));
    let before = fake.request_count();
    for (token, expected) in [
        (&alice, &task_id),
        (&bob, &body["data"]["task_id"].as_str().unwrap().to_owned()),
    ] {
        let (status, listed) = get_as(&client, &list, token).await;
        assert_eq!(status, 200, "{listed}");
        let items = listed["data"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{listed}");
        assert_eq!(items[0]["task_id"], expected.as_str());
        assert_eq!(items[0]["task_info"]["external_task_id"], "shared-name");
    }
    assert_eq!(fake.request_count(), before, "from the proxy's records");

    // A client callback_url is refused before anything is sent.
    let mut body = wire_body(Dialect::Kling, &request(Some("cb-1")));
    body["callback_url"] = "http://127.0.0.1:1/hook".into();
    let answer = client
        .post(proxy.api(CREATE))
        .bearer_auth(&alice)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    assert!(answer.text().await.unwrap().contains("callback_url"));
    assert_eq!(fake.request_count(), before);
}

#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let client = client();
    for (trust, expect_shared) in [(None, true), (Some("127.0.0.1/32"), false)] {
        let dir = temp_dir("trust");
        let mut args = vec![
            "--provider",
            "kling",
            "--upstream",
            &fake.base,
            "--auth",
            "none",
            "--creates-per-period",
            "1",
            "--data-dir",
            dir.to_str().unwrap(),
        ];
        if let Some(block) = trust {
            args.extend(["--trust-proxy", block]);
        }
        let proxy = Proxy::start(&args, &env());
        let mut statuses = Vec::new();
        for (i, client_ip) in ["198.51.100.1", "198.51.100.2"].iter().enumerate() {
            let answer = client
                .post(proxy.api(CREATE))
                .header("x-forwarded-for", format!("6.6.6.6, {client_ip}"))
                .json(&wire_body(
                    Dialect::Kling,
                    &request(Some(&format!("fw-{i}-{}", trust.is_some()))),
                ))
                .send()
                .await
                .unwrap();
            statuses.push(answer.status().as_u16());
        }
        if expect_shared {
            assert_eq!(
                statuses,
                [200, 429],
                "an untrusted peer's header is ignored"
            );
        } else {
            assert_eq!(statuses, [200, 200], "two clients behind a trusted proxy");
        }
    }
}

/// A `redis-server` on a free loopback port, stopped when dropped.
pub struct Redis {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Redis {
    /// Keeps its data in `dir` (append-only, synced on every write), so a restart finds it.
    fn start_on(port: u16, dir: std::path::PathBuf) -> Redis {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                dir.to_str().unwrap(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server is installed (scripts/setup.sh)");
        let redis = Redis { child, port, dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        redis
    }

    pub fn start() -> Redis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Redis::start_on(port, temp_dir("redis"))
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Stops the server; its port and data directory, to start it again.
    fn stop(mut self) -> (u16, std::path::PathBuf) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        (self.port, self.dir.clone())
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn two_instances_on_one_redis_enforce_one_quota_and_fail_closed_without_it() {
    let redis = Redis::start();
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let (dir_a, dir_b) = (temp_dir("redis-a"), temp_dir("redis-b"));
    let url = redis.url();
    let shared = ["--state", url.as_str(), "--creates-per-period", "4"];
    let a = token_proxy(&fake, &dir_a, &shared);
    let b = token_proxy(&fake, &dir_b, &shared);
    let client = client();
    let alice = mint(&["--sub", "alice", "--ttl", "10m"], SECRET);
    let mut statuses = Vec::new();
    for i in 0..5 {
        let proxy = if i % 2 == 0 { &a } else { &b };
        let (status, _, _) = create_as(&client, proxy, Some(&alice), &format!("r-{i}")).await;
        statuses.push(status);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429], "one quota across both");
    assert_eq!(fake.task_count(), 4);
    // Either instance answers any of the user's tasks.
    let (status, body) = get_as(&client, &b.api(&format!("{CREATE}/r-0")), &alice).await;
    assert_eq!(status, 200, "{body}");

    // Redis stops: creates fail closed, nothing is forwarded.
    let (port, data) = redis.stop();
    let bob = mint(&["--sub", "bob", "--ttl", "10m"], SECRET);
    let before = fake.request_count();
    let (status, headers, body) = create_as(&client, &a, Some(&bob), "down-1").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "store_unavailable");
    assert!(headers.contains_key("retry-after"));
    let (status, _) = get_as(&client, &a.api(&format!("{CREATE}/r-0")), &alice).await;
    assert_eq!(status, 503);
    assert_eq!(
        fake.request_count(),
        before,
        "nothing forwarded while the store is away"
    );

    // Back: the known task is answered again, and creates work.
    let _redis = Redis::start_on(port, data);
    let started = Instant::now();
    loop {
        let (status, body) = get_as(&client, &a.api(&format!("{CREATE}/r-0")), &alice).await;
        if status == 200 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "{body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, _, body) = create_as(&client, &a, Some(&bob), "up-1").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = get_as(&client, &b.api(&format!("{CREATE}/up-1")), &bob).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_embedded_store_survives_a_restart() {
    let fake = fakes::start(Dialect::Kling, Expect::ApiKey(API_KEY.into())).await;
    let dir = temp_dir("embedded");
    let client = client();
    let alice = mint(&["--sub", "alice", "--ttl", "10m"], SECRET);
    let proxy = token_proxy(&fake, &dir, &["--creates-per-period", "1"]);
    let (status, _, _) = create_as(&client, &proxy, Some(&alice), "kept-1").await;
    assert_eq!(status, 200);
    drop(proxy);
    let proxy = token_proxy(&fake, &dir, &["--creates-per-period", "1"]);
    let (status, _, body) = create_as(&client, &proxy, Some(&alice), "kept-2").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("quota_creates")),
        "{body}"
    );
    let (status, body) = get_as(&client, &proxy.api(&format!("{CREATE}/kept-1")), &alice).await;
    assert_eq!(status, 200, "still Alice's: {body}");
    let _ = std::fs::remove_dir_all(dir);
}
