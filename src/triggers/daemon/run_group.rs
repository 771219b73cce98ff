//! The runs in flight of one daemon or watch session: a bound on how many run at once (the
//! slots), a stop signal after which no new run starts, and graceful shutdown (wait for running
//! runs up to a grace period, then cancel their tokens and wait for them to end).
//!
//! A run that finds every slot busy says so ("all 4 slots busy: queued") and waits; its
//! [`Ticket`] lets the next fire of the same script skip it while it still waits (see
//! `overlap`), so a script never piles up waiting runs and the log tells the real cause.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::sync::{watch, Semaphore, TryAcquireError};
use tokio_util::sync::CancellationToken;

use crate::script::script_name;
use crate::state::RunStatus;
use crate::triggers::runner::{Job, RunResult, Runner};

/// Shared handle; cheap to clone.
#[derive(Clone)]
pub(crate) struct RunGroup {
    permits: Arc<Semaphore>,
    /// How many slots there are.
    slots: usize,
    /// Cancelled when shutdown starts: no new run starts after it.
    stop: CancellationToken,
    /// Parent of every run token; cancelled when the grace period is over.
    hard: CancellationToken,
    active: Arc<watch::Sender<usize>>,
}

/// Not started, not (yet) waiting for a slot.
const PENDING: u8 = 0;
/// Waiting because every slot is busy.
const QUEUED: u8 = 1;
const RUNNING: u8 = 2;
const SKIPPED: u8 = 3;

/// Whether a run still waits for a slot, shared with whoever may skip it meanwhile.
#[derive(Clone, Default)]
pub(crate) struct Ticket {
    phase: Arc<AtomicU8>,
    wake: CancellationToken,
}

impl Ticket {
    /// Skips the run if it waits for a slot; false if it runs (or ended, or was never held
    /// up by busy slots).
    pub(crate) fn skip_if_waiting(&self) -> bool {
        let skipped = self
            .phase
            .compare_exchange(QUEUED, SKIPPED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        if skipped {
            self.wake.cancel();
        }
        skipped
    }

    /// Marks the run as waiting for a slot.
    fn queue(&self) {
        let _ = self
            .phase
            .compare_exchange(PENDING, QUEUED, Ordering::AcqRel, Ordering::Acquire);
    }

    /// Moves to running; false if it was skipped first.
    fn start(&self) -> bool {
        self.phase
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| {
                (p != SKIPPED).then_some(RUNNING)
            })
            .is_ok()
    }
}

/// Counts a run as active for as long as it lives.
struct ActiveGuard(Arc<watch::Sender<usize>>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl RunGroup {
    /// A group running at most `max_concurrent` runs at once, stopping when `stop` is cancelled.
    pub(crate) fn new(max_concurrent: usize, stop: CancellationToken) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            slots: max_concurrent.max(1),
            stop,
            hard: CancellationToken::new(),
            active: Arc::new(watch::Sender::new(0)),
        }
    }

    /// True once shutdown started.
    pub(crate) fn stopping(&self) -> bool {
        self.stop.is_cancelled()
    }

    /// A token for one run: cancelled by its owner (replace) or at the end of the grace period.
    pub(crate) fn run_token(&self) -> CancellationToken {
        self.hard.child_token()
    }

    /// How many runs are in flight (waiting for a permit included).
    #[cfg(test)]
    pub(crate) fn active(&self) -> usize {
        *self.active.borrow()
    }

    /// Marks a run as in flight until the returned guard is dropped.
    fn enter(&self) -> ActiveGuard {
        self.active.send_modify(|n| *n += 1);
        ActiveGuard(self.active.clone())
    }

    /// Runs `job` once a slot is free, unless shutdown starts, `cancel` fires or `ticket` is
    /// skipped first (then the job does not run and the result is `Cancelled`). A job that
    /// must wait says so. The calling task must hold a [`RunGroup::hold`] guard so shutdown
    /// waits for it.
    pub(crate) async fn run(
        &self,
        runner: &dyn Runner,
        job: Job,
        cancel: CancellationToken,
        ticket: &Ticket,
    ) -> RunResult {
        let cancelled = || RunResult::with_status(RunStatus::Cancelled);
        let permit = match self.permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(TryAcquireError::Closed) => return cancelled(),
            Err(TryAcquireError::NoPermits) => {
                let name = script_name(&job.path);
                let n = self.slots;
                tracing::info!(script = %name, "all {n} slots busy: queued");
                ticket.queue();
                let since = Instant::now();
                let permit = tokio::select! {
                    p = self.permits.clone().acquire_owned() => p,
                    () = cancel.cancelled() => return cancelled(),
                    () = self.stop.cancelled() => return cancelled(),
                    () = ticket.wake.cancelled() => {
                        let waited = Duration::from_secs(since.elapsed().as_secs());
                        tracing::warn!(script = %name, "waited {} for a slot (all {n} slots busy) until its next fire: skipped", humantime::format_duration(waited));
                        return cancelled();
                    }
                };
                let Ok(permit) = permit else {
                    return cancelled();
                };
                permit
            }
        };
        if self.stopping() || cancel.is_cancelled() || !ticket.start() {
            return cancelled();
        }
        let _permit = permit;
        // A panicking run must not leave its script marked as running forever.
        match AssertUnwindSafe(runner.run(job, cancel))
            .catch_unwind()
            .await
        {
            Ok(result) => result,
            Err(_) => {
                tracing::error!("a script run panicked");
                RunResult {
                    status: RunStatus::Failed,
                    error: Some("internal error: the run panicked".into()),
                    run_id: None,
                }
            }
        }
    }

    /// How many runs may go at once.
    pub(crate) fn slots(&self) -> usize {
        self.slots
    }

    /// Counts the calling task as in flight until the guard drops; taken before spawning a
    /// task that calls [`RunGroup::run`], so shutdown also waits for tasks not yet running.
    pub(crate) fn hold(&self) -> impl Send + 'static {
        self.enter()
    }

    /// Graceful end: stops new runs, waits up to `grace` for running ones, then cancels their
    /// tokens and waits until every run ended.
    pub(crate) async fn shutdown(&self, grace: Duration) {
        self.stop.cancel();
        let mut rx = self.active.subscribe();
        let n = *rx.borrow();
        if n > 0 {
            tracing::info!(
                running = n,
                grace_secs = grace.as_secs_f64(),
                "shutting down: waiting for running scripts"
            );
        }
        if tokio::time::timeout(grace, rx.wait_for(|n| *n == 0))
            .await
            .is_err()
        {
            tracing::warn!(
                running = *rx.borrow(),
                "grace period over: cancelling running scripts"
            );
            self.hard.cancel();
            // The sender lives in `self`, so wait_for cannot fail with a closed channel.
            let _ = rx.wait_for(|n| *n == 0).await;
        }
    }
}
