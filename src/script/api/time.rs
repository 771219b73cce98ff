//! Time, as plain integers: a timestamp is epoch milliseconds (what HubSpot takes in filters
//! and writes, so `#{ createdate: #{ lt: ago("4h") } }` and `update(id, #{ due: now() })` just
//! work) and a duration is milliseconds, so timestamps and durations add and compare with
//! ordinary arithmetic. These functions are global (no namespace); `sleep` is replaced by one
//! that wakes on cancellation and at the run's deadline.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use rhai::{Dynamic, ImmutableString, INT};

use crate::model::time::{format_millis, parse_to_millis};

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
        API.func("parse_time", "A HubSpot timestamp (ISO-8601, epoch ms as text, or YYYY-MM-DD) as epoch milliseconds; () when empty.")
            .params((Any("text: string"),))
            .returns("int")
            .read(|c, (s,)| {
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
                parse_to_millis(&text).map(Dynamic::from_int).ok_or_else(|| {
                    c.usage(format!("parse_time: `{text}` is not an ISO-8601 time, epoch milliseconds or YYYY-MM-DD"))
                })
            }),
        API.func("format_time", "Epoch milliseconds as HubSpot's ISO-8601 form (2024-08-15T17:09:13.648Z).")
            .params((Int("ms: int"),))
            .returns("string")
            .read(|_, (t,)| Ok(ImmutableString::from(format_millis(t)))),
        API.func("format_time", "Epoch milliseconds formatted in UTC with a strftime pattern (\"%Y-%m-%d %H:%M\").")
            .params((Int("ms: int"), Str("format: string")))
            .returns("string")
            .read(|c, (t, f)| format_time(c, t, &f)),
        API.func("sleep", "Pauses the script; wakes early when the run is cancelled or times out.")
            .params((Int("seconds: int"),))
            .read(|c, (s,)| c.sleep(c.pos, Duration::from_secs(u64::try_from(s).unwrap_or(0)))),
        API.func("sleep", "Pauses the script for fractional seconds; wakes early when the run is cancelled or times out.")
            .params((Float("seconds: float"),))
            .read(|c, (s,)| {
                let d = Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::ZERO);
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

/// `t` formatted in UTC with the strftime pattern `f`.
fn format_time(c: &Call, t: INT, f: &str) -> Res<ImmutableString> {
    let dt = Utc
        .timestamp_millis_opt(t)
        .single()
        .ok_or_else(|| c.usage(format!("format_time: {t} is out of range")))?;
    let mut out = String::new();
    use std::fmt::Write;
    write!(out, "{}", dt.format(f))
        .map_err(|_| c.usage(format!("format_time: invalid pattern `{f}`")))?;
    Ok(out.into())
}
