//! [`TicketsBackend`] for [`Sandbox`]: each endpoint runs its store function off the executor,
//! reads on a reader connection and writes in one writer transaction. The endpoints themselves
//! live beside their rules (`reads`, `writes`, `batch`, `search`, `merge`,
//! `assoc::endpoints`); only the definition endpoints, which read the in-memory catalog, are
//! answered here.

use async_trait::async_trait;

use super::assoc::endpoints as associations;
use super::store::Sandbox;
use super::{batch, merge, reads, search, writes};
use crate::backend::{BackendResult, TicketsBackend};
use crate::model::{
    AccountDetails, ApiError, AssociatedIdPage, AssociationBatchItem, AssociationSpec,
    BatchCreateItem, BatchInput, BatchReadInput, BatchResponse, BatchUpdateItem, CreateInput,
    GetParams, IdInput, LabelsBetweenObjectPair, ListParams, MergeInput,
    MultiAssociatedObjectWithLabel, Page, Pipeline, PipelineStage, Property, SearchPage,
    SearchRequest, Ticket, UpdateInput, UpsertResult,
};

#[async_trait]
impl TicketsBackend for Sandbox {
    fn describe(&self) -> String {
        format!("sandbox {}", self.path().display())
    }

    fn kind(&self) -> &'static str {
        "sandbox"
    }

    fn location(&self) -> String {
        self.path().display().to_string()
    }

    async fn list(&self, params: &ListParams) -> BackendResult<Page<Ticket>> {
        let params = params.clone();
        self.run(move |i| i.read(|c| reads::list(c, &i.catalog, &params)))
            .await
    }

    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket> {
        let (id, params) = (id.to_string(), params.clone());
        self.run(move |i| i.read(|c| reads::get(c, &i.catalog, &id, &params)))
            .await
    }

    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        let input = input.clone();
        self.run(move |i| i.write(|c| writes::create(c, &i.catalog, &input)))
            .await
    }

    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        let (id, input, idp) = (
            id.to_string(),
            input.clone(),
            id_property.map(str::to_string),
        );
        self.run(move |i| i.write(|c| writes::update(c, &i.catalog, &id, &input, idp.as_deref())))
            .await
    }

    async fn archive(&self, id: &str) -> BackendResult<()> {
        let id = id.to_string();
        self.run(move |i| i.write(|c| writes::archive(c, &i.catalog, &id)))
            .await
    }

    async fn batch_read(
        &self,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.read(|c| reads::batch_read(c, &i.catalog, &input, archived)))
            .await
    }

    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.write(|c| batch::create(c, &i.catalog, &input)))
            .await
    }

    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.write(|c| batch::update(c, &i.catalog, &input)))
            .await
    }

    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        let input = input.clone();
        self.run(move |i| i.write(|c| batch::upsert(c, &i.catalog, &input)))
            .await
    }

    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        let input = input.clone();
        self.run(move |i| i.write(|c| batch::archive(c, &i.catalog, &input)))
            .await
    }

    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage> {
        let request = request.clone();
        self.run(move |i| i.read(|c| search::search(c, &i.catalog, &request)))
            .await
    }

    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        let input = input.clone();
        self.run(move |i| i.write(|c| merge::merge(c, &i.catalog, &input)))
            .await
    }

    async fn associate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<Ticket> {
        let (id, to_type, to_id, type_id) = (
            id.to_string(),
            to_type.to_string(),
            to_id.to_string(),
            type_id.to_string(),
        );
        self.run(move |i| {
            i.write(|c| associations::associate(c, &i.catalog, &id, &to_type, &to_id, &type_id))
        })
        .await
    }

    async fn dissociate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<()> {
        let (id, to_type, to_id, type_id) = (
            id.to_string(),
            to_type.to_string(),
            to_id.to_string(),
            type_id.to_string(),
        );
        self.run(move |i| {
            i.write(|c| associations::dissociate(c, &i.catalog, &id, &to_type, &to_id, &type_id))
        })
        .await
    }

    async fn associations(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        let window = associations::page_window(after, limit)?;
        let (id, to_type) = (id.to_string(), to_type.to_string());
        self.run(move |i| i.read(|c| associations::list(c, &i.catalog, &id, &to_type, window)))
            .await
    }

    async fn associate_v4(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        types: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        let (id, to_type, to_id, types) = (
            id.to_string(),
            to_type.to_string(),
            to_id.to_string(),
            types.to_vec(),
        );
        self.run(move |i| {
            i.write(|c| associations::associate_v4(c, &i.catalog, &id, &to_type, &to_id, &types))
        })
        .await
    }

    async fn dissociate_v4(&self, id: &str, to_type: &str, to_id: &str) -> BackendResult<()> {
        let (id, to_type, to_id) = (id.to_string(), to_type.to_string(), to_id.to_string());
        self.run(move |i| {
            i.write(|c| associations::dissociate_v4(c, &i.catalog, &id, &to_type, &to_id))
        })
        .await
    }

    async fn batch_associate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<BatchResponse<LabelsBetweenObjectPair>> {
        let (to_type, input) = (to_type.to_string(), input.clone());
        self.run(move |i| {
            i.write(|c| associations::batch_associate_v4(c, &i.catalog, &to_type, &input))
        })
        .await
    }

    async fn batch_dissociate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<()> {
        let (to_type, input) = (to_type.to_string(), input.clone());
        self.run(move |i| {
            i.write(|c| associations::batch_dissociate_v4(c, &i.catalog, &to_type, &input))
        })
        .await
    }

    async fn associations_v4(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        let window = associations::page_window(after, limit)?;
        let (id, to_type) = (id.to_string(), to_type.to_string());
        self.run(move |i| i.read(|c| associations::list_v4(c, &i.catalog, &id, &to_type, window)))
            .await
    }

    async fn properties(&self) -> BackendResult<Vec<Property>> {
        Ok(self
            .inner
            .catalog
            .props()
            .filter(|p| !p.def.archived)
            .map(|p| p.def.clone())
            .collect())
    }

    async fn property(&self, name: &str) -> BackendResult<Property> {
        self.inner
            .catalog
            .prop(name)
            .filter(|p| !p.def.archived)
            .map(|p| p.def.clone())
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Unable to find property {name} for object type tickets"
                ))
                .into()
            })
    }

    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        Ok(self.inner.catalog.pipelines().to_vec())
    }

    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        self.inner
            .catalog
            .pipeline(id)
            .filter(|p| !p.archived)
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Unable to find pipeline {id} for object type tickets"
                ))
                .into()
            })
    }

    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        Ok(self.pipeline(id).await?.stages)
    }

    async fn account_details(&self) -> BackendResult<AccountDetails> {
        Ok(super::sandbox_account())
    }
}
