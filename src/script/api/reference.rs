//! The API reference in Markdown, generated from the registrations themselves (the same
//! [`super::catalog::functions`] list the REPL's `:help` reads), so docs/script-api.md never
//! drifts from the code.
//!
//! Building the modules needs a run context; its backend is [`OfflineBackend`], which is never
//! called: nothing here runs a script.

use std::sync::Arc;

use crate::backend::OfflineBackend;
use crate::state::StateDb;

use super::catalog::FnInfo;

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
    let fns = super::catalog::functions(&host.reference_engine());
    let mut out = String::from("# Script API reference\n\n");
    for ns in super::namespaces() {
        out.push_str(&format!("## `{ns}::`\n\n"));
        if let Some(example) = super::example(ns) {
            out.push_str(&format!("```rhai\n{example}\n```\n\n"));
        }
        table(
            &mut out,
            fns.iter().filter(|f| f.namespace.as_deref() == Some(ns)),
        );
    }
    out.push_str("## Global functions and methods\n\n");
    table(&mut out, fns.iter().filter(|f| f.namespace.is_none()));
    limits_section(&mut out);
    out
}

/// The limits a script runs under, from the constants themselves (issue 18: the reference
/// states the real limits).
fn limits_section(out: &mut String) {
    use super::super::limits as l;
    use super::super::value_limits::MAX_VALUE_DEPTH;
    let n = |v: usize| {
        let s = v.to_string();
        let mut r = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                r.push(',');
            }
            r.push(c);
        }
        r
    };
    out.push_str("## Limits\n\n");
    out.push_str("| limit | value |\n|---|---|\n");
    let rows = [
        (
            "Tickets one bulk call takes or builds (`to_array()`, `read_many`, each `*_many` input)".to_string(),
            n(l::MAX_ARRAY_SIZE),
        ),
        (
            "Items of the lists in one value the script builds (what HubSpot returned not counted)".to_string(),
            n(l::MAX_ARRAY_SIZE),
        ),
        (
            "Entries of one map the script builds".to_string(),
            n(l::MAX_MAP_SIZE),
        ),
        (
            "Bytes of one string, and of the strings in one value the script builds (what HubSpot returned not counted)".to_string(),
            format!("{} MiB", l::MAX_STRING_SIZE / (1024 * 1024)),
        ),
        ("Nesting of lists and maps".to_string(), format!("{MAX_VALUE_DEPTH} levels")),
        ("Variables alive at once".to_string(), n(l::MAX_VARIABLES)),
        ("Nested function calls".to_string(), n(l::MAX_CALL_LEVELS)),
        ("Operations per run".to_string(), n(l::MAX_OPERATIONS as usize)),
        (
            "Memory of a run (header `memory`, `--memory`)".to_string(),
            format!(
                "{} MiB by default",
                crate::script::memory::DEFAULT_MEMORY / (1024 * 1024)
            ),
        ),
        (
            "Wall-clock time of a run (header `timeout`, `--timeout`)".to_string(),
            format!("{} minutes by default", l::DEFAULT_TIMEOUT.as_secs() / 60),
        ),
    ];
    for (what, value) in rows {
        out.push_str(&format!("| {what} | {value} |\n"));
    }
    out.push_str(
        "\nWhat HubSpot returns (tickets, pages, batch answers) never counts against the size \
         limits: bulk results up to the 100,000-item maximum never trip them, and a bulk call \
         never fails on the size of its answer after its writes have landed. The memory budget \
         bounds everything a run holds; past it the script stops at its current line.\n",
    );
}

/// One table row per overload (signature, return type, description), sorted.
fn table<'a>(out: &mut String, fns: impl Iterator<Item = &'a FnInfo>) {
    out.push_str("| function | returns | description |\n|---|---|---|\n");
    let mut rows: Vec<String> = fns
        .map(|f| {
            format!(
                "| `{}({})` | `{}` | {} |\n",
                f.path(),
                f.params.join(", "),
                f.returns,
                f.doc.replace('|', "\\|")
            )
        })
        .collect();
    rows.sort();
    rows.dedup();
    for r in rows {
        out.push_str(&r);
    }
    out.push('\n');
}
