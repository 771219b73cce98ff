//! Recording the REPL's writes: each input that changed tickets becomes a run in the history
//! (script `repl`, trigger `repl`, the input as its text), with the changes that landed and the
//! calls the input made, so `hubscript runs` and `hubscript undo` cover the prompt too. Inputs
//! that changed nothing (reads, dry runs) are not recorded.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::backend::{CallCounts, CallStats, Counted};
use crate::state::{BackendRecord, RunEnd, RunId, RunStart, RunStatus, StateDb};

use super::run_record;

/// What a session needs to record its inputs.
pub(crate) struct ReplRecorder {
    pub(crate) counted: Arc<Counted>,
    pub(crate) stats: Arc<CallStats>,
    pub(crate) state: StateDb,
    pub(crate) backend: BackendRecord,
    pub(crate) args: std::collections::BTreeMap<String, String>,
}

fn delta(after: CallCounts, before: CallCounts) -> CallCounts {
    CallCounts {
        reads: after.reads - before.reads,
        writes: after.writes - before.writes,
        retries: after.retries - before.retries,
        rate_limit_waits: after.rate_limit_waits - before.rate_limit_waits,
        rate_limit_wait_ms: after.rate_limit_wait_ms - before.rate_limit_wait_ms,
    }
}

impl ReplRecorder {
    /// The counts before an input (to record the input's own calls).
    pub(crate) fn before(&self) -> CallCounts {
        self.stats.snapshot()
    }

    /// Records the input `text` (evaluated from `started`, named `source`) when it landed
    /// changes; returns the run id.
    pub(crate) fn after(
        &self,
        source: &str,
        text: &str,
        started: DateTime<Utc>,
        before: CallCounts,
        error: Option<&str>,
    ) -> Option<RunId> {
        let changes = self.counted.take_landed();
        if changes.is_empty() {
            return None;
        }
        let calls = delta(self.stats.snapshot(), before);
        let start = RunStart {
            script: "repl".into(),
            trigger: "repl".into(),
            started_at: started,
            dry_run: false,
            backend: self.backend.clone(),
            script_path: source.to_string(),
            script_text: text.to_string(),
            args: self.args.clone(),
            header: serde_json::json!({}),
            user: run_record::user(),
            host: run_record::host(),
            undo_of: None,
            claim: None,
        };
        let id = match self.state.start_run(&start) {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(error = %e, "could not record the REPL input that wrote");
                return None;
            }
        };
        let tickets: std::collections::HashSet<&str> =
            changes.iter().map(|c| c.ticket.as_str()).collect();
        let end = RunEnd {
            writes: tickets.len() as u64,
            planned: changes.len() as u64,
            applied: changes.len() as u64,
            api_calls: calls.calls(),
            api_reads: calls.reads,
            api_writes: calls.writes,
            retries: calls.retries,
            rate_limit_waits: calls.rate_limit_waits,
            changes: &changes,
            error,
            ..RunEnd::default()
        };
        let status = if error.is_some() {
            RunStatus::Failed
        } else {
            RunStatus::Ok
        };
        match self.state.finish_run(id, status, Utc::now(), &end) {
            Ok(()) => Some(id),
            Err(e) => {
                tracing::warn!(error = %e, run = id, "could not record the REPL input that wrote");
                None
            }
        }
    }
}
