//! Time in a zone: formatting and parsing local text, the start of a day or week, the weekday,
//! adding calendar days at the same wall time. Every function takes an optional IANA zone as
//! its last argument and defaults to the script header's `timezone` (UTC without one). The
//! arithmetic is [`crate::calendar::zoned`].

use chrono_tz::Tz;
use rhai::{ImmutableString, INT};

use crate::calendar::zoned;

use super::declare::{Any, Area, Call, Int, Res, ScriptFn, Str};
use super::time::{format_time, parse_time};

const API: Area = Area::GLOBAL;

/// The zone named `name`, or a usage error naming the function.
pub(super) fn zone(c: &Call, name: &str) -> Res<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        c.usage(format!(
            "{}: unknown time zone \"{name}\" (use an IANA name such as \"Europe/Berlin\", \"America/New_York\" or \"UTC\")",
            c.name
        ))
    })
}

fn fail(c: &Call, e: zoned::ZoneError) -> Box<rhai::EvalAltResult> {
    c.usage(format!("{}: {e}", c.name))
}

fn weekday(c: &Call, ms: INT, tz: Tz) -> Res<ImmutableString> {
    zoned::weekday(ms, tz)
        .map(|d| ImmutableString::from(d.to_string()))
        .map_err(|e| fail(c, e))
}

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("format_time", "Epoch milliseconds formatted in the IANA `zone` with a strftime pattern (\"%Y-%m-%d %H:%M %Z\").")
            .params((Int("ms: int"), Str("format: string"), Str("zone: string")))
            .returns("string")
            .read(|c, (t, f, z)| format_time(c, t, &f, zone(c, &z)?)),
        API.func("parse_time", "A time as epoch milliseconds, text without an offset (YYYY-MM-DD, YYYY-MM-DD HH:MM) read in the IANA `zone`; () when empty.")
            .params((Any("text: string"), Str("zone: string")))
            .returns("int")
            .read(|c, (s, z)| parse_time(c, s, zone(c, &z)?)),
        API.func("start_of_day", "The start of the day containing `ms`, in the script's timezone.")
            .params((Int("ms: int"),))
            .returns("int")
            .read(|c, (t,)| zoned::start_of_day(t, c.settings.zone).map_err(|e| fail(c, e))),
        API.func("start_of_day", "The start of the day containing `ms`, in the IANA `zone`.")
            .params((Int("ms: int"), Str("zone: string")))
            .returns("int")
            .read(|c, (t, z)| zoned::start_of_day(t, zone(c, &z)?).map_err(|e| fail(c, e))),
        API.func("start_of_week", "The start of the week (Monday) containing `ms`, in the script's timezone.")
            .params((Int("ms: int"),))
            .returns("int")
            .read(|c, (t,)| zoned::start_of_week(t, c.settings.zone).map_err(|e| fail(c, e))),
        API.func("start_of_week", "The start of the week (Monday) containing `ms`, in the IANA `zone`.")
            .params((Int("ms: int"), Str("zone: string")))
            .returns("int")
            .read(|c, (t, z)| zoned::start_of_week(t, zone(c, &z)?).map_err(|e| fail(c, e))),
        API.func("weekday", "The weekday of `ms` in the script's timezone: \"Mon\" ... \"Sun\".")
            .params((Int("ms: int"),))
            .returns("string")
            .read(|c, (t,)| weekday(c, t, c.settings.zone)),
        API.func("weekday", "The weekday of `ms` in the IANA `zone`: \"Mon\" ... \"Sun\".")
            .params((Int("ms: int"), Str("zone: string")))
            .returns("string")
            .read(|c, (t, z)| weekday(c, t, zone(c, &z)?)),
        API.func("add_days", "`ms` moved by `n` calendar days (negative: back) at the same wall time in the script's timezone (a day across a DST change is 23 or 25 hours).")
            .params((Int("ms: int"), Int("n: int")))
            .returns("int")
            .read(|c, (t, n)| zoned::add_days(t, n, c.settings.zone).map_err(|e| fail(c, e))),
        API.func("add_days", "`ms` moved by `n` calendar days at the same wall time in the IANA `zone`.")
            .params((Int("ms: int"), Int("n: int"), Str("zone: string")))
            .returns("int")
            .read(|c, (t, n, z)| zoned::add_days(t, n, zone(c, &z)?).map_err(|e| fail(c, e))),
    ]
}
