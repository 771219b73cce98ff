//! Which failures are retried, and how long to wait: pure decisions, no I/O, so every rule is
//! unit-tested here and the request loop in `transport.rs` only applies them.
//!
//! A small loop rather than the `backon` crate: the wait depends on the failure (Retry-After,
//! the shared limiter's window, a 2 s floor after 423) and the retry-or-not rule depends on the
//! operation (a create may only be retried when it provably never reached HubSpot), which a
//! generic retry combinator would need as much code to express.
//!
//! Rules:
//! - 429: retried for every operation (HubSpot refused it before processing), except the
//!   `DAILY` policy, which stops the call. A `Retry-After` longer than the configured ceiling
//!   also stops it.
//! - connection never opened (connect error or connect timeout): retried for every operation.
//! - 5xx, 477, 423, request timeouts, resets and other transport failures: retried only for
//!   idempotent operations, because a create may have been carried out. 423 waits at least the
//!   configured lock wait (2 s).
//! - a `Retry-After` on a 5xx or 477 raises the backoff to at least that long.
//! - any other status: returned at once.

use std::time::Duration;

/// Whether repeating a call can change the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// GET, PATCH, DELETE, search, batch read/update/archive, association PUT/DELETE: repeating
    /// them leaves the same state.
    Idempotent,
    /// Create, batch create, batch upsert (may create), merge: repeating one that reached
    /// HubSpot could create a second ticket (or fail on an already merged one).
    NonIdempotent,
}

/// How one attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// The server answered with an error status.
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
        /// A 429 with `policyName: DAILY`.
        daily: bool,
    },
    /// The connection was never established: the request cannot have been processed.
    Connect,
    /// The request was sent (or may have been) but no complete answer came in time.
    Timeout,
    /// The connection broke after it was opened (reset, closed mid-response, bad body).
    Transport,
}

/// What to do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// Give the error to the caller.
    Stop,
    /// Retry after an exponential backoff of at least `min`.
    Backoff {
        /// Lower bound of the wait (2 s after a 423).
        min: Duration,
        /// Why, for the debug log.
        reason: &'static str,
    },
    /// Rate limited: retry once the shared limiter lets requests through again.
    RateLimited {
        /// `Retry-After`, when sent.
        retry_after: Option<Duration>,
    },
}

/// Decides whether `failure` of an `op` call is retried. `locked_wait` is the 423 floor and
/// `max_retry_after` the longest `Retry-After` worth sleeping.
pub(super) fn classify(
    op: Idempotency,
    failure: Failure,
    locked_wait: Duration,
    max_retry_after: Duration,
) -> Verdict {
    let idempotent = op == Idempotency::Idempotent;
    match failure {
        Failure::Status {
            status: 429,
            daily: true,
            ..
        } => Verdict::Stop,
        Failure::Status {
            status: 429,
            retry_after,
            ..
        } => match retry_after {
            Some(d) if d > max_retry_after => Verdict::Stop,
            _ => Verdict::RateLimited { retry_after },
        },
        Failure::Connect => Verdict::Backoff {
            min: Duration::ZERO,
            reason: "connection could not be opened",
        },
        _ if !idempotent => Verdict::Stop,
        Failure::Status { status: 423, .. } => Verdict::Backoff {
            min: locked_wait,
            reason: "423 Locked: record lock held",
        },
        Failure::Status {
            status: 477,
            retry_after,
            ..
        } => match retry_after {
            Some(d) if d > max_retry_after => Verdict::Stop,
            min => Verdict::Backoff {
                min: min.unwrap_or_default(),
                reason: "477 migration in progress",
            },
        },
        Failure::Status {
            status,
            retry_after,
            ..
        } if (500..600).contains(&status) => match retry_after {
            // a 503 may say when to come back; honour it like a 429's
            Some(d) if d > max_retry_after => Verdict::Stop,
            min => Verdict::Backoff {
                min: min.unwrap_or_default(),
                reason: "server error",
            },
        },
        Failure::Status { .. } => Verdict::Stop,
        Failure::Timeout => Verdict::Backoff {
            min: Duration::ZERO,
            reason: "request timed out",
        },
        Failure::Transport => Verdict::Backoff {
            min: Duration::ZERO,
            reason: "connection failed",
        },
    }
}

/// Exponential backoff with "equal jitter": half of `base * 2^retry` (capped at `max`) plus a
/// random share of the other half, so concurrent callers spread out but never retry at once.
/// `jitter` is a number in `[0, 1)`.
pub(super) fn backoff_delay(retry: u32, base: Duration, max: Duration, jitter: f64) -> Duration {
    let factor = 2u32.saturating_pow(retry.min(20));
    let full = base.saturating_mul(factor).min(max);
    let half = full / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

/// Parses `Retry-After` given in seconds (HTTP dates are not used by HubSpot's API and are
/// ignored).
pub(super) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    v.parse::<u64>().map(Duration::from_secs).ok().or_else(|| {
        v.parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Idempotency::*;

    const LOCK: Duration = Duration::from_secs(2);
    const CAP: Duration = Duration::from_secs(300);

    fn status(status: u16) -> Failure {
        Failure::Status {
            status,
            retry_after: None,
            daily: false,
        }
    }

    fn retried(v: Verdict) -> bool {
        v != Verdict::Stop
    }

    #[test]
    fn create_is_retried_only_when_it_never_reached_hubspot() {
        assert!(retried(classify(NonIdempotent, status(429), LOCK, CAP)));
        assert!(retried(classify(
            NonIdempotent,
            Failure::Connect,
            LOCK,
            CAP
        )));
        for f in [
            Failure::Timeout,
            Failure::Transport,
            status(500),
            status(502),
            status(504),
            status(423),
        ] {
            assert!(!retried(classify(NonIdempotent, f, LOCK, CAP)), "{f:?}");
        }
    }

    #[test]
    fn idempotent_calls_retry_every_transient_failure() {
        for f in [
            Failure::Timeout,
            Failure::Transport,
            Failure::Connect,
            status(500),
            status(503),
            status(524),
            status(423),
            status(429),
        ] {
            assert!(retried(classify(Idempotent, f, LOCK, CAP)), "{f:?}");
        }
        for s in [400, 401, 403, 404, 409, 414] {
            assert_eq!(classify(Idempotent, status(s), LOCK, CAP), Verdict::Stop);
        }
    }

    #[test]
    fn daily_limit_and_huge_retry_after_stop() {
        let daily = Failure::Status {
            status: 429,
            retry_after: None,
            daily: true,
        };
        assert_eq!(classify(Idempotent, daily, LOCK, CAP), Verdict::Stop);
        let long = Failure::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(3600)),
            daily: false,
        };
        assert_eq!(classify(Idempotent, long, LOCK, CAP), Verdict::Stop);
    }

    #[test]
    fn server_errors_honour_retry_after() {
        let unavailable = |secs| Failure::Status {
            status: 503,
            retry_after: Some(Duration::from_secs(secs)),
            daily: false,
        };
        match classify(Idempotent, unavailable(7), LOCK, CAP) {
            Verdict::Backoff { min, .. } => assert_eq!(min, Duration::from_secs(7)),
            v => panic!("{v:?}"),
        }
        assert_eq!(
            classify(Idempotent, unavailable(3600), LOCK, CAP),
            Verdict::Stop
        );
    }

    #[test]
    fn locked_waits_at_least_two_seconds() {
        match classify(Idempotent, status(423), LOCK, CAP) {
            Verdict::Backoff { min, .. } => assert!(min >= Duration::from_secs(2)),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered_within_bounds() {
        let base = Duration::from_millis(500);
        let max = Duration::from_secs(30);
        assert_eq!(backoff_delay(0, base, max, 0.0), Duration::from_millis(250));
        assert_eq!(backoff_delay(0, base, max, 1.0), Duration::from_millis(500));
        assert_eq!(backoff_delay(3, base, max, 0.0), Duration::from_secs(2));
        assert_eq!(backoff_delay(40, base, max, 1.0), max);
        let d = backoff_delay(2, base, max, 0.5);
        assert!(d >= Duration::from_secs(1) && d <= Duration::from_secs(2));
    }

    #[test]
    fn retry_after_parses_seconds() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }
}
