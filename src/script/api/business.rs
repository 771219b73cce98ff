//! Business time: working time between two instants, an instant plus working time, whether an
//! instant is in working hours, business days; all on the script's calendar (the header's
//! `calendar`, else Monday to Friday 09:00-17:00 in its `timezone`). So "4 business hours
//! since it was created" is `business_time_between(created, now()) > hours(4)`. The arithmetic
//! is [`crate::calendar::BusinessCalendar`].

use rhai::INT;

use crate::calendar::BusinessError;

use super::declare::{Area, Call, Int, Res, ScriptFn, Str};
use super::time::parse_duration;

const API: Area = Area::GLOBAL;

fn fail(c: &Call, e: BusinessError) -> Box<rhai::EvalAltResult> {
    c.usage(format!("{}: {e}", c.name))
}

fn add(c: &Call, t: INT, d: INT) -> Res<INT> {
    c.settings
        .calendar
        .add_business_time(t, d)
        .map_err(|e| fail(c, e))
}

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("business_time_between", "Working time from `a` to `b` on the script's calendar, in milliseconds (negative when `b` is before `a`).")
            .params((Int("a: int"), Int("b: int")))
            .returns("int")
            .read(|c, (a, b)| c.settings.calendar.business_time_between(a, b).map_err(|e| fail(c, e))),
        API.func("add_business_time", "The instant `duration` (\"4h\", \"30m\") of working time after `ms` on the script's calendar.")
            .params((Int("ms: int"), Str("duration: string")))
            .returns("int")
            .read(|c, (t, d)| {
                let d = parse_duration(&d).map_err(|e| c.usage(e))?;
                add(c, t, INT::try_from(d.as_millis()).unwrap_or(INT::MAX))
            }),
        API.func("add_business_time", "The instant `duration` milliseconds of working time after `ms` (before it when negative) on the script's calendar.")
            .params((Int("ms: int"), Int("duration: int")))
            .returns("int")
            .read(|c, (t, d)| add(c, t, d)),
        API.func("is_business_time", "Whether `ms` falls in working hours on the script's calendar.")
            .params((Int("ms: int"),))
            .returns("bool")
            .read(|c, (t,)| c.settings.calendar.is_business_time(t).map_err(|e| fail(c, e))),
        API.func("is_business_day", "Whether the day of `ms` (in the calendar's zone) has working hours and is not a holiday.")
            .params((Int("ms: int"),))
            .returns("bool")
            .read(|c, (t,)| {
                let cal = &c.settings.calendar;
                let day = crate::calendar::zoned::zoned(t, cal.zone())
                    .map_err(|e| c.usage(format!("{}: {e}", c.name)))?
                    .date_naive();
                Ok(cal.is_business_day(day))
            }),
        API.func("add_business_days", "`ms` moved by `n` business days (negative: back) at the same wall time, skipping days without working hours and holidays.")
            .params((Int("ms: int"), Int("n: int")))
            .returns("int")
            .read(|c, (t, n)| c.settings.calendar.add_business_days(t, n).map_err(|e| fail(c, e))),
    ]
}
