//! Per-client rate limit: a token bucket per client IP address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Beyond this many tracked clients, idle ones (full buckets) are forgotten.
const MAX_TRACKED_CLIENTS: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitConfig {
    /// Sustained requests per minute per client; 0 disables the limit.
    pub per_minute: u32,
    /// Requests a client may send at once before the sustained rate applies.
    pub burst: u32,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Debug)]
pub struct RateLimiter {
    config: RateLimitConfig,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    pub fn new(config: RateLimitConfig) -> RateLimiter {
        RateLimiter {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn config(&self) -> RateLimitConfig {
        self.config
    }

    fn per_second(&self) -> f64 {
        f64::from(self.config.per_minute) / 60.0
    }

    fn capacity(&self) -> f64 {
        f64::from(self.config.burst.max(1))
    }

    /// Takes one request from `client`'s allowance at `now`; `Err(wait)` says how long until the
    /// next request would be allowed.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.config.per_minute == 0 {
            return Ok(());
        }
        let rate = self.per_second();
        let capacity = self.capacity();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED_CLIENTS && !buckets.contains_key(&client) {
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.updated).as_secs_f64() * rate < capacity
            });
            // Still full (many clients, all recently active): forget the half seen longest
            // ago, so memory stays bounded whatever the number of addresses. A forgotten
            // client starts again with a full bucket, which bounds what it gains to one burst.
            if buckets.len() >= MAX_TRACKED_CLIENTS {
                let mut seen: Vec<Instant> = buckets.values().map(|b| b.updated).collect();
                seen.sort_unstable();
                let cutoff = seen[seen.len() / 2];
                buckets.retain(|_, b| b.updated > cutoff);
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_burst_then_the_sustained_rate() {
        let limiter = RateLimiter::new(RateLimitConfig {
            per_minute: 60,
            burst: 3,
        });
        let client: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(client, t0).is_ok());
        }
        let wait = limiter.check(client, t0).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        // Another client has its own allowance.
        assert!(limiter.check(other, t0).is_ok());
        // One second later one more request (60 per minute) is allowed, not two.
        let t1 = t0 + Duration::from_secs(1);
        assert!(limiter.check(client, t1).is_ok());
        assert!(limiter.check(client, t1).is_err());
    }

    #[test]
    fn memory_stays_bounded_whatever_the_number_of_clients() {
        let limiter = RateLimiter::new(RateLimitConfig {
            per_minute: 60,
            burst: 5,
        });
        let start = Instant::now();
        for i in 0..(3 * MAX_TRACKED_CLIENTS as u32) {
            let client = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let now = start + Duration::from_micros(u64::from(i));
            assert!(limiter.check(client, now).is_ok());
        }
        assert!(limiter.buckets.lock().unwrap().len() <= MAX_TRACKED_CLIENTS);
    }

    #[test]
    fn zero_disables_the_limit() {
        let limiter = RateLimiter::new(RateLimitConfig {
            per_minute: 0,
            burst: 1,
        });
        let client: IpAddr = "::1".parse().unwrap();
        let now = Instant::now();
        for _ in 0..1000 {
            assert!(limiter.check(client, now).is_ok());
        }
    }
}
