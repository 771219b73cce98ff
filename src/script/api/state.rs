//! `state::`: a small persistent key-value store per script (keyed by the script's file stem)
//! in `.hubscript/state.db`, so a rule remembers what it already did. Values are stored as
//! JSON (maps, arrays, strings, numbers, booleans). In a dry run `set`/`remove` are kept for
//! the run only and never persisted, so trying a rule does not change what the real run does.

use std::sync::Arc;

use rhai::{Dynamic, EvalAltResult, ImmutableString, Module, NativeCallContext, Position};

use super::super::bridge::usage;
use super::super::context::RunCtx;
use super::super::convert;

type Res<T> = Result<T, Box<EvalAltResult>>;

fn get(c: &RunCtx, pos: Position, key: &str) -> Res<Dynamic> {
    let overlaid = c
        .state_overlay
        .lock()
        .expect("state overlay lock poisoned")
        .get(key)
        .cloned();
    let value = match overlaid {
        Some(v) => v,
        None => c
            .state
            .kv_get(&c.settings.script, key)
            .map_err(|e| usage(pos, format!("state::get: {e}")))?,
    };
    match value {
        Some(v) => convert::to_dyn(&v, pos),
        None => Ok(Dynamic::UNIT),
    }
}

fn put(c: &RunCtx, pos: Position, key: &str, value: Option<serde_json::Value>) -> Res<bool> {
    if c.dry_run() {
        let mut o = c.state_overlay.lock().expect("state overlay lock poisoned");
        let existed = o.get(key).cloned().flatten().is_some();
        o.insert(key.to_string(), value);
        return Ok(existed);
    }
    let r = match value {
        Some(v) => c.state.kv_set(&c.settings.script, key, &v).map(|_| true),
        None => c.state.kv_remove(&c.settings.script, key),
    };
    r.map_err(|e| usage(pos, format!("state: {e}")))
}

pub(super) fn module(ctx: &Arc<RunCtx>) -> Module {
    let mut m = Module::new();
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "get",
        &["key: string", "value"],
        "The stored value of `key` for this script, or () when none.",
        move |nc: NativeCallContext, key: ImmutableString| -> Res<Dynamic> {
            get(&c, nc.call_position(), &key)
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "get",
        &["key: string", "default", "value"],
        "The stored value of `key`, or `default` when none.",
        move |nc: NativeCallContext, key: ImmutableString, default: Dynamic| -> Res<Dynamic> {
            let v = get(&c, nc.call_position(), &key)?;
            Ok(if v.is_unit() { default } else { v })
        }
    );
    let c = ctx.clone();
    def!(&mut m, false, "set", &["key: string", "value", "()"],
        "Stores `value` (anything JSON-like) under `key` for this script (dry run: for this run only).",
        move |nc: NativeCallContext, key: ImmutableString, value: Dynamic| -> Res<()> {
            let pos = nc.call_position();
            put(&c, pos, &key, Some(convert::to_json(&value))).map(|_| ())
        });
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "remove",
        &["key: string", "bool"],
        "Forgets `key`; true when it was set.",
        move |nc: NativeCallContext, key: ImmutableString| -> Res<bool> {
            put(&c, nc.call_position(), &key, None)
        }
    );
    m
}
