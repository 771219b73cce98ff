//! Hot-reload decisions of the daemon: what a change to one script file means, given the
//! version currently scheduled. Pure logic over the file's new content; the daemon applies it.

use std::io;
use std::path::Path;

use crate::triggers::runner::Runner;
use crate::triggers::scheduled::ScheduledScript;

/// What to do after a script file changed.
#[derive(Debug)]
pub(crate) enum Reload {
    /// A script not scheduled before now has a valid schedule: schedule it.
    Schedule(ScheduledScript),
    /// A scheduled script has a new valid version: use it from its next run.
    Update(ScheduledScript),
    /// A scheduled script was edited into something broken: keep running the last good
    /// version and log the error (rendered with line and column).
    KeepLastGood(String),
    /// A script that is not scheduled is invalid: log the error.
    Invalid(String),
    /// The file is gone or no longer has a schedule: unschedule it (a running run may finish).
    Unschedule(&'static str),
    /// Nothing to do (same content, or not a scheduled script).
    Nothing,
}

/// Decides what the content `read` of `path` means when `known` is the version scheduled now.
pub(crate) fn decide(
    known: Option<&ScheduledScript>,
    path: &Path,
    read: io::Result<String>,
    runner: &dyn Runner,
) -> Reload {
    let source = match read {
        Ok(s) => s,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return match known {
                Some(_) => Reload::Unschedule("file deleted"),
                None => Reload::Nothing,
            };
        }
        Err(e) => {
            let msg = format!("{}: cannot read: {e}", path.display());
            return match known {
                Some(_) => Reload::KeepLastGood(msg),
                None => Reload::Invalid(msg),
            };
        }
    };
    if known.is_some_and(|k| *k.source == *source) {
        return Reload::Nothing;
    }
    let broken = |msg: String| match known {
        Some(_) => Reload::KeepLastGood(msg),
        None => Reload::Invalid(msg),
    };
    let loaded = match ScheduledScript::load(path, &source) {
        Ok(Some(s)) => s,
        Ok(None) => {
            return match known {
                Some(_) => Reload::Unschedule("its header no longer has a schedule"),
                None => Reload::Nothing,
            }
        }
        Err(msg) => return broken(msg),
    };
    if let Err(msg) = runner.check(path, &source) {
        return broken(msg);
    }
    match known {
        Some(_) => Reload::Update(loaded),
        None => Reload::Schedule(loaded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::runner::FakeRunner;
    use crate::triggers::clock::SystemClock;
    use std::sync::Arc;
    use std::time::Duration;

    const GOOD: &str = "//! schedule = \"@hourly\"\nlet a = 1;";
    const GOOD2: &str = "//! schedule = \"@daily\"\nlet a = 2;";

    fn runner() -> Arc<FakeRunner> {
        FakeRunner::new(Arc::new(SystemClock), false, Duration::ZERO)
    }

    fn known() -> ScheduledScript {
        ScheduledScript::load(Path::new("s.rhai"), GOOD)
            .unwrap()
            .unwrap()
    }

    fn ok(s: &str) -> io::Result<String> {
        Ok(s.to_string())
    }

    fn gone() -> io::Result<String> {
        Err(io::Error::from(io::ErrorKind::NotFound))
    }

    #[test]
    fn new_file_with_a_schedule_is_scheduled() {
        let r = runner();
        assert!(matches!(
            decide(None, Path::new("s.rhai"), ok(GOOD), &*r),
            Reload::Schedule(_)
        ));
        let plain = decide(None, Path::new("s.rhai"), ok("let a = 1;"), &*r);
        assert!(matches!(plain, Reload::Nothing));
    }

    #[test]
    fn edited_file_updates() {
        let r = runner();
        let k = known();
        match decide(Some(&k), Path::new("s.rhai"), ok(GOOD2), &*r) {
            Reload::Update(s) => {
                assert_eq!(s.schedule.source(), "@daily");
                assert_eq!(&*s.source, GOOD2);
            }
            other => panic!("{other:?}"),
        }
        let same = decide(Some(&k), Path::new("s.rhai"), ok(GOOD), &*r);
        assert!(matches!(same, Reload::Nothing));
    }

    #[test]
    fn broken_edit_keeps_the_last_good_version() {
        let r = runner();
        let k = known();
        let body = decide(
            Some(&k),
            Path::new("s.rhai"),
            ok("//! schedule = \"@hourly\"\nlet\n    BROKEN"),
            &*r,
        );
        match body {
            Reload::KeepLastGood(msg) => assert!(msg.contains("line 3, column 5"), "{msg}"),
            other => panic!("{other:?}"),
        }
        let header = decide(
            Some(&k),
            Path::new("s.rhai"),
            ok("//! schedule = \"61 * * * *\"\n"),
            &*r,
        );
        match header {
            Reload::KeepLastGood(msg) => assert!(msg.starts_with("s.rhai:1:"), "{msg}"),
            other => panic!("{other:?}"),
        }
        let new_broken = decide(None, Path::new("s.rhai"), ok("//! schedul = 1\n"), &*r);
        assert!(matches!(new_broken, Reload::Invalid(_)));
    }

    #[test]
    fn deleted_or_unscheduled_file_is_unscheduled() {
        let r = runner();
        let k = known();
        assert!(matches!(
            decide(Some(&k), Path::new("s.rhai"), gone(), &*r),
            Reload::Unschedule(_)
        ));
        assert!(matches!(
            decide(None, Path::new("s.rhai"), gone(), &*r),
            Reload::Nothing
        ));
        let no_schedule = decide(Some(&k), Path::new("s.rhai"), ok("let a = 3;"), &*r);
        assert!(matches!(no_schedule, Reload::Unschedule(_)));
    }
}
