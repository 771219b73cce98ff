//! What the engine knows about its functions, read from Rhai's metadata (filled in by the
//! declarations of `declare.rs`): the one list that the generated reference and the REPL's
//! `:help` and completion are both built from.

use rhai::Engine;
use serde_json::Value;

/// A function the engine knows (API, embedder or script-defined), for the reference, `:help`
/// and completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnInfo {
    /// `tickets` for `tickets::search`; `None` for global and script functions.
    pub namespace: Option<String>,
    /// The function name.
    pub name: String,
    /// Parameters as `name: type` (or what is known).
    pub params: Vec<String>,
    /// Return type (`()` when unknown).
    pub returns: String,
    /// One-line description (empty for script functions).
    pub doc: String,
}

impl FnInfo {
    /// `ns::name`, or `name`.
    pub fn path(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}::{}", self.name),
            None => self.name.clone(),
        }
    }

    /// `ns::name(a: T, b: U) -> R`.
    pub fn signature(&self) -> String {
        format!(
            "{}({}) -> {}",
            self.path(),
            self.params.join(", "),
            self.returns
        )
    }
}

/// Every function registered on `engine` outside the standard package: the functions of its
/// static modules (global-namespace ones, such as methods, without a namespace), then its
/// global ones.
pub(crate) fn functions(engine: &Engine) -> Vec<FnInfo> {
    let json = engine.gen_fn_metadata_to_json(false).unwrap_or_default();
    let meta: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
    let mut out = Vec::new();
    if let Some(modules) = meta["modules"].as_object() {
        for (ns, m) in modules {
            for f in list(&m["functions"]) {
                let global = f["namespace"] == "global";
                out.push(fn_info(f, (!global).then(|| ns.clone())));
            }
        }
    }
    for f in list(&meta["functions"]) {
        out.push(fn_info(f, None));
    }
    out
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or_default()
}

fn fn_info(f: &Value, namespace: Option<String>) -> FnInfo {
    let params = list(&f["params"])
        .iter()
        .map(|p| match (p["name"].as_str(), p["type"].as_str()) {
            (Some(n), Some(t)) => format!("{n}: {t}"),
            (Some(n), None) => n.to_string(),
            (None, Some(t)) => t.to_string(),
            (None, None) => "_".to_string(),
        })
        .collect();
    // The last params_info entry is the return type, written `name: type` or `type`.
    let ret = f["returnType"].as_str().unwrap_or("()");
    let ret = ret.rsplit(':').next().unwrap_or(ret).trim();
    let doc = list(&f["docComments"])
        .iter()
        .filter_map(Value::as_str)
        .map(|d| d.trim_start_matches("///").trim())
        .collect::<Vec<_>>()
        .join(" ");
    FnInfo {
        namespace,
        name: f["name"].as_str().unwrap_or_default().to_string(),
        params,
        returns: if ret.is_empty() {
            "()".into()
        } else {
            ret.into()
        },
        doc,
    }
}
