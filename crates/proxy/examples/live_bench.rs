//! The live-status benchmark (crates/proxy/BENCHMARKS.md, section "Live status"): one proxy in
//! front of the fake provider, first N running tasks each followed on its event stream, then N
//! more each polled the way the widget polls without streams (the core's default schedule:
//! 1 s, ×1.5, 10 s cap), in the same run. For each: the proxy's memory (VmRSS while the tasks
//! run, and its peak), upstream queries per second, and the lag from the upstream's "succeed"
//! (its `updated_at`, on the same machine's clock) to the client seeing it (p50, p99).
//!
//! ```text
//! cargo build --release -p kling-expand-proxy --bins --examples
//! target/release/examples/live_bench [tasks, default 1000] [task seconds, default 20]
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_upstream::{Expect, FakeUpstream, Options};
use kling_expand_core::dialect::Dialect;
use kling_expand_core::poll::{PollConfig, PollSchedule};
use serde_json::{json, Value};

const EXPAND: &str = "/api/kling/v1/images/editing/expand";

fn now_ms() -> i64 {
    kling_expand_proxy::wire::now_ms()
}

fn arg(index: usize, default: u64) -> u64 {
    std::env::args()
        .nth(index)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

struct Proxy {
    child: Child,
    url: String,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_proxy(upstream: &str, dir: &std::path::Path) -> Proxy {
    let binary = std::env::var("KLING_EXPAND_PROXY_BIN")
        .unwrap_or_else(|_| "target/release/kling-expand-proxy".into());
    let mut child = Command::new(binary)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--provider",
            "kling",
            "--upstream",
            upstream,
        ])
        .args(["--auth", "none", "--data-dir", dir.to_str().unwrap()])
        .args([
            "--rate-limit",
            "0",
            "--creates-per-period",
            "0",
            "--images-per-period",
            "0",
        ])
        .args(["--max-in-flight", "0", "--daily-budget", "0"])
        .args([
            "--max-connections",
            "10000",
            "--max-connections-per-client",
            "10000",
        ])
        .args([
            "--max-streams",
            "10000",
            "--max-streams-per-client",
            "10000",
        ])
        .env_clear()
        .env("KLING_API_KEY", "bench-key")
        .env("KLING_PROXY_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("target/release/kling-expand-proxy is built");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("kling-expand-proxy listening on ")
        .expect("the proxy's first line")
        .to_owned();
    Proxy { child, url }
}

/// (VmRSS, VmHWM) of a process, in MB.
fn memory_mb(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

async fn create(client: &reqwest::Client, proxy: &str, i: usize) -> String {
    let body = json!({
        "image": "https://example.com/dog.png",
        "up_expansion_ratio": 0.1, "down_expansion_ratio": 0.1,
        "left_expansion_ratio": 0.2, "right_expansion_ratio": 0.2,
        "n": 1, "external_task_id": format!("bench-{i}-{}", now_ms()),
    });
    loop {
        if let Ok(answer) = client
            .post(format!("{proxy}{EXPAND}"))
            .json(&body)
            .send()
            .await
        {
            if let Ok(created) = answer.json::<Value>().await {
                if let Some(id) = created["data"]["task_id"].as_str() {
                    return id.to_owned();
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Follows one task on its stream; the lag from its end to the event, in ms.
async fn stream(
    client: &reqwest::Client,
    proxy: &str,
    id: &str,
    open: &AtomicUsize,
) -> Option<i64> {
    let mut last = String::new();
    loop {
        let mut request = client.get(format!("{proxy}{EXPAND}/{id}/events"));
        if !last.is_empty() {
            request = request.header("last-event-id", &last);
        }
        let Ok(mut response) = request.send().await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        if response.status() != 200 {
            return None;
        }
        open.fetch_add(1, Ordering::Relaxed);
        let mut buffer = String::new();
        let mut ended = None;
        'read: while let Ok(Some(chunk)) = response.chunk().await {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        last = v.trim().to_owned();
                    }
                    if let Some(data) = line.strip_prefix("data:") {
                        let data: Value = serde_json::from_str(data.trim()).unwrap_or_default();
                        if data["data"]["task_status"] == "succeed" {
                            ended =
                                Some(now_ms() - data["data"]["updated_at"].as_i64().unwrap_or(0));
                            break 'read;
                        }
                    }
                }
            }
        }
        open.fetch_sub(1, Ordering::Relaxed);
        if ended.is_some() {
            return ended;
        }
    }
}

/// Polls one task like the widget without streams; the lag from its end to the poll that saw it.
async fn poll(client: &reqwest::Client, proxy: &str, id: &str, seed: u64) -> Option<i64> {
    let mut schedule = PollSchedule::new(PollConfig::default(), seed);
    while let Some(delay) = schedule.next_delay(None) {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let Ok(answer) = client.get(format!("{proxy}{EXPAND}/{id}")).send().await else {
            continue;
        };
        let Ok(body) = answer.json::<Value>().await else {
            continue;
        };
        if body["data"]["task_status"] == "succeed" {
            return Some(now_ms() - body["data"]["updated_at"].as_i64().unwrap_or(0));
        }
    }
    None
}

fn percentile(sorted: &[i64], p: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

struct Figures {
    lags: Vec<i64>,
    seconds: f64,
    upstream_queries: usize,
    rss_mb: f64,
    peak_open: usize,
}

async fn run(streams: bool, tasks: usize, fake: &FakeUpstream, proxy: &Proxy) -> Figures {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(tasks + 16)
        .timeout(Duration::from_secs(15 * 60))
        .build()
        .unwrap();
    let queries_before = gets(fake);
    let open = Arc::new(AtomicUsize::new(0));
    let creating = Arc::new(tokio::sync::Semaphore::new(32));
    let lags = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut handles = Vec::new();
    for i in 0..tasks {
        let (client, url, open, creating, lags) = (
            client.clone(),
            proxy.url.clone(),
            open.clone(),
            creating.clone(),
            lags.clone(),
        );
        handles.push(tokio::spawn(async move {
            let id = {
                let _turn = creating.acquire().await.unwrap();
                create(&client, &url, i).await
            };
            let lag = if streams {
                stream(&client, &url, &id, &open).await
            } else {
                poll(&client, &url, &id, i as u64).await
            };
            if let Some(lag) = lag {
                lags.lock().unwrap().push(lag);
            }
        }));
    }
    // Memory and open streams while the tasks run.
    let pid = proxy.child.id();
    let mut rss_mb: f64 = 0.0;
    let mut peak_open = 0;
    while !handles.iter().all(|h| h.is_finished()) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        rss_mb = rss_mb.max(memory_mb(pid).0);
        peak_open = peak_open.max(open.load(Ordering::Relaxed));
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut lags = lags.lock().unwrap().clone();
    lags.sort_unstable();
    Figures {
        lags,
        seconds,
        upstream_queries: gets(fake) - queries_before,
        rss_mb,
        peak_open,
    }
}

/// Queries (GETs) that reached the fake provider so far.
fn gets(fake: &FakeUpstream) -> usize {
    fake.requests().iter().filter(|r| r.method == "GET").count()
}

fn report(what: &str, tasks: usize, f: &Figures) {
    println!(
        "| {what} | {}/{tasks} | {:.0} MB | {} | {:.0} | {:.1} | {} ms | {} ms | {} ms |",
        f.lags.len(),
        f.rss_mb,
        f.peak_open,
        f.upstream_queries,
        f.upstream_queries as f64 / f.seconds,
        percentile(&f.lags, 0.5),
        percentile(&f.lags, 0.99),
        f.lags.last().copied().unwrap_or(0),
    );
}

#[tokio::main]
async fn main() {
    let tasks = arg(1, 1000) as usize;
    let task_secs = arg(2, 20).max(2);
    let fake = FakeUpstream::start(
        Options::new(Dialect::Kling, Expect::ApiKey("bench-key".into()))
            .clock(Duration::from_secs(1), Duration::from_secs(task_secs - 1)),
    )
    .await;
    let dir = std::env::temp_dir().join(format!("kling-expand-live-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let proxy = start_proxy(&fake.base, &dir);
    let (idle, _) = memory_mb(proxy.child.id());
    println!("{tasks} tasks of {task_secs} s each; proxy idle RSS {idle:.1} MB");
    let streamed = run(true, tasks, &fake, &proxy).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let polled = run(false, tasks, &fake, &proxy).await;
    let (_, peak) = memory_mb(proxy.child.id());
    println!("| how tasks are followed | seen | proxy RSS (max while running) | streams open at once | upstream queries | per second | lag p50 | lag p99 | lag max |");
    println!("|---|---|---|---|---|---|---|---|---|");
    report(
        "event streams (one poller per task in the proxy)",
        tasks,
        &streamed,
    );
    report("widget polling (1 s ×1.5, 10 s cap)", tasks, &polled);
    println!("proxy peak RSS over the run (VmHWM): {peak:.0} MB");
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}
