//! When to ask again: a pure, deterministic polling schedule.
//!
//! The first delay is about a second (Kling's own clients poll every second), then delays grow
//! exponentially toward a cap, each jittered so that many widgets do not poll in step. A
//! `Retry-After` raises the next delay to at least that long. Elapsed time is the sum of the
//! delays handed out, so the schedule needs no clock (there is none in wasm32 without the
//! browser) and the same seed always gives the same delays.

use serde::{Deserialize, Serialize};

/// Tuning of a [`PollSchedule`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PollConfig {
    /// Delay before the first query, before jitter.
    pub first_delay_ms: u64,
    /// Each delay is the previous one times this (before jitter).
    pub factor: f64,
    /// Largest delay before jitter.
    pub max_delay_ms: u64,
    /// Relative jitter in `[0, 1]`: a delay `d` becomes uniform in `[d(1-j), d(1+j)]` (and at
    /// least 1 ms).
    pub jitter: f64,
    /// Give up once this much time has been scheduled in total.
    pub deadline_ms: u64,
}

impl Default for PollConfig {
    /// 1 s, ×1.5 per query, capped at 10 s, ±20 % jitter, 10 minute deadline: about 70 queries
    /// for a task that never ends, and a result seen within a second or two of being ready in
    /// the first half-minute, when most tasks finish.
    fn default() -> Self {
        PollConfig {
            first_delay_ms: 1_000,
            factor: 1.5,
            max_delay_ms: 10_000,
            jitter: 0.2,
            deadline_ms: 10 * 60 * 1_000,
        }
    }
}

/// The delays between queries of one task. Also an `Iterator<Item = u64>` of delays in ms
/// (without Retry-After).
#[derive(Clone, Debug)]
pub struct PollSchedule {
    config: PollConfig,
    rng: SplitMix64,
    base_ms: f64,
    elapsed_ms: u64,
    attempts: u32,
}

impl PollSchedule {
    /// A schedule seeded with `seed` (e.g. the page-load time, or a task-id hash); the same
    /// seed always gives the same delays.
    pub fn new(config: PollConfig, seed: u64) -> Self {
        PollSchedule {
            config,
            rng: SplitMix64(seed),
            base_ms: config.first_delay_ms as f64,
            elapsed_ms: 0,
            attempts: 0,
        }
    }

    /// Delay before the next query, in ms, or `None` once the deadline is reached.
    ///
    /// - `retry_after_ms` (from the last answer's `Retry-After`) makes this delay at least that
    ///   long; it does not reset the backoff.
    /// - The last delay is shortened so the final query happens exactly at the deadline; if a
    ///   `Retry-After` would push the next query past the deadline, the answer is `None`: the
    ///   provider will not be ready in time.
    pub fn next_delay(&mut self, retry_after_ms: Option<u64>) -> Option<u64> {
        let remaining = self.config.deadline_ms.saturating_sub(self.elapsed_ms);
        if remaining == 0 {
            return None;
        }
        let jitter = self.config.jitter.clamp(0.0, 1.0);
        let spread = 1.0 + jitter * (2.0 * self.rng.next_unit() - 1.0);
        let capped = self.base_ms.min(self.config.max_delay_ms as f64);
        // Never 0: a zero delay would turn polling into a busy loop against the provider.
        let mut delay = (capped * spread).round().max(1.0) as u64;
        if let Some(at_least) = retry_after_ms {
            if at_least > remaining {
                self.elapsed_ms = self.config.deadline_ms;
                return None;
            }
            delay = delay.max(at_least);
        }
        delay = delay.min(remaining);
        let factor = if self.config.factor.is_finite() {
            self.config.factor.max(1.0)
        } else {
            1.0
        };
        self.base_ms = (self.base_ms * factor).min(self.config.max_delay_ms as f64);
        self.elapsed_ms += delay;
        self.attempts += 1;
        Some(delay)
    }

    /// Total delay handed out so far.
    pub fn elapsed_ms(&self) -> u64 {
        self.elapsed_ms
    }

    /// Number of delays handed out so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub fn config(&self) -> &PollConfig {
        &self.config
    }
}

impl Iterator for PollSchedule {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        self.next_delay(None)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, good enough for jitter, and no `rand`
/// dependency (whose entropy source would need `getrandom` in wasm).
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // First outputs for seed 0 from the reference implementation.
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn first_delay_is_about_a_second_and_grows_to_the_cap() {
        let config = PollConfig::default();
        for seed in 0..100 {
            let delays: Vec<u64> = PollSchedule::new(config, seed).take(20).collect();
            assert!((800..=1200).contains(&delays[0]), "{seed}: {delays:?}");
            for d in &delays {
                assert!(*d <= 12_000, "{seed}: {delays:?}");
            }
            // Late delays sit near the cap.
            assert!(delays[19] >= 8_000, "{seed}: {delays:?}");
        }
    }

    #[test]
    fn without_jitter_the_sequence_is_exact() {
        let config = PollConfig {
            first_delay_ms: 1000,
            factor: 2.0,
            max_delay_ms: 5000,
            jitter: 0.0,
            deadline_ms: 20_000,
        };
        let delays: Vec<u64> = PollSchedule::new(config, 7).collect();
        assert_eq!(delays, vec![1000, 2000, 4000, 5000, 5000, 3000]);
        assert_eq!(delays.iter().sum::<u64>(), 20_000);
    }

    #[test]
    fn same_seed_same_delays_other_seed_other_delays() {
        let config = PollConfig::default();
        let a: Vec<u64> = PollSchedule::new(config, 42).take(30).collect();
        let b: Vec<u64> = PollSchedule::new(config, 42).take(30).collect();
        let c: Vec<u64> = PollSchedule::new(config, 43).take(30).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn retry_after_raises_the_delay_and_keeps_the_backoff() {
        let config = PollConfig {
            jitter: 0.0,
            ..PollConfig::default()
        };
        let mut s = PollSchedule::new(config, 1);
        assert_eq!(s.next_delay(None), Some(1000));
        assert_eq!(s.next_delay(Some(7000)), Some(7000));
        assert_eq!(s.next_delay(None), Some(2250));
        // A shorter Retry-After than the backoff changes nothing.
        assert_eq!(s.next_delay(Some(100)), Some(3375));
    }

    #[test]
    fn deadline_ends_the_schedule() {
        let config = PollConfig {
            deadline_ms: 10_000,
            ..PollConfig::default()
        };
        let mut s = PollSchedule::new(config, 9);
        let total: u64 = s.by_ref().sum();
        assert_eq!(total, 10_000);
        assert_eq!(s.next_delay(None), None);
        // A Retry-After beyond the deadline ends it at once.
        let mut s = PollSchedule::new(config, 9);
        assert_eq!(s.next_delay(Some(60_000)), None);
        assert_eq!(s.next_delay(None), None);
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn delays_stay_in_bounds_and_end_at_the_deadline(
                first in 1u64..5_000,
                factor in 1.0f64..3.0,
                cap in 1u64..60_000,
                jitter in 0.0f64..=1.0,
                deadline in 1u64..1_000_000,
                seed in any::<u64>(),
                retry in prop::collection::vec(prop::option::of(0u64..20_000), 0..50),
            ) {
                let config = PollConfig { first_delay_ms: first, factor, max_delay_ms: cap, jitter, deadline_ms: deadline };
                let mut s = PollSchedule::new(config, seed);
                let upper = (first.min(cap) as f64).max(cap as f64) * (1.0 + jitter) + 1.0;
                let mut total = 0u64;
                let mut hints = retry.into_iter();
                while let Some(d) = s.next_delay(hints.next().flatten()) {
                    total += d;
                    prop_assert!(total <= deadline);
                    prop_assert!(d as f64 <= upper.max(20_000.0));
                    prop_assert!(s.attempts() < 1_000_000);
                }
                prop_assert!(s.next_delay(None).is_none());
                prop_assert!(total <= deadline);
            }
        }
    }
}
