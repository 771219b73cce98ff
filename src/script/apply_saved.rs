//! [`ScriptHost::apply_saved`]: applies a [`SavedPlan`] on this host's backend with the apply
//! engine (drift check by batch reads, so a ticket changed since the plan was made is skipped
//! as a conflict), and records it as a run with trigger `apply` whose changes are what landed,
//! with the old values the plan read, so it can be undone like any run. Also
//! [`ScriptHost::backend_record`], which a saved plan names its backend with.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::backend::{CallStats, Counted, TicketsBackend};
use crate::model::TicketChange;
use crate::state::{content_hash, BackendRecord, RunId, RunStart};

use super::apply::{apply, ApplyOptions, ApplyReport, DriftCheck};
use super::host::ScriptHost;
use super::run_record;
use super::saved_plan::{SavedPlan, SavedPlanError};

/// What applying a saved plan did.
#[derive(Debug, Clone)]
pub struct AppliedPlan {
    /// The apply's run id (`None` when it could not be recorded).
    pub run_id: Option<RunId>,
    /// One outcome per change of the plan.
    pub report: ApplyReport,
    /// What landed.
    pub changes: Vec<TicketChange>,
}

impl ScriptHost {
    /// This host's backend as a run record (and a saved plan) names it; never the token.
    pub async fn backend_record(&self) -> BackendRecord {
        run_record::backend_record(self.backend().as_ref(), self.portal_id().await)
    }

    /// Checks `saved` (read from `path`) against this backend and `max_age`, without applying.
    pub async fn check_saved(
        &self,
        path: &Path,
        saved: &SavedPlan,
        max_age: Duration,
    ) -> Result<(), SavedPlanError> {
        saved.check(path, &self.backend_record().await, Utc::now(), max_age)
    }

    /// Applies `saved` (read from `path`): checked again (age, backend) right before applying,
    /// then applied with the drift check, and recorded as a run with trigger `apply`.
    pub async fn apply_saved(
        &self,
        path: &Path,
        saved: &SavedPlan,
        max_age: Duration,
        cancel: CancellationToken,
    ) -> Result<AppliedPlan, SavedPlanError> {
        let here = self.backend_record().await;
        saved.check(path, &here, Utc::now(), max_age)?;
        // The run records the script's text when the file still holds the text the plan was
        // made from (so `runs show` gives the same hash); otherwise a line naming the plan.
        let script_text = std::fs::read_to_string(&saved.script_path)
            .ok()
            .filter(|t| content_hash(t) == saved.script_sha256)
            .unwrap_or_else(|| {
                format!(
                    "// hubscript apply {}: plan of {} (sha256 {}) made at {}\n",
                    path.display(),
                    saved.script_path,
                    saved.script_sha256,
                    saved.created_at
                )
            });
        let start = RunStart {
            script: saved.script.clone(),
            trigger: "apply".into(),
            started_at: Utc::now(),
            dry_run: false,
            backend: here,
            script_path: saved.script_path.clone(),
            script_text,
            args: saved.args.clone(),
            header: serde_json::json!({}),
            user: run_record::user(),
            host: run_record::host(),
            undo_of: None,
            claim: None,
        };
        let state = self.state();
        let id = state
            .start_run(&start)
            .map_err(|e| tracing::warn!(error = %e, "could not record the start of the apply"))
            .ok();
        let stats = Arc::new(CallStats::default());
        let counted = Counted::new(self.backend().clone(), stats.clone());
        let options = ApplyOptions {
            drift: Some(DriftCheck::Read),
            cancel,
            ..ApplyOptions::default()
        };
        let report = apply(&counted, &saved.plan, &options).await;
        let mut changes = run_record::with_old_values(counted.take_landed(), &saved.plan);
        if run_record::needs_labels(&changes) {
            if let Ok(p) = counted.pipelines().await {
                run_record::add_labels(&mut changes, &Arc::new(p));
            }
        }
        let mut outcome = AppliedPlan {
            run_id: id,
            report,
            changes,
        };
        if let Some(id) = id {
            let counts = run_record::AppliedCounts {
                planned: saved.plan.entries.len() as u64,
                applied: outcome.changes.len() as u64,
                writes: outcome.report.tickets_applied(),
                conflicts: outcome.report.conflicts(),
                failed: outcome.report.failed(),
            };
            let calls = stats.snapshot();
            if !run_record::finish_applied(state, id, "plan", &counts, &calls, &outcome.changes) {
                outcome.run_id = None;
            }
        }
        Ok(outcome)
    }
}
