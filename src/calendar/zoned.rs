//! Day and week arithmetic on epoch milliseconds in an IANA time zone: formatting, parsing
//! local text, the start of a day or week, the weekday, adding calendar days at the same wall
//! time. Pure functions over chrono-tz; the script layer wraps them.
//!
//! Local times that do not exist (the hour skipped when clocks spring forward) resolve to the
//! first valid instant after the gap; local times that happen twice (the hour repeated when
//! clocks fall back) resolve to the first occurrence. The daemon's cron reads its schedule the
//! same way.

use std::fmt::Write;

use chrono::{
    DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
    Utc, Weekday,
};
use chrono_tz::Tz;

/// Why a zone computation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneError {
    /// The timestamp cannot be represented as a date.
    #[error("{0} is not a representable time (epoch milliseconds out of range)")]
    OutOfRange(i64),
    /// The strftime pattern has an invalid item.
    #[error("invalid time format `{0}` (use strftime items such as \"%Y-%m-%d %H:%M\")")]
    BadFormat(String),
}

/// The instant `ms` seen in `tz`.
pub fn zoned(ms: i64, tz: Tz) -> Result<DateTime<Tz>, ZoneError> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .map(|t| t.with_timezone(&tz))
        .ok_or(ZoneError::OutOfRange(ms))
}

/// The instant of local wall time `local` in `tz`: the first occurrence when it happens twice,
/// the first valid instant after the gap when it does not exist.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Tz> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(first, _) => first,
        LocalResult::None => {
            // Gaps are whole minutes and never longer than a few hours (the longest on record
            // is a skipped day, handled by the 48h bound): probe minute by minute.
            let base = local.with_second(0).and_then(|l| l.with_nanosecond(0));
            let mut probe = base.unwrap_or(local);
            for _ in 0..48 * 60 {
                probe += chrono::Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t;
                }
            }
            // Unreachable with real zone data; fall back to reading the wall time as UTC.
            Utc.from_utc_datetime(&local).with_timezone(&tz)
        }
    }
}

/// The instant of `time` on local `date` in `tz` (see [`resolve_local`]).
pub fn at_local(tz: Tz, date: NaiveDate, time: NaiveTime) -> i64 {
    resolve_local(tz, date.and_time(time)).timestamp_millis()
}

/// The start of local `date` in `tz` (usually midnight; the first instant of the day where
/// midnight is skipped).
pub fn date_start(tz: Tz, date: NaiveDate) -> i64 {
    at_local(tz, date, NaiveTime::MIN)
}

/// `ms` formatted in `tz` with a strftime pattern.
pub fn format(ms: i64, pattern: &str, tz: Tz) -> Result<String, ZoneError> {
    let t = zoned(ms, tz)?;
    let mut out = String::new();
    write!(out, "{}", t.format(pattern)).map_err(|_| ZoneError::BadFormat(pattern.to_string()))?;
    Ok(out)
}

/// Parses `text` as a time, reading times without an offset as wall time in `tz`: RFC 3339
/// with an offset (`2026-03-29T09:00:00+02:00`, the zone is then ignored), epoch milliseconds,
/// `YYYY-MM-DD` (the start of that day in `tz`), `YYYY-MM-DD HH:MM[:SS]` or with a `T`.
pub fn parse(text: &str, tz: Tz) -> Option<i64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(ms) = s.parse::<i64>() {
        return Some(ms);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(date_start(tz, d));
    }
    for pattern in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, pattern) {
            return Some(resolve_local(tz, local).timestamp_millis());
        }
    }
    None
}

/// The start of the local day containing `ms`.
pub fn start_of_day(ms: i64, tz: Tz) -> Result<i64, ZoneError> {
    Ok(date_start(tz, zoned(ms, tz)?.date_naive()))
}

/// The start of the local week (Monday) containing `ms`.
pub fn start_of_week(ms: i64, tz: Tz) -> Result<i64, ZoneError> {
    let date = zoned(ms, tz)?.date_naive();
    let back = u64::from(date.weekday().num_days_from_monday());
    let monday = date
        .checked_sub_days(Days::new(back))
        .ok_or(ZoneError::OutOfRange(ms))?;
    Ok(date_start(tz, monday))
}

/// The local weekday of `ms`.
pub fn weekday(ms: i64, tz: Tz) -> Result<Weekday, ZoneError> {
    Ok(zoned(ms, tz)?.weekday())
}

/// `ms` moved by `n` calendar days (negative: back) at the same local wall time, so a day
/// across a DST change is 23 or 25 hours long.
pub fn add_days(ms: i64, n: i64, tz: Tz) -> Result<i64, ZoneError> {
    let t = zoned(ms, tz)?;
    let date = shift_date(t.date_naive(), n).ok_or(ZoneError::OutOfRange(ms))?;
    Ok(resolve_local(tz, date.and_time(t.time())).timestamp_millis())
}

/// `date` moved by `n` days.
pub(crate) fn shift_date(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    let days = Days::new(n.unsigned_abs());
    if n >= 0 {
        date.checked_add_days(days)
    } else {
        date.checked_sub_days(days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Berlin;

    fn utc(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn formats_in_a_zone() {
        let t = utc("2026-07-01T12:00:00Z");
        assert_eq!(
            format(t, "%Y-%m-%d %H:%M %Z", Berlin).unwrap(),
            "2026-07-01 14:00 CEST"
        );
        assert_eq!(format(t, "%H:%M", New_York).unwrap(), "08:00");
        assert_eq!(format(t, "%H:%M", Tz::UTC).unwrap(), "12:00");
        assert!(matches!(
            format(t, "%Q", Berlin),
            Err(ZoneError::BadFormat(_))
        ));
        assert!(matches!(
            format(i64::MAX, "%H", Berlin),
            Err(ZoneError::OutOfRange(_))
        ));
    }

    #[test]
    fn parses_local_text_in_the_zone() {
        assert_eq!(
            parse("2026-01-15 09:00", Berlin),
            Some(utc("2026-01-15T08:00:00Z"))
        );
        assert_eq!(
            parse("2026-07-15T09:00:30", New_York),
            Some(utc("2026-07-15T13:00:30Z"))
        );
        assert_eq!(
            parse("2026-07-15", Berlin),
            Some(utc("2026-07-14T22:00:00Z"))
        );
        // An explicit offset wins over the zone; epoch milliseconds pass through.
        assert_eq!(
            parse("2026-07-15T09:00:00Z", Berlin),
            Some(utc("2026-07-15T09:00:00Z"))
        );
        assert_eq!(parse("1000", Berlin), Some(1000));
        assert_eq!(parse("next tuesday", Berlin), None);
        assert_eq!(parse("  ", Berlin), None);
    }

    #[test]
    fn skipped_and_repeated_local_times_resolve_predictably() {
        // Berlin springs forward 2026-03-29 02:00 -> 03:00: 02:30 does not exist.
        assert_eq!(
            parse("2026-03-29 02:30", Berlin),
            Some(utc("2026-03-29T01:00:00Z"))
        );
        // Berlin falls back 2026-10-25 03:00 -> 02:00: 02:30 happens twice, first one wins.
        assert_eq!(
            parse("2026-10-25 02:30", Berlin),
            Some(utc("2026-10-25T00:30:00Z"))
        );
        // New York springs forward 2026-03-08 02:00 -> 03:00.
        assert_eq!(
            parse("2026-03-08 02:15", New_York),
            Some(utc("2026-03-08T07:00:00Z"))
        );
        // New York falls back 2026-11-01 02:00 -> 01:00: 01:30 EDT first.
        assert_eq!(
            parse("2026-11-01 01:30", New_York),
            Some(utc("2026-11-01T05:30:00Z"))
        );
    }

    #[test]
    fn day_and_week_boundaries_follow_the_zone() {
        // 23:30 UTC on a Wednesday is already Thursday in Berlin.
        let t = utc("2026-07-01T23:30:00Z");
        assert_eq!(weekday(t, Tz::UTC).unwrap(), Weekday::Wed);
        assert_eq!(weekday(t, Berlin).unwrap(), Weekday::Thu);
        assert_eq!(
            start_of_day(t, Berlin).unwrap(),
            utc("2026-07-01T22:00:00Z")
        );
        assert_eq!(
            start_of_day(t, New_York).unwrap(),
            utc("2026-07-01T04:00:00Z")
        );
        assert_eq!(
            start_of_week(t, Berlin).unwrap(),
            utc("2026-06-28T22:00:00Z")
        );
        assert_eq!(
            start_of_week(t, Tz::UTC).unwrap(),
            utc("2026-06-29T00:00:00Z")
        );
    }

    #[test]
    fn adding_days_keeps_the_wall_time_across_dst() {
        // Saturday 09:00 Berlin before spring-forward + 1 day = Sunday 09:00 CEST (23h later).
        let sat = utc("2026-03-28T08:00:00Z");
        let sun = add_days(sat, 1, Berlin).unwrap();
        assert_eq!(sun, utc("2026-03-29T07:00:00Z"));
        assert_eq!(sun - sat, 23 * 3_600_000);
        // New York fall-back: Saturday 09:00 EDT + 1 day = Sunday 09:00 EST (25h later).
        let sat = utc("2026-10-31T13:00:00Z");
        assert_eq!(add_days(sat, 1, New_York).unwrap() - sat, 25 * 3_600_000);
        assert_eq!(
            add_days(sun, -1, Berlin).unwrap(),
            utc("2026-03-28T08:00:00Z")
        );
        // Landing in the gap moves to its end.
        let t = utc("2026-03-28T01:30:00Z"); // 02:30 CET
        assert_eq!(add_days(t, 1, Berlin).unwrap(), utc("2026-03-29T01:00:00Z"));
    }
}
