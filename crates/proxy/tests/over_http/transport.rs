//! The transport over real sockets: idle, slow and over-the-cap clients, and client faults,
//! which are always answered 4xx (or closed), never 5xx.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::common::*;

const CREATE: &str = "/api/kling/v1/images/editing/expand";

fn engine(dir: &std::path::Path, extra: &[&str]) -> Proxy {
    let mut args = vec![
        "--provider",
        "local",
        "--data-dir",
        dir.to_str().unwrap(),
        "--rate-limit",
        "0",
        "--engine-submitted",
        "0",
        "--engine-processing",
        "0",
    ];
    args.extend_from_slice(extra);
    Proxy::start(&args, &[])
}

/// A connection from a loopback address of its own (127.0.0.0/8 is all loopback on Linux), so
/// that tests can be many clients.
async fn connect_from(source: Ipv4Addr, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((source, 0))).unwrap();
    socket.connect(to).await.unwrap()
}

/// Reads until the peer closes (or `limit` passes); returns the status of the answer, if any.
async fn answer_status(stream: &mut TcpStream, limit: Duration) -> (Option<u16>, String) {
    let mut received = Vec::new();
    let _ = tokio::time::timeout(limit, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&received).into_owned();
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok());
    (status, text)
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn open_sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .filter(|entry| {
            std::fs::read_link(entry.path())
                .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
        })
        .count()
}

fn raise_own_open_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain struct in, plain struct out.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
    }
}

#[tokio::test]
async fn a_thousand_idle_connections_are_held_with_bounded_memory_and_others_still_served() {
    raise_own_open_file_limit();
    let dir = temp_dir("idle");
    let proxy = engine(&dir, &["--header-timeout", "60s"]);
    let client = client();
    let (status, _) = get_json(&client, &format!("{}/healthz", proxy.url)).await;
    assert_eq!(status, 200);
    let before = rss_kib(proxy.pid());
    let sockets_before = open_sockets(proxy.pid());

    // 40 clients with 25 idle connections each (under the per-client cap of 32).
    let mut idle = Vec::new();
    for client_index in 0..40u8 {
        for _ in 0..25 {
            idle.push(
                connect_from(Ipv4Addr::new(127, 0, 1, client_index + 1), proxy.address()).await,
            );
        }
    }
    let started = Instant::now();
    while open_sockets(proxy.pid()) < sockets_before + 1000 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "not all accepted"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Another client is still answered while they are held.
    let (status, _) = get_json(&client, &format!("{}/healthz", proxy.url)).await;
    assert_eq!(status, 200);
    let during = rss_kib(proxy.pid());
    let per_connection = (during.saturating_sub(before)) as f64 / 1000.0;
    eprintln!(
        "1000 idle connections: RSS {before} KiB before, {during} KiB with them ({per_connection:.1} KiB each)"
    );
    assert!(
        during - before < 64 * 1024,
        "1000 idle connections cost {} KiB",
        during - before
    );
    drop(idle);
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn idle_connections_are_closed_after_the_header_timeout_even_after_a_request() {
    let dir = temp_dir("idle-timeout");
    let proxy = engine(&dir, &["--header-timeout", "1s"]);
    // Never sends a byte.
    let mut silent = connect_from(Ipv4Addr::new(127, 0, 2, 1), proxy.address()).await;
    // Sends one request on a keep-alive connection, then nothing.
    let mut kept = connect_from(Ipv4Addr::new(127, 0, 2, 2), proxy.address()).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 1024];
    let n = kept.read(&mut first).await.unwrap();
    assert!(first[..n].starts_with(b"HTTP/1.1 200"));
    let started = Instant::now();
    let (status, _) = answer_status(&mut silent, Duration::from_secs(10)).await;
    assert_eq!(status, None, "closed without an answer");
    let (status, _) = answer_status(&mut kept, Duration::from_secs(10)).await;
    assert_eq!(status, None, "closed without another answer");
    assert!(
        started.elapsed() < Duration::from_secs(9),
        "both were closed"
    );
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn over_its_cap_a_client_is_answered_429_and_a_full_server_503() {
    let dir = temp_dir("caps");
    let proxy = engine(
        &dir,
        &[
            "--max-connections",
            "6",
            "--max-connections-per-client",
            "3",
        ],
    );
    let greedy = Ipv4Addr::new(127, 0, 3, 1);
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect_from(greedy, proxy.address()).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fourth = connect_from(greedy, proxy.address()).await;
    fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (status, text) = answer_status(&mut fourth, Duration::from_secs(5)).await;
    assert_eq!(status, Some(429), "{text}");
    assert!(text.contains("\"code\":1302"), "{text}");
    assert!(text.contains("allows 3 at once"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("retry-after: 1"),
        "{text}"
    );

    // Another client is served; then the server fills up.
    let other = Ipv4Addr::new(127, 0, 3, 2);
    for _ in 0..3 {
        held.push(connect_from(other, proxy.address()).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut late = connect_from(Ipv4Addr::new(127, 0, 3, 3), proxy.address()).await;
    late.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (status, text) = answer_status(&mut late, Duration::from_secs(5)).await;
    assert_eq!(status, Some(503), "{text}");
    assert!(text.contains("6 connections open"), "{text}");

    // A closed connection frees its place.
    held.truncate(5);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut again = connect_from(Ipv4Addr::new(127, 0, 3, 3), proxy.address()).await;
    again
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let (status, text) = answer_status(&mut again, Duration::from_secs(5)).await;
    assert_eq!(status, Some(200), "{text}");
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

/// Sends `head` then one byte of `body_len` every 100 ms until the connection is answered or
/// closed; returns the answer's status.
async fn trickle(mut stream: TcpStream, head: String, body_len: usize) -> (Option<u16>, String) {
    if stream.write_all(head.as_bytes()).await.is_err() {
        return (None, String::new());
    }
    for _ in 0..body_len {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if stream.write_all(b"{").await.is_err() {
            break;
        }
        let mut probe = [0u8; 1];
        match tokio::time::timeout(Duration::from_millis(1), stream.peek(&mut probe)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(_)) => break, // an answer is waiting
            Err(_) => {}
        }
    }
    answer_status(&mut stream, Duration::from_secs(10)).await
}

#[tokio::test]
async fn slowloris_clients_do_not_delay_another_clients_create_and_get_408() {
    let dir = temp_dir("slowloris");
    let proxy = engine(&dir, &["--header-timeout", "3s", "--body-timeout", "3s"]);
    beside_slow_clients("local engine", &proxy).await;
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn slowloris_clients_do_not_delay_creates_forwarded_to_a_provider() {
    use crate::fakes::{self, Expect};
    use kling_expand_core::dialect::Dialect;
    let fake = fakes::start(
        Dialect::Kling,
        Expect::ApiKey(crate::forwarding::API_KEY.into()),
    )
    .await;
    let proxy = crate::forwarding::open_proxy(
        "kling",
        &fake.base,
        &[
            "--header-timeout",
            "3s",
            "--body-timeout",
            "3s",
            "--rate-limit",
            "0",
        ],
        &[],
    );
    beside_slow_clients("forwarded", &proxy).await;
    assert_eq!(
        fake.task_count(),
        3,
        "only the normal client's creates were sent"
    );
}

/// Six clients trickle create bodies a byte at a time and two trickle their heads (the engine,
/// then the API, used to read bodies two at a time, holding the others) while another client
/// makes three creates: those are answered at once, the slow bodies get 408 at their deadline
/// and the slow heads are closed unanswered.
async fn beside_slow_clients(label: &str, proxy: &Proxy) {
    let address = proxy.address();
    let attacker = Ipv4Addr::new(127, 0, 4, 1);
    let mut slow = Vec::new();
    for _ in 0..6 {
        let stream = connect_from(attacker, address).await;
        let head = format!(
            "POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
        );
        slow.push(tokio::spawn(trickle(stream, head, 10_000)));
    }
    let mut slow_heads = Vec::new();
    for _ in 0..2 {
        let mut stream = connect_from(attacker, address).await;
        slow_heads.push(tokio::spawn(async move {
            for byte in format!("POST {CREATE} HTTP/1.1\r\nHost: x\r\n").bytes() {
                if stream.write_all(&[byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            answer_status(&mut stream, Duration::from_secs(10)).await
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Meanwhile another client's creates are answered, before any slow client is.
    let client = client();
    let body = create_body(&base64(&png(400, 320)), [0.1; 4], 1, None);
    for round in 0..3 {
        let started = Instant::now();
        let (status, answer) =
            post_json(&client, &proxy.api("/v1/images/editing/expand"), &body).await;
        assert_eq!(status, 200, "{answer}");
        eprintln!(
            "{label}: create {round} beside 8 slow clients: {:?}",
            started.elapsed()
        );
    }
    assert!(
        slow.iter()
            .chain(slow_heads.iter())
            .all(|task| !task.is_finished()),
        "the creates were answered while the slow clients were still sending"
    );

    // The slow bodies get 408 at their deadline; the slow heads are closed unanswered.
    for task in slow {
        let (status, text) = task.await.unwrap();
        assert_eq!(status, Some(408), "{text}");
        assert!(text.contains("did not arrive within 3 s"), "{text}");
    }
    for task in slow_heads {
        let (status, text) = task.await.unwrap();
        assert_eq!(status, None, "{text}");
    }
}

#[tokio::test]
async fn client_faults_are_answered_4xx_never_5xx() {
    let dir = temp_dir("faults");
    let proxy = engine(&dir, &["--header-timeout", "2s", "--body-timeout", "2s"]);
    let json_head = |length: &str| {
        format!("POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n")
    };
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let huge_header = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\n\r\n",
        "a".repeat(100_000)
    );
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        ("not HTTP", b"HELLO THERE\r\n\r\n".to_vec(), false),
        ("a 100 KB header", huge_header.into_bytes(), false),
        (
            "a Content-Length that is not a number",
            json_head("lots").into_bytes(),
            false,
        ),
        (
            "two Content-Lengths",
            format!("POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{{}}").into_bytes(),
            false,
        ),
        (
            "a broken chunked body",
            format!("POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n").into_bytes(),
            false,
        ),
        (
            "a body announced and not sent",
            json_head("50").into_bytes(),
            true,
        ),
        (
            "a body over the limit",
            json_head("20000000").into_bytes(),
            false,
        ),
        (
            "not JSON",
            format!("{}{{\"image\": ", json_head("10")).into_bytes(),
            false,
        ),
        (
            "JSON of the wrong shape",
            format!("{}[1,2]", json_head("5")).into_bytes(),
            false,
        ),
        (
            "a form instead of JSON",
            format!("POST {CREATE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nConnection: close\r\n\r\na=b").into_bytes(),
            false,
        ),
        ("an unknown route", get("/api/kling/v1/videos").into_bytes(), false),
        (
            "a task id with a path in it",
            get("/api/kling/v1/images/editing/expand/..%2F..%2Fetc").into_bytes(),
            false,
        ),
        (
            "a result outside the results",
            get("/api/kling/results/1/..%2F..%2Ftasks%2F1.json").into_bytes(),
            false,
        ),
        (
            "a list page out of range",
            get("/api/kling/v1/images/editing/expand?pageNum=0&pageSize=9999").into_bytes(),
            false,
        ),
        (
            "a method the API does not take",
            format!("DELETE {CREATE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").into_bytes(),
            false,
        ),
    ];
    for (index, (name, request, wait_for_deadline)) in cases.into_iter().enumerate() {
        let mut stream =
            connect_from(Ipv4Addr::new(127, 0, 5, index as u8 + 1), proxy.address()).await;
        stream.write_all(&request).await.unwrap();
        let limit = if wait_for_deadline { 6 } else { 4 };
        let (status, text) = answer_status(&mut stream, Duration::from_secs(limit)).await;
        let status = status.unwrap_or_else(|| panic!("{name}: no answer: {text:?}"));
        assert!(
            (400..500).contains(&status),
            "{name}: answered {status}: {text}"
        );
        eprintln!("{name}: {status}");
    }
    // Nothing was created, no body was left on disk, and the proxy is still well.
    let files = |sub: &str| std::fs::read_dir(dir.join(sub)).unwrap().count();
    assert_eq!(files("tasks"), 0, "no task was made");
    assert_eq!(files("uploads"), 0, "no spooled body was left behind");
    let (status, _) = get_json(&client(), &format!("{}/healthz", proxy.url)).await;
    assert_eq!(status, 200);
    drop(proxy);
    let _ = std::fs::remove_dir_all(dir);
}
