//! Store-level tests of the sandbox rules, through the backend trait on temp files.

mod batches;
mod concurrency;
mod lifecycle;
mod objects;
mod poison;
mod relations;
mod schema_writes;
mod search_lag;
mod writes;

pub(super) use std::sync::Arc;

pub(super) use super::*;
pub(super) use crate::backend::{BackendError, TicketsBackend};
pub(super) use crate::model::*;

pub(super) fn fresh(n: usize) -> (tempfile::TempDir, Sandbox) {
    crate::test_support::seeded_sandbox(n, 7)
}

pub(super) fn status(e: BackendError) -> u16 {
    e.http_status().unwrap_or(0)
}

pub(super) fn props(pairs: &[(&str, &str)]) -> InputProperties {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

pub(super) async fn create(sb: &Sandbox, pairs: &[(&str, &str)]) -> Ticket {
    sb.create(&CreateInput {
        properties: props(pairs),
        associations: vec![],
    })
    .await
    .unwrap()
}

/// Creates a record of another stored type (`contacts`, `companies`, `notes`, `tasks`); notes
/// and tasks get the `hs_timestamp` they need.
pub(super) async fn record(sb: &Sandbox, ty: &str, pairs: &[(&str, &str)]) -> Ticket {
    let mut properties = props(pairs);
    if matches!(ty, "notes" | "tasks") && !properties.contains_key("hs_timestamp") {
        properties
            .0
            .insert("hs_timestamp".into(), "1700000000000".into());
    }
    sb.object_create(
        ty,
        &CreateInput {
            properties,
            associations: vec![],
        },
    )
    .await
    .unwrap()
}

pub(super) fn search_req(filters: Vec<Filter>) -> SearchRequest {
    SearchRequest {
        filter_groups: vec![FilterGroup { filters }],
        ..SearchRequest::default()
    }
}
