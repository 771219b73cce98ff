//! The runs in flight of one daemon or watch session: a bound on how many run at once, a
//! stop signal after which no new run starts, and graceful shutdown (wait for running runs up
//! to a grace period, then cancel their tokens and wait for them to end).

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::{watch, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::state::RunStatus;
use crate::triggers::runner::{Job, RunResult, Runner};

/// Shared handle; cheap to clone.
#[derive(Clone)]
pub(crate) struct RunGroup {
    permits: Arc<Semaphore>,
    /// Cancelled when shutdown starts: no new run starts after it.
    stop: CancellationToken,
    /// Parent of every run token; cancelled when the grace period is over.
    hard: CancellationToken,
    active: Arc<watch::Sender<usize>>,
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

    /// Runs `job` once a concurrency permit is free, unless shutdown starts or `cancel` fires
    /// first (then the job does not run and the result is `Cancelled`). The calling task must
    /// hold a [`RunGroup::hold`] guard so shutdown waits for it.
    pub(crate) async fn run(
        &self,
        runner: &dyn Runner,
        job: Job,
        cancel: CancellationToken,
    ) -> RunResult {
        let permit = tokio::select! {
            p = self.permits.acquire() => p,
            () = cancel.cancelled() => return RunResult::with_status(RunStatus::Cancelled),
            () = self.stop.cancelled() => return RunResult::with_status(RunStatus::Cancelled),
        };
        let Ok(_permit) = permit else {
            return RunResult::with_status(RunStatus::Cancelled);
        };
        if self.stopping() {
            return RunResult::with_status(RunStatus::Cancelled);
        }
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
