//! Time, as plain integers: a timestamp is epoch milliseconds (what HubSpot takes in filters
//! and writes, so `#{ createdate: #{ lt: ago("4h") } }` and `update(id, #{ due: now() })` just
//! work) and a duration is milliseconds, so timestamps and durations add and compare with
//! ordinary arithmetic. These functions are global (no namespace); `sleep` is replaced by one
//! that wakes on cancellation and at the run's deadline.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use rhai::{Dynamic, EvalAltResult, ImmutableString, Module, NativeCallContext, FLOAT, INT};

use crate::model::time::{format_millis, parse_to_millis};

use super::super::bridge::usage;
use super::super::context::RunCtx;

type Res<T> = Result<T, Box<EvalAltResult>>;

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

pub(super) fn module(ctx: &Arc<RunCtx>) -> Module {
    let mut m = Module::new();
    def!(
        &mut m,
        true,
        "now",
        &["int"],
        "The current time as epoch milliseconds.",
        now_ms
    );
    def!(
        &mut m,
        true,
        "ago",
        &["duration: string", "int"],
        "The time `duration` before now (\"4h\", \"2d\", \"1h 30m\") as epoch milliseconds.",
        |nc: NativeCallContext, d: ImmutableString| -> Res<INT> {
            let d = parse_duration(&d).map_err(|e| usage(nc.call_position(), e))?;
            Ok(now_ms() - ms(d))
        }
    );
    def!(
        &mut m,
        true,
        "duration",
        &["text: string", "int"],
        "A duration (\"4h\", \"15m\", \"2d\") in milliseconds.",
        |nc: NativeCallContext, d: ImmutableString| -> Res<INT> {
            parse_duration(&d)
                .map(ms)
                .map_err(|e| usage(nc.call_position(), e))
        }
    );
    for (name, unit, doc) in [
        ("seconds", 1_000, "`n` seconds in milliseconds."),
        ("minutes", 60_000, "`n` minutes in milliseconds."),
        ("hours", 3_600_000, "`n` hours in milliseconds."),
        ("days", 86_400_000, "`n` days in milliseconds."),
    ] {
        def!(
            &mut m,
            true,
            name,
            &["n: int", "int"],
            doc,
            move |n: INT| -> INT { n.saturating_mul(unit) }
        );
    }
    def!(&mut m, true, "parse_time", &["text: string", "int"],
        "A HubSpot timestamp (ISO-8601, epoch ms as text, or YYYY-MM-DD) as epoch milliseconds; () when empty.",
        |nc: NativeCallContext, s: Dynamic| -> Res<Dynamic> {
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
            parse_to_millis(&text)
                .map(Dynamic::from_int)
                .ok_or_else(|| usage(nc.call_position(), format!("parse_time: `{text}` is not an ISO-8601 time, epoch milliseconds or YYYY-MM-DD")))
        });
    def!(
        &mut m,
        true,
        "format_time",
        &["ms: int", "string"],
        "Epoch milliseconds as HubSpot's ISO-8601 form (2024-08-15T17:09:13.648Z).",
        |t: INT| -> ImmutableString { format_millis(t).into() }
    );
    def!(
        &mut m,
        true,
        "format_time",
        &["ms: int", "format: string", "string"],
        "Epoch milliseconds formatted in UTC with a strftime pattern (\"%Y-%m-%d %H:%M\").",
        |nc: NativeCallContext, t: INT, f: ImmutableString| -> Res<ImmutableString> {
            let dt = Utc.timestamp_millis_opt(t).single().ok_or_else(|| {
                usage(
                    nc.call_position(),
                    format!("format_time: {t} is out of range"),
                )
            })?;
            let mut out = String::new();
            use std::fmt::Write;
            write!(out, "{}", dt.format(&f)).map_err(|_| {
                usage(
                    nc.call_position(),
                    format!("format_time: invalid pattern `{f}`"),
                )
            })?;
            Ok(out.into())
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        true,
        "sleep",
        &["seconds: int", "()"],
        "Pauses the script; wakes early when the run is cancelled or times out.",
        move |nc: NativeCallContext, s: INT| -> Res<()> {
            c.sleep(
                nc.call_position(),
                Duration::from_secs(u64::try_from(s).unwrap_or(0)),
            )
        }
    );
    let c = ctx.clone();
    def!(&mut m, true, "sleep", &["seconds: float", "()"],
        "Pauses the script for fractional seconds; wakes early when the run is cancelled or times out.",
        move |nc: NativeCallContext, s: FLOAT| -> Res<()> {
            let d = Duration::try_from_secs_f64(s.max(0.0)).unwrap_or(Duration::ZERO);
            c.sleep(nc.call_position(), d)
        });
    m
}
