//! [`OfflineBackend`]: a backend that reaches nothing, for building a script engine that is only
//! compiled or inspected (`hubscript check`, the generated API reference) and never runs a call.
//!
//! Every endpoint answers the same clear [`BackendError::Transport`] error at once; nothing here
//! touches the network, the sandbox or the state file, and nothing panics.

use async_trait::async_trait;

use super::{BackendError, BackendResult, TicketsBackend};
use crate::model::{
    AssociatedIdPage, AssociationSpec, BatchCreateItem, BatchInput, BatchReadInput, BatchResponse,
    BatchUpdateItem, CreateInput, GetParams, IdInput, LabelsBetweenObjectPair, ListParams,
    MergeInput, MultiAssociatedObjectWithLabel, Owner, OwnerIdProperty, OwnerQuery, Page, Pipeline,
    PipelineStage, Property, SearchPage, SearchRequest, Ticket, UpdateInput, UpsertResult,
};

/// What [`OfflineBackend::describe`] says.
const DESCRIPTION: &str = "offline (no backend)";

/// A [`TicketsBackend`] with no backend behind it: every call fails with [`offline_error`].
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineBackend;

/// The error every [`OfflineBackend`] call answers with.
pub fn offline_error() -> BackendError {
    BackendError::Transport {
        url: "offline".into(),
        message: "no backend: this engine only compiles scripts".into(),
    }
}

fn offline<T>() -> BackendResult<T> {
    Err(offline_error())
}

#[async_trait]
impl TicketsBackend for OfflineBackend {
    fn describe(&self) -> String {
        DESCRIPTION.into()
    }
    async fn list(&self, _: &ListParams) -> BackendResult<Page<Ticket>> {
        offline()
    }
    async fn get(&self, _: &str, _: &GetParams) -> BackendResult<Ticket> {
        offline()
    }
    async fn create(&self, _: &CreateInput) -> BackendResult<Ticket> {
        offline()
    }
    async fn update(&self, _: &str, _: &UpdateInput, _: Option<&str>) -> BackendResult<Ticket> {
        offline()
    }
    async fn archive(&self, _: &str) -> BackendResult<()> {
        offline()
    }
    async fn batch_read(
        &self,
        _: &BatchReadInput,
        _: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        offline()
    }
    async fn batch_create(
        &self,
        _: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        offline()
    }
    async fn batch_update(
        &self,
        _: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        offline()
    }
    async fn batch_upsert(
        &self,
        _: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        offline()
    }
    async fn batch_archive(&self, _: &BatchInput<IdInput>) -> BackendResult<()> {
        offline()
    }
    async fn search(&self, _: &SearchRequest) -> BackendResult<SearchPage> {
        offline()
    }
    async fn merge(&self, _: &MergeInput) -> BackendResult<Ticket> {
        offline()
    }
    async fn associate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<Ticket> {
        offline()
    }
    async fn dissociate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<()> {
        offline()
    }
    async fn associations(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        offline()
    }
    async fn associate_v4(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        offline()
    }
    async fn dissociate_v4(&self, _: &str, _: &str, _: &str) -> BackendResult<()> {
        offline()
    }
    async fn associations_v4(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        offline()
    }
    async fn properties(&self) -> BackendResult<Vec<Property>> {
        offline()
    }
    async fn property(&self, _: &str) -> BackendResult<Property> {
        offline()
    }
    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        offline()
    }
    async fn pipeline(&self, _: &str) -> BackendResult<Pipeline> {
        offline()
    }
    async fn pipeline_stages(&self, _: &str) -> BackendResult<Vec<PipelineStage>> {
        offline()
    }
    async fn owners(&self, _: &OwnerQuery) -> BackendResult<Page<Owner>> {
        offline()
    }
    async fn owner(&self, _: &str, _: OwnerIdProperty, _: bool) -> BackendResult<Owner> {
        offline()
    }
    async fn object_get(&self, _: &str, _: &str, _: &GetParams) -> BackendResult<Ticket> {
        offline()
    }
    async fn object_list(&self, _: &str, _: &ListParams) -> BackendResult<Page<Ticket>> {
        offline()
    }
    async fn object_create(&self, _: &str, _: &CreateInput) -> BackendResult<Ticket> {
        offline()
    }
    async fn object_update(
        &self,
        _: &str,
        _: &str,
        _: &UpdateInput,
        _: Option<&str>,
    ) -> BackendResult<Ticket> {
        offline()
    }
    async fn object_archive(&self, _: &str, _: &str) -> BackendResult<()> {
        offline()
    }
    async fn object_batch_read(
        &self,
        _: &str,
        _: &BatchReadInput,
        _: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        offline()
    }
    async fn object_search(&self, _: &str, _: &SearchRequest) -> BackendResult<SearchPage> {
        offline()
    }
    async fn batch_read_associations_v4(
        &self,
        _: &str,
        _: &BatchInput<IdInput>,
    ) -> BackendResult<BatchResponse<crate::model::AssociationsOf>> {
        offline()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_offline(e: &BackendError) -> bool {
        matches!(e, BackendError::Transport { url, message }
            if url == "offline" && message.contains("only compiles scripts"))
    }

    #[tokio::test]
    async fn every_kind_of_call_fails_with_the_offline_error() {
        let b = OfflineBackend;
        assert_eq!(b.describe(), "offline (no backend)");
        assert!(!b.is_live());
        let errors = [
            b.list(&ListParams::default()).await.unwrap_err(),
            b.get("1", &GetParams::default()).await.unwrap_err(),
            b.archive("1").await.unwrap_err(),
            b.search(&SearchRequest::default()).await.unwrap_err(),
            b.batch_archive(&BatchInput { inputs: vec![] })
                .await
                .unwrap_err(),
            b.dissociate_v4("1", "contacts", "2").await.unwrap_err(),
            b.pipelines().await.unwrap_err(),
            b.property("subject").await.unwrap_err(),
        ];
        for e in &errors {
            assert!(is_offline(e), "{e:?}");
            assert_eq!(e.http_status(), None);
            assert!(e.to_string().contains("no backend"), "{e}");
        }
    }
}
