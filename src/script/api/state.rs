//! `state::`: a small persistent key-value store per script (keyed by the script's file stem)
//! in `.hubscript/state.db`, so a rule remembers what it already did. Values are stored as
//! JSON (maps, arrays, strings, numbers, booleans). In a dry run `set`/`remove` are kept for
//! the run only and never persisted, so trying a rule does not change what the real run does.
//! In a plan-then-apply run they are kept for the run and committed after the apply: each one
//! only if every change the script planned before it was applied, so a rule's memory never
//! claims work that was not done. Immediate runs write at once.
//!
//! `state::add(key, n)` is the one safe read-modify-write: the store adds `n` atomically at the
//! write (holding the row's lock), so runs of several daemons sharing a PostgreSQL store never
//! lose an increment, where `get` then `set` can. Its result is the new value as this run sees
//! it; in a plan-then-apply run the addition itself is made at the commit, to whatever is
//! stored then.

use rhai::{Dynamic, Position};

use super::super::bridge::usage;
use super::super::context::{RunCtx, StateWrite};
use super::super::convert;
use super::declare::{Any, Area, Res, ScriptFn, Str};

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
        let existed = {
            let mut o = c.state_overlay.lock().expect("state overlay lock poisoned");
            let existed = o.get(key).cloned().flatten().is_some();
            o.insert(key.to_string(), value.clone());
            existed
        };
        if !c.user_dry_run() {
            c.record_state(key, value.map_or(StateWrite::Remove, StateWrite::Set));
        }
        return Ok(existed);
    }
    let r = match value {
        Some(v) => c.state.kv_set(&c.settings.script, key, &v).map(|()| true),
        None => c.state.kv_remove(&c.settings.script, key),
    };
    r.map_err(|e| usage(pos, format!("state: {e}")))
}

fn add(c: &RunCtx, pos: Position, key: &str, by: &Dynamic) -> Res<Dynamic> {
    let by = convert::to_json_checked(by, pos)?;
    let script = &c.settings.script;
    let sum = if c.dry_run() {
        let mut o = c.state_overlay.lock().expect("state overlay lock poisoned");
        let current = match o.get(key) {
            Some(v) => v.clone(),
            None => c
                .state
                .kv_get(script, key)
                .map_err(|e| usage(pos, format!("state::add: {e}")))?,
        };
        let sum =
            crate::state::add_json(current.as_ref(), &by).map_err(|e| usage(pos, e.to_string()))?;
        o.insert(key.to_string(), Some(sum.clone()));
        drop(o);
        if !c.user_dry_run() {
            c.record_state(key, StateWrite::Add(by));
        }
        sum
    } else {
        c.state
            .kv_add(script, key, &by)
            .map_err(|e| usage(pos, format!("state::add: {e}")))?
    };
    convert::to_dyn(&sum, pos)
}

const API: Area = Area::module("state");

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("get", "The stored value of `key` for this script, or () when none.")
            .params((Str("key: string"),))
            .returns("value")
            .read(|c, (key,)| get(c, c.pos, &key)),
        API.func("get", "The stored value of `key`, or `default` when none.")
            .params((Str("key: string"), Any("default")))
            .returns("value")
            .read(|c, (key, default)| {
                let v = get(c, c.pos, &key)?;
                Ok(if v.is_unit() { default } else { v })
            }),
        API.func("set", "Stores `value` (anything JSON-like) under `key` for this script (dry run: for this run only).")
            .params((Str("key: string"), Any("value")))
            .read(|c, (key, value)| {
                let json = convert::to_json_checked(&value, c.pos)?;
                put(c, c.pos, &key, Some(json)).map(|_| ())
            }),
        API.func("add", "Adds the number `n` to the number under `key` (missing: 0) and returns the new value; atomic in the store, so concurrent runs (other daemons included) never lose an increment (dry run: for this run only).")
            .params((Str("key: string"), Any("n")))
            .returns("number")
            .read(|c, (key, n)| add(c, c.pos, &key, &n)),
        API.func("remove", "Forgets `key`; true when it was set.")
            .params((Str("key: string"),))
            .returns("bool")
            .read(|c, (key,)| put(c, c.pos, &key, None)),
    ]
}
