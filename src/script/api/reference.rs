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
        table(
            &mut out,
            fns.iter().filter(|f| f.namespace.as_deref() == Some(ns)),
        );
    }
    out.push_str("## Global functions and methods\n\n");
    table(&mut out, fns.iter().filter(|f| f.namespace.is_none()));
    out
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
