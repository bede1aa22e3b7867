//! A constant-rate load on one URL (crates/proxy/BENCHMARKS.md, section 4b): `connections`
//! keep-alive connections, each sending one `GET` every `connections / rate` seconds on a fixed
//! schedule whatever the answers' speed, for `seconds`. Unlike wrk, which sends as fast as the
//! answers come back and so measures a saturated machine's queue, this holds the load below
//! saturation, so that the latency percentiles show what each request costs. Latency is counted
//! from the moment a request was due (a late send counts against the server, as in wrk2).
//!
//! ```text
//! target/release/examples/access_bench URL [rate/s, 2000] [connections, 200] [seconds, 15] [bearer token]
//! ```
//! Prints one line: `requests=… errors=… p50_ms=… p90_ms=… p99_ms=… p999_ms=… max_ms=…`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .expect("usage: access_bench URL [rate] [connections] [seconds] [token]")
        .clone();
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let rate = number(2, 2000).max(1);
    let connections = number(3, 200).max(1);
    let seconds = number(4, 15);
    let token = args.get(5).cloned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let latencies = Arc::new(Mutex::new(Vec::<u64>::new()));
    let errors = Arc::new(Mutex::new(0u64));
    runtime.block_on(async {
        let period = Duration::from_secs_f64(connections as f64 / rate as f64);
        let start = Instant::now() + Duration::from_millis(500);
        let end = start + Duration::from_secs(seconds);
        let mut workers = Vec::new();
        for c in 0..connections {
            // One client per connection: its pool keeps exactly one keep-alive connection.
            let client = reqwest::Client::builder()
                .http1_only()
                .pool_max_idle_per_host(1)
                .build()
                .expect("client");
            let (url, token) = (url.clone(), token.clone());
            let (latencies, errors) = (latencies.clone(), errors.clone());
            // Connections start spread over one period, so the load is even.
            let first = start + period.mul_f64(c as f64 / connections as f64);
            workers.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                let mut failed = 0u64;
                let mut due = first;
                while due < end {
                    tokio::time::sleep_until(due.into()).await;
                    let mut request = client.get(&url);
                    if let Some(token) = &token {
                        request = request.bearer_auth(token);
                    }
                    let ok = match request.send().await {
                        Ok(answer) => {
                            let status = answer.status();
                            let read = answer.bytes().await.is_ok();
                            if !status.is_success() && failed == 0 {
                                eprintln!("answer {status}");
                            }
                            status.is_success() && read
                        }
                        Err(error) => {
                            if failed == 0 {
                                eprintln!("error {error:?}");
                            }
                            false
                        }
                    };
                    if ok {
                        mine.push(due.elapsed().as_micros() as u64);
                    } else {
                        failed += 1;
                    }
                    due += period;
                }
                latencies.lock().unwrap().extend(mine);
                *errors.lock().unwrap() += failed;
            }));
        }
        for worker in workers {
            let _ = worker.await;
        }
    });
    let mut all = latencies.lock().unwrap().clone();
    all.sort_unstable();
    let at = |q: f64| -> f64 {
        if all.is_empty() {
            return f64::NAN;
        }
        all[((all.len() as f64 * q) as usize).min(all.len() - 1)] as f64 / 1000.0
    };
    println!(
        "requests={} errors={} p50_ms={:.2} p90_ms={:.2} p99_ms={:.2} p999_ms={:.2} max_ms={:.2}",
        all.len(),
        errors.lock().unwrap(),
        at(0.50),
        at(0.90),
        at(0.99),
        at(0.999),
        at(1.0)
    );
}
