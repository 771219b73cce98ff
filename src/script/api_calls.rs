//! `check` (and every run, which checks first) refuses calls it can know will fail: a
//! namespaced call such as `tickets::serch(..)` or `log::inf(..)` into one of the API's modules
//! that names no function of it, or passes a number of arguments none of its overloads takes.
//! Each gets the nearest name ("did you mean") or the signatures it does take.
//!
//! Only calls into the API's own modules are judged: a namespace the engine does not know may
//! be a module the script imports, and global calls may be script functions or methods, which
//! only the run can resolve. The catalogue is the engine's own metadata ([`super::api::functions`]),
//! so this check and the generated reference cannot disagree.

use std::collections::{BTreeMap, BTreeSet};

use rhai::{Position, AST};

use super::api::FnInfo;
use super::ast_calls::for_each_namespaced_call;

/// Every call into an API module that cannot succeed, in source order: where and why.
pub(crate) fn bad_api_calls(ast: &AST, catalog: &[FnInfo]) -> Vec<(Position, String)> {
    // namespace -> function name -> arities
    let mut modules: BTreeMap<&str, BTreeMap<&str, Vec<&FnInfo>>> = BTreeMap::new();
    for f in catalog {
        if let Some(ns) = &f.namespace {
            modules
                .entry(ns.as_str())
                .or_default()
                .entry(f.name.as_str())
                .or_default()
                .push(f);
        }
    }
    let mut found = Vec::new();
    for_each_namespaced_call(ast, |call| {
        let ns = call.namespace.as_str();
        let pos = &call.pos;
        let Some(functions) = modules.get(ns) else {
            return true;
        };
        let name = call.name;
        let given = call.args.len();
        match functions.get(name) {
            None => {
                let hint = crate::suggest::nearest(name, functions.keys().copied()).map_or_else(
                    || format!(" (docs/script-api.md lists the `{ns}::` functions)"),
                    |n| format!(" (did you mean `{ns}::{n}`?)"),
                );
                found.push((*pos, format!("unknown function `{ns}::{name}`{hint}")));
            }
            Some(overloads) if !overloads.iter().any(|f| f.params.len() == given) => {
                let arities: BTreeSet<usize> = overloads.iter().map(|f| f.params.len()).collect();
                let takes = arities
                    .iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(" or ");
                let plural = if arities.len() == 1 && arities.contains(&1) {
                    "argument"
                } else {
                    "arguments"
                };
                let signatures = overloads
                    .iter()
                    .map(|f| f.signature())
                    .collect::<Vec<_>>()
                    .join("\n");
                found.push((
                    *pos,
                    format!("`{ns}::{name}` takes {takes} {plural}, not {given}:\n{signatures}"),
                ));
            }
            Some(_) => {}
        }
        true
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(ns: &str, name: &str, params: &[&str]) -> FnInfo {
        FnInfo {
            namespace: Some(ns.into()),
            name: name.into(),
            params: params.iter().map(|p| (*p).to_string()).collect(),
            returns: "()".into(),
            doc: String::new(),
        }
    }

    fn catalog() -> Vec<FnInfo> {
        vec![
            info("tickets", "search", &["query: Map"]),
            info("tickets", "get", &["id: String"]),
            info("tickets", "get", &["id: String", "properties: Array"]),
            info("log", "info", &["message: ?"]),
            info("log", "warn", &["message: ?"]),
        ]
    }

    fn bad(src: &str) -> Vec<(usize, String)> {
        let ast = rhai::Engine::new_raw().compile(src).unwrap();
        bad_api_calls(&ast, &catalog())
            .into_iter()
            .map(|(p, m)| (p.line().unwrap_or(0), m))
            .collect()
    }

    #[test]
    fn unknown_functions_get_the_nearest_name() {
        let found = bad("let a = 1;\nlet t = tickets::serch(#{});\nlog::inf(\"x\");\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(
            found[0]
                .1
                .starts_with("unknown function `tickets::serch` (did you mean `tickets::search`?)"),
            "{}",
            found[0].1
        );
        assert_eq!(found[1].0, 3);
        assert!(
            found[1].1.contains("(did you mean `log::info`?)"),
            "{}",
            found[1].1
        );
        // Nothing near: no guess.
        let found = bad("tickets::frobnicate_everything(1);");
        assert!(!found[0].1.contains("did you mean"), "{}", found[0].1);
    }

    #[test]
    fn wrong_arity_lists_what_is_taken() {
        let found = bad("fn f() {\n  tickets::get()\n}\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
        assert!(
            found[0]
                .1
                .starts_with("`tickets::get` takes 1 or 2 arguments, not 0:\n"),
            "{}",
            found[0].1
        );
        assert!(found[0]
            .1
            .contains("tickets::get(id: String, properties: Array)"));
        assert!(bad("tickets::search(#{}, 1);")[0]
            .1
            .starts_with("`tickets::search` takes 1 argument, not 2"));
    }

    #[test]
    fn good_calls_and_other_namespaces_pass() {
        assert!(
            bad("let t = tickets::get(\"1\");\ntickets::get(\"1\", []);\nlog::warn(1);").is_empty()
        );
        // An imported module, a method and a script function are the run's business.
        assert!(
            bad("import \"x\" as m;\nm::anything(1, 2);\nfn g() {}\ng();\n[1].len();").is_empty()
        );
    }
}
