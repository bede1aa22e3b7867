//! Command line, environment and the configuration they produce.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use kling_expand_core::dialect::Dialect;

use crate::duration::parse_duration;
use crate::ratelimit::RateLimitConfig;
use crate::secret::{self, Secret};

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
Durations are written like 250ms, 2s, 5m, 12h or 30d.
Logging: KLING_PROXY_LOG=error|warn|info|debug (default info), to stderr. Stdout carries exactly
one line, `kling-expand-proxy listening on http://<ip>:<port>`, once the port is bound.

Examples:
  kling-expand-proxy --static dist
  KLING_API_KEY=... kling-expand-proxy --provider kling --region beijing --static dist
  KLING_ACCESS_KEY=... KLING_SECRET_KEY=... kling-expand-proxy --provider kling
  kling-expand-proxy --listen 127.0.0.1:0 --engine-submitted 50ms --engine-processing 100ms";

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

    /// Local engine: absolute base URL put in front of result links (default: root-relative
    /// links such as /api/kling/results/<task>/0.png).
    #[arg(long, value_name = "URL", env = "KLING_ENGINE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Who answers the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    Local,
    Remote(Dialect),
}

impl Provider {
    /// The dialect the widget must speak to this proxy.
    pub fn dialect(&self) -> Dialect {
        match self {
            Provider::Local => Dialect::Kling,
            Provider::Remote(dialect) => *dialect,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Provider::Local => "local",
            Provider::Remote(dialect) => dialect.as_str(),
        }
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
}

impl EngineConfig {
    pub fn fails(&self, mode: FailMode) -> bool {
        self.fail.contains(&mode)
    }
}

/// Everything the server needs, checked.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub provider: Provider,
    pub upstream: Option<Upstream>,
    pub credentials: Option<Credentials>,
    pub static_dir: Option<PathBuf>,
    pub allow_origins: Vec<String>,
    pub rate_limit: RateLimitConfig,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub engine: EngineConfig,
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
        let provider = match cli.provider {
            ProviderArg::Local => Provider::Local,
            ProviderArg::Kling => Provider::Remote(Dialect::Kling),
            ProviderArg::Cometapi => Provider::Remote(Dialect::CometApi),
            ProviderArg::Kkiai => Provider::Remote(Dialect::Kkiai),
            ProviderArg::Modellix => Provider::Remote(Dialect::Modellix),
        };
        if cli.region.is_some() && provider != Provider::Remote(Dialect::Kling) {
            return Err("--region only applies to --provider kling".into());
        }
        if cli.region.is_some() && cli.upstream.is_some() {
            return Err("give either --region or --upstream, not both".into());
        }
        let upstream = match provider {
            Provider::Local => {
                if cli.upstream.is_some() {
                    return Err(
                        "--upstream needs a remote --provider (kling, cometapi, kkiai or modellix); the local engine has none"
                            .into(),
                    );
                }
                None
            }
            Provider::Remote(dialect) => Some(match (&cli.upstream, cli.region) {
                (Some(url), _) => Upstream::parse(url)?,
                (None, Some(Region::Beijing)) => Upstream::parse(KLING_BEIJING_BASE)?,
                (None, _) => Upstream::parse(dialect.default_base())?,
            }),
        };

        let api_key = env("KLING_API_KEY")?;
        let access_key = env("KLING_ACCESS_KEY")?;
        let secret_key = env("KLING_SECRET_KEY")?;
        let credentials = match provider {
            Provider::Local => None,
            Provider::Remote(dialect) => {
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
        if verify.is_some() && provider != Provider::Local {
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
        }

        Ok(Config {
            listen: cli.listen,
            provider,
            upstream,
            credentials,
            static_dir: cli.static_dir,
            allow_origins: cli.allow_origins,
            rate_limit: RateLimitConfig {
                per_minute: cli.rate_limit,
                burst: cli.rate_burst.max(1),
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
            },
        })
    }
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
        assert_eq!(config.provider, Provider::Local);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.engine.data_dir, PathBuf::from(".data/kling-expand"));
        assert_eq!(config.engine.submitted_for, Duration::from_secs(1));
        assert_eq!(config.engine.processing_for, Duration::from_secs(2));
        assert_eq!(config.engine.ttl, Duration::from_secs(30 * 86_400));
        assert!(config.allow_origins.is_empty());
    }

    #[test]
    fn picks_each_providers_documented_base_and_the_kling_region() {
        let env = env_of(&[("KLING_API_KEY", "k")]);
        let base = |args: &[&str]| {
            Config::from_cli_and_env(cli(args), &env)
                .unwrap()
                .upstream
                .unwrap()
                .base
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
            cli(&["--provider", "kling"]),
            &env_of(&[
                ("KLING_ACCESS_KEY", "ak-123"),
                ("KLING_SECRET_KEY", "sk-456"),
            ]),
        )
        .unwrap();
        assert!(matches!(
            ok.credentials,
            Some(Credentials::AccessKey { .. })
        ));
        assert!(!format!("{ok:?}").contains("sk-456"));
    }

    #[test]
    fn refuses_upstreams_with_credentials_and_bad_origins() {
        let env = env_of(&[("KLING_API_KEY", "k")]);
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
}
