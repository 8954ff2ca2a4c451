//! Backoff with jitter between retries, and the sleeper that waits it out.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Waits between retries. Injected so tests run without real time passing.
#[async_trait::async_trait]
pub trait Sleeper: Send + Sync + std::fmt::Debug + 'static {
    /// Waits for `duration`.
    async fn sleep(&self, duration: Duration);
}

/// Sleeps on the tokio timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

#[async_trait::async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Records the waits instead of waiting; for tests.
#[derive(Debug, Default)]
pub struct RecordingSleeper {
    waits: Mutex<Vec<Duration>>,
}

impl RecordingSleeper {
    /// Every wait asked for so far.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[async_trait::async_trait]
impl Sleeper for RecordingSleeper {
    async fn sleep(&self, duration: Duration) {
        let mut waits = self
            .waits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        waits.push(duration);
    }
}

/// Exponential backoff with full jitter: the wait before retry `n` is uniform in
/// `[0, min(cap, base * 2^n)]`, so clients that failed together do not retry together.
#[derive(Debug)]
pub struct Backoff {
    /// The first retry's upper bound.
    pub base: Duration,
    /// The largest wait.
    pub cap: Duration,
    /// How many attempts in all, the first included.
    pub max_attempts: u32,
    seed: AtomicU64,
}

impl Clone for Backoff {
    fn clone(&self) -> Self {
        Self::new(self.base, self.cap, self.max_attempts)
            .with_seed(self.seed.load(Ordering::Relaxed))
    }
}

impl Default for Backoff {
    /// 8 attempts, waits from 50 ms up to 5 s.
    fn default() -> Self {
        Self::new(Duration::from_millis(50), Duration::from_secs(5), 8)
    }
}

impl Backoff {
    /// A backoff of `max_attempts` attempts with waits bounded by `base * 2^n` and `cap`.
    pub fn new(base: Duration, cap: Duration, max_attempts: u32) -> Self {
        Self {
            base,
            cap,
            max_attempts: max_attempts.max(1),
            seed: AtomicU64::new(random_seed()),
        }
    }

    /// The same backoff with a fixed jitter seed, for reproducible tests (the default seed
    /// is random per instance, so processes that failed together spread their retries).
    pub fn with_seed(self, seed: u64) -> Self {
        self.seed.store(seed.max(1), Ordering::Relaxed);
        self
    }

    /// The wait before retry number `retry` (0 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX);
        let bound = self.base.saturating_mul(factor).min(self.cap);
        let fraction = f64::from(u32::try_from(self.next_random() >> 32).unwrap_or(0));
        bound.mul_f64(fraction / f64::from(u32::MAX))
    }

    /// xorshift64: cheap, and good enough to spread retries apart.
    fn next_random(&self) -> u64 {
        let mut x = self.seed.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.store(x, Ordering::Relaxed);
        x
    }
}

/// A random seed from the process's ULID generator (never zero, which xorshift cannot leave).
fn random_seed() -> u64 {
    let bits = ulid::Ulid::new().random();
    u64::try_from(bits & u128::from(u64::MAX))
        .unwrap_or(1)
        .max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_under_the_growing_bound_and_the_cap() {
        let backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(100), 5);
        for retry in 0..10 {
            let bound =
                (Duration::from_millis(10) * 2u32.pow(retry)).min(Duration::from_millis(100));
            assert!(backoff.delay(retry) <= bound);
        }
    }

    #[test]
    fn delays_are_jittered() {
        let backoff = Backoff::default();
        let delays: Vec<_> = (0..5).map(|_| backoff.delay(3)).collect();
        assert!(delays.windows(2).any(|pair| pair[0] != pair[1]));
    }
}
