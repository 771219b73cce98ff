//! The object endpoints of the records tickets point at (`/crm/v3/objects/{objectType}` for
//! contacts, companies, notes and tasks) over HTTP, with the same paths, parameters and retry
//! rules as the tickets' own (see `tickets`). The trait methods in `tickets` delegate here.

use reqwest::Method;

use super::client::HubspotClient;
use super::retry::Idempotency::{self, Idempotent, NonIdempotent};
use super::transport::Call;
use crate::backend::BackendResult;
use crate::model::{
    BatchReadInput, BatchResponse, CreateInput, GetParams, ListParams, Page, SearchPage,
    SearchRequest, Ticket, UpdateInput,
};

fn object(method: Method, object_type: &str, rest: &[&str], op: Idempotency) -> Call {
    let mut call = Call::new(method, &[], op);
    call.segments = ["crm", "v3", "objects", object_type]
        .iter()
        .chain(rest.iter())
        .map(|s| (*s).to_string())
        .collect();
    call
}

fn bool_str(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

impl HubspotClient {
    pub(super) async fn http_object_get(
        &self,
        object_type: &str,
        id: &str,
        params: &GetParams,
    ) -> BackendResult<Ticket> {
        let mut call = object(Method::GET, object_type, &[id], Idempotent)
            .query_list("properties", &params.properties)
            .query_list("associations", &params.associations)
            .query("archived", bool_str(params.archived));
        if let Some(p) = &params.id_property {
            call = call.query("idProperty", p.clone());
        }
        self.fetch(call).await
    }

    pub(super) async fn http_object_list(
        &self,
        object_type: &str,
        params: &ListParams,
    ) -> BackendResult<Page<Ticket>> {
        let mut call = object(Method::GET, object_type, &[], Idempotent);
        if let Some(limit) = params.limit {
            call = call.query("limit", limit.to_string());
        }
        if let Some(after) = &params.after {
            call = call.query("after", after.clone());
        }
        call = call
            .query_list("properties", &params.properties)
            .query_list("associations", &params.associations)
            .query("archived", bool_str(params.archived));
        self.fetch(call).await
    }

    pub(super) async fn http_object_create(
        &self,
        object_type: &str,
        input: &CreateInput,
    ) -> BackendResult<Ticket> {
        self.fetch(object(Method::POST, object_type, &[], NonIdempotent).json(input))
            .await
    }

    pub(super) async fn http_object_update(
        &self,
        object_type: &str,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        let mut call = object(Method::PATCH, object_type, &[id], Idempotent).json(input);
        if let Some(p) = id_property {
            call = call.query("idProperty", p);
        }
        self.fetch(call).await
    }

    pub(super) async fn http_object_archive(
        &self,
        object_type: &str,
        id: &str,
    ) -> BackendResult<()> {
        self.send_empty(object(Method::DELETE, object_type, &[id], Idempotent))
            .await
    }

    pub(super) async fn http_object_batch_read(
        &self,
        object_type: &str,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let call = object(Method::POST, object_type, &["batch", "read"], Idempotent)
            .query("archived", bool_str(archived))
            .json(input);
        self.fetch(call).await
    }

    pub(super) async fn http_object_search(
        &self,
        object_type: &str,
        request: &SearchRequest,
    ) -> BackendResult<SearchPage> {
        self.fetch(
            object(Method::POST, object_type, &["search"], Idempotent)
                .json(request)
                .search(),
        )
        .await
    }
}
