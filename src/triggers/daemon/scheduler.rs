//! The daemon's per-script loop: sleep (tokio time, no polling) until the next fire time of
//! the script's current version, wait a random jitter, claim the fire in the state store
//! (which records it as the last fire; a fire another daemon claimed is skipped here), then
//! hand the run to the script's [`RunSlot`] (which applies the overlap policy).
//!
//! Sleeps are cut into pieces of at most [`MAX_SLEEP`] and the wall clock is re-read after
//! each, so a suspended machine or a clock step is noticed within a minute; an idle daemon
//! with 100 scripts wakes at most 100 times a minute, and does nothing else.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::{Rng, RngExt};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::claims::{DaemonClaims, FireClaim};
use super::overlap::RunSlot;
use crate::state::StateDb;
use crate::triggers::clock::Clock;
use crate::triggers::runner::Trigger;
use crate::triggers::scheduled::ScheduledScript;

/// Longest single sleep before the wall clock is read again.
pub(crate) const MAX_SLEEP: Duration = Duration::from_secs(60);

/// A fire time later than this behind the clock counts as missed (the loop was held up).
const LATE_TOLERANCE: chrono::TimeDelta = chrono::TimeDelta::seconds(5);

/// What the per-script loops share.
pub(crate) struct LoopCtx {
    pub clock: Arc<dyn Clock>,
    pub state: StateDb,
    pub claims: Arc<DaemonClaims>,
    pub dry_run: bool,
}

/// A random delay in `[0, max]`, at millisecond resolution.
pub(crate) fn jitter_delay(max: Duration, rng: &mut impl Rng) -> Duration {
    let max_ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX);
    if max_ms == 0 {
        return Duration::ZERO;
    }
    Duration::from_millis(rng.random_range(0..=max_ms))
}

/// Sleeps until the wall clock reads `at` or later.
pub(crate) async fn sleep_until_wall(clock: &dyn Clock, at: DateTime<Utc>) {
    loop {
        let now = clock.now();
        if now >= at {
            return;
        }
        let left = (at - now).to_std().unwrap_or(Duration::ZERO);
        tokio::time::sleep(left.min(MAX_SLEEP).max(Duration::from_millis(1))).await;
    }
}

/// Runs the schedule of one script until `stop` (unscheduled or shutdown). `current` holds
/// the last good version; a new version takes effect from the next fire time.
pub(crate) async fn script_loop(
    mut current: watch::Receiver<Arc<ScheduledScript>>,
    slot: Arc<RunSlot>,
    ctx: Arc<LoopCtx>,
    stop: CancellationToken,
) {
    let mut after = ctx.clock.now();
    loop {
        let entry = current.borrow_and_update().clone();
        let Some(fire) = entry.schedule.next_after(after, entry.tz) else {
            tracing::warn!(script = %entry.name, schedule = entry.schedule.source(), "schedule has no future fire time");
            tokio::select! {
                () = stop.cancelled() => return,
                changed = current.changed() => {
                    if changed.is_err() { return; }
                    after = after.max(ctx.clock.now());
                    continue;
                }
            }
        };
        let now = ctx.clock.now();
        if fire + LATE_TOLERANCE < now {
            tracing::warn!(script = %entry.name, missed = %fire.with_timezone(&entry.tz), "fire time missed (the daemon was held up or the clock jumped): skipped");
            after = now;
            continue;
        }
        tracing::debug!(script = %entry.name, next = %fire.with_timezone(&entry.tz), "next fire");
        tokio::select! {
            () = stop.cancelled() => return,
            changed = current.changed() => {
                if changed.is_err() { return; }
                // A new version: recompute its next fire time from now.
                after = after.max(ctx.clock.now());
                continue;
            }
            () = sleep_until_wall(&*ctx.clock, fire) => {}
        }
        if let Some(max) = entry.header.jitter {
            let delay = jitter_delay(max, &mut rand::rng());
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(delay) => {}
            }
        }
        if let FireClaim::Run(claim) = ctx.claims.fire(&entry.name, fire) {
            // The latest good version runs, even if it arrived during the jitter.
            let latest = current.borrow().clone();
            let mut job = latest.job(Trigger::Schedule, ctx.dry_run);
            job.claim = claim;
            tracing::info!(script = %latest.name, fire = %fire.with_timezone(&latest.tz), "fire");
            slot.fire(job, latest.header.overlap).await;
        }
        after = fire;
    }
}

#[cfg(test)]
#[path = "scheduler_tests.rs"]
mod tests;
