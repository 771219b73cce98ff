//! A calendar as declared in TOML, in a script header (`calendar = { ... }`) or in a shared
//! file the header names (`calendar = "calendars/support.toml"`):
//!
//! ```toml
//! timezone = "Europe/Berlin"                   # default: the script's timezone, else UTC
//! hours = { "mon-fri" = "09:00-17:00" }        # default: Monday to Friday, 09:00-17:00
//! holidays = ["2026-12-24", "12-25", "01-01"]  # a date, or month-day every year
//! ```
//!
//! Unknown keys and bad values are errors saying which key is wrong.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use super::business::{BusinessCalendar, Holiday};
use super::hours::WeekHours;

/// The TOML form of a calendar.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// IANA zone the hours are read in.
    pub timezone: Option<String>,
    /// Day keys (`mon`, `mon-fri`, `saturday`) to spans (`"09:00-17:00"`, `"closed"`).
    pub hours: Option<BTreeMap<String, String>>,
    /// `YYYY-MM-DD` dates, or `MM-DD` for every year.
    #[serde(default)]
    pub holidays: Vec<String>,
}

impl CalendarSpec {
    /// Reads a calendar file.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read calendar file {}: {e}", path.display()))?;
        toml::from_str(&text)
            .map_err(|e| format!("calendar file {}: {}", path.display(), e.message()))
    }

    /// Builds the calendar; `default_zone` applies when the spec names none.
    pub fn build(&self, default_zone: Tz) -> Result<BusinessCalendar, String> {
        let zone = match &self.timezone {
            None => default_zone,
            Some(name) => name.parse::<Tz>().map_err(|_| {
                format!("calendar: unknown time zone \"{name}\" (use an IANA name such as \"America/New_York\")")
            })?,
        };
        let hours = match &self.hours {
            None => WeekHours::default(),
            Some(map) => WeekHours::parse(map).map_err(|e| format!("calendar: {e}"))?,
        };
        let holidays = self
            .holidays
            .iter()
            .map(|h| parse_holiday(h))
            .collect::<Result<BTreeSet<_>, _>>()?;
        BusinessCalendar::new(zone, hours, holidays)
            .ok_or_else(|| "calendar: `hours` has no working time on any day".to_string())
    }
}

fn parse_holiday(s: &str) -> Result<Holiday, String> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(Holiday::Date(d));
    }
    // Month-day: validated against a leap year so 02-29 is accepted.
    if let Ok(d) = NaiveDate::parse_from_str(&format!("2024-{t}"), "%Y-%m-%d") {
        if t.len() == 5 {
            use chrono::Datelike;
            return Ok(Holiday::Annual(d.month(), d.day()));
        }
    }
    Err(format!(
        "calendar: holiday \"{s}\" is not a date (write \"2026-12-24\", or \"12-25\" for every year)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Result<CalendarSpec, String> {
        toml::from_str(text).map_err(|e| e.message().to_string())
    }

    #[test]
    fn builds_from_toml() {
        let cal = spec(
            "timezone = \"America/New_York\"\nhours = { \"mon-fri\" = \"08:00-18:00\" }\nholidays = [\"2026-11-26\", \"07-04\"]\n",
        )
        .unwrap()
        .build(Tz::UTC)
        .unwrap();
        assert_eq!(cal.zone(), chrono_tz::America::New_York);
        assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()));
        assert!(cal.is_holiday(NaiveDate::from_ymd_opt(2031, 7, 4).unwrap()));
        assert!(!cal.is_holiday(NaiveDate::from_ymd_opt(2027, 11, 26).unwrap()));
    }

    #[test]
    fn defaults_to_office_hours_in_the_given_zone() {
        let cal = spec("").unwrap().build(chrono_tz::Europe::Berlin).unwrap();
        assert_eq!(cal.zone(), chrono_tz::Europe::Berlin);
        assert_eq!(cal, {
            BusinessCalendar::new(
                chrono_tz::Europe::Berlin,
                WeekHours::default(),
                BTreeSet::new(),
            )
            .unwrap()
        });
    }

    #[test]
    fn bad_values_name_the_key() {
        assert!(spec("hollidays = []").unwrap_err().contains("hollidays"));
        let e = spec("timezone = \"Moon/Base\"")
            .unwrap()
            .build(Tz::UTC)
            .unwrap_err();
        assert!(e.contains("Moon/Base"), "{e}");
        let e = spec("holidays = [\"Christmas\"]")
            .unwrap()
            .build(Tz::UTC)
            .unwrap_err();
        assert!(e.contains("Christmas"), "{e}");
        let e = spec("holidays = [\"13-01\"]")
            .unwrap()
            .build(Tz::UTC)
            .unwrap_err();
        assert!(e.contains("13-01"), "{e}");
        let e = spec("hours = { sat = \"closed\" }")
            .unwrap()
            .build(Tz::UTC)
            .unwrap_err();
        assert!(e.contains("no working time"), "{e}");
        let e = spec("hours = { mon = \"9 to 5\" }")
            .unwrap()
            .build(Tz::UTC)
            .unwrap_err();
        assert!(e.contains("hours.mon"), "{e}");
    }

    #[test]
    fn reads_a_file_and_names_it_in_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("support.toml");
        std::fs::write(&path, "holidays = [\"12-25\"]\n").unwrap();
        assert_eq!(CalendarSpec::from_file(&path).unwrap().holidays, ["12-25"]);
        std::fs::write(&path, "holiday = []\n").unwrap();
        let e = CalendarSpec::from_file(&path).unwrap_err();
        assert!(e.contains("support.toml") && e.contains("holiday"), "{e}");
        let e = CalendarSpec::from_file(&dir.path().join("missing.toml")).unwrap_err();
        assert!(e.contains("missing.toml"), "{e}");
    }
}
