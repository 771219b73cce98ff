//! Property writes: `POST/PATCH/DELETE /crm/v3/properties/tickets[/{propertyName}]` and the
//! property batch endpoints (`batch/read`, `batch/create`, `batch/archive`). The reads and the
//! groups are in `schema.rs`.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::batch::render;
use super::AppState;
use crate::model::{BatchInput, PropertyBatchRead, PropertyCreate, PropertyName, PropertyUpdate};
use crate::server::json_body::JsonBody;
use crate::server::response::{json, no_content, HttpResult};

/// `POST /crm/v3/properties/tickets` (201).
pub(super) async fn create(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<PropertyCreate>,
) -> HttpResult {
    Ok(json(
        StatusCode::CREATED,
        &s.backend.create_property(&input).await?,
    ))
}

/// `PATCH /crm/v3/properties/tickets/{propertyName}`.
pub(super) async fn update(
    State(s): State<AppState>,
    Path(name): Path<String>,
    JsonBody(input): JsonBody<PropertyUpdate>,
) -> HttpResult {
    Ok(json(
        StatusCode::OK,
        &s.backend.update_property(&name, &input).await?,
    ))
}

/// `DELETE /crm/v3/properties/tickets/{propertyName}` (204).
pub(super) async fn archive(State(s): State<AppState>, Path(name): Path<String>) -> HttpResult {
    s.backend.archive_property(&name).await?;
    Ok(no_content())
}

/// `POST /crm/v3/properties/tickets/batch/read`: 200, or 207 when some are missing.
pub(super) async fn batch_read(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<PropertyBatchRead>,
) -> HttpResult {
    render(
        StatusCode::OK,
        &s.backend.batch_read_properties(&input).await?,
    )
}

/// `POST /crm/v3/properties/tickets/batch/create` (201).
pub(super) async fn batch_create(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<BatchInput<PropertyCreate>>,
) -> HttpResult {
    render(
        StatusCode::CREATED,
        &s.backend.batch_create_properties(&input).await?,
    )
}

/// `POST /crm/v3/properties/tickets/batch/archive` (204).
pub(super) async fn batch_archive(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<BatchInput<PropertyName>>,
) -> HttpResult {
    s.backend.batch_archive_properties(&input).await?;
    Ok(no_content())
}
