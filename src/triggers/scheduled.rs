//! A scheduled script as the daemon keeps it: the last good version of its source with its
//! parsed header and schedule. Runs always use this in-memory source, so a broken edit on disk
//! never stops a script that was working.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;

use super::cron::CronSchedule;
use super::runner::{Job, Trigger};
use crate::script::header::ScriptHeader;
use crate::script::script_name;

/// The last good version of a scheduled script.
#[derive(Debug, Clone)]
pub struct ScheduledScript {
    /// The file.
    pub path: PathBuf,
    /// Its name in the state store (the file stem, e.g. `escalate` for `escalate.rhai`).
    pub name: String,
    /// Its source.
    pub source: Arc<str>,
    /// Its header.
    pub header: ScriptHeader,
    /// Its parsed schedule.
    pub schedule: CronSchedule,
    /// The zone the schedule is read in (UTC unless the header says otherwise).
    pub tz: Tz,
}

impl ScheduledScript {
    /// Reads header and schedule of `source`. `Ok(None)`: valid, but has no `schedule`.
    /// Errors are rendered with file and line.
    pub fn load(path: &Path, source: &str) -> Result<Option<Self>, String> {
        let header = ScriptHeader::parse(path, source).map_err(|e| e.to_string())?;
        let Some(expr) = header.schedule.clone() else {
            return Ok(None);
        };
        let schedule = CronSchedule::parse(&expr).map_err(|e| {
            let line = ScriptHeader::line_of(source, "schedule").unwrap_or(1);
            format!("{}:{line}: {e}", path.display())
        })?;
        Ok(Some(Self {
            path: path.to_path_buf(),
            name: script_name(path),
            source: source.into(),
            tz: header.timezone.unwrap_or(Tz::UTC),
            header,
            schedule,
        }))
    }

    /// A job running this version.
    pub fn job(&self, trigger: Trigger, dry_run: bool) -> Job {
        Job {
            path: self.path.clone(),
            source: Arc::clone(&self.source),
            dry_run,
            trigger,
            timeout: self.header.timeout,
            max_writes: self.header.max_writes,
            memory: self.header.memory,
            claim: None,
            event: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_schedule_zone_and_limits() {
        let src = "//! schedule = \"*/5 * * * *\"\n//! timezone = \"Europe/Berlin\"\n//! timeout = \"30s\"\n//! max_writes = 3\nlet a = 1;";
        let s = ScheduledScript::load(Path::new("dir/esc.rhai"), src)
            .unwrap()
            .unwrap();
        assert_eq!(s.name, "esc");
        assert_eq!(s.tz, chrono_tz::Europe::Berlin);
        let job = s.job(Trigger::Schedule, false);
        assert_eq!(job.timeout, Some(std::time::Duration::from_secs(30)));
        assert_eq!(job.max_writes, Some(3));
        assert_eq!(&*job.source, src);
    }

    #[test]
    fn no_schedule_is_not_scheduled() {
        assert!(ScheduledScript::load(Path::new("a.rhai"), "let a = 1;")
            .unwrap()
            .is_none());
    }

    #[test]
    fn bad_cron_names_file_line_and_expression() {
        let e = ScheduledScript::load(
            Path::new("a.rhai"),
            "//! description = \"x\"\n//! schedule = \"*/5 * *\"\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with("a.rhai:2: invalid cron expression \"*/5 * *\""),
            "{e}"
        );
    }
}
