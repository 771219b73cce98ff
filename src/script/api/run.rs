//! `run::`: the context of the current run: dry run or not, `--arg key=value` arguments, the
//! script name and what triggered it.

use std::sync::Arc;

use rhai::{Dynamic, ImmutableString, Map, Module};

use super::super::context::RunCtx;

pub(super) fn module(ctx: &Arc<RunCtx>) -> Module {
    let mut m = Module::new();
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "dry_run",
        &["bool"],
        "Whether writes are only planned.",
        move || c.dry_run()
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "args",
        &["map"],
        "Every `--arg key=value` as a map of strings.",
        move || {
            c.settings
                .args
                .iter()
                .map(|(k, v)| (k.into(), Dynamic::from(v.clone())))
                .collect::<Map>()
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "arg",
        &["name: string", "value"],
        "The argument `name`, or () when not given.",
        move |name: ImmutableString| -> Dynamic {
            c.settings
                .args
                .get(name.as_str())
                .map_or(Dynamic::UNIT, |v| v.clone().into())
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "arg",
        &["name: string", "default", "value"],
        "The argument `name`, or `default` when not given.",
        move |name: ImmutableString, default: Dynamic| -> Dynamic {
            c.settings
                .args
                .get(name.as_str())
                .map_or(default, |v| v.clone().into())
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "name",
        &["string"],
        "The script's name (its file stem; also the state:: namespace).",
        move || -> ImmutableString { c.settings.script.clone().into() }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "trigger",
        &["string"],
        "What started the run: run, watch, daemon or repl.",
        move || -> ImmutableString { c.settings.trigger.clone().into() }
    );
    m
}
