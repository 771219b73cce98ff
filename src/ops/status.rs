//! `hubscript status [DIR]` and the daemon's `/status`: each scheduled script of a directory
//! with its next fire time (NEXT, and LEFT until it), its last run (LAST, when it started, and
//! its status) and its failure streak, like `systemctl list-timers`. Reads the scripts' headers
//! and the run history; changes nothing.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::state::{RunId, RunStatus, StateDb, StateError};
use crate::triggers::{schedule_report, ScheduleEntry, TriggerError};

/// One scheduled script's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScriptStatus {
    /// Script name (file stem).
    pub script: String,
    /// The file.
    pub path: PathBuf,
    /// The cron expression (empty when the header is invalid or the script has only `on`).
    pub schedule: String,
    /// The ticket events it runs on (`on`; empty: none).
    pub on: Vec<String>,
    /// The zone it is read in.
    pub timezone: String,
    /// The next fire time (`None`: the schedule has no future fire time, or is invalid).
    pub next: Option<DateTime<Utc>>,
    /// Seconds from now to `next`.
    pub left_secs: Option<i64>,
    /// The last run: its id, start and status.
    pub last_run: Option<RunId>,
    /// When the last run started.
    pub last: Option<DateTime<Utc>>,
    /// How the last run ended (`running` while it runs).
    pub last_status: Option<RunStatus>,
    /// Finished runs in a row, newest first, that failed or timed out (0: the last finished
    /// run succeeded). Cancelled runs are skipped.
    pub failure_streak: u32,
    /// Why the script is not scheduled (an invalid header or schedule).
    pub invalid: Option<String>,
}

/// A failure of the status report.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The directory could not be read.
    #[error(transparent)]
    Dir(#[from] TriggerError),
    /// The run history could not be read.
    #[error(transparent)]
    State(#[from] StateError),
}

/// How many of the newest runs are looked at for the streak (a longer streak shows as this).
pub(super) const STREAK_WINDOW: usize = 1000;

/// The status of every scheduled (or invalid) script in `dir` at `now`.
pub fn status_report(
    dir: &Path,
    state: &StateDb,
    now: DateTime<Utc>,
) -> Result<Vec<ScriptStatus>, StatusError> {
    let mut out = Vec::new();
    for entry in schedule_report(dir, now, 1)? {
        let (path, schedule, timezone, next, invalid, on) = match entry {
            ScheduleEntry::Scheduled {
                path,
                schedule,
                timezone,
                next,
                on,
                ..
            } => (
                path,
                schedule,
                timezone.name().to_string(),
                next.first().map(|t| t.with_timezone(&Utc)),
                None,
                on,
            ),
            ScheduleEntry::OnEvents { path, on, .. } => {
                (path, String::new(), String::new(), None, None, on)
            }
            ScheduleEntry::Invalid { path, error } => (
                path,
                String::new(),
                String::new(),
                None,
                Some(error),
                Vec::new(),
            ),
        };
        let script = crate::script::script_name(&path);
        let recent = state.recent_runs(&script, STREAK_WINDOW)?;
        let last = recent.first();
        out.push(ScriptStatus {
            left_secs: next.map(|n| (n - now).num_seconds().max(0)),
            last_run: last.map(|r| r.0),
            last: last.map(|r| r.2),
            last_status: last.map(|r| r.1),
            failure_streak: failure_streak(recent.iter().map(|r| r.1)),
            script,
            path,
            schedule,
            on,
            timezone,
            next,
            invalid,
        });
    }
    Ok(out)
}

/// Failed or timed-out runs in a row from the newest, skipping runs still going and cancelled
/// ones (a shutdown is not a failure, nor a success).
pub fn failure_streak(newest_first: impl IntoIterator<Item = RunStatus>) -> u32 {
    let mut n = 0;
    for s in newest_first {
        match s {
            RunStatus::Running | RunStatus::Cancelled => {}
            RunStatus::Failed | RunStatus::TimedOut => n += 1,
            _ => break,
        }
    }
    n
}

/// `3m 20s`, `2h 5m`, `1d 4h`: a short time span.
pub fn short_span(secs: i64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{RunEnd, RunStart};

    #[test]
    fn streaks_count_failures_since_the_last_success() {
        use RunStatus::*;
        assert_eq!(failure_streak([Failed, TimedOut, Ok, Failed]), 2);
        assert_eq!(failure_streak([Running, Failed, Cancelled, Failed, Ok]), 2);
        assert_eq!(failure_streak([Ok, Failed]), 0);
        assert_eq!(failure_streak([]), 0);
    }

    #[test]
    fn spans_are_short() {
        assert_eq!(short_span(42), "42s");
        assert_eq!(short_span(200), "3m 20s");
        assert_eq!(short_span(7500), "2h 5m");
        assert_eq!(short_span(100_800), "1d 4h");
    }

    #[test]
    fn a_report_joins_schedules_and_history() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("nightly.rhai"),
            "//! schedule = \"0 2 * * *\"\nlet a = 1;\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("plain.rhai"), "let a = 1;\n").unwrap();
        std::fs::write(
            dir.path().join("broken.rhai"),
            "//! schedule = \"99 * * * *\"\n",
        )
        .unwrap();
        let db = StateDb::in_memory().unwrap();
        let now: DateTime<Utc> = "2026-12-06T01:00:00Z".parse().unwrap();
        for status in [RunStatus::Ok, RunStatus::Failed, RunStatus::Failed] {
            let id = db
                .start_run(&RunStart {
                    script: "nightly".into(),
                    trigger: "schedule".into(),
                    started_at: now,
                    ..RunStart::default()
                })
                .unwrap();
            db.finish_run(id, status, now, &RunEnd::default()).unwrap();
        }
        let report = status_report(dir.path(), &db, now).unwrap();
        assert_eq!(report.len(), 2, "{report:#?}");
        let broken = &report[0];
        assert_eq!(broken.script, "broken");
        assert!(broken.invalid.is_some());
        let nightly = &report[1];
        assert_eq!(
            nightly.next.unwrap().to_rfc3339(),
            "2026-12-06T02:00:00+00:00"
        );
        assert_eq!(nightly.left_secs, Some(3600));
        assert_eq!(nightly.last_status, Some(RunStatus::Failed));
        assert_eq!(nightly.last_run, Some(3));
        assert_eq!(nightly.failure_streak, 2);
    }
}
