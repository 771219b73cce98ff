//! The schema and owners endpoints over HTTP: owners (`/crm/v3/owners`), and the property,
//! property-group, pipeline and association-label writes. Inherent methods of
//! [`HubspotClient`] that its `TicketsBackend` implementation (in `tickets.rs`) delegates to,
//! so that file stays about tickets. Reads are idempotent; every create is not (a retried
//! create after a timeout could make a second pipeline), updates and deletes are.

use reqwest::Method;

use super::client::HubspotClient;
use serde::Deserialize;

use super::retry::Idempotency::{Idempotent, NonIdempotent};
use super::transport::Call;
use crate::backend::BackendResult;
use crate::model::{
    AssociationLabelCreate, AssociationLabelUpdate, AssociationSpecWithLabel, BatchInput,
    BatchResponse, Owner, OwnerIdProperty, OwnerQuery, Page, Pipeline, PipelineInput,
    PipelinePatch, PipelineStage, Property, PropertyBatchRead, PropertyCreate, PropertyGroup,
    PropertyGroupCreate, PropertyGroupUpdate, PropertyName, PropertyUpdate, StageInput, StagePatch,
};

const OWNERS: [&str; 3] = ["crm", "v3", "owners"];
const GROUPS: [&str; 5] = ["crm", "v3", "properties", "tickets", "groups"];
const PROPS: [&str; 4] = ["crm", "v3", "properties", "tickets"];
const PIPES: [&str; 4] = ["crm", "v3", "pipelines", "tickets"];

/// `{"results": [...]}` without paging.
#[derive(Deserialize)]
struct Results<T> {
    results: Vec<T>,
}

fn labels_path<'a>(from: &'a str, to: &'a str, id: Option<&'a str>) -> Vec<&'a str> {
    let mut p = vec!["crm", "v4", "associations", from, to, "labels"];
    p.extend(id);
    p
}

fn path<'a>(base: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(rest).copied().collect()
}

impl HubspotClient {
    /// `GET /crm/v4/associations/{from}/{to}/labels`.
    pub(super) async fn http_association_labels(
        &self,
        from: &str,
        to: &str,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        let call = Call::new(Method::GET, &labels_path(from, to, None), Idempotent);
        Ok(self
            .fetch::<Results<AssociationSpecWithLabel>>(call)
            .await?
            .results)
    }

    /// `POST /crm/v4/associations/{from}/{to}/labels`.
    pub(super) async fn http_create_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelCreate,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        let call = Call::new(Method::POST, &labels_path(from, to, None), NonIdempotent).json(input);
        Ok(self
            .fetch::<Results<AssociationSpecWithLabel>>(call)
            .await?
            .results)
    }

    /// `PUT /crm/v4/associations/{from}/{to}/labels`.
    pub(super) async fn http_update_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelUpdate,
    ) -> BackendResult<()> {
        let call = Call::new(Method::PUT, &labels_path(from, to, None), Idempotent).json(input);
        self.send_empty(call).await
    }

    /// `DELETE /crm/v4/associations/{from}/{to}/labels/{associationTypeId}`.
    pub(super) async fn http_delete_association_label(
        &self,
        from: &str,
        to: &str,
        type_id: i32,
    ) -> BackendResult<()> {
        let id = type_id.to_string();
        let call = Call::new(
            Method::DELETE,
            &labels_path(from, to, Some(&id)),
            Idempotent,
        );
        self.send_empty(call).await
    }

    /// `GET /crm/v3/properties/tickets?archived=true`.
    pub(super) async fn http_archived_properties(&self) -> BackendResult<Vec<Property>> {
        let call = Call::new(Method::GET, &path(&PROPS, &[]), Idempotent).query("archived", "true");
        Ok(self.fetch::<Results<Property>>(call).await?.results)
    }

    /// `POST /crm/v3/properties/tickets` (201).
    pub(super) async fn http_create_property(
        &self,
        input: &PropertyCreate,
    ) -> BackendResult<Property> {
        let call = Call::new(Method::POST, &path(&PROPS, &[]), NonIdempotent).json(input);
        self.fetch(call).await
    }

    /// `PATCH /crm/v3/properties/tickets/{propertyName}`.
    pub(super) async fn http_update_property(
        &self,
        name: &str,
        input: &PropertyUpdate,
    ) -> BackendResult<Property> {
        let call = Call::new(Method::PATCH, &path(&PROPS, &[name]), Idempotent).json(input);
        self.fetch(call).await
    }

    /// `DELETE /crm/v3/properties/tickets/{propertyName}` (204).
    pub(super) async fn http_archive_property(&self, name: &str) -> BackendResult<()> {
        let call = Call::new(Method::DELETE, &path(&PROPS, &[name]), Idempotent);
        self.send_empty(call).await
    }

    /// `POST /crm/v3/properties/tickets/batch/read` (207 when some are missing).
    pub(super) async fn http_batch_read_properties(
        &self,
        input: &PropertyBatchRead,
    ) -> BackendResult<BatchResponse<Property>> {
        let call =
            Call::new(Method::POST, &path(&PROPS, &["batch", "read"]), Idempotent).json(input);
        self.fetch(call).await
    }

    /// `POST /crm/v3/properties/tickets/batch/create` (201).
    pub(super) async fn http_batch_create_properties(
        &self,
        input: &BatchInput<PropertyCreate>,
    ) -> BackendResult<BatchResponse<Property>> {
        let call = Call::new(
            Method::POST,
            &path(&PROPS, &["batch", "create"]),
            NonIdempotent,
        )
        .json(input);
        self.fetch(call).await
    }

    /// `POST /crm/v3/properties/tickets/batch/archive` (204).
    pub(super) async fn http_batch_archive_properties(
        &self,
        input: &BatchInput<PropertyName>,
    ) -> BackendResult<()> {
        let call = Call::new(
            Method::POST,
            &path(&PROPS, &["batch", "archive"]),
            Idempotent,
        )
        .json(input);
        self.send_empty(call).await
    }

    /// `POST /crm/v3/pipelines/tickets` (201).
    pub(super) async fn http_create_pipeline(
        &self,
        input: &PipelineInput,
    ) -> BackendResult<Pipeline> {
        let call = Call::new(Method::POST, &path(&PIPES, &[]), NonIdempotent).json(input);
        self.fetch(call).await
    }

    /// `PUT /crm/v3/pipelines/tickets/{pipelineId}`.
    pub(super) async fn http_replace_pipeline(
        &self,
        id: &str,
        input: &PipelineInput,
    ) -> BackendResult<Pipeline> {
        let call = Call::new(Method::PUT, &path(&PIPES, &[id]), Idempotent).json(input);
        self.fetch(call).await
    }

    /// `PATCH /crm/v3/pipelines/tickets/{pipelineId}`.
    pub(super) async fn http_update_pipeline(
        &self,
        id: &str,
        input: &PipelinePatch,
    ) -> BackendResult<Pipeline> {
        let call = Call::new(Method::PATCH, &path(&PIPES, &[id]), Idempotent).json(input);
        self.fetch(call).await
    }

    /// `DELETE /crm/v3/pipelines/tickets/{pipelineId}` (204; refused while tickets are in it).
    pub(super) async fn http_delete_pipeline(&self, id: &str) -> BackendResult<()> {
        let call = Call::new(Method::DELETE, &path(&PIPES, &[id]), Idempotent);
        self.send_empty(call).await
    }

    /// `POST /crm/v3/pipelines/tickets/{pipelineId}/stages` (201).
    pub(super) async fn http_create_stage(
        &self,
        id: &str,
        input: &StageInput,
    ) -> BackendResult<PipelineStage> {
        let call =
            Call::new(Method::POST, &path(&PIPES, &[id, "stages"]), NonIdempotent).json(input);
        self.fetch(call).await
    }

    /// `PUT /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}`.
    pub(super) async fn http_replace_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StageInput,
    ) -> BackendResult<PipelineStage> {
        let call = Call::new(
            Method::PUT,
            &path(&PIPES, &[id, "stages", stage]),
            Idempotent,
        )
        .json(input);
        self.fetch(call).await
    }

    /// `PATCH /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}`.
    pub(super) async fn http_update_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StagePatch,
    ) -> BackendResult<PipelineStage> {
        let call = Call::new(
            Method::PATCH,
            &path(&PIPES, &[id, "stages", stage]),
            Idempotent,
        )
        .json(input);
        self.fetch(call).await
    }

    /// `DELETE /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}` (204; refused while tickets are in it).
    pub(super) async fn http_delete_stage(&self, id: &str, stage: &str) -> BackendResult<()> {
        let call = Call::new(
            Method::DELETE,
            &path(&PIPES, &[id, "stages", stage]),
            Idempotent,
        );
        self.send_empty(call).await
    }

    /// `GET /crm/v3/properties/tickets/groups`.
    pub(super) async fn get_property_groups(&self) -> BackendResult<Vec<PropertyGroup>> {
        let call = Call::new(Method::GET, &GROUPS, Idempotent);
        Ok(self.fetch::<Results<PropertyGroup>>(call).await?.results)
    }

    /// `GET /crm/v3/properties/tickets/groups/{groupName}`.
    pub(super) async fn get_property_group(&self, name: &str) -> BackendResult<PropertyGroup> {
        let call = Call::new(Method::GET, &path(&GROUPS, &[name]), Idempotent);
        self.fetch(call).await
    }

    /// `POST /crm/v3/properties/tickets/groups`.
    pub(super) async fn post_property_group(
        &self,
        input: &PropertyGroupCreate,
    ) -> BackendResult<PropertyGroup> {
        let call = Call::new(Method::POST, &GROUPS, NonIdempotent).json(input);
        self.fetch(call).await
    }

    /// `PATCH /crm/v3/properties/tickets/groups/{groupName}`.
    pub(super) async fn patch_property_group(
        &self,
        name: &str,
        input: &PropertyGroupUpdate,
    ) -> BackendResult<PropertyGroup> {
        let call = Call::new(Method::PATCH, &path(&GROUPS, &[name]), Idempotent).json(input);
        self.fetch(call).await
    }

    /// `DELETE /crm/v3/properties/tickets/groups/{groupName}`.
    pub(super) async fn delete_property_group(&self, name: &str) -> BackendResult<()> {
        let call = Call::new(Method::DELETE, &path(&GROUPS, &[name]), Idempotent);
        self.send_empty(call).await
    }

    /// `GET /crm/v3/owners`.
    pub(super) async fn get_owners(&self, q: &OwnerQuery) -> BackendResult<Page<Owner>> {
        let mut call = Call::new(Method::GET, &OWNERS, Idempotent)
            .query("archived", if q.archived { "true" } else { "false" });
        if let Some(email) = &q.email {
            call = call.query("email", email.clone());
        }
        if let Some(after) = &q.after {
            call = call.query("after", after.clone());
        }
        if let Some(limit) = q.limit {
            call = call.query("limit", limit.to_string());
        }
        self.fetch(call).await
    }

    /// `GET /crm/v3/owners/{ownerId}`.
    pub(super) async fn get_owner(
        &self,
        id: &str,
        id_property: OwnerIdProperty,
        archived: bool,
    ) -> BackendResult<Owner> {
        let call = Call::new(Method::GET, &path(&OWNERS, &[id]), Idempotent)
            .query("idProperty", id_property.as_str())
            .query("archived", if archived { "true" } else { "false" });
        self.fetch(call).await
    }
}
