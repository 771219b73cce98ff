//! The API reference in Markdown, generated from the registrations themselves (Rhai's
//! `metadata`), so the README's reference never drifts from the code.
//!
//! Building the modules needs a run context; its backend is [`OfflineBackend`], which is never
//! called: nothing here runs a script.

use std::sync::Arc;

use serde_json::Value;

use crate::backend::OfflineBackend;
use crate::state::StateDb;

use super::NAMESPACES;

/// The reference of every registered function: one section per namespace (then the global
/// functions), one table row per overload: signature, return type, description.
pub fn api_reference_markdown() -> String {
    // Use the current runtime when there is one: a runtime built here must not be dropped
    // inside an async context. The handle is never blocked on.
    let _own_runtime;
    let handle = match tokio::runtime::Handle::try_current() {
        Ok(h) => h,
        Err(_) => match tokio::runtime::Builder::new_current_thread().build() {
            Ok(rt) => {
                let h = rt.handle().clone();
                _own_runtime = rt;
                h
            }
            Err(_) => return String::from("(reference unavailable: no runtime)\n"),
        },
    };
    let Ok(state) = StateDb::in_memory() else {
        return String::from("(reference unavailable: no state store)\n");
    };
    let host = super::super::ScriptHost::new(Arc::new(OfflineBackend), state, handle);
    let engine = host.reference_engine();
    let json = engine.gen_fn_metadata_to_json(false).unwrap_or_default();
    let meta: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
    let mut out = String::from("# Script API reference\n\n");
    for ns in NAMESPACES {
        let fns = &meta["modules"][ns]["functions"];
        out.push_str(&format!("## `{ns}::`\n\n"));
        table(&mut out, fns, Some(ns), false);
    }
    out.push_str("## Global functions and methods\n\n");
    let mut globals: Vec<Value> = meta["functions"].as_array().cloned().unwrap_or_default();
    for ns in NAMESPACES {
        if let Some(fs) = meta["modules"][ns]["functions"].as_array() {
            globals.extend(fs.iter().filter(|f| f["namespace"] == "global").cloned());
        }
    }
    table(&mut out, &Value::Array(globals), None, true);
    out
}

fn table(out: &mut String, fns: &Value, ns: Option<&str>, global: bool) {
    out.push_str("| function | returns | description |\n|---|---|---|\n");
    let mut rows: Vec<String> = Vec::new();
    for f in fns.as_array().map(Vec::as_slice).unwrap_or_default() {
        let is_global = f["namespace"] == "global";
        if is_global != global && ns.is_some() {
            continue;
        }
        let name = f["name"].as_str().unwrap_or_default();
        let params = param_list(f);
        let prefix = ns.map(|n| format!("{n}::")).unwrap_or_default();
        // The last params_info entry is the return type, written `name: type` or `type`.
        let ret = f["returnType"].as_str().unwrap_or("()");
        let ret = ret.rsplit(':').next().unwrap_or(ret).trim();
        let doc: String = f["docComments"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(Value::as_str)
            .map(|d| d.trim_start_matches("///").trim())
            .collect::<Vec<_>>()
            .join(" ");
        rows.push(format!(
            "| `{prefix}{name}({})` | `{ret}` | {} |\n",
            params.join(", "),
            doc.replace('|', "\\|")
        ));
    }
    rows.sort();
    rows.dedup();
    for r in rows {
        out.push_str(&r);
    }
    out.push('\n');
}

/// A function's parameters from Rhai's metadata JSON, each as `name: type` (or what is known),
/// for the reference and the REPL's hints and `:help`.
pub(crate) fn param_list(f: &serde_json::Value) -> Vec<String> {
    f["params"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|p| match (p["name"].as_str(), p["type"].as_str()) {
            (Some(n), Some(t)) => format!("{n}: {t}"),
            (Some(n), None) => n.to_string(),
            (None, Some(t)) => t.to_string(),
            (None, None) => "_".to_string(),
        })
        .collect()
}
