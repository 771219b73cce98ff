//! The one interface every part of hubscript talks to tickets through, and its error type.
//!
//! Two implementations exist: [`crate::hubspot::HubspotClient`] (HTTP, to HubSpot or to any
//! server speaking its API such as `hubscript serve`) and [`crate::sandbox::Sandbox`] (the local
//! SQLite store, in process). Each method is one HubSpot endpoint with HubSpot's own request and
//! response shapes, so the two are interchangeable and one contract suite covers both. Paging and
//! batch splitting, which are the same for every backend, live beside the trait.

pub mod batching;
mod counted;
mod error;
#[cfg(test)]
pub(crate) mod fake;
mod offline;
pub mod paging;
pub mod property_call;

pub use counted::{note_retry, CallCounts, CallStats, Counted};
pub use error::BackendError;
pub use offline::{offline_error, OfflineBackend};
pub use property_call::{PropertyAnswer, PropertyCall};

use async_trait::async_trait;

use crate::model::{
    AccountDetails, AssociatedIdPage, AssociationBatchItem, AssociationLabelCreate,
    AssociationLabelUpdate, AssociationSpec, AssociationSpecWithLabel, AssociationsOf,
    BatchCreateItem, BatchInput, BatchReadInput, BatchResponse, BatchUpdateItem, CreateInput,
    GetParams, IdInput, LabelsBetweenObjectPair, ListParams, MergeInput,
    MultiAssociatedObjectWithLabel, Owner, OwnerIdProperty, OwnerQuery, Page, Pipeline,
    PipelineInput, PipelinePatch, PipelineStage, Property, PropertyBatchRead, PropertyCreate,
    PropertyGroup, PropertyGroupCreate, PropertyGroupUpdate, PropertyName, PropertyUpdate,
    SearchPage, SearchRequest, StageInput, StagePatch, Ticket, UpdateInput, UpsertResult,
};

/// Result of a backend call.
pub type BackendResult<T> = Result<T, BackendError>;

/// What the schema endpoints answer on a backend without them (the in-memory test fakes).
fn no_schema_api() -> BackendError {
    crate::model::ApiError::not_found("this backend has no schema API").into()
}

/// The answer of a backend that stores tickets only, to a call on another object type.
pub fn no_objects(object_type: &str) -> BackendError {
    crate::model::ApiError::not_found(format!("this backend has no {object_type} (only tickets)"))
        .into()
}

/// The tickets API, endpoint by endpoint. Methods take `&self` and are safe to call from many
/// tasks at once.
#[async_trait]
pub trait TicketsBackend: Send + Sync {
    /// Where calls go, for the "using ..." line at start: a sandbox path or a base URL. Never
    /// contains the access token.
    fn describe(&self) -> String;

    /// Whether writes reach a live HubSpot portal (runs then default to a write cap).
    fn is_live(&self) -> bool {
        false
    }

    /// What kind of backend, for the run record: `sandbox` (a local file), `server` (a
    /// HubSpot-compatible URL) or `hubspot` (HubSpot's own API).
    fn kind(&self) -> &'static str {
        "server"
    }

    /// The sandbox file or base URL (never the token).
    fn location(&self) -> String {
        self.describe()
    }

    /// `GET /crm/v3/objects/tickets`.
    async fn list(&self, params: &ListParams) -> BackendResult<Page<Ticket>>;
    /// `GET /crm/v3/objects/tickets/{id}`.
    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket>;
    /// `POST /crm/v3/objects/tickets` (201).
    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket>;
    /// `PATCH /crm/v3/objects/tickets/{id}[?idProperty=]`.
    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket>;
    /// `DELETE /crm/v3/objects/tickets/{id}` (204, to the recycle bin).
    async fn archive(&self, id: &str) -> BackendResult<()>;

    /// `POST .../batch/read[?archived=]` (at most 100 inputs).
    async fn batch_read(
        &self,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>>;
    /// `POST .../batch/create` (at most 100 inputs).
    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>>;
    /// `POST .../batch/update` (at most 100 inputs).
    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>>;
    /// `POST .../batch/upsert` (at most 100 inputs, each with `idProperty`).
    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>>;
    /// `POST .../batch/archive` (204; at most 100 inputs).
    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()>;

    /// `POST .../search`: one page.
    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage>;
    /// `POST .../merge`.
    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket>;

    /// v3 `PUT .../{id}/associations/{toType}/{toId}/{typeId}`: returns the ticket with its
    /// associations of `to_type`.
    async fn associate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<Ticket>;
    /// v3 `DELETE .../{id}/associations/{toType}/{toId}/{typeId}` (204).
    async fn dissociate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<()>;
    /// v3 `GET .../{id}/associations/{toType}`.
    async fn associations(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<AssociatedIdPage>;

    /// v4 `PUT /crm/v4/objects/tickets/{id}/associations/{toType}/{toId}` (201).
    async fn associate_v4(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        types: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair>;
    /// v4 `DELETE /crm/v4/objects/tickets/{id}/associations/{toType}/{toId}` (204; removes
    /// every association between the pair).
    async fn dissociate_v4(&self, id: &str, to_type: &str, to_id: &str) -> BackendResult<()>;
    /// v4 `GET /crm/v4/objects/tickets/{id}/associations/{toType}` (limit default and max 500).
    async fn associations_v4(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>>;

    /// v4 `POST /crm/v4/associations/tickets/{toType}/batch/create` (201, or 207 with per-input
    /// errors; at most 100 inputs here, our choice, like every other batch). The default, for
    /// backends without the endpoint (test fakes), makes one v4 PUT per input.
    async fn batch_associate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<BatchResponse<LabelsBetweenObjectPair>> {
        let started = chrono::Utc::now();
        let mut results = Vec::with_capacity(input.inputs.len());
        for item in &input.inputs {
            results.push(
                self.associate_v4(&item.from.id, to_type, &item.to.id, &item.types)
                    .await?,
            );
        }
        Ok(BatchResponse::complete(results, started))
    }

    /// v4 `POST /crm/v4/associations/tickets/{toType}/batch/labels/archive` (204): removes the
    /// given types of each pair (others between the pair stay). The default makes one v3
    /// DELETE per type.
    async fn batch_dissociate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<()> {
        for item in &input.inputs {
            for t in &item.types {
                self.dissociate(
                    &item.from.id,
                    to_type,
                    &item.to.id,
                    &t.association_type_id.to_string(),
                )
                .await?;
            }
        }
        Ok(())
    }

    /// v4 `POST /crm/v4/associations/tickets/{toType}/batch/read`: each ticket's associated
    /// records of `to_type` (the first page of 500; a ticket that does not exist is a per-input
    /// error). The default, for backends without the endpoint, makes one v4 list per ticket.
    async fn batch_read_associations_v4(
        &self,
        to_type: &str,
        input: &BatchInput<IdInput>,
    ) -> BackendResult<BatchResponse<AssociationsOf>> {
        let started = chrono::Utc::now();
        let mut results = Vec::with_capacity(input.inputs.len());
        for i in &input.inputs {
            let page = self.associations_v4(&i.id, to_type, None, None).await?;
            results.push(AssociationsOf {
                from: crate::model::ObjectIdRef { id: i.id.clone() },
                to: page.results,
                paging: page.paging,
            });
        }
        Ok(BatchResponse::complete(results, started))
    }

    /// `GET /crm/v3/properties/tickets`.
    async fn properties(&self) -> BackendResult<Vec<Property>>;
    /// `GET /crm/v3/properties/tickets/{name}`.
    async fn property(&self, name: &str) -> BackendResult<Property>;
    /// `GET /crm/v3/pipelines/tickets`.
    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>>;
    /// `GET /crm/v3/pipelines/tickets/{id}`.
    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline>;
    /// `GET /crm/v3/pipelines/tickets/{id}/stages`.
    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>>;

    /// `GET /crm/v3/properties/{objectType}`: the active property definitions of any stored
    /// type (`companies`, `contacts`, ...); [`TicketsBackend::object_property_call`]'s list,
    /// so a backend implements (and a wrapper forwards) only that.
    async fn object_properties(&self, object_type: &str) -> BackendResult<Vec<Property>> {
        match self
            .object_property_call(object_type, PropertyCall::List { archived: false })
            .await?
        {
            PropertyAnswer::Properties(p) => Ok(p),
            other => Err(other.unexpected()),
        }
    }

    /// `GET /crm/v3/properties/tickets?archived=true`.
    async fn archived_properties(&self) -> BackendResult<Vec<Property>> {
        Err(no_schema_api())
    }
    /// `POST /crm/v3/properties/tickets` (201).
    async fn create_property(&self, input: &PropertyCreate) -> BackendResult<Property> {
        let _ = (input,);
        Err(no_schema_api())
    }
    /// `PATCH /crm/v3/properties/tickets/{propertyName}`.
    async fn update_property(&self, name: &str, input: &PropertyUpdate) -> BackendResult<Property> {
        let _ = (name, input);
        Err(no_schema_api())
    }
    /// `DELETE /crm/v3/properties/tickets/{propertyName}` (204).
    async fn archive_property(&self, name: &str) -> BackendResult<()> {
        let _ = (name,);
        Err(no_schema_api())
    }
    /// `POST /crm/v3/properties/tickets/batch/read` (207 when some are missing).
    async fn batch_read_properties(
        &self,
        input: &PropertyBatchRead,
    ) -> BackendResult<BatchResponse<Property>> {
        let _ = (input,);
        Err(no_schema_api())
    }
    /// `POST /crm/v3/properties/tickets/batch/create` (201).
    async fn batch_create_properties(
        &self,
        input: &BatchInput<PropertyCreate>,
    ) -> BackendResult<BatchResponse<Property>> {
        let _ = (input,);
        Err(no_schema_api())
    }
    /// `POST /crm/v3/properties/tickets/batch/archive` (204).
    async fn batch_archive_properties(
        &self,
        input: &BatchInput<PropertyName>,
    ) -> BackendResult<()> {
        let _ = (input,);
        Err(no_schema_api())
    }
    /// `POST /crm/v3/pipelines/tickets` (201).
    async fn create_pipeline(&self, input: &PipelineInput) -> BackendResult<Pipeline> {
        let _ = (input,);
        Err(no_schema_api())
    }
    /// `PUT /crm/v3/pipelines/tickets/{pipelineId}`.
    async fn replace_pipeline(&self, id: &str, input: &PipelineInput) -> BackendResult<Pipeline> {
        let _ = (id, input);
        Err(no_schema_api())
    }
    /// `PATCH /crm/v3/pipelines/tickets/{pipelineId}`.
    async fn update_pipeline(&self, id: &str, input: &PipelinePatch) -> BackendResult<Pipeline> {
        let _ = (id, input);
        Err(no_schema_api())
    }
    /// `DELETE /crm/v3/pipelines/tickets/{pipelineId}` (204; refused while tickets are in it).
    async fn delete_pipeline(&self, id: &str) -> BackendResult<()> {
        let _ = (id,);
        Err(no_schema_api())
    }
    /// `POST /crm/v3/pipelines/tickets/{pipelineId}/stages` (201).
    async fn create_stage(&self, id: &str, input: &StageInput) -> BackendResult<PipelineStage> {
        let _ = (id, input);
        Err(no_schema_api())
    }
    /// `PUT /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}`.
    async fn replace_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StageInput,
    ) -> BackendResult<PipelineStage> {
        let _ = (id, stage, input);
        Err(no_schema_api())
    }
    /// `PATCH /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}`.
    async fn update_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StagePatch,
    ) -> BackendResult<PipelineStage> {
        let _ = (id, stage, input);
        Err(no_schema_api())
    }
    /// `DELETE /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}` (204; refused while tickets are in it).
    async fn delete_stage(&self, id: &str, stage: &str) -> BackendResult<()> {
        let _ = (id, stage);
        Err(no_schema_api())
    }

    /// `GET /crm/v4/associations/{fromObjectType}/{toObjectType}/labels`.
    async fn association_labels(
        &self,
        from: &str,
        to: &str,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        let _ = (from, to);
        Err(no_schema_api())
    }
    /// `POST /crm/v4/associations/{fromObjectType}/{toObjectType}/labels`: both directions.
    async fn create_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelCreate,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        let _ = (from, to, input);
        Err(no_schema_api())
    }
    /// `PUT /crm/v4/associations/{fromObjectType}/{toObjectType}/labels` (204).
    async fn update_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelUpdate,
    ) -> BackendResult<()> {
        let _ = (from, to, input);
        Err(no_schema_api())
    }
    /// `DELETE /crm/v4/associations/{fromObjectType}/{toObjectType}/labels/{associationTypeId}` (204).
    async fn delete_association_label(
        &self,
        from: &str,
        to: &str,
        type_id: i32,
    ) -> BackendResult<()> {
        let _ = (from, to, type_id);
        Err(no_schema_api())
    }
    /// Any call of `/crm/v3/properties/{objectType}` (see [`PropertyCall`]), for every object
    /// type the backend stores. By default tickets go to the tickets methods and any other type
    /// is a 404.
    async fn object_property_call(
        &self,
        object_type: &str,
        call: PropertyCall,
    ) -> BackendResult<PropertyAnswer> {
        if property_call::is_tickets(object_type) {
            property_call::on_tickets(self, call).await
        } else {
            Err(no_objects(object_type))
        }
    }
    /// `GET /crm/v3/properties/tickets/groups`.
    async fn property_groups(&self) -> BackendResult<Vec<PropertyGroup>> {
        Err(no_schema_api())
    }
    /// `GET /crm/v3/properties/tickets/groups/{groupName}`.
    async fn property_group(&self, name: &str) -> BackendResult<PropertyGroup> {
        let _ = name;
        Err(no_schema_api())
    }
    /// `POST /crm/v3/properties/tickets/groups` (201).
    async fn create_property_group(
        &self,
        input: &PropertyGroupCreate,
    ) -> BackendResult<PropertyGroup> {
        let _ = input;
        Err(no_schema_api())
    }
    /// `PATCH /crm/v3/properties/tickets/groups/{groupName}`.
    async fn update_property_group(
        &self,
        name: &str,
        input: &PropertyGroupUpdate,
    ) -> BackendResult<PropertyGroup> {
        let _ = (name, input);
        Err(no_schema_api())
    }
    /// `DELETE /crm/v3/properties/tickets/groups/{groupName}` (204).
    async fn archive_property_group(&self, name: &str) -> BackendResult<()> {
        let _ = name;
        Err(no_schema_api())
    }

    /// `GET /crm/v3/owners`: one page of owners (`email` filter, `archived`). Backends without
    /// owners (test fakes) answer 404.
    async fn owners(&self, query: &OwnerQuery) -> BackendResult<Page<Owner>> {
        let _ = query;
        Err(crate::model::ApiError::not_found("this backend has no owners").into())
    }

    /// `GET /crm/v3/owners/{ownerId}[?idProperty=&archived=]`.
    async fn owner(
        &self,
        id: &str,
        id_property: OwnerIdProperty,
        archived: bool,
    ) -> BackendResult<Owner> {
        let _ = (id, id_property, archived);
        Err(crate::model::ApiError::not_found("this backend has no owners").into())
    }

    /// `GET /crm/v3/objects/{objectType}/{id}` for the records tickets point at (`contacts`,
    /// `companies`, `notes`, `tasks`; plural, singular or type id). Records have the ticket's
    /// shape (HubSpot's `SimplePublicObject`). The defaults of these object methods, for
    /// backends without the other types (test fakes), answer [`no_objects`].
    async fn object_get(
        &self,
        object_type: &str,
        id: &str,
        params: &GetParams,
    ) -> BackendResult<Ticket> {
        let _ = (id, params);
        Err(no_objects(object_type))
    }
    /// `GET /crm/v3/objects/{objectType}`.
    async fn object_list(
        &self,
        object_type: &str,
        params: &ListParams,
    ) -> BackendResult<Page<Ticket>> {
        let _ = params;
        Err(no_objects(object_type))
    }
    /// `POST /crm/v3/objects/{objectType}` (201).
    async fn object_create(&self, object_type: &str, input: &CreateInput) -> BackendResult<Ticket> {
        let _ = input;
        Err(no_objects(object_type))
    }
    /// `PATCH /crm/v3/objects/{objectType}/{id}[?idProperty=]`.
    async fn object_update(
        &self,
        object_type: &str,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        let _ = (id, input, id_property);
        Err(no_objects(object_type))
    }
    /// `DELETE /crm/v3/objects/{objectType}/{id}` (204).
    async fn object_archive(&self, object_type: &str, id: &str) -> BackendResult<()> {
        let _ = id;
        Err(no_objects(object_type))
    }
    /// `POST /crm/v3/objects/{objectType}/batch/read[?archived=]`.
    async fn object_batch_read(
        &self,
        object_type: &str,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let _ = (input, archived);
        Err(no_objects(object_type))
    }
    /// `POST /crm/v3/objects/{objectType}/search`: one page.
    async fn object_search(
        &self,
        object_type: &str,
        request: &SearchRequest,
    ) -> BackendResult<SearchPage> {
        let _ = request;
        Err(no_objects(object_type))
    }

    /// `GET /account-info/v3/details`: the portal behind the token (the run record names a live
    /// portal by its id). Backends without a portal answer 404.
    async fn account_details(&self) -> BackendResult<AccountDetails> {
        Err(crate::model::ApiError::not_found("this backend has no account details").into())
    }
}
