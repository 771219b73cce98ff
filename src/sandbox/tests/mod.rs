//! Store-level tests of the sandbox rules, through the backend trait on temp files.

mod batches;
mod concurrency;
mod lifecycle;
mod poison;
mod relations;
mod schema_writes;
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

pub(super) fn search_req(filters: Vec<Filter>) -> SearchRequest {
    SearchRequest {
        filter_groups: vec![FilterGroup { filters }],
        ..SearchRequest::default()
    }
}
