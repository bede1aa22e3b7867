//! The server's transport: the listening socket, each connection and its limits, and shutdown.
//!
//! Built on hyper's HTTP/1 connection and hyper-util's graceful shutdown, with:
//!
//! - a **header-read timeout** (hyper's own): a request's head must arrive within
//!   `--header-timeout`; hyper restarts the clock whenever it waits for a new request, so the
//!   same timeout closes idle keep-alive connections;
//! - a **body deadline**: a request body must arrive whole within `--body-timeout` of its head
//!   ([`DeadlineBody`]; tower-http's `TimeoutBody` restarts its clock at every chunk, so a
//!   client trickling a byte at a time would never meet it);
//! - **connection caps**: at most `--max-connections` open at once, and at most
//!   `--max-connections-per-client` from one client (an IPv4 address, or an IPv6 /64). Over a
//!   cap the connection gets one short answer (`429`/1302 for a client over its own cap, `503`
//!   for a full server) and is closed;
//! - [`read_body`] and [`spool_body`] take a body in whole under the deadline and a size limit
//!   (into memory, or into a file as it arrives);
//! - a small read buffer per connection (64 KiB) and request heads of at most 32 KiB, so an idle
//!   connection costs about 11 KiB (measured with 1000 of them) and a busy one a bounded amount.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::access::client::group_ip;
use crate::config::{Auth, Config, Provider};
use crate::wire::{ApiFailure, ErrorStyle};

/// How long requests in flight may take to finish once a stop is asked for.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// hyper's read buffer per connection (its minimum is 8 KiB, its default about 400 KiB).
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// Largest request head (request line and headers); more is answered 431.
const MAX_HEAD_BYTES: usize = 32 * 1024;

/// Connections answered "over the limit" at once; beyond that they are closed unanswered.
const REFUSALS_AT_ONCE: usize = 64;

/// The limits of [`serve`] on connections and their requests: how long a head and a body may
/// take, how many connections are open at once, in all and per client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_client: usize,
}

/// Binds, prints the one stdout line scripts wait for, and serves until Ctrl-C or SIGTERM.
pub async fn run(config: Config) -> Result<(), String> {
    let (app, live) = crate::server::app(&config)?;
    raise_open_file_limit(config.transport.max_connections);
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "kling-expand-proxy listening on http://{address}");
        let _ = stdout.flush();
    }
    match &config.provider {
        Provider::Remote(remote) => tracing::info!(
            provider = config.provider.name(),
            upstream = %remote.upstream.origin,
            "forwarding the expand routes"
        ),
        Provider::Local => tracing::info!(provider = "local", "answering with the local engine"),
    }
    if matches!(config.access.auth, Auth::None) && !config.listen.ip().is_loopback() {
        tracing::warn!(
            listen = %config.listen,
            "--auth none off loopback: anyone who reaches this address can start tasks, counted only per client address"
        );
    }
    if config.allow_origins.iter().any(|o| o == "*") {
        tracing::warn!("--allow-origin * lets any web page call this proxy from a browser");
    }
    let style = ErrorStyle::for_dialect(config.provider.dialect());
    // Event streams end as the stop begins; other requests get the grace.
    let stopping = async move {
        shutdown_signal().await;
        live.close_streams();
    };
    serve(listener, app, config.transport, style, stopping).await;
    Ok(())
}

/// Serves `app` on `listener` until `shutdown` completes; then stops accepting, lets requests
/// in flight finish, but waits at most [`SHUTDOWN_GRACE`] for them (a slow upstream or client
/// must not hold the process).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    style: ErrorStyle,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_header_size(MAX_HEAD_BYTES)
        .max_buf_size(READ_BUFFER_BYTES);
    let graceful = GracefulShutdown::new();
    let connections = Arc::new(Semaphore::new(limits.max_connections));
    let clients = Arc::new(ClientSlots::new(limits.max_connections_per_client));
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin.
                    tracing::warn!("cannot accept a connection: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(connection) = connections.clone().try_acquire_owned() else {
            refuse(
                stream,
                &refusals,
                ApiFailure::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    5001,
                    format!(
                        "The proxy has {} connections open, as many as it takes; retry in a moment",
                        limits.max_connections
                    ),
                ),
                style,
            );
            continue;
        };
        let Some(slot) = clients.take(peer.ip()) else {
            refuse(
                stream,
                &refusals,
                ApiFailure::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    1302,
                    format!(
                        "Too many connections from this client: this proxy allows {} at once. Close some, or retry in a moment.",
                        limits.max_connections_per_client
                    ),
                ),
                style,
            );
            continue;
        };
        let app = app.clone();
        let body_timeout = limits.body_timeout;
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let mut request = request.map(|body| Body::new(DeadlineBody::new(body, body_timeout)));
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let served = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _held = (connection, slot);
            if let Err(error) = served.await {
                tracing::debug!(client = %peer.ip(), "connection ended: {error}");
            }
        });
    }
    drop(listener);
    tracing::info!("shutting down");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still in flight after {} s; stopping anyway", SHUTDOWN_GRACE.as_secs());
        }
    }
}

/// Answers a connection over a cap with `failure` (after reading its request head, so the
/// client reads the answer) and closes it; or closes it at once when many are being refused.
fn refuse(stream: TcpStream, refusals: &Arc<Semaphore>, failure: ApiFailure, style: ErrorStyle) {
    let Ok(permit) = refusals.clone().try_acquire_owned() else {
        return;
    };
    let failure = failure.retry_after(1);
    tokio::spawn(async move {
        let _permit = permit;
        let service = hyper::service::service_fn(move |_request: Request<Incoming>| {
            let answer = failure.clone().into_response(style);
            async move { Ok::<_, Infallible>(answer) }
        });
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(2))
            .keep_alive(false);
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            http.serve_connection(TokioIo::new(stream), service),
        )
        .await;
    });
}

/// Open connections (or event streams) per client. Entries live only while their client has
/// one open, so the map is never larger than the cap in total.
pub(crate) struct ClientSlots {
    per_client: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One open connection of a client; gives its slot back when dropped.
pub struct ClientSlot {
    slots: Arc<ClientSlots>,
    client: IpAddr,
}

impl ClientSlots {
    pub(crate) fn new(per_client: usize) -> ClientSlots {
        ClientSlots {
            per_client,
            open: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn take(self: &Arc<Self>, ip: IpAddr) -> Option<ClientSlot> {
        // An IPv4 address, or the /64 of an IPv6 one, as the rate limiter and quotas count.
        let client = group_ip(ip);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let count = open.entry(client).or_insert(0);
        if *count >= self.per_client {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            slots: self.clone(),
            client,
        })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// A request body that fails with [`BodyDeadline`] once its deadline has passed, however the
/// bytes trickle in. Bodies known to be empty get no timer.
pub struct DeadlineBody {
    inner: Incoming,
    limit: Duration,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl DeadlineBody {
    pub fn new(inner: Incoming, limit: Duration) -> DeadlineBody {
        let deadline = (!hyper::body::Body::is_end_stream(&inner))
            .then(|| Box::pin(tokio::time::sleep(limit)));
        DeadlineBody {
            inner,
            limit,
            deadline,
        }
    }
}

impl hyper::body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(deadline) = &mut self.deadline {
            if deadline.as_mut().poll(cx).is_ready() {
                let after = self.limit;
                return Poll::Ready(Some(Err(Box::new(BodyDeadline { after }))));
            }
        }
        Pin::new(&mut self.inner)
            .poll_frame(cx)
            .map_err(|error| error.into())
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The request body did not arrive whole within its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDeadline {
    pub after: Duration,
}

impl std::fmt::Display for BodyDeadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the request body did not arrive within {} s",
            self.after.as_secs_f64()
        )
    }
}

impl std::error::Error for BodyDeadline {}

/// Why a request body could not be read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyError {
    /// More than the limit, in bytes.
    TooLarge { limit: u64 },
    /// Its deadline passed first.
    Deadline(BodyDeadline),
    /// The client closed the connection, or sent a broken chunked encoding.
    Broken,
    /// The server could not write it down (spooling to a file).
    Storage(String),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.failure().message)
    }
}

impl std::error::Error for BodyError {}

impl BodyError {
    /// The answer for it: the client's fault each time, so a 4xx.
    pub fn failure(&self) -> ApiFailure {
        match self {
            BodyError::TooLarge { .. } => crate::wire::too_large(None),
            BodyError::Deadline(deadline) => ApiFailure::new(
                StatusCode::REQUEST_TIMEOUT,
                1200,
                format!(
                    "The request body did not arrive within {} s; send it again on a faster connection, or send an image URL instead of the picture",
                    deadline.after.as_secs()
                ),
            ),
            BodyError::Broken => ApiFailure::new(
                StatusCode::BAD_REQUEST,
                1200,
                "The request body could not be read completely",
            ),
            BodyError::Storage(_) => ApiFailure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                5000,
                "The server could not store the request body; check its disk space",
            ),
        }
    }
}

/// The error of a body frame, as a [`BodyError`].
fn frame_error(error: axum::Error) -> BodyError {
    let mut cause: &dyn std::error::Error = &error;
    loop {
        if let Some(deadline) = cause.downcast_ref::<BodyDeadline>() {
            return BodyError::Deadline(*deadline);
        }
        match cause.source() {
            Some(next) => cause = next,
            None => return BodyError::Broken,
        }
    }
}

/// Writes a whole request body to the file at `path` as it arrives, refusing more than `limit`
/// bytes: memory stays at one chunk however many bodies arrive at once. The file is the
/// caller's to remove.
pub async fn spool_body(body: Body, limit: u64, path: &std::path::Path) -> Result<(), BodyError> {
    use tokio::io::AsyncWriteExt;
    let storage = |error: std::io::Error| BodyError::Storage(error.to_string());
    let file = tokio::fs::File::create(path).await.map_err(storage)?;
    let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
    let mut written = 0u64;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(frame_error)?.into_data() else {
            continue;
        };
        written += data.len() as u64;
        if written > limit {
            return Err(BodyError::TooLarge { limit });
        }
        out.write_all(&data).await.map_err(storage)?;
    }
    out.flush().await.map_err(storage)
}

/// Reads a whole request body into one buffer, refusing more than `limit` bytes. The buffer
/// grows with the bytes received (a client announcing a large body and sending little holds
/// little), up to `declared` (its Content-Length) at most in advance.
pub async fn read_body(
    body: Body,
    declared: Option<u64>,
    limit: u64,
) -> Result<Vec<u8>, BodyError> {
    const STEP: usize = 1 << 20;
    let mut expected = declared.unwrap_or(0).min(limit) as usize;
    let mut buffer = Vec::new();
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(frame_error)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if (buffer.len() + data.len()) as u64 > limit {
            return Err(BodyError::TooLarge { limit });
        }
        if buffer.capacity() - buffer.len() < data.len() {
            // Grow by a step towards the announced length, not to it at once.
            expected = expected.max(buffer.len() + data.len());
            let toward_declared = expected - buffer.len();
            let want = toward_declared.max(buffer.len()).min(STEP).max(data.len());
            buffer.reserve_exact(want);
        }
        buffer.extend_from_slice(&data);
    }
    Ok(buffer)
}

/// Lets the process hold as many sockets as it may: the soft limit on open files (often 1024)
/// is raised to the hard one, and a warning says when the connection cap does not fit.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn raise_open_file_limit(max_connections: usize) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: limit.rlim_max,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    // Room for the data directory's files, the upstream's connections and the refusals.
    let needed = max_connections as u64 + 256;
    if limit.rlim_cur < needed {
        tracing::warn!(
            open_files = limit.rlim_cur,
            "--max-connections {max_connections} needs about {needed} open files; raise the limit (ulimit -n) or lower --max-connections"
        );
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn raise_open_file_limit(_max_connections: usize) {}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_counted_by_address_and_ipv6_by_network() {
        let slots = Arc::new(ClientSlots::new(2));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let first = slots.take(a).unwrap();
        let _second = slots.take(a).unwrap();
        assert!(slots.take(a).is_none(), "a third is over the cap");
        assert!(slots.take("192.0.2.2".parse().unwrap()).is_some());
        drop(first);
        assert!(
            slots.take(a).is_some(),
            "a closed connection frees its slot"
        );

        let v6 = Arc::new(ClientSlots::new(1));
        let _held = v6.take("2001:db8:1:2::1".parse().unwrap()).unwrap();
        assert!(v6.take("2001:db8:1:2:ffff::9".parse().unwrap()).is_none());
        assert!(v6.take("2001:db8:1:3::1".parse().unwrap()).is_some());
        let _mapped = v6.take("::ffff:192.0.2.7".parse().unwrap()).unwrap();
        assert!(
            v6.take("192.0.2.7".parse().unwrap()).is_none(),
            "an IPv4-mapped address is its IPv4 client"
        );
    }

    #[test]
    fn the_map_forgets_clients_without_connections() {
        let slots = Arc::new(ClientSlots::new(4));
        for i in 0..100u8 {
            drop(slots.take(IpAddr::from([198, 51, 100, i])).unwrap());
        }
        assert!(slots.open.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn bodies_are_read_whole_within_the_limit() {
        let body = Body::from(vec![7u8; 3000]);
        assert_eq!(read_body(body, Some(3000), 4096).await.unwrap().len(), 3000);
        let body = Body::from(vec![7u8; 5000]);
        assert_eq!(
            read_body(body, None, 4096).await,
            Err(BodyError::TooLarge { limit: 4096 })
        );
        assert_eq!(
            BodyError::TooLarge { limit: 1 }.failure().status,
            StatusCode::PAYLOAD_TOO_LARGE
        );
        let late = BodyError::Deadline(BodyDeadline {
            after: Duration::from_secs(120),
        })
        .failure();
        assert_eq!(late.status, StatusCode::REQUEST_TIMEOUT);
        assert!(late.message.contains("120 s"), "{}", late.message);
    }

    #[tokio::test]
    async fn bodies_are_spooled_whole_within_the_limit() {
        let path =
            std::env::temp_dir().join(format!("kling-expand-spool-{}", crate::wire::random_u64()));
        spool_body(Body::from(vec![9u8; 300_000]), 400_000, &path)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), vec![9u8; 300_000]);
        assert_eq!(
            spool_body(Body::from(vec![9u8; 500_000]), 400_000, &path).await,
            Err(BodyError::TooLarge { limit: 400_000 })
        );
        let _ = std::fs::remove_file(&path);
        let nowhere = std::path::Path::new("/nonexistent-dir/x.part");
        let error = spool_body(Body::from("{}"), 10, nowhere).await.unwrap_err();
        assert_eq!(error.failure().status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
