//! Run history: one row per script run with its trigger, timing, outcome, counts and log lines.
//! A run is inserted when it starts (status `running`) and completed when it ends, so a run that
//! was killed mid-way still shows up, as `running` with no end.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::{StateDb, StateError};

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
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "ok" => Self::Ok,
            "failed" => Self::Failed,
            "timed_out" => Self::TimedOut,
            "cancelled" => Self::Cancelled,
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

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Its id.
    pub id: RunId,
    /// Script name (file stem or path as given).
    pub script: String,
    /// `run`, `watch`, `daemon`, `repl`.
    pub trigger: String,
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
    /// API calls made.
    pub api_calls: u64,
    /// Whether writes were only planned.
    pub dry_run: bool,
    /// The error, rendered, when it failed.
    pub error: Option<String>,
    /// Its log lines (empty in listings).
    pub log: Vec<LogLine>,
}

/// The end of a run, as recorded by [`StateDb::finish_run`].
#[derive(Debug, Clone, Default)]
pub struct RunEnd<'a> {
    /// Tickets read.
    pub reads: u64,
    /// Tickets written or planned.
    pub writes: u64,
    /// API calls made.
    pub api_calls: u64,
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
    /// Only failed, timed-out or cancelled runs.
    pub failed: bool,
    /// At most this many (newest first); 0 means all.
    pub limit: usize,
}

fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn record(r: &Row<'_>, with_log: bool) -> rusqlite::Result<RunRecord> {
    let log: String = r.get("log")?;
    Ok(RunRecord {
        id: r.get("id")?,
        script: r.get("script")?,
        trigger: r.get("trigger")?,
        started_at: from_millis(r.get("started_at")?),
        ended_at: r.get::<_, Option<i64>>("ended_at")?.map(from_millis),
        status: RunStatus::parse(&r.get::<_, String>("status")?),
        reads: r.get::<_, i64>("reads")? as u64,
        writes: r.get::<_, i64>("writes")? as u64,
        api_calls: r.get::<_, i64>("api_calls")? as u64,
        dry_run: r.get::<_, i64>("dry_run")? != 0,
        error: r.get("error")?,
        log: if with_log {
            serde_json::from_str(&log).unwrap_or_default()
        } else {
            Vec::new()
        },
    })
}

impl StateDb {
    /// Records the start of a run and returns its id.
    pub fn start_run(
        &self,
        script: &str,
        trigger: &str,
        started_at: DateTime<Utc>,
        dry_run: bool,
    ) -> Result<RunId, StateError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO runs (script, trigger, started_at, status, dry_run)
                 VALUES (?1, ?2, ?3, 'running', ?4)",
                params![script, trigger, millis(started_at), dry_run as i64],
            )?;
            Ok(c.last_insert_rowid())
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
        self.with(|c| {
            c.execute(
                "UPDATE runs SET status = ?2, ended_at = ?3, reads = ?4, writes = ?5,
                 api_calls = ?6, error = ?7, log = ?8 WHERE id = ?1",
                params![
                    id,
                    status.as_str(),
                    millis(ended_at),
                    end.reads as i64,
                    end.writes as i64,
                    end.api_calls as i64,
                    end.error,
                    log
                ],
            )?;
            Ok(())
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
                   AND (?2 = 0 OR status IN ('failed', 'timed_out', 'cancelled'))
                 ORDER BY id DESC LIMIT ?3",
            )?;
            let rows = st
                .query_map(params![filter.script, filter.failed as i64, limit], |r| {
                    record(r, false)
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// One run with its log.
    pub fn run(&self, id: RunId) -> Result<Option<RunRecord>, StateError> {
        self.with(|c| {
            Ok(
                c.query_row("SELECT * FROM runs WHERE id = ?1", params![id], |r| {
                    record(r, true)
                })
                .optional()?,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_recorded_from_start_to_end() {
        let db = StateDb::in_memory().unwrap();
        let t0 = from_millis(1_700_000_000_000);
        let id = db.start_run("escalate", "daemon", t0, false).unwrap();
        let listed = db.runs(&RunFilter::default()).unwrap();
        assert_eq!(listed[0].status, RunStatus::Running);
        let log = vec![LogLine {
            at: t0,
            level: "info".into(),
            message: "escalated 3".into(),
        }];
        db.finish_run(
            id,
            RunStatus::Failed,
            from_millis(1_700_000_001_000),
            &RunEnd {
                reads: 10,
                writes: 3,
                api_calls: 4,
                error: Some("boom"),
                log: &log,
            },
        )
        .unwrap();
        let run = db.run(id).unwrap().unwrap();
        assert_eq!(run.status, RunStatus::Failed);
        assert_eq!(run.writes, 3);
        assert_eq!(run.log, log);
        assert_eq!(run.error.as_deref(), Some("boom"));
        let other = db.start_run("report", "run", t0, true).unwrap();
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
}
