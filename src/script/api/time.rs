//! Time, as plain integers: a timestamp is epoch milliseconds (what HubSpot takes in filters
//! and writes, so `#{ createdate: #{ lt: ago("4h") } }` and `update(id, #{ due: now() })` just
//! work) and a duration is milliseconds, so timestamps and durations add and compare with
//! ordinary arithmetic. These functions are global (no namespace); `sleep` is replaced by one
//! that wakes on cancellation and at the run's deadline. Wall times (`format_time` with a
//! pattern, `parse_time` of text without an offset) are read in the header's `timezone`, UTC
//! without one; `zones.rs` has the overloads taking a zone.

use std::time::Duration;

use chrono::Utc;
use chrono_tz::Tz;
use rhai::{Dynamic, ImmutableString, INT};

use crate::calendar::zoned;
use crate::model::time::format_millis;

use super::super::limits;
use super::declare::{Any, Area, Call, Float, Int, Res, ScriptFn, Str};

/// Parses `"4h"`, `"30m"`, `"2d"`, `"1h 30m"`, `"1w"` into a duration.
pub(crate) fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|e| {
        format!("invalid duration `{s}`: {e} (examples: \"30m\", \"4h\", \"2d\", \"1h 30m\")")
    })
}

fn ms(d: Duration) -> INT {
    INT::try_from(d.as_millis()).unwrap_or(INT::MAX)
}

fn now_ms() -> INT {
    Utc::now().timestamp_millis()
}

const API: Area = Area::GLOBAL;

pub(super) fn functions() -> Vec<ScriptFn> {
    let mut fns = vec![
        API.func("now", "The current time as epoch milliseconds.")
            .returns("int")
            .read(|_, ()| Ok(now_ms())),
        API.func("ago", "The time `duration` before now (\"4h\", \"2d\", \"1h 30m\") as epoch milliseconds.")
            .params((Str("duration: string"),))
            .returns("int")
            .read(|c, (d,)| Ok(now_ms() - ms(parse_duration(&d).map_err(|e| c.usage(e))?))),
        API.func("duration", "A duration (\"4h\", \"15m\", \"2d\") in milliseconds.")
            .params((Str("text: string"),))
            .returns("int")
            .read(|c, (d,)| parse_duration(&d).map(ms).map_err(|e| c.usage(e))),
        API.func("parse_time", "A time (ISO-8601, epoch ms as text, YYYY-MM-DD, or YYYY-MM-DD HH:MM read in the script's timezone) as epoch milliseconds; () when empty.")
            .params((Any("text: string"),))
            .returns("int")
            .read(|c, (s,)| parse_time(c, s, c.settings.zone)),
        API.func("format_time", "Epoch milliseconds as HubSpot's ISO-8601 form (2024-08-15T17:09:13.648Z).")
            .params((Int("ms: int"),))
            .returns("string")
            .read(|_, (t,)| Ok(ImmutableString::from(format_millis(t)))),
        API.func("format_time", "Epoch milliseconds formatted in the script's timezone (UTC without one) with a strftime pattern (\"%Y-%m-%d %H:%M\").")
            .params((Int("ms: int"), Str("format: string")))
            .returns("string")
            .read(|c, (t, f)| format_time(c, t, &f, c.settings.zone)),
        API.func("sleep", "Pauses the script; wakes early when the run is cancelled or times out.")
            .params((Int("seconds: int"),))
            .read(|c, (s,)| {
                let secs = u64::try_from(s)
                    .map_err(|_| c.usage(format!("sleep: seconds must be 0 or more, not {s}")))?;
                let d = limits::check_duration(Duration::from_secs(secs))
                    .map_err(|e| c.usage(format!("sleep: {e}")))?;
                c.sleep(c.pos, d)
            }),
        API.func("sleep", "Pauses the script for fractional seconds; wakes early when the run is cancelled or times out.")
            .params((Float("seconds: float"),))
            .read(|c, (s,)| {
                if !s.is_finite() || s < 0.0 {
                    return Err(c.usage(format!(
                        "sleep: seconds must be a finite number, 0 or more, not {s}"
                    )));
                }
                let d = Duration::try_from_secs_f64(s)
                    .map_err(|_| c.usage(format!("sleep: {s} seconds is too long")))?;
                let d = limits::check_duration(d).map_err(|e| c.usage(format!("sleep: {e}")))?;
                c.sleep(c.pos, d)
            }),
    ];
    for (name, unit, doc) in [
        ("seconds", 1_000, "`n` seconds in milliseconds."),
        ("minutes", 60_000, "`n` minutes in milliseconds."),
        ("hours", 3_600_000, "`n` hours in milliseconds."),
        ("days", 86_400_000, "`n` days in milliseconds."),
    ] {
        fns.push(
            API.func(name, doc)
                .params((Int("n: int"),))
                .returns("int")
                .read(move |_, (n,)| Ok(n.saturating_mul(unit))),
        );
    }
    fns
}

/// `t` formatted in `zone` with the strftime pattern `f`.
pub(super) fn format_time(c: &Call, t: INT, f: &str, zone: Tz) -> Res<ImmutableString> {
    zoned::format(t, f, zone)
        .map(ImmutableString::from)
        .map_err(|e| c.usage(format!("format_time: {e}")))
}

/// A script value as a time: `()` and empty text are `()`, integers pass, text is parsed with
/// wall times read in `zone`.
pub(super) fn parse_time(c: &Call, s: Dynamic, zone: Tz) -> Res<Dynamic> {
    if s.is_unit() {
        return Ok(Dynamic::UNIT);
    }
    if let Ok(n) = s.as_int() {
        return Ok(n.into());
    }
    let text = s.to_string();
    if text.trim().is_empty() {
        return Ok(Dynamic::UNIT);
    }
    zoned::parse(&text, zone).map(Dynamic::from_int).ok_or_else(|| {
        c.usage(format!(
            "parse_time: `{text}` is not an ISO-8601 time, epoch milliseconds, YYYY-MM-DD or YYYY-MM-DD HH:MM"
        ))
    })
}
