//! [`TicketsBackend`] over HTTP: one method per HubSpot endpoint, with HubSpot's paths, query
//! parameters (lists sent repeated, as the official clients do) and bodies, typed with the
//! shared `crate::model` types. Which calls are idempotent (and so retried after a timeout or
//! 5xx) is decided here, per endpoint.

use async_trait::async_trait;
use reqwest::Method;
use serde::Deserialize;

use super::client::HubspotClient;
use super::retry::Idempotency::{Idempotent, NonIdempotent};
use super::transport::Call;
use crate::backend::{BackendResult, TicketsBackend};
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

const TICKETS: [&str; 4] = ["crm", "v3", "objects", "tickets"];

/// `{"results": [...]}` without paging (properties, pipelines, stages).
#[derive(Deserialize)]
struct Results<T> {
    results: Vec<T>,
}

fn tickets_path(rest: &[&str]) -> Vec<String> {
    TICKETS
        .iter()
        .chain(rest.iter())
        .map(|s| (*s).to_string())
        .collect()
}

fn tickets(method: Method, rest: &[&str], op: super::retry::Idempotency) -> Call {
    let mut call = Call::new(method, &[], op);
    call.segments = tickets_path(rest);
    call
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

#[async_trait]
impl TicketsBackend for HubspotClient {
    fn describe(&self) -> String {
        if self.inner.live {
            format!("HubSpot {}", self.inner.base_display)
        } else {
            self.inner.base_display.clone()
        }
    }

    fn is_live(&self) -> bool {
        self.inner.live
    }

    fn kind(&self) -> &'static str {
        if self.inner.hubspot {
            "hubspot"
        } else {
            "server"
        }
    }

    fn location(&self) -> String {
        self.inner.base_display.clone()
    }

    async fn list(&self, params: &ListParams) -> BackendResult<Page<Ticket>> {
        let mut call = tickets(Method::GET, &[], Idempotent);
        if let Some(limit) = params.limit {
            call = call.query("limit", limit.to_string());
        }
        if let Some(after) = &params.after {
            call = call.query("after", after.clone());
        }
        call = call
            .query_list("properties", &params.properties)
            .query_list("propertiesWithHistory", &params.properties_with_history)
            .query_list("associations", &params.associations)
            .query("archived", bool_str(params.archived));
        self.fetch(call).await
    }

    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket> {
        let mut call = tickets(Method::GET, &[id], Idempotent)
            .query_list("properties", &params.properties)
            .query_list("propertiesWithHistory", &params.properties_with_history)
            .query_list("associations", &params.associations)
            .query("archived", bool_str(params.archived));
        if let Some(p) = &params.id_property {
            call = call.query("idProperty", p.clone());
        }
        self.fetch(call).await
    }

    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        self.fetch(tickets(Method::POST, &[], NonIdempotent).json(input))
            .await
    }

    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        let mut call = tickets(Method::PATCH, &[id], Idempotent).json(input);
        if let Some(p) = id_property {
            call = call.query("idProperty", p);
        }
        self.fetch(call).await
    }

    async fn archive(&self, id: &str) -> BackendResult<()> {
        self.send_empty(tickets(Method::DELETE, &[id], Idempotent))
            .await
    }

    async fn batch_read(
        &self,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let call = tickets(Method::POST, &["batch", "read"], Idempotent)
            .query("archived", bool_str(archived))
            .json(input);
        self.fetch(call).await
    }

    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.fetch(tickets(Method::POST, &["batch", "create"], NonIdempotent).json(input))
            .await
    }

    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.fetch(tickets(Method::POST, &["batch", "update"], Idempotent).json(input))
            .await
    }

    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        // An upsert creates the records it does not find: not safe to repeat blindly.
        self.fetch(tickets(Method::POST, &["batch", "upsert"], NonIdempotent).json(input))
            .await
    }

    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        self.send_empty(tickets(Method::POST, &["batch", "archive"], Idempotent).json(input))
            .await
    }

    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage> {
        self.fetch(
            tickets(Method::POST, &["search"], Idempotent)
                .json(request)
                .search(),
        )
        .await
    }

    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        // A repeated merge that already happened fails (the merged id is gone): treat it like a
        // create and retry only when it provably never reached HubSpot.
        self.fetch(tickets(Method::POST, &["merge"], NonIdempotent).json(input))
            .await
    }

    async fn associate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<Ticket> {
        let call = tickets(
            Method::PUT,
            &[id, "associations", to_type, to_id, type_id],
            Idempotent,
        );
        self.fetch(call).await
    }

    async fn dissociate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<()> {
        let call = tickets(
            Method::DELETE,
            &[id, "associations", to_type, to_id, type_id],
            Idempotent,
        );
        self.send_empty(call).await
    }

    async fn associations(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        let mut call = tickets(Method::GET, &[id, "associations", to_type], Idempotent);
        if let Some(a) = after {
            call = call.query("after", a);
        }
        if let Some(l) = limit {
            call = call.query("limit", l.to_string());
        }
        self.fetch(call).await
    }

    async fn associate_v4(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        types: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        let call = Call::new(
            Method::PUT,
            &[
                "crm",
                "v4",
                "objects",
                "tickets",
                id,
                "associations",
                to_type,
                to_id,
            ],
            Idempotent,
        )
        .json(&types);
        self.fetch(call).await
    }

    async fn dissociate_v4(&self, id: &str, to_type: &str, to_id: &str) -> BackendResult<()> {
        let call = Call::new(
            Method::DELETE,
            &[
                "crm",
                "v4",
                "objects",
                "tickets",
                id,
                "associations",
                to_type,
                to_id,
            ],
            Idempotent,
        );
        self.send_empty(call).await
    }

    async fn batch_associate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<BatchResponse<LabelsBetweenObjectPair>> {
        // Creating an association that exists already leaves the same state: safe to repeat.
        let call = Call::new(
            Method::POST,
            &[
                "crm",
                "v4",
                "associations",
                "tickets",
                to_type,
                "batch",
                "create",
            ],
            Idempotent,
        )
        .json(input);
        self.fetch(call).await
    }

    async fn batch_dissociate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<()> {
        let call = Call::new(
            Method::POST,
            &[
                "crm",
                "v4",
                "associations",
                "tickets",
                to_type,
                "batch",
                "labels",
                "archive",
            ],
            Idempotent,
        )
        .json(input);
        self.send_empty(call).await
    }

    async fn associations_v4(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        let mut call = Call::new(
            Method::GET,
            &[
                "crm",
                "v4",
                "objects",
                "tickets",
                id,
                "associations",
                to_type,
            ],
            Idempotent,
        );
        if let Some(a) = after {
            call = call.query("after", a);
        }
        if let Some(l) = limit {
            call = call.query("limit", l.to_string());
        }
        self.fetch(call).await
    }

    async fn object_property_call(
        &self,
        object_type: &str,
        call: crate::backend::PropertyCall,
    ) -> BackendResult<crate::backend::PropertyAnswer> {
        self.http_property_call(object_type, call).await
    }

    async fn properties(&self) -> BackendResult<Vec<Property>> {
        let call = Call::new(
            Method::GET,
            &["crm", "v3", "properties", "tickets"],
            Idempotent,
        );
        Ok(self.fetch::<Results<Property>>(call).await?.results)
    }

    async fn property(&self, name: &str) -> BackendResult<Property> {
        let call = Call::new(
            Method::GET,
            &["crm", "v3", "properties", "tickets", name],
            Idempotent,
        );
        self.fetch(call).await
    }

    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        let call = Call::new(
            Method::GET,
            &["crm", "v3", "pipelines", "tickets"],
            Idempotent,
        );
        Ok(self.fetch::<Results<Pipeline>>(call).await?.results)
    }

    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        let call = Call::new(
            Method::GET,
            &["crm", "v3", "pipelines", "tickets", id],
            Idempotent,
        );
        self.fetch(call).await
    }

    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        let call = Call::new(
            Method::GET,
            &["crm", "v3", "pipelines", "tickets", id, "stages"],
            Idempotent,
        );
        Ok(self.fetch::<Results<PipelineStage>>(call).await?.results)
    }

    async fn archived_properties(&self) -> BackendResult<Vec<Property>> {
        self.http_archived_properties().await
    }

    async fn create_property(&self, input: &PropertyCreate) -> BackendResult<Property> {
        self.http_create_property(input).await
    }

    async fn update_property(&self, name: &str, input: &PropertyUpdate) -> BackendResult<Property> {
        self.http_update_property(name, input).await
    }

    async fn archive_property(&self, name: &str) -> BackendResult<()> {
        self.http_archive_property(name).await
    }

    async fn batch_read_properties(
        &self,
        input: &PropertyBatchRead,
    ) -> BackendResult<BatchResponse<Property>> {
        self.http_batch_read_properties(input).await
    }

    async fn batch_create_properties(
        &self,
        input: &BatchInput<PropertyCreate>,
    ) -> BackendResult<BatchResponse<Property>> {
        self.http_batch_create_properties(input).await
    }

    async fn batch_archive_properties(
        &self,
        input: &BatchInput<PropertyName>,
    ) -> BackendResult<()> {
        self.http_batch_archive_properties(input).await
    }

    async fn create_pipeline(&self, input: &PipelineInput) -> BackendResult<Pipeline> {
        self.http_create_pipeline(input).await
    }

    async fn replace_pipeline(&self, id: &str, input: &PipelineInput) -> BackendResult<Pipeline> {
        self.http_replace_pipeline(id, input).await
    }

    async fn update_pipeline(&self, id: &str, input: &PipelinePatch) -> BackendResult<Pipeline> {
        self.http_update_pipeline(id, input).await
    }

    async fn delete_pipeline(&self, id: &str) -> BackendResult<()> {
        self.http_delete_pipeline(id).await
    }

    async fn create_stage(&self, id: &str, input: &StageInput) -> BackendResult<PipelineStage> {
        self.http_create_stage(id, input).await
    }

    async fn replace_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StageInput,
    ) -> BackendResult<PipelineStage> {
        self.http_replace_stage(id, stage, input).await
    }

    async fn update_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StagePatch,
    ) -> BackendResult<PipelineStage> {
        self.http_update_stage(id, stage, input).await
    }

    async fn delete_stage(&self, id: &str, stage: &str) -> BackendResult<()> {
        self.http_delete_stage(id, stage).await
    }

    async fn association_labels(
        &self,
        from: &str,
        to: &str,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        self.http_association_labels(from, to).await
    }

    async fn create_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelCreate,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        self.http_create_association_label(from, to, input).await
    }

    async fn update_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelUpdate,
    ) -> BackendResult<()> {
        self.http_update_association_label(from, to, input).await
    }

    async fn delete_association_label(
        &self,
        from: &str,
        to: &str,
        type_id: i32,
    ) -> BackendResult<()> {
        self.http_delete_association_label(from, to, type_id).await
    }

    async fn property_groups(&self) -> BackendResult<Vec<PropertyGroup>> {
        self.get_property_groups().await
    }

    async fn property_group(&self, name: &str) -> BackendResult<PropertyGroup> {
        self.get_property_group(name).await
    }

    async fn create_property_group(
        &self,
        input: &PropertyGroupCreate,
    ) -> BackendResult<PropertyGroup> {
        self.post_property_group(input).await
    }

    async fn update_property_group(
        &self,
        name: &str,
        input: &PropertyGroupUpdate,
    ) -> BackendResult<PropertyGroup> {
        self.patch_property_group(name, input).await
    }

    async fn archive_property_group(&self, name: &str) -> BackendResult<()> {
        self.delete_property_group(name).await
    }

    async fn owners(&self, query: &OwnerQuery) -> BackendResult<Page<Owner>> {
        self.get_owners(query).await
    }

    async fn owner(
        &self,
        id: &str,
        id_property: OwnerIdProperty,
        archived: bool,
    ) -> BackendResult<Owner> {
        self.get_owner(id, id_property, archived).await
    }

    async fn account_details(&self) -> BackendResult<AccountDetails> {
        let call = Call::new(Method::GET, &["account-info", "v3", "details"], Idempotent);
        self.fetch(call).await
    }

    async fn object_get(
        &self,
        object_type: &str,
        id: &str,
        params: &GetParams,
    ) -> BackendResult<Ticket> {
        self.http_object_get(object_type, id, params).await
    }

    async fn object_list(
        &self,
        object_type: &str,
        params: &ListParams,
    ) -> BackendResult<Page<Ticket>> {
        self.http_object_list(object_type, params).await
    }

    async fn object_create(&self, object_type: &str, input: &CreateInput) -> BackendResult<Ticket> {
        self.http_object_create(object_type, input).await
    }

    async fn object_update(
        &self,
        object_type: &str,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        self.http_object_update(object_type, id, input, id_property)
            .await
    }

    async fn object_archive(&self, object_type: &str, id: &str) -> BackendResult<()> {
        self.http_object_archive(object_type, id).await
    }

    async fn object_batch_read(
        &self,
        object_type: &str,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.http_object_batch_read(object_type, input, archived)
            .await
    }

    async fn object_search(
        &self,
        object_type: &str,
        request: &SearchRequest,
    ) -> BackendResult<SearchPage> {
        self.http_object_search(object_type, request).await
    }

    async fn batch_read_associations_v4(
        &self,
        to_type: &str,
        input: &BatchInput<IdInput>,
    ) -> BackendResult<BatchResponse<crate::model::AssociationsOf>> {
        let call = Call::new(
            Method::POST,
            &[
                "crm",
                "v4",
                "associations",
                "tickets",
                to_type,
                "batch",
                "read",
            ],
            Idempotent,
        )
        .json(input);
        self.fetch(call).await
    }
}
