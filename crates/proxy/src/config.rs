//! Command line, environment and the configuration they produce.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use kling_expand_core::dialect::Dialect;

use crate::access::quota::SpendingLimits;
use crate::access::token::TokenKeys;
use crate::duration::parse_duration;
use crate::ratelimit::RateLimitConfig;
use crate::secret::{self, Secret};
use crate::transport::ConnectionLimits;

/// Official Kling host for China (keys of one region do not work on the other).
pub const KLING_BEIJING_BASE: &str = "https://api-beijing.klingai.com";

const ENVIRONMENT_HELP: &str = "\
Secrets come only from the environment, never from flags:
  KLING_API_KEY              Bearer API key, for any remote provider.
  KLING_ACCESS_KEY           Official Kling AccessKey; with KLING_SECRET_KEY the proxy signs an
  KLING_SECRET_KEY           HS256 JWT (iss, exp = now + 1800 s, nbf = now - 5 s), renewed at
                             least 5 minutes before it expires. --provider kling only.
  KLING_ENGINE_ACCESS_KEY    With KLING_ENGINE_SECRET_KEY, the local engine checks every API
  KLING_ENGINE_SECRET_KEY    call's Bearer JWT like Kling does (codes 1000-1004).
  KLING_EXPAND_TOKEN_SECRET  With --auth token: the HS256 secret (at least 32 bytes) the host
                             site signs access tokens with; KLING_EXPAND_TOKEN_SECRET_PREVIOUS
                             is also accepted while the secret is rotated.
  KLING_WEBHOOK_SECRET       The webhook secret set in Kling's console: status callbacks (see
                             --public-url) must carry its Standard Webhooks signature, at most
                             5 minutes old; without it a callback only makes the proxy ask.
Durations are written like 250ms, 2s, 5m, 12h or 30d.
Logging: KLING_PROXY_LOG=error|warn|info|debug (default info), to stderr. Stdout carries exactly
one line, `kling-expand-proxy listening on http://<ip>:<port>`, once the port is bound.

Examples:
  kling-expand-proxy --static dist
  KLING_API_KEY=... kling-expand-proxy --provider kling --region beijing --static dist
  KLING_ACCESS_KEY=... KLING_SECRET_KEY=... kling-expand-proxy --provider kling
  kling-expand-proxy --listen 127.0.0.1:0 --engine-submitted 50ms --engine-processing 100ms
  KLING_EXPAND_TOKEN_SECRET=... kling-expand-proxy token --sub alice --ttl 10m --creates 5";

/// Which backend answers the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// The offline engine inside this proxy (speaks the official Kling API).
    Local,
    /// Official Kling API.
    Kling,
    /// CometAPI's Kling wrapper.
    Cometapi,
    /// KKIAI's Kling wrapper.
    Kkiai,
    /// Modellix.
    Modellix,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Region {
    /// https://api-singapore.klingai.com (outside China).
    Singapore,
    /// https://api-beijing.klingai.com (China).
    Beijing,
}

/// A failure the local engine produces on purpose, to exercise clients' error handling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, serde::Serialize, serde::Deserialize)]
pub enum FailMode {
    /// Tasks are accepted, then end `failed` with a content-policy message.
    ContentPolicy,
    /// Creates answer HTTP 429, code 1303 (concurrency over the account's limit).
    Concurrency,
    /// Creates and queries answer HTTP 500, code 5000.
    Server,
    /// Only creates answer HTTP 500, code 5000.
    ServerCreate,
    /// Only queries (one and list) answer HTTP 500, code 5000.
    ServerQuery,
}

#[derive(Debug, Parser)]
#[command(
    name = "kling-expand-proxy",
    version,
    about = "Keeps Kling API secrets on the server, serves the kling-expand widget from one origin, \
             and carries an offline engine that speaks the official Kling Image Expansion API.",
    after_help = ENVIRONMENT_HELP
)]
pub struct Cli {
    /// Address to listen on; port 0 picks a free port. The chosen URL is printed on stdout.
    #[arg(long, default_value = "127.0.0.1:8080", env = "KLING_PROXY_LISTEN")]
    pub listen: SocketAddr,

    /// Who answers the API under /api/kling.
    #[arg(
        long,
        value_enum,
        default_value = "local",
        env = "KLING_PROXY_PROVIDER"
    )]
    pub provider: ProviderArg,

    /// Upstream base URL (default: the provider's documented base; for kling see --region).
    #[arg(long, env = "KLING_PROXY_UPSTREAM")]
    pub upstream: Option<String>,

    /// Official Kling region, when --upstream is not given.
    #[arg(long, value_enum)]
    pub region: Option<Region>,

    /// Directory of the built widget, served at / (index.html for /).
    #[arg(long = "static", value_name = "DIR", env = "KLING_PROXY_STATIC")]
    pub static_dir: Option<PathBuf>,

    /// Where the local engine keeps tasks and result pictures (created on demand).
    #[arg(
        long,
        value_name = "DIR",
        default_value = ".data/kling-expand",
        env = "KLING_PROXY_DATA_DIR"
    )]
    pub data_dir: PathBuf,

    /// Origin allowed to call the API from a browser (repeatable; none by default, `*` allows
    /// any). The proxy's own origin needs no entry.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,

    /// Requests per minute each client IP may make to /api/kling (0 turns the limit off).
    #[arg(long, default_value_t = 600, env = "KLING_PROXY_RATE_LIMIT")]
    pub rate_limit: u32,

    /// Requests a client may make at once before the per-minute rate applies.
    #[arg(long, default_value_t = 60, env = "KLING_PROXY_RATE_BURST")]
    pub rate_burst: u32,

    /// Longest wait for a request's head (and for the next request on an idle keep-alive
    /// connection).
    #[arg(long, default_value = "10s", value_parser = parse_duration, env = "KLING_PROXY_HEADER_TIMEOUT")]
    pub header_timeout: Duration,

    /// Longest time a request body may take to arrive whole (a 14 MB create at 1 Mbit/s takes
    /// about 2 minutes).
    #[arg(long, default_value = "150s", value_parser = parse_duration, env = "KLING_PROXY_BODY_TIMEOUT")]
    pub body_timeout: Duration,

    /// Connections open at once, in total; over it a new connection is answered 503 and closed.
    #[arg(long, default_value_t = 4096, env = "KLING_PROXY_MAX_CONNECTIONS")]
    pub max_connections: usize,

    /// Connections open at once from one client (IPv4 address or IPv6 /64); over it a new
    /// connection is answered 429 and closed. Behind a reverse proxy, every client is the
    /// reverse proxy: raise it there.
    #[arg(
        long,
        default_value_t = 32,
        env = "KLING_PROXY_MAX_CONNECTIONS_PER_CLIENT"
    )]
    pub max_connections_per_client: usize,

    /// Upstream connect timeout.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub connect_timeout: Duration,

    /// Upstream read timeout (longest wait for the next bytes of an answer).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub read_timeout: Duration,

    /// Local engine: how long a new task stays `submitted`.
    #[arg(long, default_value = "1s", value_parser = parse_duration, env = "KLING_ENGINE_SUBMITTED")]
    pub engine_submitted: Duration,

    /// Local engine: how long a task then stays `processing` (longer if the work takes longer).
    #[arg(long, default_value = "2s", value_parser = parse_duration, env = "KLING_ENGINE_PROCESSING")]
    pub engine_processing: Duration,

    /// Local engine: failure to produce on purpose (repeatable, or comma-separated in the
    /// environment variable).
    #[arg(long, value_enum, value_delimiter = ',', env = "KLING_ENGINE_FAIL")]
    pub engine_fail: Vec<FailMode>,

    /// Local engine: how long tasks and result pictures are kept (Kling keeps results 30 days).
    #[arg(long, default_value = "30d", value_parser = parse_duration, env = "KLING_ENGINE_TTL")]
    pub engine_ttl: Duration,

    /// Local engine: concurrency slots of the emulated account (a task holds n slots until it
    /// ends; over the limit a create answers 429/1303). 0 = unlimited.
    #[arg(long, default_value_t = 0, env = "KLING_ENGINE_CONCURRENCY")]
    pub engine_concurrency: u32,

    /// Local engine: most tasks kept at once (a create over it answers 429/1303 until old
    /// tasks expire).
    #[arg(long, default_value_t = 10_000, env = "KLING_ENGINE_MAX_TASKS")]
    pub engine_max_tasks: usize,

    /// Local engine: most bytes its data directory may hold (tasks, uploads, results), like
    /// 500MB or 2GB; a create over it answers 429/1303 until old tasks expire.
    #[arg(long, default_value = "2GB", value_parser = parse_size, env = "KLING_ENGINE_MAX_STORAGE")]
    pub engine_max_storage: u64,

    /// Local engine: most tasks waiting for or in their work at once (a create over it
    /// answers 429/1303, as Kling does when its queue is full).
    #[arg(long, default_value_t = 64, env = "KLING_ENGINE_QUEUE")]
    pub engine_queue: usize,

    /// Local engine: also fetch image URLs and post callbacks to loopback, private and
    /// link-local addresses and to any port (refused by default: the engine must not be a way
    /// into the network it runs in). For tests and closed networks.
    #[arg(long, env = "KLING_ENGINE_ALLOW_PRIVATE_URLS")]
    pub engine_allow_private_urls: bool,

    /// The proxy's public base URL. The local engine puts it in front of result links (default:
    /// root-relative links such as /api/kling/results/<task>/0.png); with --provider kling, the
    /// proxy sets each create's callback_url to <URL>/api/kling/callbacks, so Kling posts status
    /// changes instead of being polled for them.
    #[arg(long, value_name = "URL", env = "KLING_ENGINE_PUBLIC_URL")]
    pub public_url: Option<String>,

    // Who may spend the credits: access tokens, spending limits, private tasks, shared state.
    /// How callers are told apart: `token` (an access token signed by the host site, see
    /// KLING_EXPAND_TOKEN_SECRET) or `none` (each client address is one caller). Default:
    /// `none` with the local engine, `token` with a remote provider.
    #[arg(long, value_enum, env = "KLING_PROXY_AUTH")]
    pub auth: Option<AuthArg>,

    /// Tasks each caller may start per --quota-period (0: no limit).
    #[arg(long, default_value_t = 50, env = "KLING_PROXY_CREATES_PER_PERIOD")]
    pub creates_per_period: u32,

    /// Result pictures each caller may ask for per --quota-period, each task counting its n
    /// (0: no limit).
    #[arg(long, default_value_t = 200, env = "KLING_PROXY_IMAGES_PER_PERIOD")]
    pub images_per_period: u32,

    /// The period of those limits, counted in whole periods from 00:00 UTC.
    #[arg(long, default_value = "1d", value_parser = parse_duration, env = "KLING_PROXY_QUOTA_PERIOD")]
    pub quota_period: Duration,

    /// Tasks each caller may have running at once (0: no limit).
    #[arg(long, default_value_t = 5, env = "KLING_PROXY_MAX_IN_FLIGHT")]
    pub max_in_flight: u32,

    /// Most result pictures one task may ask for (1-9).
    #[arg(long, default_value_t = 9, env = "KLING_PROXY_MAX_N")]
    pub max_n: u8,

    /// Result pictures the whole proxy may ask for per UTC day, all callers together: the
    /// operator's kill switch (0: no budget).
    #[arg(long, default_value_t = 2000, env = "KLING_PROXY_DAILY_BUDGET")]
    pub daily_budget: u32,

    /// Answer the list route, with the caller's own tasks only (from the proxy's records).
    #[arg(long)]
    pub enable_list: bool,

    /// A reverse proxy whose X-Forwarded-For / Forwarded headers are believed (repeatable).
    #[arg(long = "trust-proxy", value_name = "CIDR")]
    pub trust_proxy: Vec<String>,

    /// Where quotas, token use and task ownership are kept: `redis://HOST:PORT` (shared by
    /// every instance); default: a file under --data-dir.
    #[arg(long, value_name = "URL", env = "KLING_PROXY_STATE")]
    pub state: Option<String>,

    /// Let result copies be fetched from loopback and private addresses (a test or an
    /// internal CDN); off, such links are refused.
    #[arg(long)]
    pub allow_private_results: bool,

    // Live status: the proxy follows each task once and streams its changes.
    /// Do not follow tasks nor offer their live status at `<query path>/{id}/events`; widgets
    /// then poll, as against any endpoint without streams.
    #[arg(long, env = "KLING_PROXY_NO_EVENTS")]
    pub no_events: bool,

    /// Event streams open at once, in all (each holds a connection; over it a stream is refused
    /// with 503 and the widget polls instead).
    #[arg(long, default_value_t = 2048, env = "KLING_PROXY_MAX_STREAMS")]
    pub max_streams: usize,

    /// Event streams one client (IPv4 address or IPv6 /64) may hold open at once; over it a
    /// stream is refused with 429/1302.
    #[arg(long, default_value_t = 16, env = "KLING_PROXY_MAX_STREAMS_PER_CLIENT")]
    pub max_streams_per_client: usize,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `--auth`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    Token,
    None,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print an access token signed with KLING_EXPAND_TOKEN_SECRET (for scripts and tests).
    Token(TokenArgs),
}

#[derive(Debug, clap::Args)]
pub struct TokenArgs {
    /// The site's user the token is for.
    #[arg(long)]
    pub sub: String,
    /// How long the token is valid (at most 24h).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub ttl: Duration,
    /// How many tasks this token may start.
    #[arg(long)]
    pub creates: Option<u32>,
    /// Most result pictures per task with this token.
    #[arg(long)]
    pub max_n: Option<u8>,
    /// The page origin the token is valid from.
    #[arg(long)]
    pub origin: Option<String>,
}

/// How callers are told apart.
#[derive(Clone, Debug)]
pub enum Auth {
    /// Each client address (an IPv6 /64) is one caller.
    None,
    /// Each token's `sub` is one caller.
    Token(TokenKeys),
}

/// Where the shared state lives.
#[derive(Clone, Debug)]
pub enum StateConfig {
    /// A file under this directory.
    Embedded(PathBuf),
    /// A Redis server (the URL may carry a password).
    Redis(Secret),
}

/// Who may spend the credits, and how much.
#[derive(Clone, Debug)]
pub struct AccessConfig {
    pub auth: Auth,
    pub limits: SpendingLimits,
    pub enable_list: bool,
    pub trust_proxy: Vec<ipnet::IpNet>,
    pub state: StateConfig,
    pub allow_private_results: bool,
}

impl AccessConfig {
    fn from_cli(
        cli: &Cli,
        provider: &Provider,
        env: &dyn Fn(&str) -> Result<Option<Secret>, String>,
    ) -> Result<AccessConfig, String> {
        let remote = matches!(provider, Provider::Remote(_));
        let mode = cli.auth.unwrap_or(if remote {
            AuthArg::Token
        } else {
            AuthArg::None
        });
        let auth = match mode {
            AuthArg::None => Auth::None,
            AuthArg::Token => match env("KLING_EXPAND_TOKEN_SECRET")? {
                Some(secret) => Auth::Token(TokenKeys::new(
                    secret,
                    env("KLING_EXPAND_TOKEN_SECRET_PREVIOUS")?,
                )?),
                None if remote => {
                    return Err(format!(
                        "--provider {} spends the account's credits, so callers need access tokens: set KLING_EXPAND_TOKEN_SECRET (at least 32 bytes, shared with the site that signs them), or pass --auth none to let anyone who reaches this proxy spend them",
                        provider.name()
                    ))
                }
                None => {
                    return Err(
                        "--auth token needs KLING_EXPAND_TOKEN_SECRET (at least 32 bytes) in the environment"
                            .into(),
                    )
                }
            },
        };
        if !(1..=9).contains(&cli.max_n) {
            return Err(format!(
                "--max-n {} is out of range: a task makes 1 to 9 pictures",
                cli.max_n
            ));
        }
        if cli.quota_period < Duration::from_secs(60) {
            return Err("--quota-period must be at least 1m".into());
        }
        let trust_proxy = cli
            .trust_proxy
            .iter()
            .map(|text| {
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| {
                        format!("--trust-proxy {text} is not an address or a CIDR block such as 10.0.0.0/8")
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let state = match &cli.state {
            None => StateConfig::Embedded(cli.data_dir.clone()),
            Some(url) if url.starts_with("redis://") || url.starts_with("rediss://") => {
                StateConfig::Redis(Secret::new(url.clone()))
            }
            Some(_) => {
                return Err(
                    "--state takes a redis:// URL (leave it out for the file under --data-dir)"
                        .into(),
                )
            }
        };
        Ok(AccessConfig {
            auth,
            limits: SpendingLimits {
                creates_per_period: cli.creates_per_period,
                images_per_period: cli.images_per_period,
                period: cli.quota_period,
                in_flight: cli.max_in_flight,
                max_n: cli.max_n,
                daily_budget: cli.daily_budget,
            },
            enable_list: cli.enable_list,
            trust_proxy,
            state,
            allow_private_results: cli.allow_private_results,
        })
    }
}

/// Who answers the API: a remote provider always has its upstream and its credentials.
#[derive(Clone, Debug)]
pub enum Provider {
    Local,
    Remote(Remote),
}

/// A remote provider: its dialect, where it is, and how the proxy signs in to it.
#[derive(Clone, Debug)]
pub struct Remote {
    pub dialect: Dialect,
    pub upstream: Upstream,
    pub credentials: Credentials,
}

impl Provider {
    /// The dialect the widget must speak to this proxy.
    pub fn dialect(&self) -> Dialect {
        match self {
            Provider::Local => Dialect::Kling,
            Provider::Remote(remote) => remote.dialect,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Provider::Local => "local",
            Provider::Remote(remote) => remote.dialect.as_str(),
        }
    }

    pub fn is_local(&self) -> bool {
        matches!(self, Provider::Local)
    }
}

/// How the proxy authenticates to a remote provider.
#[derive(Clone, Debug)]
pub enum Credentials {
    ApiKey(Secret),
    AccessKey {
        access_key: Secret,
        secret_key: Secret,
    },
}

/// The upstream base URL, split so that logs can name the host without any user info or query.
#[derive(Clone, Debug)]
pub struct Upstream {
    /// Base URL without a trailing slash, e.g. `https://api-singapore.klingai.com`.
    pub base: String,
    /// `scheme://host[:port]`, safe to show.
    pub origin: String,
}

impl Upstream {
    pub fn parse(text: &str) -> Result<Upstream, String> {
        let trimmed = text.trim().trim_end_matches('/');
        let url = reqwest::Url::parse(trimmed).map_err(|e| {
            format!("--upstream must be an absolute http(s) URL such as https://api-singapore.klingai.com ({e})")
        })?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(format!(
                "--upstream must start with http:// or https://, not {}://",
                url.scheme()
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "--upstream must not carry credentials; put the key in KLING_API_KEY instead"
                    .into(),
            );
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err("--upstream must not have a query string or fragment".into());
        }
        let host = url.host_str().unwrap_or_default();
        let origin = match url.port() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        };
        Ok(Upstream {
            base: trimmed.to_owned(),
            origin,
        })
    }
}

/// The local engine's settings.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub submitted_for: Duration,
    pub processing_for: Duration,
    pub fail: Vec<FailMode>,
    pub ttl: Duration,
    pub concurrency: u32,
    /// Prefix of result links: "" (root-relative) or an absolute base without trailing slash.
    pub public_url: String,
    /// With both keys, calls must carry a valid Kling JWT.
    pub verify: Option<(Secret, Secret)>,
    /// Image URLs and callbacks may reach private addresses and any port.
    pub allow_private_urls: bool,
    /// Most tasks kept, most bytes under the data directory, most tasks queued for work.
    pub max_tasks: usize,
    pub max_storage_bytes: u64,
    pub queue: usize,
}

impl EngineConfig {
    pub fn fails(&self, mode: FailMode) -> bool {
        self.fail.contains(&mode)
    }
}

/// Live status: whether tasks are followed and streamed, and the caps on streams.
#[derive(Clone, Debug)]
pub struct LiveConfig {
    pub enabled: bool,
    pub max_streams: usize,
    pub max_streams_per_client: usize,
    /// Where the provider is told to post status changes (`<public url>/api/kling/callbacks`):
    /// official Kling with `--public-url` only.
    pub callback_url: Option<String>,
    /// KLING_WEBHOOK_SECRET: callbacks must carry its Standard Webhooks signature.
    pub webhook_secret: Option<Secret>,
}

/// Everything the server needs, checked.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub provider: Provider,
    pub access: AccessConfig,
    pub static_dir: Option<PathBuf>,
    pub allow_origins: Vec<String>,
    pub rate_limit: RateLimitConfig,
    /// Connection and request limits of the transport.
    pub transport: ConnectionLimits,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub engine: EngineConfig,
    pub live: LiveConfig,
}

impl Config {
    /// Checks the command line against the environment; the error is a sentence for the user.
    pub fn from_cli(cli: Cli) -> Result<Config, String> {
        Config::from_cli_and_env(cli, &|name| secret::from_env(name))
    }

    pub fn from_cli_and_env(
        cli: Cli,
        env: &dyn Fn(&str) -> Result<Option<Secret>, String>,
    ) -> Result<Config, String> {
        let dialect = match cli.provider {
            ProviderArg::Local => None,
            ProviderArg::Kling => Some(Dialect::Kling),
            ProviderArg::Cometapi => Some(Dialect::CometApi),
            ProviderArg::Kkiai => Some(Dialect::Kkiai),
            ProviderArg::Modellix => Some(Dialect::Modellix),
        };
        if cli.region.is_some() && dialect != Some(Dialect::Kling) {
            return Err("--region only applies to --provider kling".into());
        }
        if cli.region.is_some() && cli.upstream.is_some() {
            return Err("give either --region or --upstream, not both".into());
        }
        let upstream = match dialect {
            None => {
                if cli.upstream.is_some() {
                    return Err(
                        "--upstream needs a remote --provider (kling, cometapi, kkiai or modellix); the local engine has none"
                            .into(),
                    );
                }
                None
            }
            Some(dialect) => Some(match (&cli.upstream, cli.region) {
                (Some(url), _) => Upstream::parse(url)?,
                (None, Some(Region::Beijing)) => Upstream::parse(KLING_BEIJING_BASE)?,
                (None, _) => Upstream::parse(dialect.default_base())?,
            }),
        };

        let api_key = env("KLING_API_KEY")?;
        let access_key = env("KLING_ACCESS_KEY")?;
        let secret_key = env("KLING_SECRET_KEY")?;
        let credentials = match dialect {
            None => None,
            Some(dialect) => {
                Some(match (api_key, access_key, secret_key) {
                    (Some(_), Some(_), _) | (Some(_), _, Some(_)) => return Err(
                        "set either KLING_API_KEY or KLING_ACCESS_KEY + KLING_SECRET_KEY, not both"
                            .into(),
                    ),
                    (Some(key), None, None) => Credentials::ApiKey(key),
                    (None, Some(access_key), Some(secret_key)) => {
                        if dialect != Dialect::Kling {
                            return Err(format!(
                            "KLING_ACCESS_KEY + KLING_SECRET_KEY only work with the official Kling API; {} needs its own key in KLING_API_KEY",
                            dialect.as_str()
                        ));
                        }
                        Credentials::AccessKey {
                            access_key,
                            secret_key,
                        }
                    }
                    (None, Some(_), None) => {
                        return Err(
                            "KLING_ACCESS_KEY is set but KLING_SECRET_KEY is not; set both".into(),
                        )
                    }
                    (None, None, Some(_)) => {
                        return Err(
                            "KLING_SECRET_KEY is set but KLING_ACCESS_KEY is not; set both".into(),
                        )
                    }
                    (None, None, None) => {
                        return Err(format!(
                            "--provider {} needs a secret: set KLING_API_KEY{} in the environment",
                            dialect.as_str(),
                            if dialect == Dialect::Kling {
                                " (or KLING_ACCESS_KEY + KLING_SECRET_KEY)"
                            } else {
                                ""
                            }
                        ))
                    }
                })
            }
        };

        let verify = match (
            env("KLING_ENGINE_ACCESS_KEY")?,
            env("KLING_ENGINE_SECRET_KEY")?,
        ) {
            (Some(a), Some(s)) => Some((a, s)),
            (None, None) => None,
            _ => {
                return Err(
                    "set both KLING_ENGINE_ACCESS_KEY and KLING_ENGINE_SECRET_KEY, or neither"
                        .into(),
                )
            }
        };
        let provider = match (dialect, upstream, credentials) {
            (Some(dialect), Some(upstream), Some(credentials)) => Provider::Remote(Remote {
                dialect,
                upstream,
                credentials,
            }),
            _ => Provider::Local,
        };
        if verify.is_some() && !provider.is_local() {
            return Err(
                "KLING_ENGINE_ACCESS_KEY/KLING_ENGINE_SECRET_KEY configure the local engine; use them with --provider local"
                    .into(),
            );
        }

        for origin in &cli.allow_origins {
            if origin != "*" {
                check_origin(origin)?;
            }
        }

        let public_url = match &cli.public_url {
            Some(url) => {
                Upstream::parse(url)
                    .map_err(|e| e.replace("--upstream", "--public-url"))?
                    .base
            }
            None => String::new(),
        };

        if let Some(dir) = &cli.static_dir {
            if !dir.join("index.html").is_file() {
                return Err(format!(
                    "--static {} has no index.html; build the widget first (trunk build --release) and point --static at its dist directory",
                    dir.display()
                ));
            }
            // Create bodies on their way in, the state log and the engine's tasks and results
            // must not be served as the widget's files.
            if is_within(&cli.data_dir, dir) {
                return Err(format!(
                    "--data-dir {} is inside --static {}, which would serve the pictures being sent, the tasks and their owners to anyone; put the data directory elsewhere",
                    cli.data_dir.display(),
                    dir.display()
                ));
            }
        }

        let access = AccessConfig::from_cli(&cli, &provider, env)?;
        let webhook_secret = env("KLING_WEBHOOK_SECRET")?;
        let callback_url = match &provider {
            Provider::Remote(remote)
                if remote.dialect == Dialect::Kling && !public_url.is_empty() && !cli.no_events =>
            {
                Some(format!("{public_url}{}/callbacks", crate::api::MOUNT))
            }
            _ => None,
        };
        let live = LiveConfig {
            enabled: !cli.no_events,
            max_streams: cli.max_streams.max(1),
            max_streams_per_client: cli.max_streams_per_client.max(1),
            callback_url,
            webhook_secret,
        };
        if verify.is_some() && matches!(access.auth, Auth::Token(_)) {
            return Err(
                "KLING_ENGINE_ACCESS_KEY/KLING_ENGINE_SECRET_KEY make the engine check Kling's own JWT in Authorization, where --auth token expects an access token; use --auth none with them"
                    .into(),
            );
        }

        Ok(Config {
            listen: cli.listen,
            provider,
            access,
            static_dir: cli.static_dir,
            allow_origins: cli.allow_origins,
            rate_limit: RateLimitConfig {
                per_minute: cli.rate_limit,
                burst: cli.rate_burst.max(1),
            },
            transport: ConnectionLimits {
                header_timeout: cli.header_timeout.max(Duration::from_millis(100)),
                body_timeout: cli.body_timeout.max(Duration::from_millis(100)),
                max_connections: cli.max_connections.max(1),
                max_connections_per_client: cli.max_connections_per_client.max(1),
            },
            connect_timeout: cli.connect_timeout,
            read_timeout: cli.read_timeout,
            engine: EngineConfig {
                data_dir: cli.data_dir,
                submitted_for: cli.engine_submitted,
                processing_for: cli.engine_processing,
                fail: cli.engine_fail,
                ttl: cli.engine_ttl.max(Duration::from_millis(1)),
                concurrency: cli.engine_concurrency,
                public_url,
                verify,
                allow_private_urls: cli.engine_allow_private_urls,
                max_tasks: cli.engine_max_tasks.max(1),
                max_storage_bytes: cli.engine_max_storage,
                queue: cli.engine_queue.max(1),
            },
            live,
        })
    }
}

/// Is `path` (which may not exist yet) `dir` or under it, once both are resolved (links,
/// `..`)?
fn is_within(path: &std::path::Path, dir: &std::path::Path) -> bool {
    let Ok(dir) = dir.canonicalize() else {
        return false;
    };
    let Ok(absolute) = std::path::absolute(path) else {
        return false;
    };
    // `..` taken lexically first (a part that does not exist yet cannot be a link)…
    let mut normal = PathBuf::new();
    for part in absolute.components() {
        match part {
            std::path::Component::ParentDir => {
                normal.pop();
            }
            std::path::Component::CurDir => {}
            other => normal.push(other),
        }
    }
    // … then the longest part that exists resolved, links included.
    let mut existing = normal.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return false,
        }
    }
    let Ok(mut resolved) = existing.canonicalize() else {
        return false;
    };
    resolved.extend(rest.iter().rev());
    resolved.starts_with(&dir)
}

/// A size in bytes: a number with an optional unit, KB/MB/GB (powers of 1000) or KiB/MiB/GiB.
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size; write it like 500MB or 2GB"))?;
    let unit = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit {other:?}; use KB, MB, GB, KiB, MiB or GiB"
            ))
        }
    };
    number
        .checked_mul(unit)
        .ok_or_else(|| format!("{text} is too large"))
}

/// An origin is `scheme://host[:port]` with nothing after it.
fn check_origin(origin: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "--allow-origin {origin} is not an origin; write it like https://example.com or http://127.0.0.1:8081 (no path, no trailing slash)"
        )
    };
    let url = reqwest::Url::parse(origin).map_err(|_| bad())?;
    if (url.scheme() != "http" && url.scheme() != "https")
        || url.host_str().is_none()
        || origin.ends_with('/')
        || url.path() != "/"
        || url.query().is_some()
    {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN_SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_remote_provider_needs_a_token_secret_unless_auth_is_none() {
        let env = env_of(&[("KLING_API_KEY", "k")]);
        let err = Config::from_cli_and_env(cli(&["--provider", "kling"]), &env).unwrap_err();
        assert!(
            err.contains("KLING_EXPAND_TOKEN_SECRET") && err.contains("--auth none"),
            "{err}"
        );
        let open = Config::from_cli_and_env(cli(&["--provider", "kling", "--auth", "none"]), &env)
            .unwrap();
        assert!(matches!(open.access.auth, Auth::None));
        let local = Config::from_cli_and_env(cli(&[]), &env_of(&[])).unwrap();
        assert!(
            matches!(local.access.auth, Auth::None),
            "the demo stays keyless"
        );
        let err = Config::from_cli_and_env(
            cli(&["--provider", "kling"]),
            &env_of(&[
                ("KLING_API_KEY", "k"),
                ("KLING_EXPAND_TOKEN_SECRET", "too-short"),
            ]),
        )
        .unwrap_err();
        assert!(
            err.contains("at least 32") && !err.contains("too-short"),
            "{err}"
        );
        let err = Config::from_cli_and_env(cli(&["--trust-proxy", "10.0.0.0/33"]), &env_of(&[]))
            .unwrap_err();
        assert!(err.contains("--trust-proxy"), "{err}");
    }

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["kling-expand-proxy"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    fn env_of(
        pairs: &'static [(&'static str, &'static str)],
    ) -> impl Fn(&str) -> Result<Option<Secret>, String> {
        move |name| {
            Ok(pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| Secret::new(*v)))
        }
    }

    #[test]
    fn defaults_to_the_local_engine_on_loopback() {
        let config = Config::from_cli_and_env(cli(&[]), &env_of(&[])).unwrap();
        assert!(config.provider.is_local());
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.engine.data_dir, PathBuf::from(".data/kling-expand"));
        assert_eq!(config.engine.submitted_for, Duration::from_secs(1));
        assert_eq!(config.engine.processing_for, Duration::from_secs(2));
        assert_eq!(config.engine.ttl, Duration::from_secs(30 * 86_400));
        assert!(config.allow_origins.is_empty());
    }

    #[test]
    fn picks_each_providers_documented_base_and_the_kling_region() {
        let env = env_of(&[
            ("KLING_API_KEY", "k"),
            ("KLING_EXPAND_TOKEN_SECRET", TOKEN_SECRET),
        ]);
        let base = |args: &[&str]| match Config::from_cli_and_env(cli(args), &env).unwrap().provider
        {
            Provider::Remote(remote) => remote.upstream.base,
            Provider::Local => panic!("a remote provider"),
        };
        assert_eq!(
            base(&["--provider", "kling"]),
            "https://api-singapore.klingai.com"
        );
        assert_eq!(
            base(&["--provider", "kling", "--region", "beijing"]),
            "https://api-beijing.klingai.com"
        );
        assert_eq!(
            base(&["--provider", "cometapi"]),
            "https://api.cometapi.com/kling"
        );
        assert_eq!(
            base(&["--provider", "kkiai"]),
            "https://www.kkiai.com/kling"
        );
        assert_eq!(base(&["--provider", "modellix"]), "https://api.modellix.ai");
        assert_eq!(
            base(&[
                "--provider",
                "kling",
                "--upstream",
                "http://127.0.0.1:9/api/kling/"
            ]),
            "http://127.0.0.1:9/api/kling"
        );
    }

    #[test]
    fn explains_missing_or_mixed_secrets_without_showing_them() {
        let err =
            Config::from_cli_and_env(cli(&["--provider", "kkiai"]), &env_of(&[])).unwrap_err();
        assert!(err.contains("KLING_API_KEY"), "{err}");
        let err = Config::from_cli_and_env(
            cli(&["--provider", "modellix"]),
            &env_of(&[
                ("KLING_ACCESS_KEY", "ak-123"),
                ("KLING_SECRET_KEY", "sk-456"),
            ]),
        )
        .unwrap_err();
        assert!(
            err.contains("only work with the official Kling API"),
            "{err}"
        );
        assert!(!err.contains("ak-123") && !err.contains("sk-456"));
        let err = Config::from_cli_and_env(
            cli(&["--provider", "kling"]),
            &env_of(&[("KLING_ACCESS_KEY", "ak-123")]),
        )
        .unwrap_err();
        assert!(err.contains("KLING_SECRET_KEY is not"), "{err}");
        let ok = Config::from_cli_and_env(
            cli(&["--provider", "kling", "--auth", "none"]),
            &env_of(&[
                ("KLING_ACCESS_KEY", "ak-123"),
                ("KLING_SECRET_KEY", "sk-456"),
            ]),
        )
        .unwrap();
        assert!(matches!(
            ok.provider,
            Provider::Remote(Remote {
                credentials: Credentials::AccessKey { .. },
                ..
            })
        ));
        assert!(!format!("{ok:?}").contains("sk-456"));
    }

    #[test]
    fn refuses_upstreams_with_credentials_and_bad_origins() {
        let env = env_of(&[
            ("KLING_API_KEY", "k"),
            ("KLING_EXPAND_TOKEN_SECRET", TOKEN_SECRET),
        ]);
        let err = Config::from_cli_and_env(
            cli(&[
                "--provider",
                "kling",
                "--upstream",
                "https://user:pw@example.com",
            ]),
            &env,
        )
        .unwrap_err();
        assert!(err.contains("must not carry credentials"), "{err}");
        let err =
            Config::from_cli_and_env(cli(&["--allow-origin", "https://example.com/app"]), &env)
                .unwrap_err();
        assert!(err.contains("is not an origin"), "{err}");
        assert!(Config::from_cli_and_env(
            cli(&[
                "--allow-origin",
                "http://127.0.0.1:8081",
                "--allow-origin",
                "*"
            ]),
            &env
        )
        .is_ok());
    }

    #[test]
    fn engine_flags_parse_durations_and_failures() {
        let config = Config::from_cli_and_env(
            cli(&[
                "--engine-submitted",
                "50ms",
                "--engine-processing",
                "0",
                "--engine-fail",
                "concurrency,server-query",
                "--engine-ttl",
                "2s",
            ]),
            &env_of(&[]),
        )
        .unwrap();
        assert_eq!(config.engine.submitted_for, Duration::from_millis(50));
        assert_eq!(config.engine.processing_for, Duration::ZERO);
        assert_eq!(
            config.engine.fail,
            vec![FailMode::Concurrency, FailMode::ServerQuery]
        );
        assert_eq!(config.engine.ttl, Duration::from_secs(2));
    }

    #[test]
    fn engine_bounds_and_sizes() {
        let config = Config::from_cli_and_env(
            cli(&[
                "--engine-max-tasks",
                "5",
                "--engine-max-storage",
                "500MB",
                "--engine-queue",
                "3",
            ]),
            &env_of(&[]),
        )
        .unwrap();
        assert_eq!(config.engine.max_tasks, 5);
        assert_eq!(config.engine.max_storage_bytes, 500_000_000);
        assert_eq!(config.engine.queue, 3);
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1234"), Ok(1234));
        assert!(parse_size("2 parsecs").is_err());
        assert!(parse_size("99999999999999GB").is_err());
        let defaults = Config::from_cli_and_env(cli(&[]), &env_of(&[])).unwrap();
        assert_eq!(defaults.engine.max_storage_bytes, 2_000_000_000);
        assert!(!defaults.engine.allow_private_urls);
        assert_eq!(defaults.transport.max_connections_per_client, 32);
    }

    #[test]
    fn a_data_directory_inside_the_widget_directory_is_refused() {
        let root =
            std::env::temp_dir().join(format!("kling-expand-config-{}", crate::wire::random_u64()));
        let dist = root.join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
        let run = |data: &std::path::Path| {
            Config::from_cli_and_env(
                cli(&[
                    "--static",
                    dist.to_str().unwrap(),
                    "--data-dir",
                    data.to_str().unwrap(),
                ]),
                &env_of(&[]),
            )
        };
        for inside in [
            dist.join(".data/x"),
            dist.clone(),
            root.join("other/../dist/d"),
        ] {
            let err = run(&inside).unwrap_err();
            assert!(err.contains("is inside --static"), "{inside:?}: {err}");
        }
        assert!(run(&root.join("data")).is_ok());
        assert!(
            run(&root.join("dist-data")).is_ok(),
            "a sibling with a common prefix"
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
