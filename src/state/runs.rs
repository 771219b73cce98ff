//! Run history: one row per script run, the complete record of it: where it ran (backend, portal),
//! what ran (script path, SHA-256 of its text, the text itself, arguments, header), who ran it
//! (user, host, trigger), timing, outcome, counts of tickets and API calls, log lines, and the
//! changes it made (`changes.rs`). A run is inserted when it starts (status `running`) and
//! completed when it ends. Each run also records the pid of the process that runs it: a run whose
//! process died before it ended (killed, out of memory, power loss) is settled as `interrupted`
//! by the next `run`, `watch` or `daemon` on that host ([`StateDb::settle_interrupted`]); a
//! daemon settles the run of a child process that died at once ([`StateDb::settle`]). The JSON form of [`RunRecord`] is what `runs --json` prints: stable, documented in
//! docs/run-record.md.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{owner, StateDb, StateError};
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

    fn parse(s: &str) -> Self {
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

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn count(r: &Row<'_>, col: &str) -> rusqlite::Result<u64> {
    Ok(r.get::<_, i64>(col)?.max(0) as u64)
}

fn json_col<T: serde::de::DeserializeOwned + Default>(
    r: &Row<'_>,
    col: &str,
) -> rusqlite::Result<T> {
    let text: String = r.get(col)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

fn record(r: &Row<'_>, with_log: bool) -> rusqlite::Result<RunRecord> {
    let log: String = r.get("log")?;
    Ok(RunRecord {
        id: r.get("id")?,
        script: r.get("script")?,
        trigger: r.get("trigger")?,
        backend: BackendRecord {
            kind: r.get("backend_kind")?,
            location: r.get("backend")?,
            live: r.get::<_, i64>("live")? != 0,
            portal_id: r
                .get::<_, Option<i64>>("portal_id")?
                .map(|p| p.max(0) as u64),
        },
        script_path: r.get("script_path")?,
        script_hash: r.get("script_hash")?,
        args: json_col(r, "args")?,
        header: json_col(r, "header")?,
        user: r.get("user")?,
        host: r.get("host")?,
        pid: r
            .get::<_, Option<i64>>("pid")?
            .and_then(|p| u32::try_from(p).ok()),
        undo_of: r.get("undo_of")?,
        started_at: from_millis(r.get("started_at")?),
        ended_at: r.get::<_, Option<i64>>("ended_at")?.map(from_millis),
        status: RunStatus::parse(&r.get::<_, String>("status")?),
        reads: r.get::<_, i64>("reads")? as u64,
        writes: count(r, "writes")?,
        planned: count(r, "planned")?,
        applied: count(r, "applied")?,
        conflicts: count(r, "conflicts")?,
        failed: count(r, "failed")?,
        api_calls: count(r, "api_calls")?,
        api_reads: count(r, "api_reads")?,
        api_writes: count(r, "api_writes")?,
        retries: count(r, "retries")?,
        rate_limit_waits: count(r, "rate_limit_waits")?,
        dry_run: r.get::<_, i64>("dry_run")? != 0,
        error: r.get("error")?,
        log: if with_log {
            serde_json::from_str(&log).unwrap_or_default()
        } else {
            Vec::new()
        },
        changes: Vec::new(),
    })
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
        let hash = content_hash(&start.script_text);
        let args = serde_json::to_string(&start.args)?;
        let header = serde_json::to_string(&start.header)?;
        let b = &start.backend;
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT OR IGNORE INTO scripts (hash, text) VALUES (?1, ?2)",
                params![hash, start.script_text],
            )?;
            tx.execute(
                "INSERT INTO runs (script, trigger, started_at, status, dry_run, backend_kind,
                     backend, live, portal_id, script_path, script_hash, args, header, user,
                     host, undo_of, pid)
                 VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                     ?14, ?15, ?16)",
                params![
                    start.script,
                    start.trigger,
                    millis(start.started_at),
                    i64::from(start.dry_run),
                    b.kind,
                    b.location,
                    i64::from(b.live),
                    b.portal_id.map(|p| p as i64),
                    start.script_path,
                    hash,
                    args,
                    header,
                    start.user,
                    start.host,
                    start.undo_of,
                    i64::from(std::process::id()),
                ],
            )?;
            let id = tx.last_insert_rowid();
            tx.commit()?;
            Ok(id)
        })
    }

    /// Records how run `id` ended.
    pub fn finish_run(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        end: &RunEnd<'_>,
    ) -> Result<(), StateError> {
        let log = serde_json::to_string(end.log)?;
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "UPDATE runs SET status = ?2, ended_at = ?3, reads = ?4, writes = ?5,
                 api_calls = ?6, error = ?7, log = ?8, planned = ?9, applied = ?10,
                 conflicts = ?11, failed = ?12, api_reads = ?13, api_writes = ?14,
                 retries = ?15, rate_limit_waits = ?16 WHERE id = ?1",
                params![
                    id,
                    status.as_str(),
                    millis(ended_at),
                    n(end.reads),
                    n(end.writes),
                    n(end.api_calls),
                    end.error,
                    log,
                    n(end.planned),
                    n(end.applied),
                    n(end.conflicts),
                    n(end.failed),
                    n(end.api_reads),
                    n(end.api_writes),
                    n(end.retries),
                    n(end.rate_limit_waits),
                ],
            )?;
            super::changes::insert(&tx, id, end.changes)?;
            tx.commit()?;
            Ok(())
        })
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
        let log = serde_json::to_string(log)?;
        self.with(|c| {
            let n = c.execute(
                "UPDATE runs SET status = ?2, ended_at = ?3, error = ?4, log = ?5
                 WHERE id = ?1 AND status = 'running'",
                params![id, status.as_str(), millis(ended_at), error, log],
            )?;
            Ok(n == 1)
        })
    }

    /// Marks as `interrupted` every run still `running` whose process (recorded on this host)
    /// no longer exists, saying when that was found; returns their ids. The end time stays
    /// empty: when the process died is not known.
    pub fn settle_interrupted(&self, found_at: DateTime<Utc>) -> Result<Vec<RunId>, StateError> {
        let host = owner::host_name();
        self.with(|c| {
            let tx = c.transaction()?;
            let orphans: Vec<(RunId, i64)> = {
                let mut st = tx.prepare(
                    "SELECT id, pid FROM runs
                     WHERE status = 'running' AND pid IS NOT NULL AND host = ?1",
                )?;
                let rows = st
                    .query_map(params![host], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                rows.into_iter()
                    .filter(|(_, pid)| u32::try_from(*pid).is_ok_and(|p| !owner::process_alive(p)))
                    .collect()
            };
            for (id, pid) in &orphans {
                let why = format!(
                    "interrupted: process {pid} on {host} ended without recording the end of \
                     this run (killed, out of memory or a crash); found at {}",
                    found_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                );
                tx.execute(
                    "UPDATE runs SET status = 'interrupted', error = ?2
                     WHERE id = ?1 AND status = 'running'",
                    params![id, why],
                )?;
            }
            tx.commit()?;
            Ok(orphans.into_iter().map(|(id, _)| id).collect())
        })
    }

    /// Lists runs, newest first, without their logs.
    pub fn runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>, StateError> {
        let limit = if filter.limit == 0 {
            -1 // SQLite: no limit
        } else {
            filter.limit as i64
        };
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT * FROM runs
                 WHERE (?1 IS NULL OR script = ?1)
                   AND (?2 = 0 OR status IN ('failed', 'timed_out', 'cancelled', 'interrupted'))
                   AND (?4 IS NULL OR status = ?4)
                   AND (?5 IS NULL OR started_at >= ?5)
                   AND (?6 IS NULL OR backend_kind = ?6 OR instr(backend, ?6) > 0
                        OR CAST(portal_id AS TEXT) = ?6)
                 ORDER BY id DESC LIMIT ?3",
            )?;
            let rows = st
                .query_map(
                    params![
                        filter.script,
                        i64::from(filter.failed),
                        limit,
                        filter.status.map(RunStatus::as_str),
                        filter.since.map(millis),
                        filter.backend,
                    ],
                    |r| record(r, false),
                )?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// One run with its log and its changes.
    pub fn run(&self, id: RunId) -> Result<Option<RunRecord>, StateError> {
        self.with(|c| {
            let run = c
                .query_row("SELECT * FROM runs WHERE id = ?1", params![id], |r| {
                    record(r, true)
                })
                .optional()?;
            let Some(mut run) = run else { return Ok(None) };
            run.changes = super::changes::of_run(c, id)?;
            Ok(Some(run))
        })
    }

    /// The newest `n` runs of `script`: id, status and start, newest first (for streaks).
    pub fn recent_runs(
        &self,
        script: &str,
        n: usize,
    ) -> Result<Vec<(RunId, RunStatus, DateTime<Utc>)>, StateError> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id, status, started_at FROM runs WHERE script = ?1
                 ORDER BY id DESC LIMIT ?2",
            )?;
            let rows = st
                .query_map(params![script, n as i64], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        RunStatus::parse(&r.get::<_, String>(1)?),
                        from_millis(r.get(2)?),
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// The text of the script version with this hash, when recorded.
    pub fn script_text(&self, hash: &str) -> Result<Option<String>, StateError> {
        self.with(|c| {
            Ok(c.query_row(
                "SELECT text FROM scripts WHERE hash = ?1",
                params![hash],
                |r| r.get(0),
            )
            .optional()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start(script: &str, trigger: &str, t0: DateTime<Utc>, dry_run: bool) -> RunStart {
        RunStart {
            script: script.into(),
            trigger: trigger.into(),
            started_at: t0,
            dry_run,
            script_text: format!("// {script}\n"),
            ..RunStart::default()
        }
    }

    #[test]
    fn a_run_is_recorded_from_start_to_end() {
        let db = StateDb::in_memory().unwrap();
        let t0 = from_millis(1_700_000_000_000);
        let mut s = start("escalate", "daemon", t0, false);
        s.backend = BackendRecord {
            kind: "hubspot".into(),
            location: "https://api.hubapi.com".into(),
            live: true,
            portal_id: Some(123),
        };
        s.args.insert("hours".into(), "4".into());
        s.header = serde_json::json!({"schedule": "@hourly"});
        s.user = "ops".into();
        s.host = "box".into();
        let id = db.start_run(&s).unwrap();
        let listed = db.runs(&RunFilter::default()).unwrap();
        assert_eq!(listed[0].status, RunStatus::Running);
        let log = vec![LogLine {
            at: t0,
            level: "info".into(),
            message: "escalated 3".into(),
        }];
        let changes = vec![
            TicketChange::set("7", "hs_ticket_priority", "HIGH"),
            TicketChange::archive("8"),
        ];
        db.finish_run(
            id,
            RunStatus::Failed,
            from_millis(1_700_000_001_000),
            &RunEnd {
                reads: 10,
                writes: 3,
                api_calls: 4,
                api_reads: 3,
                api_writes: 1,
                retries: 2,
                rate_limit_waits: 1,
                applied: 2,
                changes: &changes,
                error: Some("boom"),
                log: &log,
                ..RunEnd::default()
            },
        )
        .unwrap();
        let run = db.run(id).unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Failed);
        assert_eq!(run.writes, 3);
        assert_eq!(run.log, log);
        assert_eq!(run.error.as_deref(), Some("boom"));
        assert_eq!(run.changes, changes);
        assert_eq!(run.backend.label(), "hubspot portal 123");
        assert_eq!(run.args.get("hours").map(String::as_str), Some("4"));
        assert_eq!(run.header["schedule"], "@hourly");
        assert_eq!((run.user.as_str(), run.host.as_str()), ("ops", "box"));
        assert_eq!(
            (
                run.api_reads,
                run.api_writes,
                run.retries,
                run.rate_limit_waits
            ),
            (3, 1, 2, 1)
        );
        assert_eq!(run.script_hash, content_hash("// escalate\n"));
        assert_eq!(
            db.script_text(&run.script_hash).unwrap().as_deref(),
            Some("// escalate\n")
        );
        let other = db.start_run(&start("report", "run", t0, true)).unwrap();
        let failed = db
            .runs(&RunFilter {
                failed: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(failed.len(), 1);
        let by_script = db
            .runs(&RunFilter {
                script: Some("report".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(by_script[0].id, other);
        assert!(by_script[0].dry_run);
        assert_eq!(db.run(999).unwrap(), None);
    }

    #[test]
    fn filters_by_status_time_and_backend() {
        let db = StateDb::in_memory().unwrap();
        let t0 = from_millis(1_700_000_000_000);
        let mut a = start("a", "run", t0, false);
        a.backend.kind = "sandbox".into();
        a.backend.location = ".hubscript/sandbox.db".into();
        let a = db.start_run(&a).unwrap();
        let mut b = start("b", "run", from_millis(1_700_000_100_000), false);
        b.backend = BackendRecord {
            kind: "server".into(),
            location: "http://127.0.0.1:9".into(),
            live: true,
            portal_id: Some(42),
        };
        let b = db.start_run(&b).unwrap();
        db.finish_run(a, RunStatus::Ok, t0, &RunEnd::default())
            .unwrap();
        let ids =
            |f: RunFilter| -> Vec<RunId> { db.runs(&f).unwrap().iter().map(|r| r.id).collect() };
        let f = |status, since, backend: Option<&str>| RunFilter {
            status,
            since,
            backend: backend.map(String::from),
            ..Default::default()
        };
        assert_eq!(ids(f(Some(RunStatus::Ok), None, None)), vec![a]);
        assert_eq!(ids(f(Some(RunStatus::Running), None, None)), vec![b]);
        assert_eq!(
            ids(f(None, Some(from_millis(1_700_000_050_000)), None)),
            vec![b]
        );
        assert_eq!(ids(f(None, None, Some("sandbox"))), vec![a]);
        assert_eq!(ids(f(None, None, Some("127.0.0.1"))), vec![b]);
        assert_eq!(ids(f(None, None, Some("42"))), vec![b]);
        assert_eq!(ids(f(None, None, Some("hubspot"))), Vec::<RunId>::new());
    }

    fn started(db: &StateDb, script: &str) -> RunId {
        db.start_run(&RunStart {
            script: script.into(),
            trigger: "daemon".into(),
            started_at: from_millis(1_700_000_000_000),
            host: owner::host_name().into(),
            ..RunStart::default()
        })
        .unwrap()
    }

    #[test]
    fn a_run_records_its_process() {
        let db = StateDb::in_memory().unwrap();
        let id = started(&db, "a");
        assert_eq!(db.run(id).unwrap().unwrap().pid, Some(std::process::id()));
    }

    #[cfg(unix)]
    #[test]
    fn runs_of_ended_processes_are_settled_as_interrupted() {
        let db = StateDb::in_memory().unwrap();
        let mine = started(&db, "alive");
        let gone = started(&db, "killed");
        let elsewhere = started(&db, "remote");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead_pid = child.id();
        child.wait().unwrap();
        db.with(|c| {
            c.execute(
                "UPDATE runs SET pid = ?2 WHERE id = ?1",
                params![gone, dead_pid],
            )?;
            c.execute(
                "UPDATE runs SET pid = ?2, host = 'another-host' WHERE id = ?1",
                params![elsewhere, dead_pid],
            )?;
            Ok(())
        })
        .unwrap();
        let found = from_millis(1_700_000_100_000);
        assert_eq!(db.settle_interrupted(found).unwrap(), vec![gone]);
        let r = db.run(gone).unwrap().unwrap();
        assert_eq!(r.status, RunStatus::Interrupted);
        let why = r.error.unwrap();
        assert!(why.contains(&format!("process {dead_pid}")), "{why}");
        assert!(why.contains("found at 2023-11-14T22:15:00Z"), "{why}");
        assert_eq!(r.ended_at, None);
        assert_eq!(db.run(mine).unwrap().unwrap().status, RunStatus::Running);
        assert_eq!(
            db.run(elsewhere).unwrap().unwrap().status,
            RunStatus::Running
        );
        // Settled once only, and listed among failures.
        assert!(db.settle_interrupted(found).unwrap().is_empty());
        let failed = db
            .runs(&RunFilter {
                failed: true,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(failed.len(), 1);
        assert_eq!(
            RunStatus::from_name("interrupted"),
            Some(RunStatus::Interrupted)
        );
    }

    #[test]
    fn settle_does_not_overwrite_a_recorded_end() {
        let db = StateDb::in_memory().unwrap();
        let id = started(&db, "a");
        db.finish_run(id, RunStatus::Ok, Utc::now(), &RunEnd::default())
            .unwrap();
        assert!(!db
            .settle(id, RunStatus::Failed, Utc::now(), "killed by signal 9", &[])
            .unwrap());
        assert_eq!(db.run(id).unwrap().unwrap().status, RunStatus::Ok);
        let other = started(&db, "b");
        assert!(db
            .settle(
                other,
                RunStatus::Failed,
                Utc::now(),
                "killed by signal 9",
                &[]
            )
            .unwrap());
        let r = db.run(other).unwrap().unwrap();
        assert_eq!(r.status, RunStatus::Failed);
        assert_eq!(r.error.as_deref(), Some("killed by signal 9"));
    }
}
