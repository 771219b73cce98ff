//! The bookkeeping behind rate-limit emulation: a rolling window of admitted requests (HubSpot's
//! `TEN_SECONDLY_ROLLING` burst limit, and the 5-per-second search limit) and a daily quota that
//! resets at midnight UTC (HubSpot resets at midnight in the portal's time zone; a test server
//! has none, so UTC). Pure logic over explicit clocks, so it is unit-tested without sleeping;
//! the HTTP side (headers, 429 bodies) is in `rate_limit.rs`.
//!
//! Refused requests are not counted: a client that retries too early is refused again but does
//! not push the window further out (HubSpot does not document either way).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use tokio::time::Instant;

use super::rate_limit_spec::RateLimitSpec;

/// At most `spec.max` admissions in any `spec.interval`.
#[derive(Debug)]
pub(crate) struct RollingWindow {
    spec: RateLimitSpec,
    admitted: VecDeque<Instant>,
}

impl RollingWindow {
    pub(crate) fn new(spec: RateLimitSpec) -> Self {
        Self {
            spec,
            admitted: VecDeque::new(),
        }
    }

    fn prune(&mut self, now: Instant) {
        while let Some(&oldest) = self.admitted.front() {
            if now.duration_since(oldest) >= self.spec.interval {
                self.admitted.pop_front();
            } else {
                break;
            }
        }
    }

    /// `Err(wait)` when full: the time until the oldest admission leaves the window.
    fn check(&mut self, now: Instant) -> Result<(), Duration> {
        self.prune(now);
        if self.admitted.len() < self.spec.max as usize {
            return Ok(());
        }
        let oldest = self.admitted.front().copied().unwrap_or(now);
        Err((oldest + self.spec.interval).saturating_duration_since(now))
    }

    fn admit(&mut self, now: Instant) {
        self.admitted.push_back(now);
    }

    fn remaining(&self) -> u32 {
        self.spec.max.saturating_sub(self.admitted.len() as u32)
    }
}

/// A number of requests per UTC day.
#[derive(Debug)]
pub(crate) struct DailyQuota {
    limit: u64,
    day: Option<NaiveDate>,
    used: u64,
}

impl DailyQuota {
    pub(crate) fn new(limit: u64) -> Self {
        Self {
            limit,
            day: None,
            used: 0,
        }
    }

    fn roll(&mut self, today: NaiveDate) {
        if self.day != Some(today) {
            self.day = Some(today);
            self.used = 0;
        }
    }

    fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The daily quota is used up.
    Daily,
    /// The rolling burst window is full.
    TenSecondly,
    /// More than 5 searches in a second.
    Secondly,
}

/// The values of the `X-HubSpot-RateLimit-*` headers (none for searches).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    /// `(Max, Remaining, Interval-Milliseconds)` of the burst window.
    pub(crate) window: Option<(u32, u32, u128)>,
    /// `(Daily, Daily-Remaining)`.
    pub(crate) daily: Option<(u64, u64)>,
}

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Process it, then add these headers.
    Allowed(RateHeaders),
    /// Answer 429 without processing it.
    Refused {
        /// Which limit.
        reason: Refusal,
        /// When trying again can succeed.
        retry_after: Duration,
        /// Headers to add to the 429.
        headers: RateHeaders,
    },
}

#[derive(Debug)]
struct State {
    burst: Option<RollingWindow>,
    search: Option<RollingWindow>,
    daily: Option<DailyQuota>,
}

/// All limits of one server, behind one lock so a request is admitted by all or none.
#[derive(Debug)]
pub(crate) struct Limiter {
    state: Mutex<State>,
}

impl Limiter {
    /// `burst` also switches on the search limit (`search`), as HubSpot applies both.
    pub(crate) fn new(
        burst: Option<RateLimitSpec>,
        search: RateLimitSpec,
        daily: Option<u64>,
    ) -> Self {
        Self {
            state: Mutex::new(State {
                search: burst.map(|_| RollingWindow::new(search)),
                burst: burst.map(RollingWindow::new),
                daily: daily.map(DailyQuota::new),
            }),
        }
    }

    /// Whether any limit is configured at all.
    pub(crate) fn is_active(&self) -> bool {
        let s = self.state.lock().expect("limiter lock poisoned by a panic");
        s.burst.is_some() || s.daily.is_some()
    }

    /// Decides on one request at `now` (monotonic) / `utc` (for the daily reset).
    pub(crate) fn admit(&self, is_search: bool, now: Instant, utc: DateTime<Utc>) -> Admission {
        let mut guard = self.state.lock().expect("limiter lock poisoned by a panic");
        let s = &mut *guard;
        if let Some(d) = s.daily.as_mut() {
            d.roll(utc.date_naive());
        }
        let window_of =
            |w: &RollingWindow| (w.spec.max, w.remaining(), w.spec.interval.as_millis());
        let headers = |s: &State| RateHeaders {
            window: if is_search {
                None
            } else {
                s.burst.as_ref().map(window_of)
            },
            daily: if is_search {
                None
            } else {
                s.daily.as_ref().map(|d| (d.limit, d.remaining()))
            },
        };

        if let Some(d) = s.daily.as_ref() {
            if d.remaining() == 0 {
                return Admission::Refused {
                    reason: Refusal::Daily,
                    retry_after: until_next_utc_midnight(utc),
                    headers: headers(s),
                };
            }
        }
        let (window, reason) = if is_search {
            (s.search.as_mut(), Refusal::Secondly)
        } else {
            (s.burst.as_mut(), Refusal::TenSecondly)
        };
        if let Some(w) = window {
            if let Err(wait) = w.check(now) {
                return Admission::Refused {
                    reason,
                    retry_after: wait,
                    headers: headers(s),
                };
            }
            w.admit(now);
        }
        if let Some(d) = s.daily.as_mut() {
            d.used += 1;
        }
        Admission::Allowed(headers(s))
    }
}

fn until_next_utc_midnight(utc: DateTime<Utc>) -> Duration {
    let next = utc
        .date_naive()
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    next.and_then(|n| (n - utc).to_std().ok())
        .unwrap_or(Duration::from_secs(86_400))
}

/// `Retry-After` in whole seconds, rounded up, at least 1.
pub(crate) fn retry_after_secs(wait: Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(max: u32, ms: u64) -> RateLimitSpec {
        RateLimitSpec {
            max,
            interval: Duration::from_millis(ms),
        }
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn window_admits_max_then_refuses_until_the_oldest_leaves() {
        let l = Limiter::new(Some(spec(3, 1_000)), RateLimitSpec::SEARCH, None);
        let t0 = Instant::now();
        let day = utc("2026-01-01T12:00:00Z");
        for remaining in [2, 1, 0] {
            let a = l.admit(false, t0, day);
            assert_eq!(
                a,
                Admission::Allowed(RateHeaders {
                    window: Some((3, remaining, 1_000)),
                    daily: None
                })
            );
        }
        let later = t0 + Duration::from_millis(400);
        match l.admit(false, later, day) {
            Admission::Refused {
                reason,
                retry_after,
                headers,
            } => {
                assert_eq!(reason, Refusal::TenSecondly);
                assert_eq!(retry_after, Duration::from_millis(600));
                assert_eq!(headers.window, Some((3, 0, 1_000)));
            }
            other => panic!("{other:?}"),
        }
        // The refusal did not count: one second after t0 the whole window is free again.
        let a = l.admit(false, t0 + Duration::from_secs(1), day);
        assert!(matches!(a, Admission::Allowed(h) if h.window == Some((3, 2, 1_000))));
    }

    #[test]
    fn search_has_its_own_window_and_no_headers() {
        let l = Limiter::new(Some(spec(100, 10_000)), spec(2, 1_000), None);
        let t0 = Instant::now();
        let day = utc("2026-01-01T12:00:00Z");
        assert_eq!(
            l.admit(true, t0, day),
            Admission::Allowed(RateHeaders::default())
        );
        assert_eq!(
            l.admit(true, t0, day),
            Admission::Allowed(RateHeaders::default())
        );
        assert!(matches!(
            l.admit(true, t0, day),
            Admission::Refused { reason: Refusal::Secondly, headers, .. } if headers == RateHeaders::default()
        ));
        // Searches did not use the burst budget.
        let a = l.admit(false, t0, day);
        assert!(matches!(a, Admission::Allowed(h) if h.window == Some((100, 99, 10_000))));
    }

    #[test]
    fn daily_quota_refuses_and_resets_at_midnight_utc() {
        let l = Limiter::new(None, RateLimitSpec::SEARCH, Some(2));
        let t0 = Instant::now();
        let evening = utc("2026-01-01T23:59:30Z");
        assert!(
            matches!(l.admit(false, t0, evening), Admission::Allowed(h) if h.daily == Some((2, 1)))
        );
        // A search counts toward the daily quota but carries no headers.
        assert_eq!(
            l.admit(true, t0, evening),
            Admission::Allowed(RateHeaders::default())
        );
        match l.admit(false, t0, evening) {
            Admission::Refused {
                reason,
                retry_after,
                headers,
            } => {
                assert_eq!(reason, Refusal::Daily);
                assert_eq!(retry_after, Duration::from_secs(30));
                assert_eq!(headers.daily, Some((2, 0)));
            }
            other => panic!("{other:?}"),
        }
        let next_day = utc("2026-01-02T00:00:01Z");
        assert!(
            matches!(l.admit(false, t0, next_day), Admission::Allowed(h) if h.daily == Some((2, 1)))
        );
    }

    #[test]
    fn a_refused_burst_does_not_spend_the_daily_quota() {
        let l = Limiter::new(Some(spec(1, 10_000)), RateLimitSpec::SEARCH, Some(10));
        let t0 = Instant::now();
        let day = utc("2026-01-01T12:00:00Z");
        assert!(matches!(l.admit(false, t0, day), Admission::Allowed(_)));
        match l.admit(false, t0, day) {
            Admission::Refused { headers, .. } => assert_eq!(headers.daily, Some((10, 9))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2_001)), 3);
    }
}
