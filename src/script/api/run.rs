//! `run::`: the context of the current run: dry run or not, the write budget left,
//! `--arg key=value` arguments, the script name and what triggered it.

use rhai::{Dynamic, ImmutableString, Map};

use super::declare::{Any, Area, ScriptFn, Str};

const API: Area = Area::module("run");

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("dry_run", "Whether this is a dry run (writes are planned and never applied).")
            .returns("bool")
            .read(|c, ()| Ok(c.user_dry_run())),
        API.func(
            "writes_left",
            "How many more distinct tickets this run may change before its write cap (a very large number without a cap).",
        )
        .returns("int")
        .read(|c, ()| {
            Ok(c.writes_left()
                .map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX)))
        }),
        API.func("args", "Every `--arg key=value` as a map of strings.")
            .returns("map")
            .read(|c, ()| {
                Ok(c.settings
                    .args
                    .iter()
                    .map(|(k, v)| (k.into(), Dynamic::from(v.clone())))
                    .collect::<Map>())
            }),
        API.func("arg", "The argument `name`, or () when not given.")
            .params((Str("name: string"),))
            .returns("value")
            .read(|c, (name,)| {
                Ok(c.settings
                    .args
                    .get(name.as_str())
                    .map_or(Dynamic::UNIT, |v| v.clone().into()))
            }),
        API.func("arg", "The argument `name`, or `default` when not given.")
            .params((Str("name: string"), Any("default")))
            .returns("value")
            .read(|c, (name, default)| {
                Ok(c.settings
                    .args
                    .get(name.as_str())
                    .map_or(default, |v| v.clone().into()))
            }),
        API.func(
            "name",
            "The script's name (its file stem; also the state:: namespace).",
        )
        .returns("string")
        .read(|c, ()| Ok(ImmutableString::from(c.settings.script.clone()))),
        API.func(
            "trigger",
            "What started the run: run (hubscript run), watch (a save under watch), schedule (a daemon fire), catch_up (a missed fire the daemon caught up), event (a ticket event: see event::), repl or undo.",
        )
        .returns("string")
        .read(|c, ()| Ok(ImmutableString::from(c.settings.trigger.clone()))),
    ]
}
