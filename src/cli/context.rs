//! What every script-running command needs: the backend, the state file and a script host, and
//! the one line that says where tickets come from.

use std::sync::Arc;

use crate::backend::TicketsBackend;
use crate::script::ScriptHost;
use crate::state::StateDb;

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
        let backend = super::backend::open(args)?;
        let state = StateDb::open(&super::home::state_path()).map_err(CliError::usage)?;
        let host = ScriptHost::new(
            backend.clone(),
            state.clone(),
            tokio::runtime::Handle::current(),
        );
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
