//! Catch-up after downtime: at daemon start, the last fire time kept in the state store is
//! compared with the schedule. Pure decision; the daemon acts on it and logs it.

use chrono::{DateTime, Utc};

use crate::script::header::CatchUp;
use crate::triggers::scheduled::ScheduledScript;

/// Fire times counted at most when reporting what was missed.
const MAX_COUNTED: usize = 1000;

/// What to do at start about fire times missed while the daemon was down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CatchUpDecision {
    /// Never fired before: nothing is known to be missed; `now` becomes the baseline.
    FirstSeen,
    /// Nothing was missed.
    UpToDate,
    /// Run once now (`catch_up = "once"`).
    RunOnce(Missed),
    /// Missed fire times are skipped (`catch_up = "skip"`), and logged.
    Skip(Missed),
}

/// The fire times missed while down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Missed {
    /// The first missed fire time.
    pub first: DateTime<Utc>,
    /// The last missed fire time (recorded as the last fire).
    pub last: DateTime<Utc>,
    /// How many (at most `MAX_COUNTED`; `capped` says if there were more).
    pub count: usize,
    /// More than `count` were missed.
    pub capped: bool,
}

/// Decides catch-up for `script` last fired at `last_fire` (from the state store), at `now`.
pub(crate) fn decide(
    script: &ScheduledScript,
    last_fire: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> CatchUpDecision {
    let Some(last) = last_fire else {
        return CatchUpDecision::FirstSeen;
    };
    let Some(first) = script
        .schedule
        .next_after(last, script.tz)
        .filter(|t| *t <= now)
    else {
        return CatchUpDecision::UpToDate;
    };
    let mut missed = Missed {
        first,
        last: first,
        count: 1,
        capped: false,
    };
    while let Some(t) = script.schedule.next_after(missed.last, script.tz) {
        if t > now {
            break;
        }
        if missed.count >= MAX_COUNTED {
            missed.capped = true;
            missed.last = latest_fire_until(script, t, now);
            break;
        }
        missed.last = t;
        missed.count += 1;
    }
    match script.header.catch_up {
        CatchUp::Once => CatchUpDecision::RunOnce(missed),
        CatchUp::Skip => CatchUpDecision::Skip(missed),
    }
}

/// The latest fire time in `[floor, now]` (`floor` is one), found without walking every fire
/// time since `floor`: search forward from windows ending at `now`, smallest first.
fn latest_fire_until(
    script: &ScheduledScript,
    floor: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    for back in [60i64, 3600, 86_400, 32 * 86_400, 400 * 86_400] {
        let from = (now - chrono::Duration::seconds(back)).max(floor);
        let Some(mut latest) = script
            .schedule
            .next_after(from, script.tz)
            .filter(|x| *x <= now)
        else {
            continue;
        };
        while let Some(x) = script.schedule.next_after(latest, script.tz) {
            if x > now {
                break;
            }
            latest = x;
        }
        return latest;
    }
    floor
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn script(extra: &str) -> ScheduledScript {
        let src = format!("//! schedule = \"0 * * * *\"\n{extra}let a = 1;");
        ScheduledScript::load(Path::new("s.rhai"), &src)
            .unwrap()
            .unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn never_fired_is_first_seen() {
        assert_eq!(
            decide(&script(""), None, t("2026-01-01T10:30:00Z")),
            CatchUpDecision::FirstSeen
        );
    }

    #[test]
    fn nothing_missed() {
        let d = decide(
            &script(""),
            Some(t("2026-01-01T10:00:00Z")),
            t("2026-01-01T10:59:59Z"),
        );
        assert_eq!(d, CatchUpDecision::UpToDate);
    }

    #[test]
    fn skip_reports_what_was_missed() {
        let d = decide(
            &script(""),
            Some(t("2026-01-01T10:00:00Z")),
            t("2026-01-01T13:30:00Z"),
        );
        assert_eq!(
            d,
            CatchUpDecision::Skip(Missed {
                first: t("2026-01-01T11:00:00Z"),
                last: t("2026-01-01T13:00:00Z"),
                count: 3,
                capped: false
            })
        );
    }

    #[test]
    fn once_runs_once_for_many_missed() {
        let s = script("//! catch_up = \"once\"\n");
        let d = decide(
            &s,
            Some(t("2026-01-01T10:00:00Z")),
            t("2026-01-01T11:00:00Z"),
        );
        assert!(
            matches!(d, CatchUpDecision::RunOnce(Missed { count: 1, .. })),
            "{d:?}"
        );
    }

    #[test]
    fn long_downtime_is_counted_up_to_a_cap() {
        let d = decide(
            &script(""),
            Some(t("2025-01-01T00:00:00Z")),
            t("2026-01-01T00:30:00Z"),
        );
        let CatchUpDecision::Skip(m) = d else {
            panic!("{d:?}")
        };
        assert!(m.capped);
        assert_eq!(m.count, MAX_COUNTED);
        assert_eq!(m.last, t("2026-01-01T00:00:00Z"));
    }
}
