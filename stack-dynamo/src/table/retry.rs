//! Backoff with full jitter, shared by update retries and batch retries.

use std::hash::BuildHasher;
use std::time::Duration;

/// The shortest backoff ceiling; it doubles with each attempt.
const BACKOFF_BASE: Duration = Duration::from_millis(10);
/// The ceiling stops doubling after this many attempts (10 ms × 2⁶ = 640 ms).
const BACKOFF_MAX_DOUBLINGS: u32 = 6;

/// Waits a random time up to a ceiling that doubles with each attempt ("full jitter"), so that
/// callers racing for the same item, or retrying the same throttled table, spread out.
pub(crate) async fn backoff(attempt: u32) {
    let ceiling = BACKOFF_BASE * 2_u32.pow(attempt.min(BACKOFF_MAX_DOUBLINGS));
    tokio::time::sleep(ceiling.mul_f64(random_fraction())).await;
}

/// A number in [0, 1) from std's randomly seeded hasher; good enough for jitter.
fn random_fraction() -> f64 {
    let random = std::collections::hash_map::RandomState::new().hash_one(0_u8);
    (random >> 11) as f64 / (1_u64 << 53) as f64
}
