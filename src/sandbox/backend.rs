//! [`TicketsBackend`] for [`Sandbox`]: each endpoint runs its store function off the executor,
//! reads on a reader connection and writes in one writer transaction (schema writes through
//! `write_schema`). The endpoints themselves live beside their rules (`reads`, `writes`,
//! `batch`, `search`, `merge`, `assoc::endpoints`, `properties`, `pipelines`, `owners`); this
//! file only dispatches.

use async_trait::async_trait;

use super::assoc::endpoints as associations;
use super::schema::object_catalog;
use super::store::Sandbox;
use super::{
    assoc_labels, batch, merge, objects, owners, pipelines, properties, reads, search, writes,
};
use crate::backend::{BackendResult, PropertyAnswer, PropertyCall, TicketsBackend};
use crate::model::{
    AccountDetails, AssociatedIdPage, AssociationBatchItem, AssociationLabelCreate,
    AssociationLabelUpdate, AssociationSpec, AssociationSpecWithLabel, BatchCreateItem, BatchInput,
    BatchReadInput, BatchResponse, BatchUpdateItem, CreateInput, GetParams, IdInput,
    LabelsBetweenObjectPair, ListParams, MergeInput, MultiAssociatedObjectWithLabel, Owner,
    OwnerIdProperty, OwnerQuery, Page, Pipeline, PipelineInput, PipelinePatch, PipelineStage,
    Property, PropertyBatchRead, PropertyCreate, PropertyGroup, PropertyGroupCreate,
    PropertyGroupUpdate, PropertyName, PropertyUpdate, SearchPage, SearchRequest, StageInput,
    StagePatch, Ticket, UpdateInput, UpsertResult,
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
        self.run(move |i| i.read(|c, cat| reads::list(c, cat, &params)))
            .await
    }

    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket> {
        let (id, params) = (id.to_string(), params.clone());
        self.run(move |i| i.read(|c, cat| reads::get(c, cat, &id, &params)))
            .await
    }

    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        let input = input.clone();
        self.run(move |i| i.write(|c, cat| writes::create(c, cat, &input)))
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
        self.run(move |i| i.write(|c, cat| writes::update(c, cat, &id, &input, idp.as_deref())))
            .await
    }

    async fn archive(&self, id: &str) -> BackendResult<()> {
        let id = id.to_string();
        self.run(move |i| i.write(|c, cat| writes::archive(c, cat, &id)))
            .await
    }

    async fn batch_read(
        &self,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.read(|c, cat| reads::batch_read(c, cat, &input, archived)))
            .await
    }

    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.write(|c, cat| batch::create(c, cat, &input)))
            .await
    }

    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.write(|c, cat| batch::update(c, cat, &input)))
            .await
    }

    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        let input = input.clone();
        self.run(move |i| i.write(|c, cat| batch::upsert(c, cat, &input)))
            .await
    }

    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        let input = input.clone();
        self.run(move |i| i.write(|c, cat| batch::archive(c, cat, &input)))
            .await
    }

    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage> {
        let request = request.clone();
        self.run(move |i| {
            i.read_slot(|c, cat, slot| {
                search::search(c, cat, &request, &i.counts, slot, i.search_cutoff())
            })
        })
        .await
    }

    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        let input = input.clone();
        self.run(move |i| i.write(|c, cat| merge::merge(c, cat, &input)))
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
            i.write(|c, cat| associations::associate(c, cat, &id, &to_type, &to_id, &type_id))
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
            i.write(|c, cat| associations::dissociate(c, cat, &id, &to_type, &to_id, &type_id))
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
        self.run(move |i| i.read(|c, cat| associations::list(c, cat, &id, &to_type, window)))
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
            i.write(|c, cat| associations::associate_v4(c, cat, &id, &to_type, &to_id, &types))
        })
        .await
    }

    async fn dissociate_v4(&self, id: &str, to_type: &str, to_id: &str) -> BackendResult<()> {
        let (id, to_type, to_id) = (id.to_string(), to_type.to_string(), to_id.to_string());
        self.run(move |i| {
            i.write(|c, cat| associations::dissociate_v4(c, cat, &id, &to_type, &to_id))
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
            i.write(|c, cat| associations::batch_associate_v4(c, cat, &to_type, &input))
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
            i.write(|c, cat| associations::batch_dissociate_v4(c, cat, &to_type, &input))
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
        self.run(move |i| i.read(|c, cat| associations::list_v4(c, cat, &id, &to_type, window)))
            .await
    }

    async fn properties(&self) -> BackendResult<Vec<Property>> {
        self.run(|i| i.read(|_, cat| Ok(properties::list(cat, false))))
            .await
    }

    async fn property(&self, name: &str) -> BackendResult<Property> {
        let name = name.to_string();
        self.run(move |i| i.read(|_, cat| properties::get(cat, &name, false)))
            .await
    }

    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        self.run(|i| i.read(|_, cat| Ok(cat.pipelines().to_vec())))
            .await
    }

    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        let id = id.to_string();
        self.run(move |i| i.read(|_, cat| pipelines::get(cat, &id).cloned()))
            .await
    }

    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        Ok(self.pipeline(id).await?.stages)
    }

    async fn archived_properties(&self) -> BackendResult<Vec<Property>> {
        self.run(|i| i.read(|_, cat| Ok(properties::list(cat, true))))
            .await
    }

    async fn create_property(&self, input: &PropertyCreate) -> BackendResult<Property> {
        let input = input.clone();
        self.run(move |i| i.write_schema(|c, cat| properties::create(c, cat, &input)))
            .await
    }

    async fn update_property(&self, name: &str, input: &PropertyUpdate) -> BackendResult<Property> {
        let (name, input) = (name.to_string(), input.clone());
        self.run(move |i| i.write_schema(|c, cat| properties::update(c, cat, &name, &input)))
            .await
    }

    async fn archive_property(&self, name: &str) -> BackendResult<()> {
        let name = name.to_string();
        self.run(move |i| i.write_schema(|c, cat| properties::archive(c, cat, &name)))
            .await
    }

    async fn batch_read_properties(
        &self,
        input: &PropertyBatchRead,
    ) -> BackendResult<BatchResponse<Property>> {
        let input = input.clone();
        self.run(move |i| i.read(|_, cat| Ok(properties::batch_read(cat, &input))))
            .await
    }

    async fn batch_create_properties(
        &self,
        input: &BatchInput<PropertyCreate>,
    ) -> BackendResult<BatchResponse<Property>> {
        let input = input.clone();
        self.run(move |i| i.write_schema(|c, cat| properties::batch_create(c, cat, &input)))
            .await
    }

    async fn batch_archive_properties(
        &self,
        input: &BatchInput<PropertyName>,
    ) -> BackendResult<()> {
        let input = input.clone();
        self.run(move |i| i.write_schema(|c, cat| properties::batch_archive(c, cat, &input)))
            .await
    }

    async fn create_pipeline(&self, input: &PipelineInput) -> BackendResult<Pipeline> {
        let input = input.clone();
        self.run(move |i| i.write_schema(|c, cat| pipelines::create(c, cat, &input)))
            .await
    }

    async fn replace_pipeline(&self, id: &str, input: &PipelineInput) -> BackendResult<Pipeline> {
        let (id, input) = (id.to_string(), input.clone());
        self.run(move |i| i.write_schema(|c, cat| pipelines::replace(c, cat, &id, &input)))
            .await
    }

    async fn update_pipeline(&self, id: &str, input: &PipelinePatch) -> BackendResult<Pipeline> {
        let (id, input) = (id.to_string(), input.clone());
        self.run(move |i| i.write_schema(|c, cat| pipelines::update(c, cat, &id, &input)))
            .await
    }

    async fn delete_pipeline(&self, id: &str) -> BackendResult<()> {
        let id = id.to_string();
        self.run(move |i| i.write_schema(|c, cat| pipelines::delete(c, cat, &id)))
            .await
    }

    async fn create_stage(&self, id: &str, input: &StageInput) -> BackendResult<PipelineStage> {
        let (id, input) = (id.to_string(), input.clone());
        self.run(move |i| i.write_schema(|c, cat| pipelines::create_stage(c, cat, &id, &input)))
            .await
    }

    async fn replace_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StageInput,
    ) -> BackendResult<PipelineStage> {
        let (id, stage, input) = (id.to_string(), stage.to_string(), input.clone());
        self.run(move |i| {
            i.write_schema(|c, cat| {
                pipelines::update_stage(c, cat, &id, &stage, &input.clone().into(), true)
            })
        })
        .await
    }

    async fn update_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StagePatch,
    ) -> BackendResult<PipelineStage> {
        let (id, stage, input) = (id.to_string(), stage.to_string(), input.clone());
        self.run(move |i| {
            i.write_schema(|c, cat| pipelines::update_stage(c, cat, &id, &stage, &input, false))
        })
        .await
    }

    async fn delete_stage(&self, id: &str, stage: &str) -> BackendResult<()> {
        let (id, stage) = (id.to_string(), stage.to_string());
        self.run(move |i| i.write_schema(|c, cat| pipelines::delete_stage(c, cat, &id, &stage)))
            .await
    }

    async fn association_labels(
        &self,
        from: &str,
        to: &str,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        let (from, to) = (from.to_string(), to.to_string());
        self.run(move |i| i.read(|_, cat| assoc_labels::list(cat, &from, &to)))
            .await
    }

    async fn create_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelCreate,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        let (from, to, input) = (from.to_string(), to.to_string(), input.clone());
        self.run(move |i| i.write_schema(|c, cat| assoc_labels::create(c, cat, &from, &to, &input)))
            .await
    }

    async fn update_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelUpdate,
    ) -> BackendResult<()> {
        let (from, to, input) = (from.to_string(), to.to_string(), input.clone());
        self.run(move |i| i.write_schema(|c, cat| assoc_labels::update(c, cat, &from, &to, &input)))
            .await
    }

    async fn delete_association_label(
        &self,
        from: &str,
        to: &str,
        type_id: i32,
    ) -> BackendResult<()> {
        let (from, to, type_id) = (from.to_string(), to.to_string(), type_id);
        self.run(move |i| {
            i.write_schema(|c, cat| assoc_labels::delete(c, cat, &from, &to, type_id))
        })
        .await
    }

    async fn object_property_call(
        &self,
        object_type: &str,
        call: PropertyCall,
    ) -> BackendResult<PropertyAnswer> {
        let ty = object_type.to_string();
        self.run(move |i| properties::call(i, &ty, call)).await
    }

    async fn property_groups(&self) -> BackendResult<Vec<PropertyGroup>> {
        self.run(|i| i.read(|_, cat| Ok(properties::groups(cat))))
            .await
    }

    async fn property_group(&self, name: &str) -> BackendResult<PropertyGroup> {
        let name = name.to_string();
        self.run(move |i| i.read(|_, cat| properties::group(cat, &name)))
            .await
    }

    async fn create_property_group(
        &self,
        input: &PropertyGroupCreate,
    ) -> BackendResult<PropertyGroup> {
        let input = input.clone();
        self.run(move |i| i.write_schema(|c, cat| properties::create_group(c, cat, &input)))
            .await
    }

    async fn update_property_group(
        &self,
        name: &str,
        input: &PropertyGroupUpdate,
    ) -> BackendResult<PropertyGroup> {
        let (name, input) = (name.to_string(), input.clone());
        self.run(move |i| i.write_schema(|c, cat| properties::update_group(c, cat, &name, &input)))
            .await
    }

    async fn archive_property_group(&self, name: &str) -> BackendResult<()> {
        let name = name.to_string();
        self.run(move |i| i.write_schema(|c, cat| properties::archive_group(c, cat, &name)))
            .await
    }

    async fn owners(&self, query: &OwnerQuery) -> BackendResult<Page<Owner>> {
        let query = query.clone();
        self.run(move |i| i.read(|_, cat| owners::list(cat, &query)))
            .await
    }

    async fn owner(
        &self,
        id: &str,
        id_property: OwnerIdProperty,
        archived: bool,
    ) -> BackendResult<Owner> {
        let id = id.to_string();
        self.run(move |i| i.read(|_, cat| owners::get(cat, &id, id_property, archived)))
            .await
    }

    async fn account_details(&self) -> BackendResult<AccountDetails> {
        Ok(super::sandbox_account())
    }

    async fn object_get(
        &self,
        object_type: &str,
        id: &str,
        params: &GetParams,
    ) -> BackendResult<Ticket> {
        let (ty, id, params) = (object_type.to_string(), id.to_string(), params.clone());
        self.run(move |i| i.read(|c, cat| reads::get(c, &object_catalog(cat, &ty)?, &id, &params)))
            .await
    }

    async fn object_list(
        &self,
        object_type: &str,
        params: &ListParams,
    ) -> BackendResult<Page<Ticket>> {
        let (ty, params) = (object_type.to_string(), params.clone());
        self.run(move |i| i.read(|c, cat| reads::list(c, &object_catalog(cat, &ty)?, &params)))
            .await
    }

    async fn object_create(&self, object_type: &str, input: &CreateInput) -> BackendResult<Ticket> {
        let (ty, input) = (object_type.to_string(), input.clone());
        self.run(move |i| i.write(|c, cat| objects::create(c, &object_catalog(cat, &ty)?, &input)))
            .await
    }

    async fn object_update(
        &self,
        object_type: &str,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        let (ty, id, input, idp) = (
            object_type.to_string(),
            id.to_string(),
            input.clone(),
            id_property.map(str::to_string),
        );
        self.run(move |i| {
            i.write(|c, cat| {
                objects::update(c, &object_catalog(cat, &ty)?, &id, &input, idp.as_deref())
            })
        })
        .await
    }

    async fn object_archive(&self, object_type: &str, id: &str) -> BackendResult<()> {
        let (ty, id) = (object_type.to_string(), id.to_string());
        self.run(move |i| i.write(|c, cat| objects::archive(c, &object_catalog(cat, &ty)?, &id)))
            .await
    }

    async fn object_batch_read(
        &self,
        object_type: &str,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let (ty, input) = (object_type.to_string(), input.clone());
        self.run(move |i| {
            i.read(|c, cat| reads::batch_read(c, &object_catalog(cat, &ty)?, &input, archived))
        })
        .await
    }

    async fn object_search(
        &self,
        object_type: &str,
        request: &SearchRequest,
    ) -> BackendResult<SearchPage> {
        let (ty, request) = (object_type.to_string(), request.clone());
        self.run(move |i| {
            i.read_slot(|c, cat, slot| {
                search::search(
                    c,
                    &object_catalog(cat, &ty)?,
                    &request,
                    &i.counts,
                    slot,
                    i.search_cutoff(),
                )
            })
        })
        .await
    }

    async fn batch_read_associations_v4(
        &self,
        to_type: &str,
        input: &BatchInput<IdInput>,
    ) -> BackendResult<BatchResponse<crate::model::AssociationsOf>> {
        let (to_type, input) = (to_type.to_string(), input.clone());
        self.run(move |i| i.read(|c, cat| associations::batch_read_v4(c, cat, &to_type, &input)))
            .await
    }
}
