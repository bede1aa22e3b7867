//! Spending limits: what one create costs each counter, and the sentence a refused caller reads.
//!
//! Per caller (a token's `sub`, or a client address with `--auth none`): creates and result
//! pictures per period (fixed windows counted from 00:00 UTC), tasks in flight, `--max-n`;
//! per token: its own `creates`; for the whole proxy: a daily picture budget. The store checks
//! and counts them all in one atomic step (see `store`).

use std::time::Duration;

use kling_expand_core::dialect::Refusal;

use crate::access::token::Verified;
use crate::wire::ApiFailure;

const DAY_MS: i64 = 86_400_000;
/// How long a task counts as in flight when the proxy never hears that it ended (the caller
/// stopped polling): longer than any task takes.
pub const IN_FLIGHT_HOLD: Duration = Duration::from_secs(3600);
/// How long a refused caller is told to wait for a running task to end.
const IN_FLIGHT_RETRY_SECS: u64 = 10;

/// The operator's limits (`0` turns a count off).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpendingLimits {
    pub creates_per_period: u32,
    pub images_per_period: u32,
    pub period: Duration,
    pub in_flight: u32,
    pub max_n: u8,
    pub daily_budget: u32,
}

/// Which count a [`Counter`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterKind {
    Creates,
    Images,
    TokenCreates,
    Budget,
}

/// One count a create adds to, if it stays within `limit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counter {
    pub kind: CounterKind,
    pub key: String,
    pub limit: u32,
    pub add: u32,
    /// When the count starts again from zero (Unix ms); the key expires then.
    pub resets_at_ms: i64,
}

/// The caller's tasks in flight: a set of members that expire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFlight {
    pub key: String,
    pub limit: u32,
    /// Names this create among the caller's running tasks.
    pub member: String,
    pub hold_until_ms: i64,
}

/// Everything one create spends, checked and counted together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spend {
    pub counters: Vec<Counter>,
    pub in_flight: Option<InFlight>,
}

/// The limit a create would go over, and how much of it is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exceeded {
    Counter { counter: Counter, used: u32 },
    InFlight { limit: u32 },
}

impl SpendingLimits {
    /// What a create of `n` pictures by `owner` (with `token`, if any) spends at `now_ms`.
    /// `member` names the create among the caller's running tasks.
    pub fn spend(
        &self,
        owner: &str,
        token: Option<&Verified>,
        n: u32,
        member: &str,
        now_ms: i64,
    ) -> Spend {
        let period_ms = (self.period.as_millis() as i64).max(60_000);
        let window = now_ms.div_euclid(period_ms);
        let resets = (window + 1) * period_ms;
        let day = now_ms.div_euclid(DAY_MS);
        let mut counters = Vec::new();
        if self.creates_per_period > 0 {
            counters.push(Counter {
                kind: CounterKind::Creates,
                key: format!("creates:{owner}:{window}"),
                limit: self.creates_per_period,
                add: 1,
                resets_at_ms: resets,
            });
        }
        if self.images_per_period > 0 {
            counters.push(Counter {
                kind: CounterKind::Images,
                key: format!("images:{owner}:{window}"),
                limit: self.images_per_period,
                add: n,
                resets_at_ms: resets,
            });
        }
        if let Some(token) = token {
            if let Some(creates) = token.claims.creates {
                counters.push(Counter {
                    kind: CounterKind::TokenCreates,
                    key: format!("token:{}", token.id),
                    limit: creates,
                    add: 1,
                    resets_at_ms: (token.claims.exp as i64).saturating_mul(1000),
                });
            }
        }
        if self.daily_budget > 0 {
            counters.push(Counter {
                kind: CounterKind::Budget,
                key: format!("budget:{day}"),
                limit: self.daily_budget,
                add: n,
                resets_at_ms: (day + 1) * DAY_MS,
            });
        }
        let in_flight = (self.in_flight > 0).then(|| InFlight {
            key: format!("flight:{owner}"),
            limit: self.in_flight,
            member: member.to_owned(),
            hold_until_ms: now_ms + IN_FLIGHT_HOLD.as_millis() as i64,
        });
        Spend {
            counters,
            in_flight,
        }
    }

    /// The most pictures one task may ask for, with the token's own `max_n` if lower.
    pub fn max_n(&self, token: Option<&Verified>) -> u8 {
        token
            .and_then(|t| t.claims.max_n)
            .map_or(self.max_n, |m| m.min(self.max_n))
    }

    fn period_word(&self) -> String {
        match self.period.as_secs() {
            86_400 => "today's".into(),
            3_600 => "this hour's".into(),
            secs if secs % 86_400 == 0 => format!("this {}-day period's", secs / 86_400),
            secs if secs % 3_600 == 0 => format!("this {}-hour period's", secs / 3_600),
            secs => format!("this {}-minute period's", secs / 60),
        }
    }

    /// The answer to a caller over a limit: 429 with a sentence to show as it is.
    pub fn refusal(&self, exceeded: &Exceeded, n: u32, now_ms: i64) -> ApiFailure {
        match exceeded {
            Exceeded::InFlight { limit } => ApiFailure::refused(
                Refusal::QuotaInFlight,
                format!(
                    "You have {limit} expansion{} running, as many as allowed at once; wait for one to finish",
                    plural(*limit)
                ),
            )
            .retry_after(IN_FLIGHT_RETRY_SECS),
            Exceeded::Counter { counter, used } => {
                let wait = ((counter.resets_at_ms - now_ms).max(1000) as u64).div_ceil(1000);
                let when = clock_time(counter.resets_at_ms, now_ms);
                let period = self.period_word();
                let limit = counter.limit;
                let left = limit.saturating_sub(*used);
                let (refusal, message) = match counter.kind {
                    CounterKind::Creates => (
                        Refusal::QuotaCreates,
                        format!("You have used {period} {limit} expansion{}; more from {when}", plural(limit)),
                    ),
                    CounterKind::Images if left > 0 => (
                        Refusal::QuotaImages,
                        format!(
                            "This expansion asks for {n} pictures but only {left} of {period} {limit} are left; ask for fewer, or wait until {when}"
                        ),
                    ),
                    CounterKind::Images => (
                        Refusal::QuotaImages,
                        format!("You have used {period} {limit} picture{}; more from {when}", plural(limit)),
                    ),
                    CounterKind::TokenCreates => {
                        return ApiFailure::refused(
                            Refusal::QuotaCreates,
                            format!(
                                "This sign-in allows {limit} expansion{} and all have been used; sign in again for more",
                                plural(limit)
                            ),
                        )
                    }
                    CounterKind::Budget => (
                        Refusal::QuotaBudget,
                        format!("This site has used today's budget of {limit} pictures; more from {when}"),
                    ),
                };
                ApiFailure::refused(refusal, message).retry_after(wait)
            }
        }
    }
}

fn plural(count: u32) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// `00:00 UTC`, or `2026-03-14 00:00 UTC` when that is not within the next day.
fn clock_time(at_ms: i64, now_ms: i64) -> String {
    let secs = at_ms.div_euclid(1000);
    let (hours, minutes) = ((secs / 3600) % 24, (secs / 60) % 60);
    if at_ms - now_ms <= DAY_MS {
        format!("{hours:02}:{minutes:02} UTC")
    } else {
        let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02} {hours:02}:{minutes:02} UTC")
    }
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: SpendingLimits = SpendingLimits {
        creates_per_period: 20,
        images_per_period: 60,
        period: Duration::from_secs(86_400),
        in_flight: 3,
        max_n: 4,
        daily_budget: 1000,
    };
    // 2026-03-13 15:30 UTC.
    const NOW: i64 = 1_773_415_800_000;

    #[test]
    fn a_create_counts_against_each_limit_until_the_next_midnight() {
        let spend = LIMITS.spend("sub:alice", None, 3, "m1", NOW);
        let kinds: Vec<_> = spend.counters.iter().map(|c| (c.kind, c.add)).collect();
        assert_eq!(
            kinds,
            vec![
                (CounterKind::Creates, 1),
                (CounterKind::Images, 3),
                (CounterKind::Budget, 3)
            ]
        );
        assert!(spend.counters.iter().all(|c| c.resets_at_ms % DAY_MS == 0
            && c.resets_at_ms > NOW
            && c.resets_at_ms - NOW <= DAY_MS));
        assert_eq!(spend.in_flight.unwrap().limit, 3);
    }

    #[test]
    fn the_sentences_say_what_was_used_and_when_more_comes() {
        let spend = LIMITS.spend("sub:alice", None, 3, "m1", NOW);
        let creates = spend.counters[0].clone();
        let failure = LIMITS.refusal(
            &Exceeded::Counter {
                counter: creates,
                used: 20,
            },
            3,
            NOW,
        );
        assert_eq!(failure.status.as_u16(), 429);
        assert_eq!(failure.refusal, Some(Refusal::QuotaCreates));
        assert_eq!(
            failure.message,
            "You have used today's 20 expansions; more from 00:00 UTC"
        );
        assert_eq!(failure.retry_after_secs, Some(30_600));
        let images = spend.counters[1].clone();
        let failure = LIMITS.refusal(
            &Exceeded::Counter {
                counter: images,
                used: 58,
            },
            3,
            NOW,
        );
        assert!(
            failure.message.contains("only 2 of today's 60"),
            "{}",
            failure.message
        );
        let failure = LIMITS.refusal(&Exceeded::InFlight { limit: 3 }, 1, NOW);
        assert_eq!(failure.refusal, Some(Refusal::QuotaInFlight));
        assert!(failure.retry_after_secs.is_some());
    }

    #[test]
    fn dates_are_written_past_a_day() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_525), (2026, 3, 13));
        assert_eq!(clock_time(NOW + 3 * DAY_MS, NOW), "2026-03-16 15:30 UTC");
    }

    #[test]
    fn the_tokens_max_n_can_only_lower_the_operators() {
        assert_eq!(LIMITS.max_n(None), 4);
    }
}
