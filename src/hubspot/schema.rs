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
    Owner, OwnerIdProperty, OwnerQuery, Page, PropertyGroup, PropertyGroupCreate,
    PropertyGroupUpdate,
};

const OWNERS: [&str; 3] = ["crm", "v3", "owners"];
const GROUPS: [&str; 5] = ["crm", "v3", "properties", "tickets", "groups"];

/// `{"results": [...]}` without paging.
#[derive(Deserialize)]
struct Results<T> {
    results: Vec<T>,
}

fn path<'a>(base: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(rest).copied().collect()
}

impl HubspotClient {
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
