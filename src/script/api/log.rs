//! `log::`: lines in the run's log with a level. A debug line is Rhai's own `debug(message)`
//! (wired in the engine's hooks): Rhai reserves `debug`, so a `log::debug` could never be called.

use super::declare::{Any, Area, ScriptFn};

pub(super) fn functions() -> Vec<ScriptFn> {
    [
        ("info", "Writes an info line to the run log."),
        ("warn", "Writes a warning to the run log."),
        (
            "error",
            "Writes an error line to the run log (the run goes on).",
        ),
    ]
    .into_iter()
    .map(|(level, doc)| {
        Area::module("log")
            .func(level, doc)
            .params((Any("message"),))
            .read(move |c, (msg,)| {
                c.log(level, msg.to_string());
                Ok(())
            })
    })
    .collect()
}
