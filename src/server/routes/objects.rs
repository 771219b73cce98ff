//! The object endpoints of the records tickets point at: `/crm/v3/objects/{objectType}` for
//! contacts, companies, notes and tasks (get, list, create, update, archive, batch read,
//! search). The type segment is passed through: the backend answers HubSpot's 400 for a type
//! it cannot infer (tickets have their own, more specific routes, which win over these).

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::AppState;
use crate::model::{BatchReadInput, CreateInput, SearchRequest, UpdateInput};
use crate::server::json_body::JsonBody;
use crate::server::query::QueryParams;
use crate::server::response::{json, no_content, HttpResult};

/// `GET /crm/v3/objects/{objectType}`.
pub(super) async fn list(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    q: QueryParams,
) -> HttpResult {
    let params = q.list_params()?;
    Ok(json(
        StatusCode::OK,
        &s.backend.object_list(&ty, &params).await?,
    ))
}

/// `POST /crm/v3/objects/{objectType}` (201).
pub(super) async fn create(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    JsonBody(input): JsonBody<CreateInput>,
) -> HttpResult {
    Ok(json(
        StatusCode::CREATED,
        &s.backend.object_create(&ty, &input).await?,
    ))
}

/// `GET /crm/v3/objects/{objectType}/{objectId}`.
pub(super) async fn get(
    State(s): State<AppState>,
    Path((ty, id)): Path<(String, String)>,
    q: QueryParams,
) -> HttpResult {
    let params = q.get_params()?;
    Ok(json(
        StatusCode::OK,
        &s.backend.object_get(&ty, &id, &params).await?,
    ))
}

/// `PATCH /crm/v3/objects/{objectType}/{objectId}[?idProperty=]`.
pub(super) async fn update(
    State(s): State<AppState>,
    Path((ty, id)): Path<(String, String)>,
    q: QueryParams,
    JsonBody(input): JsonBody<UpdateInput>,
) -> HttpResult {
    let record = s
        .backend
        .object_update(&ty, &id, &input, q.value("idProperty"))
        .await?;
    Ok(json(StatusCode::OK, &record))
}

/// `DELETE /crm/v3/objects/{objectType}/{objectId}` (204).
pub(super) async fn archive(
    State(s): State<AppState>,
    Path((ty, id)): Path<(String, String)>,
) -> HttpResult {
    s.backend.object_archive(&ty, &id).await?;
    Ok(no_content())
}

/// `POST /crm/v3/objects/{objectType}/batch/read[?archived=]`: 200, or 207 with the missing
/// ids.
pub(super) async fn batch_read(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    q: QueryParams,
    JsonBody(input): JsonBody<BatchReadInput>,
) -> HttpResult {
    let archived = q.bool("archived")?.unwrap_or(false);
    let response = s.backend.object_batch_read(&ty, &input, archived).await?;
    let status = if response.is_partial() {
        StatusCode::MULTI_STATUS
    } else {
        StatusCode::OK
    };
    Ok(json(status, &response))
}

/// `POST /crm/v3/objects/{objectType}/search`.
pub(super) async fn search(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    JsonBody(request): JsonBody<SearchRequest>,
) -> HttpResult {
    Ok(json(
        StatusCode::OK,
        &s.backend.object_search(&ty, &request).await?,
    ))
}
