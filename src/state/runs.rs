//! Run history: one row per script run, the complete record of it: where it ran (backend, portal),
//! what ran (script path, SHA-256 of its text, the text itself, arguments, header), who ran it
//! (user, host, trigger), timing, outcome, counts of tickets and API calls, log lines, and the
//! changes it made (`changes.rs`). A run is inserted when it starts (status `running`) and
//! completed when it ends. Each run also records the pid of the process that runs it: a run whose
//! process died before it ended (killed, out of memory, power loss) is settled as `interrupted`
//! by the next `run`, `watch` or `daemon` on that host ([`StateDb::settle_interrupted`]); a
//! daemon settles the run of a child process that died at once ([`StateDb::settle`]); a run of
//! a daemon on another machine is settled when its claim's lease expires (`claims.rs`). The
//! JSON form of [`RunRecord`] is what `runs --json` prints: stable, documented in
//! docs/run-record.md. The types and their rules are here; each store holds the SQL.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::{ClaimId, StateDb, StateError};
use crate::model::TicketChange;

/// Id of a recorded run.
pub type RunId = i64;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Still running (or the process died before it ended).
    Running,
    /// Finished without error.
    Ok,
    /// The script raised an error, a HubSpot call failed, or a guardrail stopped it.
    Failed,
    /// Stopped by its timeout.
    TimedOut,
    /// Cancelled (Ctrl-C, shutdown, replaced by a newer run).
    Cancelled,
    /// Its process ended without recording the end (found later, see
    /// [`StateDb::settle_interrupted`]).
    Interrupted,
}

impl RunStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Ok => "ok",
            Self::Failed => "failed",
            Self::TimedOut => "timed_out",
            Self::Cancelled => "cancelled",
            Self::Interrupted => "interrupted",
        }
    }

    /// The status with this stored name (`ok`, `failed`, `timed_out`, `cancelled`,
    /// `interrupted`, `running`).
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "running" => Some(Self::Running),
            "ok" => Some(Self::Ok),
            "failed" => Some(Self::Failed),
            "timed_out" => Some(Self::TimedOut),
            "cancelled" => Some(Self::Cancelled),
            "interrupted" => Some(Self::Interrupted),
            _ => None,
        }
    }

    pub(super) fn parse(s: &str) -> Self {
        match s {
            "ok" => Self::Ok,
            "failed" => Self::Failed,
            "timed_out" => Self::TimedOut,
            "cancelled" => Self::Cancelled,
            "interrupted" => Self::Interrupted,
            _ => Self::Running,
        }
    }
}

/// One log line of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// When it was written.
    pub at: DateTime<Utc>,
    /// `info`, `warn`, `error`, `debug`.
    pub level: String,
    /// The text.
    pub message: String,
}

/// Where a run's calls went. Never holds the access token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendRecord {
    /// `sandbox` (a local file, in process), `server` (a HubSpot-compatible URL such as a
    /// `hubscript serve`) or `hubspot` (HubSpot's own API); `""` for runs recorded before
    /// hubscript kept it.
    pub kind: String,
    /// The sandbox file or the base URL.
    pub location: String,
    /// Whether it was treated as a live portal (write cap, watch's plan-only mode).
    pub live: bool,
    /// The portal id from `/account-info/v3/details`, for a live portal (`null` when not asked
    /// or when the call failed).
    pub portal_id: Option<u64>,
}

impl BackendRecord {
    /// One short line: `sandbox .hubscript/sandbox.db`, `server http://...` (with
    /// `(portal N)` when known), `hubspot portal 123`.
    pub fn label(&self) -> String {
        match (self.kind.as_str(), self.portal_id) {
            ("", _) => "-".into(),
            ("hubspot", Some(id)) => format!("hubspot portal {id}"),
            (kind, Some(id)) => format!("{kind} {} (portal {id})", self.location),
            (kind, None) => format!("{kind} {}", self.location),
        }
    }
}

/// What a run starts with, as recorded by [`StateDb::start_run`].
#[derive(Debug, Clone, Default)]
pub struct RunStart {
    /// Script name (its file stem).
    pub script: String,
    /// `run`, `watch`, `daemon`, `repl`, `undo`.
    pub trigger: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Whether writes are only planned.
    pub dry_run: bool,
    /// Where its calls go.
    pub backend: BackendRecord,
    /// The script file as given.
    pub script_path: String,
    /// The script's text (stored once per distinct text).
    pub script_text: String,
    /// `--arg` values.
    pub args: BTreeMap<String, String>,
    /// The script's parsed header (`{}` when it has none or did not parse).
    pub header: serde_json::Value,
    /// The user running hubscript (`$USER`).
    pub user: String,
    /// The machine's host name.
    pub host: String,
    /// The run this one undoes.
    pub undo_of: Option<RunId>,
    /// The claim this run fulfils (a daemon's fire or event), so that a replica taking over an
    /// expired claim can settle the run as interrupted.
    pub claim: Option<ClaimId>,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Its id.
    pub id: RunId,
    /// Script name (file stem or path as given).
    pub script: String,
    /// `run`, `watch`, `daemon`, `repl`, `undo`.
    pub trigger: String,
    /// Where its calls went.
    pub backend: BackendRecord,
    /// The script file as given.
    pub script_path: String,
    /// SHA-256 of the script's text, hex (`sha256sum` prints the same).
    pub script_hash: String,
    /// `--arg` values.
    pub args: BTreeMap<String, String>,
    /// The script's header.
    pub header: serde_json::Value,
    /// Who ran it.
    pub user: String,
    /// On which machine.
    pub host: String,
    /// The process that ran it (unknown for runs recorded before version 3 of the file).
    pub pid: Option<u32>,
    /// The run this one undoes.
    pub undo_of: Option<RunId>,
    /// Start time.
    pub started_at: DateTime<Utc>,
    /// End time, when it ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Outcome.
    pub status: RunStatus,
    /// Tickets read.
    pub reads: u64,
    /// Tickets written (or planned, in a dry run).
    pub writes: u64,
    /// Changes planned.
    pub planned: u64,
    /// Changes applied (landed on the backend).
    pub applied: u64,
    /// Changes skipped because the ticket changed since it was read.
    pub conflicts: u64,
    /// Changes the backend refused.
    pub failed: u64,
    /// API calls made (reads plus writes).
    pub api_calls: u64,
    /// API calls that changed nothing.
    pub api_reads: u64,
    /// API calls that wrote.
    pub api_writes: u64,
    /// Attempts repeated after a failure.
    pub retries: u64,
    /// Waits after a 429 (rate limited).
    pub rate_limit_waits: u64,
    /// Whether writes were only planned.
    pub dry_run: bool,
    /// The error, rendered, when it failed.
    pub error: Option<String>,
    /// Its log lines (empty in listings).
    pub log: Vec<LogLine>,
    /// Every change it made, in order (a dry run: every change it planned); empty in listings.
    pub changes: Vec<TicketChange>,
}

/// The end of a run, as recorded by [`StateDb::finish_run`].
#[derive(Debug, Clone, Default)]
pub struct RunEnd<'a> {
    /// Tickets read.
    pub reads: u64,
    /// Tickets written or planned.
    pub writes: u64,
    /// Changes planned.
    pub planned: u64,
    /// Changes applied.
    pub applied: u64,
    /// Changes skipped as conflicts.
    pub conflicts: u64,
    /// Changes refused.
    pub failed: u64,
    /// API calls made.
    pub api_calls: u64,
    /// API calls that changed nothing.
    pub api_reads: u64,
    /// API calls that wrote.
    pub api_writes: u64,
    /// Repeated attempts.
    pub retries: u64,
    /// 429 waits.
    pub rate_limit_waits: u64,
    /// The changes made (or planned, in a dry run).
    pub changes: &'a [TicketChange],
    /// The rendered error.
    pub error: Option<&'a str>,
    /// The run's log lines.
    pub log: &'a [LogLine],
}

/// Which runs to list.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Only this script.
    pub script: Option<String>,
    /// Only failed, timed-out, cancelled or interrupted runs.
    pub failed: bool,
    /// Only runs with this status.
    pub status: Option<RunStatus>,
    /// Only runs started at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only runs whose backend kind is this (`sandbox`, `server`, `hubspot`) or whose backend
    /// location or portal id contains it.
    pub backend: Option<String>,
    /// At most this many (newest first); 0 means all.
    pub limit: usize,
}

pub(super) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(super) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A count as stored (saturating at `i64::MAX`).
pub(super) fn stored_count(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Why a run found `running` with no live process was settled as interrupted.
pub(super) fn interrupted_reason(pid: i64, host: &str, found_at: DateTime<Utc>) -> String {
    format!(
        "interrupted: process {pid} on {host} ended without recording the end of \
         this run (killed, out of memory or a crash); found at {}",
        found_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    )
}

/// SHA-256 of `text`, lower-case hex.
pub fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl StateDb {
    /// Records the start of a run by this process (its pid is kept) and returns its id.
    pub fn start_run(&self, start: &RunStart) -> Result<RunId, StateError> {
        self.store.start_run(start)
    }

    /// Records how run `id` ended.
    pub fn finish_run(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        end: &RunEnd<'_>,
    ) -> Result<(), StateError> {
        self.store.finish_run(id, status, ended_at, end)
    }

    /// Records how run `id` ended unless its end is recorded already (a daemon settling the run
    /// of a child process that died: the child may have recorded it before dying). Returns
    /// whether this call recorded it. Only the error and the log are kept: the counts died
    /// with the process.
    pub fn settle(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        error: &str,
        log: &[LogLine],
    ) -> Result<bool, StateError> {
        self.store.settle(id, status, ended_at, error, log)
    }

    /// Marks as `interrupted` every run still `running` whose process (recorded on this host)
    /// no longer exists, saying when that was found; returns their ids. The end time stays
    /// empty: when the process died is not known.
    pub fn settle_interrupted(&self, found_at: DateTime<Utc>) -> Result<Vec<RunId>, StateError> {
        self.store.settle_interrupted(found_at)
    }

    /// Lists runs, newest first, without their logs.
    pub fn runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>, StateError> {
        self.store.runs(filter)
    }

    /// One run with its log and its changes.
    pub fn run(&self, id: RunId) -> Result<Option<RunRecord>, StateError> {
        self.store.run(id)
    }

    /// The newest `n` runs of `script`: id, status and start, newest first (for streaks).
    pub fn recent_runs(
        &self,
        script: &str,
        n: usize,
    ) -> Result<Vec<(RunId, RunStatus, DateTime<Utc>)>, StateError> {
        self.store.recent_runs(script, n)
    }

    /// The text of the script version with this hash, when recorded.
    pub fn script_text(&self, hash: &str) -> Result<Option<String>, StateError> {
        self.store.script_text(hash)
    }

    /// Tests: pretends run `id` was started by process `pid` on `host`.
    #[cfg(test)]
    pub(crate) fn set_run_owner(&self, id: RunId, host: &str, pid: u32) -> Result<(), StateError> {
        self.store.set_run_owner(id, host, pid)
    }
}

#[cfg(test)]
mod tests {
    use super::content_hash;

    #[test]
    fn the_content_hash_is_sha256_hex_as_sha256sum_prints_it() {
        // FIPS 180-2's example ("abc"): what `printf abc | sha256sum` prints.
        assert_eq!(
            content_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
