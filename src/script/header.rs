//! The script header: the leading `//!` lines of a script form a TOML document that describes
//! it (what it does, and for the daemon when and how it runs).
//!
//! ```text
//! //! description = "Escalate HIGH tickets waiting on us for more than 4 hours"
//! //! schedule = "*/5 * * * *"
//! //! timezone = "Europe/Berlin"
//! //! overlap = "skip"
//! //! max_writes = 50
//! //! http = ["hooks.slack.com", "events.pagerduty.com"]
//! //! env = ["SLACK_WEBHOOK_URL", "PAGERDUTY_ROUTING_KEY"]
//! //! calendar = { hours = { "mon-fri" = "09:00-17:00" }, holidays = ["12-25"] }
//! ```
//!
//! Unknown keys and bad values are errors that name the script line they are on. The cron
//! expression is kept as text here; the triggers layer parses and validates it. `calendar` is
//! either a table (see [`crate::calendar::CalendarSpec`]) or the path of a shared calendar file,
//! relative to the script's directory; either is read and validated here, so `check` reports a
//! bad calendar. `http` lists the hosts the script may call; `env` the environment variables
//! it may read as secrets (their values are read at run time only). `on`, `reenroll` and
//! `self_trigger` make it an event script (see [`crate::script::event_subs`]); a script may
//! have both a `schedule` and `on`.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::event_subs::{EventSubs, Reenroll};
use crate::calendar::{BusinessCalendar, CalendarSpec};
use crate::outbound::{valid_env_name, AllowList};

/// What the daemon does when a fire time comes while the previous run still goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Overlap {
    /// Skip the new run (logged).
    #[default]
    Skip,
    /// Run once more after the current run ends (at most one queued).
    Queue,
    /// Cancel the running run cleanly and start the new one.
    Replace,
}

/// When a run's writes are sent (`apply = "..."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApplyMode {
    /// The script runs with real reads and recorded writes; the recorded changes are then
    /// applied with HubSpot's batch endpoints after a drift check.
    #[default]
    Plan,
    /// Each write is sent when the script makes it, and the script sees HubSpot's answer
    /// (for the rare script that needs a created ticket's real id or HubSpot's verdict in the
    /// middle of the run). One call per write.
    Immediate,
}

/// What the daemon does at start about fire times missed while it was down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CatchUp {
    /// Missed runs are skipped (logged).
    #[default]
    Skip,
    /// If at least one run was missed, run once at start.
    Once,
}

/// A parsed header. Every field is optional; a script without a header is valid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScriptHeader {
    /// One line saying what the script does.
    pub description: Option<String>,
    /// Cron expression (5, 6 or 7 fields, or a macro such as `@hourly`).
    pub schedule: Option<String>,
    /// IANA time zone the schedule is read in (default UTC).
    pub timezone: Option<chrono_tz::Tz>,
    /// Overlap policy.
    pub overlap: Overlap,
    /// Catch-up policy.
    pub catch_up: CatchUp,
    /// Random delay before each scheduled run, up to this long.
    pub jitter: Option<Duration>,
    /// Wall-clock limit of one run.
    pub timeout: Option<Duration>,
    /// At most this many tickets changed per run.
    pub max_writes: Option<u64>,
    /// When writes are sent: planned then applied (default), or immediately.
    pub apply: ApplyMode,
    /// Memory budget of one run, in bytes (`memory = "1GiB"`).
    pub memory: Option<u64>,
    /// The business calendar declared (inline or by file); see [`Self::business_calendar`].
    pub calendar: Option<BusinessCalendar>,
    /// Hosts the script may call with `http::`.
    pub http: AllowList,
    /// Environment variables the script may read as secrets.
    pub env: Vec<String>,
    /// The ticket events that start it (`on`; empty: none).
    pub on: EventSubs,
    /// Whether it runs again for a ticket it already ran for (`reenroll`).
    pub reenroll: Reenroll,
    /// Whether changes its own runs made may start it again (`self_trigger`, default false).
    pub self_trigger: bool,
    /// The line after the header (1-based), where the script body starts.
    pub body_line: usize,
}

/// A header that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: invalid script header: {message}")]
pub struct HeaderError {
    /// The script file.
    pub file: String,
    /// The 1-based script line the problem is on.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A duration key: a humantime string (`"30s"`) or a number of seconds, within the limits.
fn duration(key: &str, v: Option<toml::Value>) -> Result<Option<Duration>, String> {
    let d = match v {
        None => return Ok(None),
        Some(toml::Value::Integer(n)) if n >= 0 => Duration::from_secs(n as u64),
        Some(toml::Value::String(s)) => humantime::parse_duration(&s)
            .map_err(|e| format!("`{key}` = \"{s}\": {e} (write e.g. \"30s\", \"5m\", \"1h\")"))?,
        Some(other) => {
            return Err(format!(
                "`{key}` must be a duration such as \"30s\" or a number of seconds, not {other}"
            ))
        }
    };
    super::limits::check_duration(d)
        .map(Some)
        .map_err(|e| format!("`{key}`: {e}"))
}

/// Keys a header may hold, for error messages.
pub const HEADER_KEYS: &[&str] = &[
    "description",
    "schedule",
    "timezone",
    "overlap",
    "catch_up",
    "jitter",
    "timeout",
    "max_writes",
    "apply",
    "memory",
    "calendar",
    "http",
    "env",
    "on",
    "reenroll",
    "self_trigger",
];

impl ScriptHeader {
    /// Reads the header of `source`; `file` names the script in errors. Fails with the first
    /// problem; [`Self::read`] finds them all.
    pub fn parse(file: &Path, source: &str) -> Result<Self, HeaderError> {
        let (header, mut errors) = Self::read(file, source);
        if errors.is_empty() {
            Ok(header)
        } else {
            Err(errors.remove(0))
        }
    }

    /// Reads the header of `source` and every problem in it, in line order, so `check` reports
    /// them all in one pass. Each key is read on its own; a key in error keeps its default in
    /// the header returned. A header that is not TOML at all is one problem.
    pub fn read(file: &Path, source: &str) -> (Self, Vec<HeaderError>) {
        let file_name = file.display().to_string();
        let mut toml_text = String::new();
        let mut body_line = 1;
        for (i, line) in source.split('\n').enumerate() {
            let trimmed = line.trim_start();
            match trimmed.strip_prefix("//!") {
                Some(rest) => {
                    toml_text.push_str(rest.strip_prefix(' ').unwrap_or(rest));
                    toml_text.push('\n');
                    body_line = i + 2;
                }
                None => break,
            }
        }
        let mut out = Self {
            body_line,
            ..Self::default()
        };
        let err = |line: usize, message: String| HeaderError {
            file: file_name.clone(),
            line,
            message,
        };
        if toml_text.trim().is_empty() {
            return (out, Vec::new());
        }
        let table: toml::Table = match toml::from_str(&toml_text) {
            Ok(t) => t,
            Err(e) => {
                let line = e
                    .span()
                    .map_or(1, |s| toml_text[..s.start].matches('\n').count() + 1);
                return (out, vec![err(line, e.message().to_string())]);
            }
        };
        let line_of = |key: &str| {
            toml_text
                .split('\n')
                .position(|l| {
                    let l = l.trim_start();
                    l.strip_prefix(key)
                        .is_some_and(|r| r.trim_start().starts_with('='))
                        || l.replace(' ', "") == format!("[{key}]")
                })
                .map_or(1, |i| i + 1)
        };
        let mut errors = Vec::new();
        for key in table.keys() {
            if !HEADER_KEYS.contains(&key.as_str()) {
                let keys: Vec<String> = HEADER_KEYS.iter().map(|k| format!("`{k}`")).collect();
                errors.push(err(
                    line_of(key),
                    format!(
                        "unknown field `{key}`, expected one of {}{}",
                        keys.join(", "),
                        crate::suggest::did_you_mean(key, HEADER_KEYS.iter().copied())
                    ),
                ));
            }
        }
        // One key, deserialized on its own: a type error names the key and its line.
        // One key, deserialized on its own: a type error names the key and its line.
        fn value_of<T: serde::de::DeserializeOwned>(
            key: &str,
            value: Option<toml::Value>,
        ) -> Result<Option<T>, String> {
            value
                .map(|v| {
                    v.try_into::<T>()
                        .map_err(|e| format!("`{key}`: {}", e.message()))
                })
                .transpose()
        }
        macro_rules! field {
            ($key:literal, $ty:ty) => {
                match value_of::<$ty>($key, table.get($key).cloned()) {
                    Ok(v) => v,
                    Err(m) => {
                        errors.push(err(line_of($key), m));
                        None
                    }
                }
            };
        }
        out.description = field!("description", String);
        out.schedule = field!("schedule", String);
        if let Some(s) = &out.schedule {
            if s.trim().is_empty() {
                errors.push(err(line_of("schedule"), "`schedule` is empty".into()));
            }
        }
        if let Some(name) = field!("timezone", String) {
            match name.parse::<chrono_tz::Tz>() {
                Ok(tz) => out.timezone = Some(tz),
                Err(_) => errors.push(err(
                    line_of("timezone"),
                    format!("unknown time zone \"{name}\" (use an IANA name such as \"Europe/Berlin\" or \"UTC\")"),
                )),
            }
        }
        out.overlap = field!("overlap", Overlap).unwrap_or_default();
        out.catch_up = field!("catch_up", CatchUp).unwrap_or_default();
        out.apply = field!("apply", ApplyMode).unwrap_or_default();
        for key in ["jitter", "timeout"] {
            match duration(key, table.get(key).cloned()) {
                Ok(d) if key == "jitter" => out.jitter = d,
                Ok(d) => out.timeout = d,
                Err(m) => errors.push(err(line_of(key), m)),
            }
        }
        match field!("max_writes", i64) {
            None => {}
            Some(n) if n >= 0 => out.max_writes = Some(n as u64),
            Some(n) => errors.push(err(
                line_of("max_writes"),
                format!("`max_writes` must be 0 or more, not {n}"),
            )),
        }
        let memory = match table.get("memory").cloned() {
            None => Ok(None),
            Some(toml::Value::String(s)) => super::memory::parse_size(&s).map(Some),
            Some(toml::Value::Integer(n)) => super::memory::parse_size(&n.to_string()).map(Some),
            Some(other) => Err(format!(
                "must be a size such as \"512MiB\" or \"1GiB\", not {other}"
            )),
        };
        match memory {
            Ok(m) => out.memory = m,
            Err(e) => errors.push(err(line_of("memory"), format!("`memory`: {e}"))),
        }
        if let Some(value) = table.get("calendar").cloned() {
            let spec = match value {
                toml::Value::String(rel) => {
                    let base = file.parent().unwrap_or_else(|| Path::new(""));
                    CalendarSpec::from_file(&base.join(&rel))
                }
                toml::Value::Table(t) => toml::Value::Table(t)
                    .try_into::<CalendarSpec>()
                    .map_err(|e| format!("calendar: {}", e.message())),
                other => Err(format!(
                    "`calendar` must be a table (timezone, hours, holidays) or the path of a calendar file, not {other}"
                )),
            };
            let zone = out.timezone.unwrap_or(chrono_tz::Tz::UTC);
            match spec.and_then(|s| s.build(zone)) {
                Ok(c) => out.calendar = Some(c),
                Err(m) => errors.push(err(line_of("calendar"), m)),
            }
        }
        if let Some(hosts) = field!("http", Vec<String>) {
            match AllowList::parse(&hosts) {
                Ok(a) => out.http = a,
                Err(m) => errors.push(err(line_of("http"), m)),
            }
        }
        let env: Vec<String> = field!("env", Vec<String>).unwrap_or_default();
        match env.iter().find(|n| !valid_env_name(n)) {
            Some(bad) => errors.push(err(
                line_of("env"),
                format!("`env` entry \"{bad}\" is not an environment variable name (letters, digits and _)"),
            )),
            None => out.env = env,
        }
        if let Some(entries) = field!("on", Vec<String>) {
            match EventSubs::parse(&entries) {
                Ok(on) => out.on = on,
                Err(m) => errors.push(err(line_of("on"), m)),
            }
        }
        out.reenroll = field!("reenroll", Reenroll).unwrap_or_default();
        out.self_trigger = field!("self_trigger", bool).unwrap_or(false);
        if !table.contains_key("on") {
            for key in ["reenroll", "self_trigger"] {
                if table.contains_key(key) {
                    errors.push(err(
                        line_of(key),
                        format!("`{key}` applies to event scripts only: add `on = [...]`"),
                    ));
                }
            }
        }
        errors.sort_by_key(|e| e.line);
        (out, errors)
    }

    /// The script's business calendar: the declared one, else Monday to Friday 09:00-17:00
    /// in the header's `timezone` (UTC without one), no holidays.
    pub fn business_calendar(&self) -> BusinessCalendar {
        self.calendar.clone().unwrap_or_else(|| {
            CalendarSpec::default()
                .build(self.timezone.unwrap_or(chrono_tz::Tz::UTC))
                .unwrap_or_default()
        })
    }

    /// The zone `format_time` and the day functions default to: `timezone`, else UTC.
    pub fn zone(&self) -> chrono_tz::Tz {
        self.timezone.unwrap_or(chrono_tz::Tz::UTC)
    }

    /// The line of `key` in the header, for errors found later (e.g. a bad cron expression).
    pub fn line_of(source: &str, key: &str) -> Option<usize> {
        source
            .split('\n')
            .take_while(|l| l.trim_start().starts_with("//!"))
            .position(|l| {
                let rest = l.trim_start().trim_start_matches("//!").trim_start();
                rest.strip_prefix(key)
                    .is_some_and(|r| r.trim_start().starts_with('='))
            })
            .map(|i| i + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<ScriptHeader, HeaderError> {
        ScriptHeader::parse(Path::new("rule.rhai"), src)
    }

    #[test]
    fn reads_every_key() {
        let h = parse(
            "//! description = \"Escalate\"\n//! schedule = \"*/5 * * * *\"\n//! timezone = \"Europe/Berlin\"\n//! overlap = \"queue\"\n//! catch_up = \"once\"\n//! jitter = \"30s\"\n//! timeout = 120\n//! max_writes = 25\nlet x = 1;\n",
        )
        .unwrap();
        assert_eq!(h.description.as_deref(), Some("Escalate"));
        assert_eq!(h.schedule.as_deref(), Some("*/5 * * * *"));
        assert_eq!(h.timezone, Some(chrono_tz::Europe::Berlin));
        assert_eq!(h.overlap, Overlap::Queue);
        assert_eq!(h.catch_up, CatchUp::Once);
        assert_eq!(h.jitter, Some(Duration::from_secs(30)));
        assert_eq!(h.timeout, Some(Duration::from_secs(120)));
        assert_eq!(h.max_writes, Some(25));
        assert_eq!(h.body_line, 9);
    }

    #[test]
    fn no_header_is_fine() {
        let h = parse("// a comment\nlet x = 1;").unwrap();
        assert_eq!(
            h,
            ScriptHeader {
                body_line: 1,
                ..Default::default()
            }
        );
    }

    #[test]
    fn unknown_key_names_its_line() {
        let e = parse("//! description = \"x\"\n//! schedul = \"@hourly\"\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("schedul"), "{e}");
        assert!(
            e.to_string()
                .starts_with("rule.rhai:2: invalid script header"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_their_line() {
        let e = parse("//! timezone = \"Mars/Olympus\"\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("Mars/Olympus"));
        let e = parse("//! description = \"x\"\n//! overlap = \"sometimes\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse("//! description = \"x\"\n//! jitter = \"soon\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse("//! max_writes = -1\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        let e = parse("//! description = \n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
    }

    #[test]
    fn reads_outbound_keys_and_an_inline_calendar() {
        let h = parse(
            "//! timezone = \"America/New_York\"\n//! http = [\"hooks.slack.com\", \"*.pagerduty.com\"]\n//! env = [\"SLACK_WEBHOOK_URL\"]\n//! calendar = { hours = { \"mon-fri\" = \"08:00-18:00\" }, holidays = [\"12-25\"] }\nlet x = 1;",
        )
        .unwrap();
        assert_eq!(h.http.entries(), ["hooks.slack.com", "*.pagerduty.com"]);
        assert_eq!(h.env, ["SLACK_WEBHOOK_URL"]);
        let cal = h.calendar.clone().unwrap();
        // The calendar defaults to the header's zone.
        assert_eq!(cal.zone(), chrono_tz::America::New_York);
        assert!(cal.is_holiday(chrono::NaiveDate::from_ymd_opt(2030, 12, 25).unwrap()));
        assert_eq!(h.business_calendar(), cal);
    }

    #[test]
    fn default_calendar_is_office_hours_in_the_header_zone() {
        let h = parse("//! timezone = \"Europe/Berlin\"\n").unwrap();
        assert_eq!(h.calendar, None);
        assert_eq!(h.business_calendar().zone(), chrono_tz::Europe::Berlin);
        assert!(h.http.is_empty() && h.env.is_empty());
    }

    #[test]
    fn a_calendar_file_is_read_relative_to_the_script() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("calendars")).unwrap();
        std::fs::write(
            dir.path().join("calendars/support.toml"),
            "timezone = \"Europe/Berlin\"\nholidays = [\"2026-12-24\"]\n",
        )
        .unwrap();
        let script = dir.path().join("rule.rhai");
        let h =
            ScriptHeader::parse(&script, "//! calendar = \"calendars/support.toml\"\n").unwrap();
        assert_eq!(h.calendar.unwrap().zone(), chrono_tz::Europe::Berlin);
        let e = ScriptHeader::parse(
            &script,
            "//! description = \"x\"\n//! calendar = \"nope.toml\"\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("nope.toml"), "{e}");
    }

    #[test]
    fn bad_outbound_keys_name_their_line() {
        let e = parse("//! description = \"x\"\n//! http = [\"https://hooks.slack.com/x\"]\n")
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("hooks.slack.com/x"), "{e}");
        let e = parse("//! env = [\"SLACK-URL\"]\n").unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        let e = parse("//! description = \"x\"\n//! [calendar]\n//! hours = { mon = \"9-5\" }\n")
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("hours.mon"), "{e}");
        let e = parse("//! calendar = { holiday = [] }\n").unwrap_err();
        assert!(e.message.contains("holiday"), "{e}");
    }

    #[test]
    fn memory_is_a_size() {
        let h = parse("//! memory = \"1GiB\"\n").unwrap();
        assert_eq!(h.memory, Some(1 << 30));
        let e = parse("//! description = \"x\"\n//! memory = \"lots\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(
            e.message.starts_with("`memory`: invalid size `lots`"),
            "{e}"
        );
        let e = parse("//! memory = \"1KiB\"\n").unwrap_err();
        assert!(e.message.contains("too small"), "{e}");
        let e = parse("//! memory = true\n").unwrap_err();
        assert!(e.message.contains("512MiB"), "{e}");
    }

    #[test]
    fn absurd_durations_are_header_errors() {
        // Regression (issue 9): this overflowed the deadline and panicked.
        let e = parse("//! description = \"x\"\n//! timeout = \"18446744073709551615s\"\n")
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(
            e.message.contains("`timeout`: ") && e.message.contains("too long"),
            "{e}"
        );
        let e = parse("//! jitter = 9223372036854775807\n").unwrap_err();
        assert!(e.message.contains("`jitter`: "), "{e}");
    }

    #[test]
    fn read_finds_every_problem_in_line_order() {
        let (h, errors) = ScriptHeader::read(
            Path::new("rule.rhai"),
            "//! description = \"ok\"\n//! overlap = \"sometimes\"\n//! timezone = \"Mars/Olympus\"\n//! max_writes = -1\n//! descripton = \"x\"\n//! jitter = true\n",
        );
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6], "{errors:?}");
        assert!(
            errors[0].message.starts_with("`overlap`: unknown variant"),
            "{errors:?}"
        );
        assert!(
            errors[3].message.ends_with("(did you mean `description`?)"),
            "{errors:?}"
        );
        // The keys that were fine are read.
        assert_eq!(h.description.as_deref(), Some("ok"));
        // A header that is not TOML is one problem.
        let (_, errors) = ScriptHeader::read(Path::new("r.rhai"), "//! a = \n//! b = [\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
    }

    #[test]
    fn reads_event_keys_and_names_the_line_of_a_bad_one() {
        let h = parse("//! on = [\"ticket.created\", \"ticket.changed:hs_pipeline_stage\"]\n//! reenroll = \"once\"\n//! self_trigger = true\n").unwrap();
        assert!(h.on.created);
        assert!(h.on.changed.contains("hs_pipeline_stage"));
        assert_eq!(h.reenroll, Reenroll::Once);
        assert!(h.self_trigger);
        let e = parse("//! description = \"x\"\n//! on = [\"ticket.moved\"]\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("ticket.moved"), "{e}");
        let e = parse("//! reenroll = \"once\"\n").unwrap_err();
        assert!(e.message.contains("event scripts only"), "{e}");
        let e = parse("//! on = [\"ticket.created\"]\n//! reenroll = \"twice\"\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn line_of_finds_keys() {
        let src = "//! description = \"x\"\n//! schedule = \"bad\"\nlet a = 1;";
        assert_eq!(ScriptHeader::line_of(src, "schedule"), Some(2));
        assert_eq!(ScriptHeader::line_of(src, "timezone"), None);
    }
}
