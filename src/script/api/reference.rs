//! The API reference in Markdown, generated from the registrations themselves (Rhai's
//! `metadata`), so the README's reference never drifts from the code.
//!
//! Building the modules needs a run context, so this file holds a backend that is never
//! called ([`Unreachable`]); nothing here runs a script.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use crate::backend::{BackendError, BackendResult, TicketsBackend};
use crate::model::{
    AssociatedIdPage, AssociationSpec, BatchCreateItem, BatchInput, BatchReadInput, BatchResponse,
    BatchUpdateItem, CreateInput, GetParams, IdInput, LabelsBetweenObjectPair, ListParams,
    MergeInput, MultiAssociatedObjectWithLabel, Page, Pipeline, PipelineStage, Property,
    SearchPage, SearchRequest, Ticket, UpdateInput, UpsertResult,
};
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
    let host = super::super::ScriptHost::new(Arc::new(Unreachable), state, handle);
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
        let params: Vec<String> = f["params"]
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
            .collect();
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

/// A backend for building modules that are only inspected, never run.
struct Unreachable;

#[allow(clippy::result_large_err)] // BackendError is the trait's error type
fn never<T>() -> BackendResult<T> {
    Err(BackendError::Cancelled)
}

#[async_trait]
impl TicketsBackend for Unreachable {
    fn describe(&self) -> String {
        "none".into()
    }
    async fn list(&self, _: &ListParams) -> BackendResult<Page<Ticket>> {
        never()
    }
    async fn get(&self, _: &str, _: &GetParams) -> BackendResult<Ticket> {
        never()
    }
    async fn create(&self, _: &CreateInput) -> BackendResult<Ticket> {
        never()
    }
    async fn update(&self, _: &str, _: &UpdateInput, _: Option<&str>) -> BackendResult<Ticket> {
        never()
    }
    async fn archive(&self, _: &str) -> BackendResult<()> {
        never()
    }
    async fn batch_read(
        &self,
        _: &BatchReadInput,
        _: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        never()
    }
    async fn batch_create(
        &self,
        _: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        never()
    }
    async fn batch_update(
        &self,
        _: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        never()
    }
    async fn batch_upsert(
        &self,
        _: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        never()
    }
    async fn batch_archive(&self, _: &BatchInput<IdInput>) -> BackendResult<()> {
        never()
    }
    async fn search(&self, _: &SearchRequest) -> BackendResult<SearchPage> {
        never()
    }
    async fn merge(&self, _: &MergeInput) -> BackendResult<Ticket> {
        never()
    }
    async fn associate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<Ticket> {
        never()
    }
    async fn dissociate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<()> {
        never()
    }
    async fn associations(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        never()
    }
    async fn associate_v4(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        never()
    }
    async fn dissociate_v4(&self, _: &str, _: &str, _: &str) -> BackendResult<()> {
        never()
    }
    async fn associations_v4(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        never()
    }
    async fn properties(&self) -> BackendResult<Vec<Property>> {
        never()
    }
    async fn property(&self, _: &str) -> BackendResult<Property> {
        never()
    }
    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        never()
    }
    async fn pipeline(&self, _: &str) -> BackendResult<Pipeline> {
        never()
    }
    async fn pipeline_stages(&self, _: &str) -> BackendResult<Vec<PipelineStage>> {
        never()
    }
}
