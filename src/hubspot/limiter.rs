//! The process-wide request pacer: a rolling 10-second window for ordinary calls and a separate
//! 1-second window for search (HubSpot exempts search from the 10-second bucket and limits it
//! to 5 per second instead).
//!
//! Why hand-written rather than `governor`: the budget has to follow what HubSpot says at run
//! time. Each response's `X-HubSpot-RateLimit-Max`, `-Remaining` and `-Interval-Milliseconds`
//! can change the window size, the budget, and how much of it other processes sharing the app
//! already used; and a 429 blocks every caller until a given instant. A GCRA limiter with a
//! fixed quota cannot be re-seeded like that, while a timestamp window is ~100 lines.
//!
//! A caller [`RateLimiter::acquire`]s before each attempt; when the window is full it sleeps
//! (tokio timer, no polling loop) until the oldest entry leaves the window, then re-checks. The
//! lock is a plain mutex never held across an await, so dropping a waiting future (Ctrl-C) just
//! cancels the wait. This module does no I/O and knows nothing about HTTP beyond the header
//! values handed to it.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::config::RateConfig;
use crate::model::limits::{BURST_WINDOW, SEARCH_WINDOW};

/// Which budget a request draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Every endpoint except search: the rolling 10-second window.
    General,
    /// `POST .../search`: the per-second search window.
    Search,
}

/// What a response's `X-HubSpot-RateLimit-*` headers said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateHeaders {
    /// `X-HubSpot-RateLimit-Max`.
    pub max: Option<u32>,
    /// `X-HubSpot-RateLimit-Remaining`.
    pub remaining: Option<u32>,
    /// `X-HubSpot-RateLimit-Interval-Milliseconds`.
    pub interval: Option<Duration>,
}

/// One rolling window: the send times still inside it, plus an optional hard block set by a
/// 429.
#[derive(Debug)]
struct Window {
    limit: u32,
    span: Duration,
    sent: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

impl Window {
    fn new(limit: u32, span: Duration) -> Self {
        Self {
            limit: limit.max(1),
            span,
            sent: VecDeque::new(),
            blocked_until: None,
        }
    }

    /// How long one send occupies a slot: the window plus a margin of 1/50 of it (200 ms of
    /// 10 s, 20 ms of 1 s). The server timestamps a request when it arrives, later than the
    /// moment recorded here before sending; reusing a slot exactly one window later therefore
    /// reaches the server while its copy of the window still holds the old request, and earns a
    /// 429. The margin absorbs that latency at a 2% cost in throughput.
    fn hold(&self) -> Duration {
        self.span + self.span / 50
    }

    fn prune(&mut self, now: Instant) {
        let hold = self.hold();
        while let Some(&t) = self.sent.front() {
            if t + hold <= now {
                self.sent.pop_front();
            } else {
                break;
            }
        }
    }

    /// Takes one slot at `now`, or says when to try again.
    fn try_take(&mut self, now: Instant) -> Result<(), Instant> {
        if let Some(until) = self.blocked_until {
            if now < until {
                return Err(until);
            }
            self.blocked_until = None;
        }
        self.prune(now);
        if (self.sent.len() as u64) < u64::from(self.limit) {
            self.sent.push_back(now);
            return Ok(());
        }
        // Full: the oldest entry leaves the window first.
        Err(self.sent.front().map_or(now, |&t| t + self.hold()))
    }

    /// Adapts to the server's view of the window.
    fn observe(&mut self, h: RateHeaders, now: Instant) {
        if let Some(span) = h.interval.filter(|d| !d.is_zero()) {
            if span != self.span {
                tracing::debug!(?span, "rate limiter: adopting HubSpot's window length");
                self.span = span;
            }
        }
        if let Some(max) = h.max.filter(|&m| m > 0) {
            if max != self.limit {
                tracing::debug!(
                    max,
                    previous = self.limit,
                    "rate limiter: adopting HubSpot's budget"
                );
                self.limit = max;
            }
        }
        if let Some(remaining) = h.remaining {
            self.prune(now);
            let used = self.limit.saturating_sub(remaining) as usize;
            // The server counted more than we did (another process on the same app, or our
            // earlier run): trust it, by recording the difference as sent now.
            if self.sent.len() < used {
                tracing::debug!(
                    remaining,
                    local = self.sent.len(),
                    "rate limiter: HubSpot reports fewer requests left than the local window"
                );
                let missing = used - self.sent.len();
                self.sent.extend(std::iter::repeat_n(now, missing));
            }
        }
    }

    fn block_until(&mut self, until: Instant) {
        self.blocked_until = Some(self.blocked_until.map_or(until, |b| b.max(until)));
    }

    /// When the window next has room, assuming nothing else is sent.
    fn frees_at(&mut self, now: Instant) -> Instant {
        self.prune(now);
        let full = (self.sent.len() as u64) >= u64::from(self.limit);
        let window_free = match self.sent.front() {
            Some(&t) if full => t + self.hold(),
            _ => now,
        };
        self.blocked_until
            .map_or(window_free, |b| b.max(window_free))
    }
}

#[derive(Debug)]
struct State {
    general: Window,
    search: Window,
}

impl State {
    fn window(&mut self, bucket: Bucket) -> &mut Window {
        match bucket {
            Bucket::General => &mut self.general,
            Bucket::Search => &mut self.search,
        }
    }
}

/// The shared pacer. Hold it in an `Arc` (every clone of the client does).
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
}

impl RateLimiter {
    /// A limiter with HubSpot's 10-second window and 1-second search window.
    pub fn new(rate: &RateConfig) -> Self {
        Self {
            state: Mutex::new(State {
                general: Window::new(rate.per_10s, BURST_WINDOW),
                search: Window::new(rate.search_per_sec, SEARCH_WINDOW),
            }),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self
            .state
            .lock()
            .expect("rate limiter lock poisoned: a thread panicked while holding it");
        f(&mut guard)
    }

    /// Waits until `bucket` has room, then takes one slot. Returns how long it waited.
    pub async fn acquire(&self, bucket: Bucket) -> Duration {
        let start = Instant::now();
        loop {
            let now = Instant::now();
            match self.with(|s| s.window(bucket).try_take(now)) {
                Ok(()) => return now - start,
                Err(retry_at) => {
                    let wait = retry_at - now;
                    tracing::debug!(
                        ?bucket,
                        wait_ms = wait.as_millis() as u64,
                        "rate limiter: budget used up, waiting"
                    );
                    // A long wait gets a status line at default verbosity (transport.rs).
                    if wait >= super::transport::STATUS_WAIT {
                        tracing::info!(
                            "rate limit: the {bucket:?} request budget is used up; waiting {:.1}s",
                            wait.as_secs_f64()
                        );
                    }
                    tokio::time::sleep_until(retry_at).await;
                }
            }
        }
    }

    /// Feeds back the rate-limit headers of a response.
    pub fn observe(&self, bucket: Bucket, headers: RateHeaders) {
        let now = Instant::now();
        self.with(|s| s.window(bucket).observe(headers, now));
    }

    /// After a 429: blocks `bucket` for every caller for `wait` (from `Retry-After`), or, when
    /// HubSpot gave no hint, until the local window frees (at least `floor`). Returns the wait.
    pub fn block_after_429(
        &self,
        bucket: Bucket,
        wait: Option<Duration>,
        floor: Duration,
    ) -> Duration {
        let now = Instant::now();
        self.with(|s| {
            let w = s.window(bucket);
            let wait = wait.unwrap_or_else(|| (w.frees_at(now) - now).max(floor));
            w.block_until(now + wait);
            wait
        })
    }

    /// The current budget of `bucket` (after adaptation).
    pub fn limit(&self, bucket: Bucket) -> u32 {
        self.with(|s| s.window(bucket).limit)
    }

    /// How many slots of `bucket` are in use right now.
    pub fn in_use(&self, bucket: Bucket) -> usize {
        let now = Instant::now();
        self.with(|s| {
            let w = s.window(bucket);
            w.prune(now);
            w.sent.len()
        })
    }
}

#[cfg(test)]
#[path = "limiter_tests.rs"]
mod tests;
