//! A business calendar: working hours per weekday read in one time zone, minus holidays; and
//! the arithmetic on it (`business_time_between`, `add_business_time`, `is_business_time`,
//! `add_business_days`). Each day's spans are turned into real instants in the calendar's zone,
//! so a span keeps its wall-clock meaning across DST changes (09:00-17:00 is 8 real hours on
//! both change days; a `00:00-24:00` day is 23 or 25 hours on them).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveTime};
use chrono_tz::Tz;

use super::hours::{minutes_to_time, WeekHours, DAY_MINUTES};
use super::zoned::{at_local, resolve_local, shift_date, zoned, ZoneError};

/// How far arithmetic looks for working time before giving up (a calendar whose every day
/// is a holiday would otherwise loop forever): 20 years.
pub const MAX_SCAN_DAYS: i64 = 366 * 20;

/// Why a business-time computation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BusinessError {
    /// The input time is out of range.
    #[error(transparent)]
    Zone(#[from] ZoneError),
    /// No working time within [`MAX_SCAN_DAYS`].
    #[error("no working time within 20 years of the given time (check the calendar's hours and holidays)")]
    NoWorkingTime,
}

/// A holiday: one date, or a month and day every year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Holiday {
    /// That date only (`2026-12-24`).
    Date(NaiveDate),
    /// That month and day every year (`12-25`).
    Annual(u32, u32),
}

/// Working hours in a zone, minus holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    zone: Tz,
    hours: WeekHours,
    holidays: BTreeSet<Holiday>,
}

impl Default for BusinessCalendar {
    /// Monday to Friday, 09:00 to 17:00 UTC, no holidays.
    fn default() -> Self {
        Self {
            zone: Tz::UTC,
            hours: WeekHours::default(),
            holidays: BTreeSet::new(),
        }
    }
}

impl BusinessCalendar {
    /// A calendar; `None` when `hours` has no working time at all.
    pub fn new(zone: Tz, hours: WeekHours, holidays: BTreeSet<Holiday>) -> Option<Self> {
        hours.has_any().then_some(Self {
            zone,
            hours,
            holidays,
        })
    }

    /// The zone the hours are read in.
    pub fn zone(&self) -> Tz {
        self.zone
    }

    /// Whether `date` is a holiday.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays.contains(&Holiday::Date(date))
            || self
                .holidays
                .contains(&Holiday::Annual(date.month(), date.day()))
    }

    /// Whether `date` has working hours (a working weekday that is not a holiday).
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        !self.is_holiday(date) && !self.hours.on(date.weekday()).is_empty()
    }

    /// The working spans of local `date` as `[start, end)` epoch milliseconds.
    fn spans_on(&self, date: NaiveDate) -> Vec<(i64, i64)> {
        if self.is_holiday(date) {
            return Vec::new();
        }
        self.hours
            .on(date.weekday())
            .iter()
            .map(|s| (self.instant(date, s.start), self.instant(date, s.end)))
            .filter(|(a, b)| a < b)
            .collect()
    }

    /// The instant of `minutes` past midnight on local `date` (1440: the next day's start).
    fn instant(&self, date: NaiveDate, minutes: u16) -> i64 {
        if minutes >= DAY_MINUTES {
            let next = date.succ_opt().unwrap_or(date);
            return at_local(self.zone, next, NaiveTime::MIN);
        }
        at_local(self.zone, date, minutes_to_time(minutes))
    }

    fn local_date(&self, ms: i64) -> Result<NaiveDate, ZoneError> {
        Ok(zoned(ms, self.zone)?.date_naive())
    }

    /// Whether `ms` falls in working hours.
    pub fn is_business_time(&self, ms: i64) -> Result<bool, BusinessError> {
        let date = self.local_date(ms)?;
        Ok(self.spans_on(date).iter().any(|&(a, b)| a <= ms && ms < b))
    }

    /// Working time from `a` to `b` in milliseconds (negative when `b` is before `a`).
    pub fn business_time_between(&self, a: i64, b: i64) -> Result<i64, BusinessError> {
        if b < a {
            return self.business_time_between(b, a).map(|d| -d);
        }
        let (first, last) = (self.local_date(a)?, self.local_date(b)?);
        if (last - first).num_days() > MAX_SCAN_DAYS {
            return Err(BusinessError::NoWorkingTime);
        }
        let mut total = 0;
        let mut date = first;
        while date <= last {
            for (s, e) in self.spans_on(date) {
                let (s, e) = (s.max(a), e.min(b));
                if s < e {
                    total += e - s;
                }
            }
            match date.succ_opt() {
                Some(d) => date = d,
                None => break,
            }
        }
        Ok(total)
    }

    /// The instant `duration` milliseconds of working time after `ms` (before it when
    /// negative). Adding zero returns `ms`; a result that fills a span exactly is that span's
    /// end (4h from 13:00 on a 09:00-17:00 day is 17:00, not 09:00 the next day).
    pub fn add_business_time(&self, ms: i64, duration: i64) -> Result<i64, BusinessError> {
        if duration == 0 {
            return Ok(ms);
        }
        let forward = duration > 0;
        let mut remaining = duration.unsigned_abs() as i64;
        let mut date = self.local_date(ms)?;
        for _ in 0..=MAX_SCAN_DAYS {
            let mut spans = self.spans_on(date);
            if !forward {
                spans.reverse();
            }
            for (s, e) in spans {
                let (from, to) = if forward {
                    (s.max(ms), e)
                } else {
                    (s, e.min(ms))
                };
                if from >= to {
                    continue;
                }
                let available = to - from;
                if remaining <= available {
                    return Ok(if forward {
                        from + remaining
                    } else {
                        to - remaining
                    });
                }
                remaining -= available;
            }
            date = shift_date(date, if forward { 1 } else { -1 })
                .ok_or(BusinessError::NoWorkingTime)?;
        }
        Err(BusinessError::NoWorkingTime)
    }

    /// `ms` moved by `n` business days (negative: back) at the same local wall time; days
    /// without working hours and holidays are skipped. Zero returns `ms`.
    pub fn add_business_days(&self, ms: i64, n: i64) -> Result<i64, BusinessError> {
        let t = zoned(ms, self.zone)?;
        let mut date = t.date_naive();
        let step = if n >= 0 { 1 } else { -1 };
        let mut left = n.unsigned_abs();
        let mut scanned = 0;
        while left > 0 {
            date = shift_date(date, step).ok_or(BusinessError::NoWorkingTime)?;
            if self.is_business_day(date) {
                left -= 1;
            }
            scanned += 1;
            if scanned > MAX_SCAN_DAYS + n.abs() * 7 {
                return Err(BusinessError::NoWorkingTime);
            }
        }
        Ok(resolve_local(self.zone, date.and_time(t.time())).timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::DateTime;
    use chrono_tz::America::New_York;
    use chrono_tz::Europe::Berlin;

    use super::*;

    const H: i64 = 3_600_000;
    const M: i64 = 60_000;

    fn utc(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// Mon-Fri 09:00-17:00 in `zone` with the given holidays.
    fn office(zone: Tz, holidays: &[Holiday]) -> BusinessCalendar {
        BusinessCalendar::new(
            zone,
            WeekHours::default(),
            holidays.iter().copied().collect(),
        )
        .unwrap()
    }

    fn around_the_clock(zone: Tz) -> BusinessCalendar {
        let hours = WeekHours::parse(&BTreeMap::from([(
            "mon-sun".to_string(),
            "00:00-24:00".to_string(),
        )]))
        .unwrap();
        BusinessCalendar::new(zone, hours, BTreeSet::new()).unwrap()
    }

    #[test]
    fn within_one_day() {
        let cal = office(Berlin, &[]);
        // Wednesday 2026-01-14, Berlin is UTC+1: 10:00 local = 09:00Z.
        let ten = utc("2026-01-14T09:00:00Z");
        assert_eq!(
            cal.add_business_time(ten, 4 * H).unwrap(),
            utc("2026-01-14T13:00:00Z")
        );
        assert_eq!(cal.business_time_between(ten, ten + 3 * H).unwrap(), 3 * H);
        assert_eq!(cal.business_time_between(ten + 3 * H, ten).unwrap(), -3 * H);
        assert!(cal.is_business_time(ten).unwrap());
        // 17:00 local is the end: not business time; 16:59 is.
        assert!(!cal.is_business_time(utc("2026-01-14T16:00:00Z")).unwrap());
        assert!(cal.is_business_time(utc("2026-01-14T15:59:00Z")).unwrap());
        // Filling the day exactly ends at 17:00, not the next morning.
        assert_eq!(
            cal.add_business_time(ten, 7 * H).unwrap(),
            utc("2026-01-14T16:00:00Z")
        );
        assert_eq!(cal.add_business_time(ten, 0).unwrap(), ten);
    }

    #[test]
    fn across_a_weekend() {
        let cal = office(Berlin, &[]);
        // Friday 2026-01-16 15:00 Berlin + 4h = Monday 11:00 Berlin.
        let fri = utc("2026-01-16T14:00:00Z");
        let mon = utc("2026-01-19T10:00:00Z");
        assert_eq!(cal.add_business_time(fri, 4 * H).unwrap(), mon);
        assert_eq!(cal.business_time_between(fri, mon).unwrap(), 4 * H);
        assert_eq!(cal.add_business_time(mon, -4 * H).unwrap(), fri);
        // Saturday noon is not business time; from Saturday, time starts Monday 09:00.
        let sat = utc("2026-01-17T11:00:00Z");
        assert!(!cal.is_business_time(sat).unwrap());
        assert_eq!(
            cal.add_business_time(sat, 30 * M).unwrap(),
            utc("2026-01-19T08:30:00Z")
        );
        assert_eq!(
            cal.business_time_between(sat, utc("2026-01-18T20:00:00Z"))
                .unwrap(),
            0
        );
        // Going back from Monday 09:00 lands at Friday 17:00 - 1h.
        assert_eq!(
            cal.add_business_time(utc("2026-01-19T08:00:00Z"), -H)
                .unwrap(),
            utc("2026-01-16T15:00:00Z")
        );
    }

    #[test]
    fn across_a_holiday() {
        // Thursday 2026-12-24 is a one-off holiday, 12-25 recurs; 12-26 is a Saturday.
        let cal = office(
            Berlin,
            &[Holiday::Date(date("2026-12-24")), Holiday::Annual(12, 25)],
        );
        let wed = utc("2026-12-23T14:00:00Z"); // 15:00 Berlin
        assert_eq!(
            cal.add_business_time(wed, 4 * H).unwrap(),
            utc("2026-12-28T10:00:00Z") // Monday 11:00
        );
        assert!(!cal.is_business_time(utc("2026-12-24T10:00:00Z")).unwrap());
        assert!(cal.is_business_time(utc("2027-12-24T10:00:00Z")).unwrap());
        assert!(!cal.is_business_day(date("2031-12-25")));
        assert_eq!(
            cal.business_time_between(wed, utc("2026-12-28T16:00:00Z"))
                .unwrap(),
            2 * H + 8 * H
        );
        assert_eq!(
            cal.add_business_days(wed, 1).unwrap(),
            utc("2026-12-28T14:00:00Z")
        );
    }

    #[test]
    fn berlin_dst_changes() {
        let cal = office(Berlin, &[]);
        // Spring forward on Sunday 2026-03-29: Friday 16:00 CET + 2h = Monday 10:00 CEST.
        let fri = utc("2026-03-27T15:00:00Z");
        let mon = cal.add_business_time(fri, 2 * H).unwrap();
        assert_eq!(mon, utc("2026-03-30T08:00:00Z"));
        assert_eq!(cal.business_time_between(fri, mon).unwrap(), 2 * H);
        // Fall back on Sunday 2026-10-25: Friday 16:00 CEST + 2h = Monday 10:00 CET.
        let fri = utc("2026-10-23T14:00:00Z");
        assert_eq!(
            cal.add_business_time(fri, 2 * H).unwrap(),
            utc("2026-10-26T09:00:00Z")
        );
        // Around the clock, the change days are 23 and 25 hours of working time.
        let all = around_the_clock(Berlin);
        let day = |d| date_bounds(Berlin, d);
        let (a, b) = day("2026-03-29");
        assert_eq!(all.business_time_between(a, b).unwrap(), 23 * H);
        let (a, b) = day("2026-10-25");
        assert_eq!(all.business_time_between(a, b).unwrap(), 25 * H);
        assert_eq!(all.add_business_time(a, 25 * H).unwrap(), b);
    }

    #[test]
    fn new_york_dst_changes() {
        let cal = office(New_York, &[]);
        // Spring forward on Sunday 2026-03-08: Friday 16:00 EST (21:00Z) + 3h = Monday 11:00
        // EDT (15:00Z).
        let fri = utc("2026-03-06T21:00:00Z");
        assert_eq!(
            cal.add_business_time(fri, 3 * H).unwrap(),
            utc("2026-03-09T15:00:00Z")
        );
        // Fall back on Sunday 2026-11-01: Friday 16:00 EDT (20:00Z) + 3h = Monday 11:00 EST
        // (16:00Z).
        let fri = utc("2026-10-30T20:00:00Z");
        let mon = cal.add_business_time(fri, 3 * H).unwrap();
        assert_eq!(mon, utc("2026-11-02T16:00:00Z"));
        assert_eq!(cal.business_time_between(fri, mon).unwrap(), 3 * H);
        // Business days keep the wall time across the change.
        assert_eq!(
            cal.add_business_days(fri, 1).unwrap(),
            utc("2026-11-02T21:00:00Z")
        );
        let all = around_the_clock(New_York);
        let (a, b) = date_bounds(New_York, "2026-03-08");
        assert_eq!(all.business_time_between(a, b).unwrap(), 23 * H);
        let (a, b) = date_bounds(New_York, "2026-11-01");
        assert_eq!(all.business_time_between(a, b).unwrap(), 25 * H);
        assert!(all.is_business_time(a + 90 * M).unwrap());
    }

    #[test]
    fn night_hours_in_the_dst_gap() {
        // Spans starting inside the skipped hour start when the clock resumes.
        let hours = WeekHours::parse(&BTreeMap::from([(
            "sun".to_string(),
            "02:30-04:00".to_string(),
        )]))
        .unwrap();
        let cal = BusinessCalendar::new(Berlin, hours, BTreeSet::new()).unwrap();
        let (a, b) = date_bounds(Berlin, "2026-03-29");
        assert_eq!(cal.business_time_between(a, b).unwrap(), H);
        let (a, b) = date_bounds(Berlin, "2026-10-25");
        // 02:30 CEST to 04:00 CET is 2.5 real hours.
        assert_eq!(cal.business_time_between(a, b).unwrap(), 150 * M);
    }

    #[test]
    fn business_days_skip_weekends() {
        let cal = office(Tz::UTC, &[]);
        let fri = utc("2026-01-16T12:00:00Z");
        assert_eq!(
            cal.add_business_days(fri, 1).unwrap(),
            utc("2026-01-19T12:00:00Z")
        );
        assert_eq!(
            cal.add_business_days(fri, 5).unwrap(),
            utc("2026-01-23T12:00:00Z")
        );
        assert_eq!(
            cal.add_business_days(fri, -5).unwrap(),
            utc("2026-01-09T12:00:00Z")
        );
        assert_eq!(cal.add_business_days(fri, 0).unwrap(), fri);
        // From a Saturday, one business day is Monday.
        let sat = utc("2026-01-17T12:00:00Z");
        assert_eq!(
            cal.add_business_days(sat, 1).unwrap(),
            utc("2026-01-19T12:00:00Z")
        );
    }

    #[test]
    fn a_calendar_without_working_time_is_refused() {
        let closed = WeekHours::parse(&BTreeMap::new()).unwrap();
        assert!(BusinessCalendar::new(Tz::UTC, closed, BTreeSet::new()).is_none());
        // Every day a holiday: arithmetic gives up with an error instead of looping.
        let all: Vec<Holiday> = (1..=12)
            .flat_map(|m| (1..=31).map(move |d| Holiday::Annual(m, d)))
            .collect();
        let cal = office(Tz::UTC, &all);
        assert_eq!(
            cal.add_business_time(0, H),
            Err(BusinessError::NoWorkingTime)
        );
        assert_eq!(
            cal.add_business_days(0, 1),
            Err(BusinessError::NoWorkingTime)
        );
    }

    fn date_bounds(zone: Tz, d: &str) -> (i64, i64) {
        let d = date(d);
        (
            super::super::zoned::date_start(zone, d),
            super::super::zoned::date_start(zone, d.succ_opt().unwrap()),
        )
    }
}
