//! Provider errors in categories a person understands, and `Retry-After`.

use core::fmt;

use serde::{Deserialize, Serialize};

use super::Refusal;

/// What kind of failure an [`ApiError`] is, which decides what the widget says and whether it
/// may retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCategory {
    /// Authentication failed, or an IP allowlist refused the proxy: its setup is wrong.
    Configuration,
    /// The account is in arrears or out of resource packs.
    Billing,
    /// The account may not use this API.
    Permission,
    /// The provider refused the request's content as invalid.
    InvalidInput,
    /// The picture or prompt was refused by a content policy.
    ContentPolicy,
    /// Too many requests or concurrent tasks: retry later.
    RateLimited,
    /// The provider failed internally: retry.
    Server,
    /// The task is unknown to the provider.
    NotFound,
    /// The provider does not offer this route at all.
    NotOffered,
    /// The provider could not be reached.
    Network,
    /// The answer could not be understood.
    Protocol,
    /// The proxy refused the caller's access token: the person signs in again.
    SignIn,
    /// The caller (or the whole proxy) has used what it may spend for now.
    Quota,
}

impl ErrorCategory {
    /// Whether trying the same call again later can succeed. Never retry a create call blindly:
    /// look the task up by its external_task_id first, or a second task may be charged.
    pub const fn retryable(&self) -> bool {
        matches!(
            self,
            ErrorCategory::RateLimited | ErrorCategory::Server | ErrorCategory::Network
        )
    }

    /// A short title for a message box.
    pub const fn title(&self) -> &'static str {
        match self {
            ErrorCategory::Configuration => "Proxy not set up correctly",
            ErrorCategory::Billing => "Account cannot pay",
            ErrorCategory::Permission => "No permission",
            ErrorCategory::InvalidInput => "Request refused as invalid",
            ErrorCategory::ContentPolicy => "Refused by content policy",
            ErrorCategory::RateLimited => "Too many requests: retry later",
            ErrorCategory::Server => "Provider error: retry",
            ErrorCategory::NotFound => "Task not found",
            ErrorCategory::NotOffered => "Not offered by this provider",
            ErrorCategory::Network => "Provider unreachable",
            ErrorCategory::Protocol => "Unexpected answer",
            ErrorCategory::SignIn => "Sign in again",
            ErrorCategory::Quota => "Limit reached",
        }
    }

    /// What happened and what to do, in one or two sentences.
    const fn explanation(&self) -> &'static str {
        match self {
            ErrorCategory::Configuration => {
                "The provider refused the proxy's credentials or address. Whoever runs the \
                 proxy must check its API key (or access and secret keys), region and IP \
                 allowlist; trying again will not help."
            }
            ErrorCategory::Billing => {
                "The provider account cannot pay for this task: it is in arrears or its \
                 resource packs are used up. Top up the account, then try again."
            }
            ErrorCategory::Permission => {
                "The provider account has no permission for image expansion. Enable the API \
                 in the provider's console."
            }
            ErrorCategory::InvalidInput => {
                "The provider refused the request as invalid. Check the picture and the \
                 settings, then try again."
            }
            ErrorCategory::ContentPolicy => {
                "The provider refused the picture or the prompt under its content policy. Try \
                 another picture or a different prompt."
            }
            ErrorCategory::RateLimited => {
                "Too many requests or tasks are running on this account right now."
            }
            ErrorCategory::Server => "The provider had an internal problem.",
            ErrorCategory::NotFound => {
                "The provider does not know this task: it may have expired, or belong to \
                 another account or region."
            }
            ErrorCategory::NotOffered => {
                "The provider does not offer this route. Choose another provider for image \
                 expansion."
            }
            ErrorCategory::Network => {
                "The provider could not be reached. Check the connection and try again."
            }
            ErrorCategory::Protocol => "The provider's answer could not be understood.",
            ErrorCategory::SignIn => {
                "This site's permission to expand pictures is missing or has ended. Sign in \
                 again (or reload the page), then press Retry."
            }
            // The proxy's own sentence says what was used and when more is allowed.
            ErrorCategory::Quota => "",
        }
    }
}

impl fmt::Display for ErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.title())
    }
}

/// A failed call, as the widget shows it. `message` is the provider's own words (cleaned:
/// control characters removed, credentials redacted, at most 300 characters) or, for
/// [`ErrorCategory::Protocol`]/[`ErrorCategory::Network`], a description of what went wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub category: ErrorCategory,
    pub http_status: Option<u16>,
    pub code: Option<i64>,
    pub message: String,
    pub request_id: Option<String>,
    /// Set only for retryable categories, from the `Retry-After` header.
    pub retry_after_ms: Option<u64>,
    /// Set when the proxy itself refused (its answer's `error` word).
    pub refusal: Option<Refusal>,
}

impl ApiError {
    /// An error with the provider's message cleaned for display.
    pub fn new(category: ErrorCategory, message: &str) -> Self {
        ApiError {
            category,
            http_status: None,
            code: None,
            message: clean_message(message),
            request_id: None,
            retry_after_ms: None,
            refusal: None,
        }
    }

    /// The provider could not be reached (DNS, TLS, connection reset, timeout…).
    pub fn network(detail: &str) -> Self {
        ApiError::new(ErrorCategory::Network, detail)
    }

    pub fn with_http_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// Whether trying again later can succeed; see [`ErrorCategory::retryable`].
    pub fn retryable(&self) -> bool {
        self.category.retryable()
    }

    /// For the answer to a create call: whether the task may exist all the same. No answer at
    /// all, a gateway's 502/504, an internal error or timeout (5000/5002), or a 2xx answer that
    /// cannot be read can each come after the provider made the task, so it must be looked up by its `external_task_id` before
    /// anything is sent again.
    pub fn create_may_exist(&self) -> bool {
        self.category == ErrorCategory::Network
            || matches!(self.http_status, Some(500 | 502 | 504))
            || matches!(self.code, Some(5000 | 5002))
            // A success that could not be read (cut short on its way) made its task all the same.
            || (self.category == ErrorCategory::Protocol
                && self.http_status.is_some_and(|s| (200..300).contains(&s)))
    }

    /// What happened and what to do, without the title: a message box shows the title above
    /// it, and a screen reader would otherwise read it twice. `Display` gives both.
    pub fn explanation(&self) -> Explanation<'_> {
        Explanation(self)
    }
}

/// The body of an error message; see [`ApiError::explanation`].
pub struct Explanation<'a>(&'a ApiError);

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}. {}", self.category.title(), self.explanation())
    }
}

impl fmt::Display for Explanation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = self.0;
        if error.category == ErrorCategory::Quota && has_content(&error.message) {
            // The proxy's sentence ("You have used today's 20 expansions; more from 00:00
            // UTC") is the whole message.
            return f.write_str(&error.message);
        }
        f.write_str(error.category.explanation())?;
        if error.category.retryable() && error.category != ErrorCategory::Network {
            match error.retry_after_ms {
                Some(ms) => write!(f, " Wait {} and try again.", fmt_wait(ms))?,
                None => f.write_str(" Wait a few seconds and try again.")?,
            }
        }
        if has_content(&error.message) {
            match error.category {
                // These messages are this crate's own description, not the provider's words.
                ErrorCategory::Protocol | ErrorCategory::Network | ErrorCategory::SignIn => {
                    write!(f, " Details: {}.", error.message)?
                }
                _ => write!(f, " The provider said: \u{201c}{}\u{201d}.", error.message)?,
            }
        }
        if error.category == ErrorCategory::Protocol {
            f.write_str(" If it keeps happening, choose another provider.")?;
        }
        let mut details = Vec::new();
        if let Some(status) = error.http_status {
            details.push(format!("HTTP {status}"));
        }
        if let Some(code) = error.code {
            details.push(format!("code {code}"));
        }
        if let Some(id) = &error.request_id {
            details.push(format!("request {id}"));
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Messages that say nothing beyond the category ("404", "SUCCEED", "") are not repeated.
fn has_content(message: &str) -> bool {
    !message.is_empty()
        && !message.chars().all(|c| c.is_ascii_digit())
        && !message.eq_ignore_ascii_case("succeed")
        && !message.eq_ignore_ascii_case("success")
}

fn fmt_wait(ms: u64) -> String {
    let seconds = ms.div_ceil(1000);
    if seconds < 120 {
        format!("{seconds} s")
    } else {
        format!("{} min", seconds.div_ceil(60))
    }
}

/// Longest provider message kept, in characters.
const MAX_MESSAGE_CHARS: usize = 300;

/// Make a provider's message safe to show: control characters become spaces, anything that
/// looks like a credential (`Bearer …`, a JWT) is replaced by `[redacted]`, and the text is cut
/// at [`MAX_MESSAGE_CHARS`] characters.
pub(crate) fn clean_message(message: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut redact_next = false;
    for word in message.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        if redact_next || looks_like_jwt(word) {
            words.push("[redacted]".to_owned());
            redact_next = false;
            continue;
        }
        redact_next = word.eq_ignore_ascii_case("bearer");
        words.push(word.to_owned());
    }
    let joined = words.join(" ");
    if joined.chars().count() > MAX_MESSAGE_CHARS {
        let mut cut: String = joined.chars().take(MAX_MESSAGE_CHARS).collect();
        cut.push('…');
        cut
    } else {
        joined
    }
}

fn looks_like_jwt(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    let parts: Vec<&str> = word.split('.').collect();
    parts.len() == 3
        && word.starts_with("eyJ")
        && parts.iter().all(|p| {
            p.len() >= 4
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// The category an HTTP status implies when the body carries no usable code.
pub fn category_for_http(status: u16) -> ErrorCategory {
    match status {
        401 => ErrorCategory::Configuration,
        402 => ErrorCategory::Billing,
        403 => ErrorCategory::Permission,
        404 => ErrorCategory::NotFound,
        405 | 501 => ErrorCategory::NotOffered,
        408 | 425 | 429 => ErrorCategory::RateLimited,
        400..=499 => ErrorCategory::InvalidInput,
        500..=599 => ErrorCategory::Server,
        _ => ErrorCategory::Protocol,
    }
}

/// Milliseconds to wait from a `Retry-After` header value.
///
/// - Delay-seconds (`"3"`, also a decimal such as `"1.5"`) is used as is.
/// - An HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`, IMF-fixdate) needs the current time,
///   which this crate never reads: pass `now_ms` (Unix milliseconds) to use it, otherwise
///   `None` is returned and the caller's own backoff applies. A date in the past gives 0.
///
/// Anything else gives `None`.
pub fn parse_retry_after(value: &str, now_ms: Option<i64>) -> Option<u64> {
    let value = value.trim();
    if let Some(ms) = parse_seconds_as_ms(value) {
        return Some(ms);
    }
    let at = parse_http_date(value)?;
    let now = now_ms?;
    Some(u64::try_from(at.saturating_sub(now)).unwrap_or(0))
}

/// `"3"` → 3000, `"1.5"` → 1500, `"0.0004"` → 0 (rounded to the millisecond). Read digit by
/// digit: a float parser would add weight to the widget's wasm for this alone.
fn parse_seconds_as_ms(value: &str) -> Option<u64> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let mut ms: u64 = 0;
    for b in whole.bytes() {
        ms = ms.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    ms = ms.saturating_mul(1000);
    let digit = |i: usize| {
        fraction
            .as_bytes()
            .get(i)
            .map_or(0, |b| u64::from(b - b'0'))
    };
    let thousandths = digit(0) * 100 + digit(1) * 10 + digit(2);
    let round_up = u64::from(digit(3) >= 5);
    Some(ms.saturating_add(thousandths + round_up))
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) to Unix milliseconds.
pub fn parse_http_date(value: &str) -> Option<i64> {
    let mut parts = value.split_ascii_whitespace();
    let _weekday = parts.next()?.strip_suffix(',')?;
    let day: i64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: i64 = parts.next()?.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let hour: i64 = clock.next()?.parse().ok()?;
    let minute: i64 = clock.next()?.parse().ok()?;
    let second: i64 = clock.next()?.parse().ok()?;
    if parts.next()? != "GMT" || parts.next().is_some() || clock.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("3", None), Some(3000));
        assert_eq!(parse_retry_after(" 120 ", None), Some(120_000));
        assert_eq!(parse_retry_after("1.5", None), Some(1500));
        assert_eq!(parse_retry_after(".25", None), Some(250));
        assert_eq!(parse_retry_after("0.0004", None), Some(0));
        assert_eq!(parse_retry_after("2.0005", None), Some(2001));
        assert_eq!(parse_retry_after("1.2.3", None), None);
        assert_eq!(parse_retry_after(".", None), None);
        assert_eq!(parse_retry_after("-3", None), None);
        assert_eq!(parse_retry_after("soon", None), None);
        assert_eq!(parse_retry_after("", None), None);
        let date = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(parse_http_date(date), Some(1_445_412_480_000));
        assert_eq!(parse_retry_after(date, None), None);
        assert_eq!(
            parse_retry_after(date, Some(1_445_412_480_000 - 5_000)),
            Some(5_000)
        );
        assert_eq!(
            parse_retry_after(date, Some(1_445_412_480_000 + 5_000)),
            Some(0)
        );
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000)
        );
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
    }

    #[test]
    fn messages_are_cleaned() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJl";
        let cleaned = clean_message(&format!("token {jwt} invalid\r\nBearer sk-123 rejected"));
        assert_eq!(
            cleaned,
            "token [redacted] invalid Bearer [redacted] rejected"
        );
        let long = "x".repeat(1000);
        assert_eq!(clean_message(&long).chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn display_is_specific() {
        let mut e = ApiError::new(ErrorCategory::RateLimited, "concurrency over limit");
        e.http_status = Some(429);
        e.code = Some(1303);
        e.request_id = Some("req-1".into());
        e.retry_after_ms = Some(3000);
        assert_eq!(
            e.to_string(),
            "Too many requests: retry later. Too many requests or tasks are running on this \
             account right now. Wait 3 s and try again. The provider said: \u{201c}concurrency \
             over limit\u{201d}. (HTTP 429, code 1303, request req-1)"
        );
        let e = ApiError::new(ErrorCategory::NotOffered, "404");
        assert_eq!(
            e.to_string(),
            "Not offered by this provider. The provider does not offer this route. Choose \
             another provider for image expansion."
        );
    }

    #[test]
    fn retryable_categories() {
        assert!(ErrorCategory::RateLimited.retryable());
        assert!(ErrorCategory::Server.retryable());
        assert!(ErrorCategory::Network.retryable());
        assert!(!ErrorCategory::Billing.retryable());
        assert!(!ErrorCategory::Configuration.retryable());
        assert!(!ErrorCategory::NotOffered.retryable());
    }
}
