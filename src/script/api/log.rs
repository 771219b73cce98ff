//! `log::`: lines in the run's log with a level (`print` writes `info`, `debug` writes `debug`;
//! those two are wired in the engine's hooks).

use std::sync::Arc;

use rhai::{Dynamic, Module};

use super::super::context::RunCtx;

pub(super) fn module(ctx: &Arc<RunCtx>) -> Module {
    let mut m = Module::new();
    for (level, doc) in [
        ("info", "Writes an info line to the run log."),
        ("warn", "Writes a warning to the run log."),
        (
            "error",
            "Writes an error line to the run log (the run goes on).",
        ),
        ("debug", "Writes a debug line to the run log."),
    ] {
        let c = ctx.clone();
        def!(
            &mut m,
            false,
            level,
            &["message", "()"],
            doc,
            move |msg: Dynamic| {
                c.log(level, msg.to_string());
            }
        );
    }
    m
}
