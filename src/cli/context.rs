//! What every script-running command needs: the backend, the state file and a script host, and
//! the one line that says where tickets come from.

use std::sync::Arc;

use crate::backend::TicketsBackend;
use crate::script::{ScheduleCheck, ScriptHost};
use crate::state::StateDb;
use crate::triggers::CronSchedule;

use super::args::BackendArgs;
use super::error::CliError;

/// Backend, state and host of one command.
pub(super) struct Context {
    /// Where ticket calls go.
    pub backend: Arc<dyn TicketsBackend>,
    /// `.hubscript/state.db`.
    pub state: StateDb,
    /// Runs scripts.
    pub host: ScriptHost,
}

impl Context {
    /// Opens the backend chosen by `args` and the state file in the current directory.
    pub(super) fn open(args: &BackendArgs) -> Result<Self, CliError> {
        super::home::announce_if_new();
        let ctx = Self::open_quietly(args)?;
        settle_interrupted(&ctx.state);
        Ok(ctx)
    }

    /// [`Context::open`] without settling interrupted runs: for a daemon's child process,
    /// whose parent did that at its start.
    pub(super) fn open_quietly(args: &BackendArgs) -> Result<Self, CliError> {
        let backend = super::backend::open(args)?;
        let state =
            StateDb::open_location(&super::home::state_location()).map_err(CliError::usage)?;
        let host = ScriptHost::new(
            backend.clone(),
            state.clone(),
            tokio::runtime::Handle::current(),
        )
        .with_schedule_check(schedule_check());
        Ok(Self {
            backend,
            state,
            host,
        })
    }

    /// Says on stderr which backend is in use (never the token).
    pub(super) fn announce(&self) {
        let live = if self.backend.is_live() {
            " (LIVE portal: writes are real)"
        } else {
            ""
        };
        eprintln!("hubscript: using {}{live}", self.backend.describe());
    }
}

/// The header's `schedule` validated by the daemon's own cron parser, so every command that
/// runs or checks a script refuses a bad cron expression alike.
pub(super) fn schedule_check() -> ScheduleCheck {
    Arc::new(|expr| {
        CronSchedule::parse(expr)
            .map(drop)
            .map_err(|e| e.to_string())
    })
}

/// Marks runs left `running` by processes that no longer exist as `interrupted`, and says so;
/// the history must not keep showing runs that nobody runs any more.
fn settle_interrupted(state: &StateDb) {
    match state.settle_interrupted(chrono::Utc::now()) {
        Ok(ids) if ids.is_empty() => {}
        Ok(ids) => eprintln!(
            "hubscript: {} run(s) left running by a process that no longer exists marked interrupted: {}",
            ids.len(),
            ids.iter()
                .map(|id| id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Err(e) => eprintln!("warning: cannot check for interrupted runs: {e}"),
    }
}
