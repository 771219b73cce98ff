//! The property endpoints of every stored object type, `/crm/v3/properties/{objectType}[...]`:
//! read all or one, create, update, archive, `batch/read|create|archive`, and the property
//! groups. Each handler turns the request into one [`PropertyCall`] for the backend, which
//! judges it with the same rules for every type.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::batch::render;
use super::AppState;
use crate::backend::{PropertyAnswer, PropertyCall};
use crate::model::{
    BatchInput, PropertyBatchRead, PropertyCreate, PropertyGroupCreate, PropertyGroupUpdate,
    PropertyName, PropertyUpdate,
};
use crate::server::json_body::JsonBody;
use crate::server::query::QueryParams;
use crate::server::response::{json, no_content, HttpResult};

#[derive(Serialize)]
struct Results<T> {
    results: Vec<T>,
}

/// Runs `call` on `ty` and answers it with `status` (204 for an archive).
async fn answer(s: &AppState, ty: &str, call: PropertyCall, status: StatusCode) -> HttpResult {
    match s.backend.object_property_call(ty, call).await? {
        PropertyAnswer::Properties(results) => Ok(json(status, &Results { results })),
        PropertyAnswer::Property(p) => Ok(json(status, &p)),
        PropertyAnswer::Batch(b) => render(status, &b),
        PropertyAnswer::Groups(results) => Ok(json(status, &Results { results })),
        PropertyAnswer::Group(g) => Ok(json(status, &g)),
        PropertyAnswer::Done => Ok(no_content()),
    }
}

/// `GET /crm/v3/properties/{objectType}[?archived=]`.
pub(super) async fn list(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    q: QueryParams,
) -> HttpResult {
    let archived = q.bool("archived")?.unwrap_or(false);
    answer(&s, &ty, PropertyCall::List { archived }, StatusCode::OK).await
}

/// `GET /crm/v3/properties/{objectType}/{propertyName}[?archived=]`.
pub(super) async fn get(
    State(s): State<AppState>,
    Path((ty, name)): Path<(String, String)>,
    q: QueryParams,
) -> HttpResult {
    let archived = q.bool("archived")?.unwrap_or(false);
    answer(
        &s,
        &ty,
        PropertyCall::Get { name, archived },
        StatusCode::OK,
    )
    .await
}

/// `POST /crm/v3/properties/{objectType}` (201).
pub(super) async fn create(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    JsonBody(input): JsonBody<PropertyCreate>,
) -> HttpResult {
    answer(&s, &ty, PropertyCall::Create(input), StatusCode::CREATED).await
}

/// `PATCH /crm/v3/properties/{objectType}/{propertyName}`.
pub(super) async fn update(
    State(s): State<AppState>,
    Path((ty, name)): Path<(String, String)>,
    JsonBody(input): JsonBody<PropertyUpdate>,
) -> HttpResult {
    answer(
        &s,
        &ty,
        PropertyCall::Update { name, input },
        StatusCode::OK,
    )
    .await
}

/// `DELETE /crm/v3/properties/{objectType}/{propertyName}` (204).
pub(super) async fn archive(
    State(s): State<AppState>,
    Path((ty, name)): Path<(String, String)>,
) -> HttpResult {
    answer(
        &s,
        &ty,
        PropertyCall::Archive { name },
        StatusCode::NO_CONTENT,
    )
    .await
}

/// `POST /crm/v3/properties/{objectType}/batch/read`: 200, or 207 when some are missing.
pub(super) async fn batch_read(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    JsonBody(input): JsonBody<PropertyBatchRead>,
) -> HttpResult {
    answer(&s, &ty, PropertyCall::BatchRead(input), StatusCode::OK).await
}

/// `POST /crm/v3/properties/{objectType}/batch/create` (201).
pub(super) async fn batch_create(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    JsonBody(input): JsonBody<BatchInput<PropertyCreate>>,
) -> HttpResult {
    answer(
        &s,
        &ty,
        PropertyCall::BatchCreate(input),
        StatusCode::CREATED,
    )
    .await
}

/// `POST /crm/v3/properties/{objectType}/batch/archive` (204).
pub(super) async fn batch_archive(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    JsonBody(input): JsonBody<BatchInput<PropertyName>>,
) -> HttpResult {
    answer(
        &s,
        &ty,
        PropertyCall::BatchArchive(input),
        StatusCode::NO_CONTENT,
    )
    .await
}

/// `GET /crm/v3/properties/{objectType}/groups`.
pub(super) async fn groups(State(s): State<AppState>, Path(ty): Path<String>) -> HttpResult {
    answer(&s, &ty, PropertyCall::Groups, StatusCode::OK).await
}

/// `POST /crm/v3/properties/{objectType}/groups` (201).
pub(super) async fn create_group(
    State(s): State<AppState>,
    Path(ty): Path<String>,
    JsonBody(input): JsonBody<PropertyGroupCreate>,
) -> HttpResult {
    answer(
        &s,
        &ty,
        PropertyCall::CreateGroup(input),
        StatusCode::CREATED,
    )
    .await
}

/// `GET /crm/v3/properties/{objectType}/groups/{groupName}`.
pub(super) async fn group(
    State(s): State<AppState>,
    Path((ty, name)): Path<(String, String)>,
) -> HttpResult {
    answer(&s, &ty, PropertyCall::Group { name }, StatusCode::OK).await
}

/// `PATCH /crm/v3/properties/{objectType}/groups/{groupName}`.
pub(super) async fn update_group(
    State(s): State<AppState>,
    Path((ty, name)): Path<(String, String)>,
    JsonBody(input): JsonBody<PropertyGroupUpdate>,
) -> HttpResult {
    answer(
        &s,
        &ty,
        PropertyCall::UpdateGroup { name, input },
        StatusCode::OK,
    )
    .await
}

/// `DELETE /crm/v3/properties/{objectType}/groups/{groupName}` (204).
pub(super) async fn archive_group(
    State(s): State<AppState>,
    Path((ty, name)): Path<(String, String)>,
) -> HttpResult {
    answer(
        &s,
        &ty,
        PropertyCall::ArchiveGroup { name },
        StatusCode::NO_CONTENT,
    )
    .await
}
