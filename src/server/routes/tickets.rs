//! Single-ticket endpoints (`/crm/v3/objects/tickets[/{ticketId}]`), search and merge.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{self, MethodRouter};

use super::AppState;
use crate::model::{CreateInput, MergeInput, SearchRequest, UpdateInput};
use crate::server::json_body::JsonBody;
use crate::server::query::QueryParams;
use crate::server::response::{json, no_content, HttpResult};

/// `GET /crm/v3/objects/tickets`.
pub(super) async fn list(State(s): State<AppState>, q: QueryParams) -> HttpResult {
    let params = q.list_params()?;
    Ok(json(StatusCode::OK, &s.backend.list(&params).await?))
}

/// `POST /crm/v3/objects/tickets` (201).
pub(super) async fn create(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<CreateInput>,
) -> HttpResult {
    Ok(json(StatusCode::CREATED, &s.backend.create(&input).await?))
}

/// `GET /crm/v3/objects/tickets/{ticketId}`.
pub(super) async fn get(s: State<AppState>, Path(id): Path<String>, q: QueryParams) -> HttpResult {
    read_one(s, id, q).await
}

/// `PATCH /crm/v3/objects/tickets/{ticketId}[?idProperty=]`.
pub(super) async fn update(
    s: State<AppState>,
    Path(id): Path<String>,
    q: QueryParams,
    body: JsonBody<UpdateInput>,
) -> HttpResult {
    update_one(s, id, q, body).await
}

/// `DELETE /crm/v3/objects/tickets/{ticketId}` (204).
pub(super) async fn archive(s: State<AppState>, Path(id): Path<String>) -> HttpResult {
    archive_one(s, id).await
}

async fn read_one(State(s): State<AppState>, id: String, q: QueryParams) -> HttpResult {
    let params = q.get_params()?;
    Ok(json(StatusCode::OK, &s.backend.get(&id, &params).await?))
}

async fn update_one(
    State(s): State<AppState>,
    id: String,
    q: QueryParams,
    JsonBody(input): JsonBody<UpdateInput>,
) -> HttpResult {
    let id_property = q.value("idProperty");
    let ticket = s.backend.update(&id, &input, id_property).await?;
    Ok(json(StatusCode::OK, &ticket))
}

async fn archive_one(State(s): State<AppState>, id: String) -> HttpResult {
    s.backend.archive(&id).await?;
    Ok(no_content())
}

/// GET, PATCH and DELETE on a static path such as `.../tickets/search`, treated as the ticket
/// whose id is that word (HubSpot's `{ticketId}` matches any segment).
pub(super) fn literal_id(id: &'static str) -> MethodRouter<AppState> {
    routing::get(move |s: State<AppState>, q: QueryParams| read_one(s, id.to_string(), q))
        .patch(
            move |s: State<AppState>, q: QueryParams, body: JsonBody<UpdateInput>| {
                update_one(s, id.to_string(), q, body)
            },
        )
        .delete(move |s: State<AppState>| archive_one(s, id.to_string()))
}

/// `POST /crm/v3/objects/tickets/search`.
pub(super) async fn search(
    State(s): State<AppState>,
    JsonBody(request): JsonBody<SearchRequest>,
) -> HttpResult {
    Ok(json(StatusCode::OK, &s.backend.search(&request).await?))
}

/// `POST /crm/v3/objects/tickets/merge`.
pub(super) async fn merge(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<MergeInput>,
) -> HttpResult {
    Ok(json(StatusCode::OK, &s.backend.merge(&input).await?))
}
