//! Time, injected: logic that expires, retries or stamps takes a [`Clock`] instead of reading
//! the system time, so tests can fix it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until moved, for tests.
#[derive(Debug, Clone, Default)]
pub struct FixedClock {
    millis_since_epoch: Arc<AtomicU64>,
}

impl FixedClock {
    /// A clock stopped at `time`.
    pub fn at(time: SystemTime) -> Self {
        let millis = time
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        Self {
            millis_since_epoch: Arc::new(AtomicU64::new(u64::try_from(millis).unwrap_or(u64::MAX))),
        }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let millis = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.millis_since_epoch.fetch_add(millis, Ordering::Relaxed);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.millis_since_epoch.load(Ordering::Relaxed))
    }
}

/// A shared clock, as services hold it.
pub type SharedClock = Arc<dyn Clock>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_moves_only_when_advanced() {
        let clock = FixedClock::at(UNIX_EPOCH + Duration::from_secs(10));
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_secs(10));
        clock.advance(Duration::from_millis(1500));
        assert_eq!(clock.now(), UNIX_EPOCH + Duration::from_millis(11_500));
    }
}
