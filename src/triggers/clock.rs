//! Wall-clock time for schedules, injectable so tests can drive it with tokio's paused time.
//! Sleeping always goes through `tokio::time`; the clock only says what time it is.

use chrono::{DateTime, Utc};

/// Tells the current wall-clock time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that starts at a given time and advances with tokio's clock, so that
/// `tokio::time::advance` (with `start_paused = true`) moves wall time too. For tests and
/// benches.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    base: DateTime<Utc>,
    start: tokio::time::Instant,
}

impl TokioClock {
    /// A clock reading `base` now.
    pub fn starting_at(base: DateTime<Utc>) -> Self {
        Self {
            base,
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = tokio::time::Instant::now().saturating_duration_since(self.start);
        chrono::Duration::from_std(elapsed)
            .ok()
            .and_then(|d| self.base.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn tokio_clock_follows_paused_time() {
        let base: DateTime<Utc> = "2026-03-29T00:00:00Z".parse().unwrap();
        let c = TokioClock::starting_at(base);
        assert_eq!(c.now(), base);
        tokio::time::advance(std::time::Duration::from_secs(90)).await;
        assert_eq!(c.now(), base + chrono::Duration::seconds(90));
    }
}
