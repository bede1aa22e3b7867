//! `fake-upstream`: the fake provider as its own process, for journeys that put it behind a
//! real proxy. Prints `fake-upstream listening on http://IP:PORT` once bound.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use fake_upstream::{Expect, FakeUpstream, Fault, Options};
use kling_expand_core::dialect::Dialect;

#[derive(Parser)]
#[command(
    name = "fake-upstream",
    about = "A fault-injecting fake of a provider's Image Expansion API (tests only)",
    after_help = "Faults are JSON, e.g. --fault '{\"on\":\"create\",\"kind\":\"drop\",\"times\":1}'; \
                  see GET/POST /__fake/faults. CometAPI and KKIAI answer under /kling."
)]
struct Cli {
    /// kling, cometapi, kkiai or modellix.
    #[arg(long, default_value = "kling")]
    provider: Dialect,
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// The API key callers must send as `Bearer <key>`.
    #[arg(long, default_value = "fake-key")]
    api_key: String,
    /// With --secret-key: expect Kling's HS256 JWT instead of an API key.
    #[arg(long)]
    access_key: Option<String>,
    #[arg(long)]
    secret_key: Option<String>,
    /// How long a new task stays submitted.
    #[arg(long, default_value = "300ms", value_parser = duration)]
    submitted: Duration,
    /// Then how long it stays processing.
    #[arg(long, default_value = "600ms", value_parser = duration)]
    processing: Duration,
    /// A fault to apply (repeatable).
    #[arg(long, value_parser = fault)]
    fault: Vec<Fault>,
}

fn duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text
        .find(|c: char| !c.is_ascii_digit())
        .map_or((text, "ms"), |i| text.split_at(i));
    let value: u64 = number
        .parse()
        .map_err(|_| format!("not a duration: {text}"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(value)),
        "s" => Ok(Duration::from_secs(value)),
        _ => Err(format!("not a duration: {text} (write 250ms or 2s)")),
    }
}

fn fault(text: &str) -> Result<Fault, String> {
    serde_json::from_str(text).map_err(|e| format!("not a fault: {e}"))
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let expect = match (cli.access_key, cli.secret_key) {
        (Some(access), Some(secret)) => Expect::Jwt { access, secret },
        _ => Expect::ApiKey(cli.api_key),
    };
    let mut options = Options::new(cli.provider, expect).clock(cli.submitted, cli.processing);
    options.faults = cli.fault;
    let fake = match FakeUpstream::start_on(cli.listen, options).await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake-upstream: cannot listen on {}: {e}", cli.listen);
            std::process::exit(2);
        }
    };
    println!("fake-upstream listening on {}", fake.root);
    let _ = tokio::signal::ctrl_c().await;
}
