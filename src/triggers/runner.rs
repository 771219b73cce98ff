//! The seam between triggers and the script host: a [`Job`] to run and the [`Runner`] that runs
//! it. The CLI implements `Runner` over `script::ScriptHost` (printing the log, plan and summary
//! and recording the run); tests use fakes. Nothing here knows about Rhai.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::ClaimGuard;
use crate::model::TicketEvent;
use crate::state::RunStatus;

/// What started a run (stored as the run's `trigger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Trigger {
    /// A scheduled fire time of the daemon.
    Schedule,
    /// The daemon's catch-up run at start for a fire time missed while it was down.
    CatchUp,
    /// A file change seen by `watch`.
    Watch,
    /// A ticket event (the daemon's change feed or webhook receiver).
    Event,
}

impl Trigger {
    /// The stored name: `schedule`, `catch_up`, `watch`, `event`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Schedule => "schedule",
            Self::CatchUp => "catch_up",
            Self::Watch => "watch",
            Self::Event => "event",
        }
    }
}

/// One run to perform.
#[derive(Debug, Clone)]
pub struct Job {
    /// The script file.
    pub path: PathBuf,
    /// The source to run: the last good version (the daemon keeps it in memory so a broken
    /// edit on disk does not stop the script).
    pub source: Arc<str>,
    /// Plan only: writes are captured, not sent.
    pub dry_run: bool,
    /// What started it.
    pub trigger: Trigger,
    /// Wall-clock limit from the header.
    pub timeout: Option<Duration>,
    /// Write cap from the header.
    pub max_writes: Option<u64>,
    /// Memory budget from the header, in bytes.
    pub memory: Option<u64>,
    /// The daemon's claim on this fire (see `daemon::claims`): recorded with the run, ended
    /// with the run's status when the job is done with (`None`: watch, or no claim).
    pub claim: Option<Arc<ClaimGuard>>,
    /// The ticket event it runs for (trigger `event`).
    pub event: Option<Arc<TicketEvent>>,
}

/// How a run ended, as far as triggers care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunResult {
    /// Final status.
    pub status: RunStatus,
    /// The rendered error, if it failed.
    pub error: Option<String>,
    /// The run's id in the run history, when it was recorded (metrics and alerts read the
    /// record).
    pub run_id: Option<i64>,
}

impl RunResult {
    /// A run that ended with `status` and no error.
    pub fn with_status(status: RunStatus) -> Self {
        Self {
            status,
            error: None,
            run_id: None,
        }
    }
}

/// Runs scripts. Implemented by the CLI over the script host.
#[async_trait]
pub trait Runner: Send + Sync + 'static {
    /// Runs `job` until it ends; `cancel` asks it to stop cleanly (replace, shutdown).
    async fn run(&self, job: Job, cancel: CancellationToken) -> RunResult;

    /// Compiles `source` (header included) without running it, for hot reload; the error is
    /// rendered with its line and column.
    fn check(&self, path: &Path, source: &str) -> Result<(), String>;
}
