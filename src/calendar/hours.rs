//! Working hours per weekday: `{ "mon-fri" = "09:00-17:00", sat = "10:00-14:00" }`, each day
//! a list of local time spans (`"08:00-12:00, 13:00-17:00"`, `"closed"`, `"00:00-24:00"`).
//! Parsing and validation only; the arithmetic is in `business.rs`.

use std::collections::BTreeMap;

use chrono::{NaiveTime, Weekday};

/// A span of local wall time within one day, in minutes since midnight (`end` may be 1440,
/// i.e. `24:00`); `start < end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Span {
    /// Minutes since midnight at which work starts.
    pub start: u16,
    /// Minutes since midnight at which work stops (exclusive).
    pub end: u16,
}

/// Minutes in a day.
pub(super) const DAY_MINUTES: u16 = 24 * 60;

/// A wall time from minutes since midnight (1440 and more clamp to the last minute; callers
/// treat 1440 as the next day's midnight themselves).
pub(super) fn minutes_to_time(m: u16) -> NaiveTime {
    NaiveTime::from_hms_opt(u32::from(m / 60).min(23), u32::from(m % 60), 0)
        .unwrap_or(NaiveTime::MIN)
}

/// Working hours for each weekday, Monday first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekHours {
    days: [Vec<Span>; 7],
}

impl Default for WeekHours {
    /// Monday to Friday, 09:00 to 17:00.
    fn default() -> Self {
        let office = vec![Span {
            start: 9 * 60,
            end: 17 * 60,
        }];
        Self {
            days: [
                office.clone(),
                office.clone(),
                office.clone(),
                office.clone(),
                office,
                Vec::new(),
                Vec::new(),
            ],
        }
    }
}

impl WeekHours {
    /// The spans of `day`, sorted and disjoint.
    pub fn on(&self, day: Weekday) -> &[Span] {
        &self.days[day.num_days_from_monday() as usize]
    }

    /// Whether any day has working time.
    pub fn has_any(&self) -> bool {
        self.days.iter().any(|d| !d.is_empty())
    }

    /// Reads a map of day keys (`mon`, `monday`, ranges such as `mon-fri`) to span lists.
    /// Days not named are closed. A day named twice is an error.
    pub fn parse(map: &BTreeMap<String, String>) -> Result<Self, String> {
        let mut days: [Option<Vec<Span>>; 7] = Default::default();
        for (key, value) in map {
            let spans = parse_spans(value).map_err(|e| format!("hours.{key}: {e}"))?;
            for day in parse_days(key)? {
                let slot = &mut days[day.num_days_from_monday() as usize];
                if slot.is_some() {
                    return Err(format!(
                        "hours: {day} is given twice (in `{key}` and another key)"
                    ));
                }
                *slot = Some(spans.clone());
            }
        }
        Ok(Self {
            days: days.map(Option::unwrap_or_default),
        })
    }
}

fn parse_day(s: &str) -> Option<Weekday> {
    let s = s.trim().to_ascii_lowercase();
    let day = match s.get(..3)? {
        "mon" => Weekday::Mon,
        "tue" => Weekday::Tue,
        "wed" => Weekday::Wed,
        "thu" => Weekday::Thu,
        "fri" => Weekday::Fri,
        "sat" => Weekday::Sat,
        "sun" => Weekday::Sun,
        _ => return None,
    };
    // Either the three-letter form or the full English name.
    let short = format!("{day:?}").to_ascii_lowercase();
    let names = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let full_name = names[day.num_days_from_monday() as usize];
    (s == short || s == full_name).then_some(day)
}

/// `mon`, `monday`, or a range `mon-fri` (wrapping ranges such as `fri-mon` are allowed).
fn parse_days(key: &str) -> Result<Vec<Weekday>, String> {
    let bad = || {
        format!(
            "hours: `{key}` is not a weekday or a range of weekdays (write e.g. \"mon\", \"mon-fri\")"
        )
    };
    match key.split_once('-') {
        None => Ok(vec![parse_day(key).ok_or_else(bad)?]),
        Some((a, b)) => {
            let (first, last) = (parse_day(a).ok_or_else(bad)?, parse_day(b).ok_or_else(bad)?);
            let mut days = vec![first];
            let mut d = first;
            while d != last {
                d = d.succ();
                days.push(d);
            }
            Ok(days)
        }
    }
}

fn parse_clock(s: &str) -> Result<u16, String> {
    let s = s.trim();
    let bad = || format!("`{s}` is not a time of day (write HH:MM, e.g. \"09:00\" or \"24:00\")");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// `"09:00-17:00"`, `"08:00-12:00, 13:00-17:00"`, `""` or `"closed"`.
fn parse_spans(s: &str) -> Result<Vec<Span>, String> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let mut spans = Vec::new();
    for part in s.split(',') {
        let (a, b) = part.split_once('-').ok_or_else(|| {
            format!(
                "`{}` is not a span of time (write e.g. \"09:00-17:00\")",
                part.trim()
            )
        })?;
        let span = Span {
            start: parse_clock(a)?,
            end: parse_clock(b)?,
        };
        if span.start >= span.end {
            return Err(format!(
                "`{}` ends before it starts (spans stay within one day; write \"22:00-24:00\" and \"00:00-06:00\" on the next day for a night shift)",
                part.trim()
            ));
        }
        spans.push(span);
    }
    spans.sort();
    for pair in spans.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(format!("`{s}` has overlapping spans"));
        }
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn ranges_and_single_days() {
        let h = WeekHours::parse(&map(&[
            ("mon-thu", "09:00-17:00"),
            ("friday", "08:00-12:00, 13:00-15:30"),
            ("sun", "closed"),
        ]))
        .unwrap();
        assert_eq!(
            h.on(Weekday::Wed),
            &[Span {
                start: 540,
                end: 1020
            }]
        );
        assert_eq!(
            h.on(Weekday::Fri),
            &[
                Span {
                    start: 480,
                    end: 720
                },
                Span {
                    start: 780,
                    end: 930
                }
            ]
        );
        assert!(h.on(Weekday::Sat).is_empty());
        assert!(h.on(Weekday::Sun).is_empty());
        let wrap = WeekHours::parse(&map(&[("sat-mon", "00:00-24:00")])).unwrap();
        assert_eq!(
            wrap.on(Weekday::Sun),
            &[Span {
                start: 0,
                end: 1440
            }]
        );
        assert!(wrap.on(Weekday::Tue).is_empty());
    }

    #[test]
    fn default_is_office_hours() {
        let h = WeekHours::default();
        assert_eq!(
            h.on(Weekday::Mon),
            &[Span {
                start: 540,
                end: 1020
            }]
        );
        assert!(h.on(Weekday::Sat).is_empty());
        assert!(h.has_any());
        assert!(!WeekHours::parse(&BTreeMap::new()).unwrap().has_any());
    }

    #[test]
    fn bad_input_says_what_is_wrong() {
        let e = WeekHours::parse(&map(&[("mon-fry", "09:00-17:00")])).unwrap_err();
        assert!(e.contains("mon-fry"), "{e}");
        let e = WeekHours::parse(&map(&[("mon", "9-17")])).unwrap_err();
        assert!(e.contains("hours.mon") && e.contains("HH:MM"), "{e}");
        let e = WeekHours::parse(&map(&[("mon", "17:00-09:00")])).unwrap_err();
        assert!(e.contains("ends before it starts"), "{e}");
        let e = WeekHours::parse(&map(&[("mon", "09:00-13:00, 12:00-17:00")])).unwrap_err();
        assert!(e.contains("overlapping"), "{e}");
        let e = WeekHours::parse(&map(&[("mon-fri", "09:00-17:00"), ("fri", "09:00-12:00")]))
            .unwrap_err();
        assert!(e.contains("twice"), "{e}");
        let e = WeekHours::parse(&map(&[("mon", "09:00-24:30")])).unwrap_err();
        assert!(e.contains("24:30"), "{e}");
    }
}
