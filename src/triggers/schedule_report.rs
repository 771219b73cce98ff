//! `hubscript schedule`: each scheduled script of a directory with its next fire times in its
//! time zone, each script listening for ticket events (`on`) with its events, and the scripts
//! whose headers (or cron expressions) are invalid. Returns data; the CLI prints it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::error::TriggerError;
use super::fswatch::is_script;
use super::scheduled::ScheduledScript;
use crate::script::header::ScriptHeader;

/// One line of the report.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ScheduleEntry {
    /// A script with a valid schedule.
    Scheduled {
        /// The file.
        path: PathBuf,
        /// The header's description.
        description: Option<String>,
        /// The cron expression as written.
        schedule: String,
        /// The zone it is read in.
        timezone: Tz,
        /// The next fire times, in that zone (fewer if the schedule ends).
        next: Vec<DateTime<Tz>>,
        /// The ticket events it also runs on (`on`), as written back by the header parser.
        on: Vec<String>,
    },
    /// A script that runs on ticket events only (`on`, no `schedule`).
    OnEvents {
        /// The file.
        path: PathBuf,
        /// The header's description.
        description: Option<String>,
        /// Its events: `ticket.created`, `ticket.changed:PROPS`, `ticket.archived`.
        on: Vec<String>,
        /// Its re-enrollment (`always` or `once`).
        reenroll: &'static str,
    },
    /// A script whose header or schedule is invalid.
    Invalid {
        /// The file.
        path: PathBuf,
        /// The error, with file and line.
        error: String,
    },
}

/// A fire time with its zone offset and abbreviation: `2026-03-29 03:00:00 +02:00 (CEST)`.
pub fn format_fire_time(t: &DateTime<Tz>) -> String {
    t.format("%Y-%m-%d %H:%M:%S %:z (%Z)").to_string()
}

/// The report for the `.rhai` files directly in `dir`, sorted by file name, with the next `n`
/// fire times after `now`. Scripts with neither `schedule` nor `on` are left out.
pub fn schedule_report(
    dir: &Path,
    now: DateTime<Utc>,
    n: usize,
) -> Result<Vec<ScheduleEntry>, TriggerError> {
    let io_err = |source| TriggerError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        if is_script(&path) && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let loaded = std::fs::read_to_string(&path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))
            .and_then(|src| ScheduledScript::load(&path, &src));
        match loaded {
            Ok(Some(s)) => out.push(ScheduleEntry::Scheduled {
                on: s.header.on.describe(),
                next: s.schedule.upcoming(now, s.tz, n),
                description: s.header.description.clone(),
                schedule: s.schedule.source().to_string(),
                timezone: s.tz,
                path,
            }),
            Ok(None) => {
                // No schedule: listed when it listens for events (the header parsed above).
                let header = std::fs::read_to_string(&path)
                    .ok()
                    .and_then(|src| ScriptHeader::parse(&path, &src).ok())
                    .filter(|h| !h.on.is_empty());
                if let Some(h) = header {
                    out.push(ScheduleEntry::OnEvents {
                        on: h.on.describe(),
                        reenroll: h.reenroll.as_str(),
                        description: h.description,
                        path,
                    });
                }
            }
            Err(error) => out.push(ScheduleEntry::Invalid { path, error }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_scheduled_and_invalid_scripts() {
        let dir = tempfile::tempdir().unwrap();
        let w = |name: &str, src: &str| std::fs::write(dir.path().join(name), src).unwrap();
        w(
            "a_nightly.rhai",
            "//! description = \"cleanup\"\n//! schedule = \"30 2 * * *\"\n//! timezone = \"Europe/Berlin\"\n",
        );
        w("b_plain.rhai", "let a = 1;");
        w("c_bad.rhai", "//! schedule = \"99 * * * *\"\n");
        w(
            "d_typo.rhai",
            "//! description = \"x\"\n//! timzone = \"UTC\"\n",
        );
        w("notes.txt", "//! schedule = \"@hourly\"\n");
        let now: DateTime<Utc> = "2026-03-28T12:00:00Z".parse().unwrap();
        let report = schedule_report(dir.path(), now, 2).unwrap();
        assert_eq!(report.len(), 3, "{report:#?}");
        let ScheduleEntry::Scheduled {
            next,
            description,
            timezone,
            ..
        } = &report[0]
        else {
            panic!("{report:#?}")
        };
        assert_eq!(description.as_deref(), Some("cleanup"));
        assert_eq!(*timezone, chrono_tz::Europe::Berlin);
        let shown: Vec<String> = next.iter().map(format_fire_time).collect();
        assert_eq!(
            shown,
            [
                "2026-03-29 03:00:00 +02:00 (CEST)",
                "2026-03-30 02:30:00 +02:00 (CEST)"
            ]
        );
        let errors: Vec<&str> = report[1..]
            .iter()
            .map(|e| match e {
                ScheduleEntry::Invalid { error, .. } => error.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(
            errors[0].contains("c_bad.rhai:1: invalid cron expression"),
            "{}",
            errors[0]
        );
        assert!(errors[1].contains("d_typo.rhai:2:"), "{}", errors[1]);
    }

    #[test]
    fn a_missing_directory_is_an_io_error() {
        let err = schedule_report(Path::new("/no/such/dir"), Utc::now(), 5).unwrap_err();
        assert!(matches!(err, TriggerError::Io { .. }), "{err}");
    }
}
