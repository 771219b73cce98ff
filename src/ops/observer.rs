//! [`Observed`]: a [`Runner`] wrapper that, after each run, reads the run's record from the
//! state store and feeds the metrics and the alerts. Reading the record (rather than the
//! in-memory outcome) keeps the numbers identical to `hubscript runs`, whether the run happened
//! in this process or in a child process.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::state::{RunId, RunStatus, StateDb};
use crate::triggers::{Job, RunResult, Runner};

use super::alerts::{message, transition, Webhook};
use super::metrics::Metrics;
use super::status::{failure_streak, STREAK_WINDOW};

/// A runner whose runs are counted in `metrics` and alerted on through `webhook`.
pub struct Observed {
    /// The runner doing the work.
    pub inner: Arc<dyn Runner>,
    /// Where runs are recorded.
    pub state: StateDb,
    /// The daemon's metrics.
    pub metrics: Arc<Metrics>,
    /// Where alerts go, if anywhere.
    pub webhook: Option<Webhook>,
}

impl Observed {
    async fn after(&self, id: RunId) {
        let run = match self.state.run(id) {
            Ok(Some(run)) => run,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(run = id, error = %e, "cannot read the run record for metrics and alerts");
                return;
            }
        };
        let recent = match self.state.recent_runs(&run.script, STREAK_WINDOW) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(run = id, error = %e, "cannot read the run history for alerts");
                Vec::new()
            }
        };
        let streak = failure_streak(recent.iter().map(|r| r.1));
        self.metrics.observe(&run, streak);
        // the runs before this one, newest first
        let before: Vec<RunStatus> = recent.iter().filter(|r| r.0 < id).map(|r| r.1).collect();
        let previous = before
            .iter()
            .copied()
            .find(|s| !matches!(s, RunStatus::Running | RunStatus::Cancelled));
        let Some(hook) = &self.webhook else { return };
        if let Some(t) = transition(previous, run.status) {
            hook.post(&message(&run, t, failure_streak(before))).await;
        }
    }
}

#[async_trait]
impl Runner for Observed {
    async fn run(&self, job: Job, cancel: CancellationToken) -> RunResult {
        let result = self.inner.run(job, cancel).await;
        if let Some(id) = result.run_id {
            self.after(id).await;
        }
        result
    }

    fn check(&self, path: &Path, source: &str) -> Result<(), String> {
        self.inner.check(path, source)
    }
}
