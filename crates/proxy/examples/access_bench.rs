//! A constant-rate load on one or more URLs (crates/proxy/BENCHMARKS.md, section 4b):
//! `connections` keep-alive connections, each sending one `GET` every `connections / rate`
//! seconds on a fixed schedule whatever the answers' speed, for `seconds`. Unlike wrk, which
//! sends as fast as the answers come back and so measures a saturated machine's queue, this
//! holds the load below saturation, so that the latency percentiles show what each request
//! costs. Latency is counted from the moment a request was due (a late send counts against the
//! server, as in wrk2). Each connection is opened by one request that is not counted, so the
//! figures hold no connection set-up.
//!
//! With several URLs (`label=URL`), they are measured interleaved: `rounds` rounds, each one
//! run of `seconds` per URL, the order rotated by one every round (ABCD, BCDA, CDAB, …), so that
//! a change of the machine's background load falls on every URL alike instead of on whichever
//! ran at the time. Each run prints a line; then, per URL, the median over rounds of p50 and
//! p99, and for each `--diff A:B` the median over rounds of A's p99 minus B's in the same round.
//!
//! ```text
//! target/release/examples/access_bench [--rate 2000] [--connections 200] [--seconds 15]
//!     [--rounds 1] [--token T] [--diff A:B]... [label=]URL...
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

struct Options {
    rate: u64,
    connections: u64,
    seconds: u64,
    rounds: usize,
    token: Option<String>,
    diffs: Vec<(String, String)>,
    targets: Vec<(String, String)>,
}

const USAGE: &str = "usage: access_bench [--rate 2000] [--connections 200] [--seconds 15] \
[--rounds 1] [--token T] [--diff A:B]... [label=]URL...";

fn options() -> Options {
    let mut options = Options {
        rate: 2000,
        connections: 200,
        seconds: 15,
        rounds: 1,
        token: None,
        diffs: Vec::new(),
        targets: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect(USAGE);
        match arg.as_str() {
            "--rate" => options.rate = value().parse::<u64>().expect(USAGE).max(1),
            "--connections" => options.connections = value().parse::<u64>().expect(USAGE).max(1),
            "--seconds" => options.seconds = value().parse().expect(USAGE),
            "--rounds" => options.rounds = value().parse::<usize>().expect(USAGE).max(1),
            "--token" => options.token = Some(value()),
            "--diff" => {
                let pair = value();
                let (a, b) = pair.split_once(':').expect(USAGE);
                options.diffs.push((a.to_owned(), b.to_owned()));
            }
            _ => {
                let (label, url) = match arg.split_once('=') {
                    Some((label, url)) if !label.contains('/') => {
                        (label.to_owned(), url.to_owned())
                    }
                    _ => (arg.clone(), arg.clone()),
                };
                options.targets.push((label, url));
            }
        }
    }
    assert!(!options.targets.is_empty(), "{USAGE}");
    for (a, b) in &options.diffs {
        for label in [a, b] {
            assert!(
                options.targets.iter().any(|(l, _)| l == label),
                "--diff names {label}, which no URL is labelled"
            );
        }
    }
    options
}

/// What one run measured.
#[derive(Clone)]
struct Run {
    requests: usize,
    errors: u64,
    p50: f64,
    p90: f64,
    p99: f64,
    p999: f64,
    max: f64,
}

impl Run {
    fn line(&self) -> String {
        format!(
            "requests={} errors={} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} p999_ms={:.2} max_ms={:.2}",
            self.requests, self.errors, self.p50, self.p90, self.p99, self.p999, self.max
        )
    }
}

fn client() -> reqwest::Client {
    // One client per connection: its pool keeps exactly one keep-alive connection.
    reqwest::Client::builder()
        .http1_only()
        .pool_max_idle_per_host(1)
        .build()
        .expect("client")
}

async fn get(client: &reqwest::Client, url: &str, token: Option<&str>) -> Result<(), String> {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    match request.send().await {
        Ok(answer) => {
            let status = answer.status();
            let read = answer.bytes().await.is_ok();
            if !status.is_success() {
                Err(format!("answer {status}"))
            } else if !read {
                Err("body not read".to_owned())
            } else {
                Ok(())
            }
        }
        Err(error) => Err(format!("error {error:?}")),
    }
}

/// One run of the constant-rate load on `url`.
async fn run(options: &Options, url: &str) -> Run {
    let token = options.token.clone().map(Arc::<str>::from);
    let url = Arc::<str>::from(url);
    // Every connection opened first, by one request that is not counted.
    let mut warming = Vec::new();
    for _ in 0..options.connections {
        let (url, token) = (url.clone(), token.clone());
        warming.push(tokio::spawn(async move {
            let client = client();
            if let Err(error) = get(&client, &url, token.as_deref()).await {
                eprintln!("warm-up: {error}");
            }
            client
        }));
    }
    let mut clients = Vec::new();
    for warm in warming {
        clients.push(warm.await.expect("warm-up"));
    }
    let period = Duration::from_secs_f64(options.connections as f64 / options.rate as f64);
    let start = Instant::now() + Duration::from_millis(100);
    let end = start + Duration::from_secs(options.seconds);
    let mut workers = Vec::new();
    for (c, client) in clients.into_iter().enumerate() {
        let (url, token) = (url.clone(), token.clone());
        // Connections start spread over one period, so the load is even.
        let first = start + period.mul_f64(c as f64 / options.connections as f64);
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            let mut failed = 0u64;
            let mut due = first;
            while due < end {
                tokio::time::sleep_until(due.into()).await;
                match get(&client, &url, token.as_deref()).await {
                    Ok(()) => mine.push(due.elapsed().as_micros() as u64),
                    Err(error) => {
                        if failed == 0 {
                            eprintln!("{error}");
                        }
                        failed += 1;
                    }
                }
                due += period;
            }
            (mine, failed)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (mine, failed) = worker.await.expect("worker");
        all.extend(mine);
        errors += failed;
    }
    all.sort_unstable();
    let at = |q: f64| -> f64 {
        if all.is_empty() {
            return f64::NAN;
        }
        all[((all.len() as f64 * q) as usize).min(all.len() - 1)] as f64 / 1000.0
    };
    Run {
        requests: all.len(),
        errors,
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        p999: at(0.999),
        max: at(1.0),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn list(values: &[f64]) -> String {
    let texts: Vec<String> = values.iter().map(|v| format!("{v:.2}")).collect();
    texts.join(" ")
}

fn main() {
    let options = options();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let n = options.targets.len();
    // runs[round][target]
    let mut runs: Vec<Vec<Option<Run>>> = vec![vec![None; n]; options.rounds];
    runtime.block_on(async {
        for (round, runs) in runs.iter_mut().enumerate() {
            for step in 0..n {
                let t = (round + step) % n;
                let (label, url) = &options.targets[t];
                let measured = run(&options, url).await;
                if n == 1 && options.rounds == 1 {
                    println!("{}", measured.line());
                } else {
                    println!("round={} {label} {}", round + 1, measured.line());
                }
                runs[t] = Some(measured);
            }
        }
    });
    if n == 1 && options.rounds == 1 {
        return;
    }
    let runs: Vec<Vec<Run>> = runs
        .into_iter()
        .map(|round| round.into_iter().map(Option::unwrap).collect())
        .collect();
    let index = |label: &str| {
        options
            .targets
            .iter()
            .position(|(l, _)| l == label)
            .unwrap()
    };
    println!("-- medians over {} rounds", options.rounds);
    for (t, (label, _)) in options.targets.iter().enumerate() {
        let requests: usize = runs.iter().map(|r| r[t].requests).sum();
        let errors: u64 = runs.iter().map(|r| r[t].errors).sum();
        let p50 = median(runs.iter().map(|r| r[t].p50).collect());
        let p99 = median(runs.iter().map(|r| r[t].p99).collect());
        println!("{label} requests={requests} errors={errors} p50_ms={p50:.2} p99_ms={p99:.2}");
    }
    for (a, b) in &options.diffs {
        let (ia, ib) = (index(a), index(b));
        let p50: Vec<f64> = runs.iter().map(|r| r[ia].p50 - r[ib].p50).collect();
        let p99: Vec<f64> = runs.iter().map(|r| r[ia].p99 - r[ib].p99).collect();
        println!(
            "{a} - {b}: median p50_ms={:+.2} p99_ms={:+.2} (p99 per round: {})",
            median(p50.clone()),
            median(p99.clone()),
            list(&p99)
        );
    }
}
