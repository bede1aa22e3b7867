//! Harness: the real proxy binary as a child process, test pictures, HTTP helpers.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kling_expand_core::dialect::Dialect;
use kling_expand_core::validate::ExpandRequest;
use kling_expand_proxy::expand::encode_png;
use serde_json::Value;

pub const BINARY: &str = env!("CARGO_BIN_EXE_kling-expand-proxy");

/// A running proxy. Killed when dropped.
pub struct Proxy {
    child: Child,
    pub url: String,
    pub stdout_line: String,
    stdout_rest: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Proxy {
    /// Starts the binary on 127.0.0.1:0 with `args` and only the environment given (no
    /// inherited KLING_* variables), and waits for its "listening on" line.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Proxy {
        Proxy::try_start(args, env)
            .unwrap_or_else(|logs| panic!("the proxy did not start:\n{logs}"))
    }

    pub fn try_start(args: &[&str], env: &[(&str, &str)]) -> Result<Proxy, String> {
        let mut command = Command::new(BINARY);
        command
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env_clear()
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn the proxy binary");
        let stderr = Arc::new(Mutex::new(String::new()));
        {
            let stderr = stderr.clone();
            let mut pipe = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    stderr
                        .lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        let stdout_rest = Arc::new(Mutex::new(String::new()));
        {
            let stdout_rest = stdout_rest.clone();
            let pipe = child.stdout.take().unwrap();
            std::thread::spawn(move || {
                let mut lines = BufReader::new(pipe).lines();
                if let Some(Ok(first)) = lines.next() {
                    let _ = tx.send(first);
                }
                for line in lines.map_while(Result::ok) {
                    stdout_rest.lock().unwrap().push_str(&line);
                }
            });
        }
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => {
                let url = line
                    .strip_prefix("kling-expand-proxy listening on ")
                    .unwrap_or_else(|| panic!("unexpected first stdout line: {line:?}"))
                    .to_owned();
                Ok(Proxy {
                    child,
                    url,
                    stdout_line: line,
                    stdout_rest,
                    stderr,
                })
            }
            Err(_) => {
                let _ = child.kill();
                let status = child.wait().ok();
                std::thread::sleep(Duration::from_millis(100));
                let logs = stderr.lock().unwrap().clone();
                Err(format!("exit: {status:?}\n{logs}"))
            }
        }
    }

    /// The process id, to read its memory from /proc.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port` of the proxy, for raw sockets.
    pub fn address(&self) -> std::net::SocketAddr {
        self.url.trim_start_matches("http://").parse().unwrap()
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/kling{path}", self.url)
    }

    /// What the process printed on stdout after its first line (nothing is expected).
    pub fn extra_stdout(&self) -> String {
        self.stdout_rest.lock().unwrap().clone()
    }

    /// Everything the process printed so far (stdout and stderr).
    pub fn output(&self) -> String {
        format!(
            "{}\n{}\n{}",
            self.stdout_line,
            self.stdout_rest.lock().unwrap(),
            self.stderr.lock().unwrap()
        )
    }

    /// Asks the process to stop with SIGTERM and waits (at most `limit`) for its exit code.
    pub fn terminate(&mut self, limit: Duration) -> Option<i32> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success());
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Stops the process and returns everything it printed.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(50));
        self.output()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary to completion (for --help and configuration errors).
pub fn run_to_exit(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let output = Command::new(BINARY)
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("run the proxy binary");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A fresh, empty directory under the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kling-expand-proxy-test-{name}-{}-{}",
        std::process::id(),
        kling_expand_proxy::wire::random_u64()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// A structured test picture (gradients and stripes), RGB: the one the bad-picture corpus is
/// made of.
pub use crate::bad_pictures::rgb as picture;

/// A dialect's create body as the widget sends it, read back as serde_json reads it.
pub fn wire_body(dialect: Dialect, request: &ExpandRequest) -> Value {
    serde_json::from_str(&dialect.create_body(request).to_string()).unwrap()
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    encode_png(&picture(width, height)).unwrap()
}

pub fn base64(bytes: &[u8]) -> String {
    kling_expand_core::base64::encode(bytes)
}

/// An official create body for a base64 picture.
pub fn create_body(image: &str, ratios: [f64; 4], n: u32, external: Option<&str>) -> Value {
    let mut body = serde_json::json!({
        "image": image,
        "up_expansion_ratio": ratios[0],
        "down_expansion_ratio": ratios[1],
        "left_expansion_ratio": ratios[2],
        "right_expansion_ratio": ratios[3],
        "n": n,
    });
    if let Some(external) = external {
        body["external_task_id"] = Value::String(external.into());
    }
    body
}

/// POSTs JSON and returns (status, body as JSON).
pub async fn post_json(client: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    let answer = client.post(url).json(body).send().await.unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

pub async fn get_json(client: &reqwest::Client, url: &str) -> (u16, Value) {
    let answer = client.get(url).send().await.unwrap();
    let status = answer.status().as_u16();
    let text = answer.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}")),
    )
}

/// Everything a client or an operator could see: answers (headers and bodies) and the
/// process's output. None of it may contain a secret.
#[derive(Default)]
pub struct Seen(Vec<String>);

impl Seen {
    /// Sends a request to the proxy and keeps what came back.
    pub async fn send(
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

    pub fn assert_clean(&self, extra: &str, secrets: &[&str]) {
        for secret in secrets {
            for text in self.0.iter().map(String::as_str).chain([extra]) {
                assert!(!text.contains(secret), "a secret leaked into: {text}");
            }
        }
    }
}

/// Creates a task with the Kling routes and polls it to its end; returns the last answer.
pub async fn expand_to_end(
    client: &reqwest::Client,
    proxy: &Proxy,
    body: &Value,
    deadline: Duration,
) -> Value {
    const EXPAND: &str = "/v1/images/editing/expand";
    let (status, created) = post_json(client, &proxy.api(EXPAND), body).await;
    assert_eq!(status, 200, "{created}");
    let id = created["data"]["task_id"].as_str().unwrap();
    wait_for_end(client, &proxy.api(&format!("{EXPAND}/{id}")), deadline)
        .await
        .1
}

/// Polls a task until its status is final; returns every status seen and the last answer.
pub async fn wait_for_end(
    client: &reqwest::Client,
    query_url: &str,
    deadline: Duration,
) -> (Vec<String>, Value) {
    let started = Instant::now();
    let mut seen = Vec::new();
    loop {
        let (status, body) = get_json(client, query_url).await;
        assert_eq!(status, 200, "{body}");
        let task_status = body["data"]["task_status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&task_status) {
            seen.push(task_status.clone());
        }
        if task_status == "succeed" || task_status == "failed" {
            return (seen, body);
        }
        assert!(
            started.elapsed() < deadline,
            "task did not end within {deadline:?}; saw {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Lists the files under a directory, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// Starts an axum app on 127.0.0.1:0 inside the test's runtime; returns its base URL.
pub async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{address}")
}

/// `kling-expand-proxy token …`, as a script would mint one.
pub fn mint(args: &[&str], secret: &str) -> String {
    let mut all = vec!["token"];
    all.extend_from_slice(args);
    let (code, out, err) = run_to_exit(&all, &[("KLING_EXPAND_TOKEN_SECRET", secret)]);
    assert_eq!(code, 0, "{err}");
    out.trim().to_owned()
}
