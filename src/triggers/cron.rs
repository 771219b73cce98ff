//! A script's schedule: a parsed cron expression and its fire times in an IANA time zone.
//!
//! The expression is read on the LOCAL wall clock of the zone (default UTC); see
//! `cron_expr` for the accepted dialect. Fire times are real instants (UTC), strictly
//! increasing, so the same instant never fires twice.
//!
//! Daylight-saving changes (the `cron` crate alone silently skips local times that do not
//! exist, and tests below prove it; this module corrects that):
//! - Spring forward (a local hour does not exist, e.g. 02:00-02:59 on the change day in
//!   Europe/Berlin and America/New_York): a schedule for a fixed hour (its hour field is not
//!   `*`) whose local time falls in the gap runs ONCE at the first valid instant after the gap
//!   (03:00 local) - no silently lost run. Several fire times inside the gap collapse into that
//!   one run.
//! - Fall back (a local hour happens twice, e.g. 01:00-01:59 in New York, 02:00-02:59 in
//!   Berlin): a fixed-hour schedule runs ONCE, at the first occurrence - no double run.
//! - Schedules whose hour field is `*` (every hour, every minute, every second...) follow real
//!   time through both changes: the missing local hour simply has no fire times (the next real
//!   hour follows without a gap in real time), and the repeated local hour fires at both of its
//!   real instants (they are distinct instants one hour apart, not duplicates).
//!   This is the rule of Vixie cron and systemd.

use chrono::{DateTime, Duration, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use cron::TimeUnitSpec;

use super::cron_expr::to_crate_exprs;

/// A cron expression that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid cron expression \"{expr}\": {message}")]
pub struct CronError {
    /// The expression as written.
    pub expr: String,
    /// What is wrong.
    pub message: String,
}

/// A parsed schedule. Cheap to clone.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    source: String,
    /// One schedule, or two for crontab's day-of-month OR day-of-week rule.
    parts: Vec<cron::Schedule>,
    /// The hour field is `*`: follow real time through DST changes (see the module doc).
    every_hour: bool,
}

/// How many candidate local times one `next_after` looks at, at most (an every-second schedule
/// near a fall-back change needs about 3,600).
const MAX_CANDIDATES: usize = 20_000;

impl CronSchedule {
    /// Parses `expr` (5, 6 or 7 fields, or a macro).
    pub fn parse(expr: &str) -> Result<Self, CronError> {
        let err = |message: String| CronError {
            expr: expr.to_string(),
            message,
        };
        let exprs = to_crate_exprs(expr).map_err(err)?;
        let mut parts = Vec::with_capacity(exprs.len());
        for e in &exprs {
            let s: cron::Schedule = e.parse().map_err(|x: cron::error::Error| {
                // The crate's message points a caret into the rewritten expression; keep only
                // its last line, which says what is wrong.
                let text = x.to_string();
                let last = text.lines().rev().find(|l| !l.trim().is_empty());
                err(readable_range(last.unwrap_or(&text).trim()))
            })?;
            parts.push(s);
        }
        let every_hour = parts.iter().all(|p| p.hours().is_all());
        Ok(Self {
            source: expr.trim().to_string(),
            parts,
            every_hour,
        })
    }

    /// The expression as written (trimmed).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The first fire time strictly after `after`, in `tz`; `None` if there is none (e.g. a
    /// year field in the past).
    pub fn next_after(&self, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
        // At most one offset change happens within 26 hours in any real zone, so the offsets
        // at `after` and 26 hours later bound every offset a nearby fire time can have.
        let off_a = offset_secs(tz, after);
        let off_b = offset_secs(tz, after + Duration::hours(26));
        let (min_off, max_off) = (off_a.min(off_b), off_a.max(off_b));
        // A fire instant I > after has local time I + off(I) > after + min_off.
        let start = Utc.from_utc_datetime(&(after.naive_utc() + Duration::seconds(min_off)));
        self.parts
            .iter()
            .filter_map(|part| {
                let mut best: Option<DateTime<Utc>> = None;
                for cand in part.after(&start).take(MAX_CANDIDATES) {
                    let local = cand.naive_utc();
                    // Every instant of this local time is at least local - max_off.
                    if best.is_some_and(|b| local - Duration::seconds(max_off) > b.naive_utc()) {
                        break;
                    }
                    for inst in self.instants_of(local, tz).into_iter().flatten() {
                        if inst > after && best.is_none_or(|b| inst < b) {
                            best = Some(inst);
                        }
                    }
                }
                best
            })
            .min()
    }

    /// The next `n` fire times after `after`, in `tz`.
    pub fn upcoming(&self, after: DateTime<Utc>, tz: Tz, n: usize) -> Vec<DateTime<Tz>> {
        let mut out = Vec::with_capacity(n);
        let mut t = after;
        while out.len() < n {
            match self.next_after(t, tz) {
                Some(next) => {
                    out.push(next.with_timezone(&tz));
                    t = next;
                }
                None => break,
            }
        }
        out
    }

    /// The real instants a local fire time stands for (see the module doc for the DST rules).
    fn instants_of(&self, local: NaiveDateTime, tz: Tz) -> [Option<DateTime<Utc>>; 2] {
        match tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) => [Some(t.with_timezone(&Utc)), None],
            chrono::LocalResult::Ambiguous(a, b) => {
                let (first, second) = (a.min(b), a.max(b));
                let second = self.every_hour.then(|| second.with_timezone(&Utc));
                [Some(first.with_timezone(&Utc)), second]
            }
            chrono::LocalResult::None if self.every_hour => [None, None],
            chrono::LocalResult::None => [gap_end(local, tz), None],
        }
    }
}

/// The zone's UTC offset at `at`, in seconds.
fn offset_secs(tz: Tz, at: DateTime<Utc>) -> i64 {
    i64::from(
        tz.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The first instant whose local time exists, at or after the non-existent `local`.
fn gap_end(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    let mut t = local.with_second(0)?.with_nanosecond(0)?;
    // Gaps are at most a few hours long and end on a whole minute in every current zone.
    for _ in 0..(24 * 60) {
        t += Duration::minutes(1);
        if let Some(first) = tz.from_local_datetime(&t).earliest() {
            return Some(first.with_timezone(&Utc));
        }
    }
    None
}

/// The cron crate words its range errors with an off-by-one ("Minutes must be less than 59"
/// while 59 is allowed); say the allowed range instead.
fn readable_range(message: &str) -> String {
    const RANGES: &[(&str, &str)] = &[
        ("Seconds must be less than 59", "seconds must be 0-59"),
        ("Minutes must be less than 59", "minutes must be 0-59"),
        ("Hours must be less than 23", "hours must be 0-23"),
    ];
    RANGES
        .iter()
        .find(|(from, _)| message.contains(from))
        .map_or_else(
            || message.to_string(),
            |(from, to)| message.replace(from, to),
        )
}

#[cfg(test)]
#[path = "cron_dst_tests.rs"]
mod dst_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn errors_name_the_expression() {
        let e = CronSchedule::parse("61 * * * *").unwrap_err();
        assert!(e.to_string().contains("\"61 * * * *\""), "{e}");
        assert!(!e.message.contains('\n'), "{e}");
        assert!(e.message.contains("'61'"), "{e}");
        let e = CronSchedule::parse("every day").unwrap_err();
        assert!(e.to_string().contains("found 2"), "{e}");
    }

    #[test]
    fn five_field_every_five_minutes_in_utc() {
        let s = CronSchedule::parse("*/5 * * * *").unwrap();
        let next = s.next_after(utc("2026-01-10T10:02:30Z"), Tz::UTC);
        assert_eq!(next, Some(utc("2026-01-10T10:05:00Z")));
        // Strictly after.
        let next = s.next_after(utc("2026-01-10T10:05:00Z"), Tz::UTC);
        assert_eq!(next, Some(utc("2026-01-10T10:10:00Z")));
    }

    #[test]
    fn every_second_and_year_fields() {
        let s = CronSchedule::parse("* * * * * *").unwrap();
        assert_eq!(
            s.next_after(utc("2026-01-10T10:00:00Z"), Tz::UTC),
            Some(utc("2026-01-10T10:00:01Z"))
        );
        let s = CronSchedule::parse("0 0 12 1 1 * 2020").unwrap();
        assert_eq!(s.next_after(utc("2026-01-10T10:00:00Z"), Tz::UTC), None);
    }

    #[test]
    fn crontab_monday_is_monday() {
        let s = CronSchedule::parse("0 9 * * 1").unwrap();
        // 2026-01-10 is a Saturday; the next Monday is the 12th.
        assert_eq!(
            s.next_after(utc("2026-01-10T00:00:00Z"), Tz::UTC),
            Some(utc("2026-01-12T09:00:00Z"))
        );
    }

    #[test]
    fn day_of_month_or_day_of_week_merge() {
        let s = CronSchedule::parse("0 0 15 * 1").unwrap();
        let got = s.upcoming(utc("2026-01-10T00:00:00Z"), Tz::UTC, 3);
        let got: Vec<String> = got.iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(
            got,
            [
                "2026-01-12T00:00:00+00:00",
                "2026-01-15T00:00:00+00:00",
                "2026-01-19T00:00:00+00:00"
            ]
        );
    }

    #[test]
    fn local_time_in_a_zone() {
        let s = CronSchedule::parse("0 9 * * *").unwrap();
        let got = s.upcoming(utc("2026-01-09T20:00:00Z"), chrono_tz::Asia::Tokyo, 1);
        assert_eq!(got[0].to_rfc3339(), "2026-01-10T09:00:00+09:00");
    }
}

#[cfg(test)]
mod wording_tests {
    use super::*;

    #[test]
    fn range_errors_name_the_allowed_range() {
        let e = CronSchedule::parse("61 * * * *").unwrap_err();
        assert!(e.message.contains("minutes must be 0-59"), "{e}");
        let e = CronSchedule::parse("0 99 * * *").unwrap_err();
        assert!(e.message.contains("hours must be 0-23"), "{e}");
    }
}
