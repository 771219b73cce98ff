//! [`ScriptHost::undo`]: plans the reverse of a recorded run (`undo.rs`), applies it with the
//! apply engine (drift check included) on this host's backend, and records it as a run with
//! trigger `undo`, whose changes are what landed, with the old values the drift check expected,
//! so the undo can itself be undone.

use std::sync::Arc;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::backend::{CallStats, Counted, TicketsBackend};
use crate::model::TicketChange;
use crate::state::{RunId, RunRecord, RunStart, RunStatus};

use super::apply::{apply, ApplyOptions, ApplyReport, ChangeStatus};
use super::host::ScriptHost;
use super::plan::{Plan, PlanChange};
use super::run_record;
use super::undo::{reverse, NotUndoable};

/// Why a run cannot be undone at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UndoError {
    /// The run only planned.
    #[error("run {0} was a dry run: it changed nothing")]
    DryRun(RunId),
    /// The run has not ended.
    #[error("run {0} is still running (or was interrupted): undo it once it has ended")]
    Running(RunId),
    /// The run wrote to another backend.
    #[error("run {id} wrote to {run}, not to {here}: point undo at the same backend (--sandbox or --api)")]
    OtherBackend {
        /// The run.
        id: RunId,
        /// Its backend.
        run: String,
        /// This host's backend.
        here: String,
    },
}

/// What an undo did (or, with `dry_run`, would do).
#[derive(Debug, Clone)]
pub struct UndoOutcome {
    /// The undo's own run id (`None` when it could not be recorded).
    pub run_id: Option<RunId>,
    /// The reverse plan.
    pub plan: Plan,
    /// What cannot be reversed, and why.
    pub not_undoable: Vec<NotUndoable>,
    /// How applying went (`None` for a dry run).
    pub report: Option<ApplyReport>,
    /// What landed (a dry run: what would).
    pub changes: Vec<TicketChange>,
}

impl UndoOutcome {
    /// Changes skipped because the ticket changed since the run.
    pub fn conflicts(&self) -> u64 {
        self.count(|s| matches!(s, ChangeStatus::Conflict { .. }))
    }

    /// Changes that failed (refused, or not sent).
    pub fn failed(&self) -> u64 {
        self.count(|s| {
            matches!(
                s,
                ChangeStatus::Failed { .. }
                    | ChangeStatus::Uncertain { .. }
                    | ChangeStatus::Pending
            )
        })
    }

    fn count(&self, f: impl Fn(&ChangeStatus) -> bool) -> u64 {
        self.report.as_ref().map_or(0, |r| {
            r.outcomes.iter().filter(|o| f(&o.status)).count() as u64
        })
    }
}

/// The activities the undo archived, as `unlog` changes of their tickets (the backend's
/// record of landed changes keeps ticket writes only, and an archive of a note names no
/// ticket).
fn archived_activities(plan: &Plan, report: &ApplyReport) -> Vec<TicketChange> {
    report
        .outcomes
        .iter()
        .filter(|o| matches!(o.status, ChangeStatus::Applied))
        .filter_map(|o| match &plan.entries.get(o.index)?.change {
            PlanChange::Unlogged { object_type, id } => Some(TicketChange::logged(
                &o.ticket,
                false,
                object_type,
                id,
                None,
                Default::default(),
            )),
            _ => None,
        })
        .collect()
}

impl ScriptHost {
    /// Undoes `run` (its record with its changes) on this host's backend.
    pub async fn undo(
        &self,
        run: &RunRecord,
        dry_run: bool,
        cancel: CancellationToken,
    ) -> Result<UndoOutcome, UndoError> {
        if run.dry_run {
            return Err(UndoError::DryRun(run.id));
        }
        if run.status == RunStatus::Running {
            return Err(UndoError::Running(run.id));
        }
        let backend = self.backend();
        let here = run_record::backend_record(backend.as_ref(), self.portal_id().await);
        let same = match (run.backend.portal_id, here.portal_id) {
            (Some(a), Some(b)) => a == b,
            _ => run.backend.kind == here.kind && run.backend.location == here.location,
        };
        if !same {
            return Err(UndoError::OtherBackend {
                id: run.id,
                run: run.backend.label(),
                here: here.label(),
            });
        }
        let reversed = reverse(&run.changes);
        let start = RunStart {
            script: run.script.clone(),
            trigger: "undo".into(),
            started_at: Utc::now(),
            dry_run,
            backend: here,
            script_path: run.script_path.clone(),
            script_text: format!("// hubscript undo {} (of {})\n", run.id, run.script),
            args: [("run".to_string(), run.id.to_string())].into(),
            header: serde_json::json!({}),
            user: run_record::user(),
            host: run_record::host(),
            undo_of: Some(run.id),
            claim: None,
        };
        let state = self.state();
        let id = state
            .start_run(&start)
            .map_err(|e| tracing::warn!(error = %e, "could not record the start of the undo"))
            .ok();
        let stats = Arc::new(CallStats::default());
        let counted = Counted::new(backend.clone(), stats.clone());
        let (report, mut changes) = if dry_run {
            (None, run_record::from_plan(&reversed.plan))
        } else {
            let options = ApplyOptions {
                cancel,
                ..ApplyOptions::default()
            };
            let report = apply(&counted, &reversed.plan, &options).await;
            let mut landed = run_record::with_old_values(counted.take_landed(), &reversed.plan);
            landed.extend(archived_activities(&reversed.plan, &report));
            (Some(report), landed)
        };
        if run_record::needs_labels(&changes) {
            if let Ok(p) = counted.pipelines().await {
                run_record::add_labels(&mut changes, &Arc::new(p));
            }
        }
        let mut outcome = UndoOutcome {
            run_id: id,
            plan: reversed.plan,
            not_undoable: reversed.not_undoable,
            report,
            changes,
        };
        if let Some(id) = id {
            let counts = run_record::AppliedCounts {
                planned: outcome.plan.entries.len() as u64,
                applied: if dry_run {
                    0
                } else {
                    outcome.changes.len() as u64
                },
                writes: outcome
                    .changes
                    .iter()
                    .map(|c| c.ticket.as_str())
                    .collect::<std::collections::HashSet<_>>()
                    .len() as u64,
                conflicts: outcome.conflicts(),
                failed: outcome.failed(),
            };
            let calls = stats.snapshot();
            if !run_record::finish_applied(state, id, "undo", &counts, &calls, &outcome.changes) {
                outcome.run_id = None;
            }
        }
        Ok(outcome)
    }
}
