//! `POST /crm/v3/objects/tickets/batch/{read,create,update,upsert,archive}`. A response that
//! reports per-input errors (`is_partial`) answers 207 whatever the endpoint.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use super::AppState;
use crate::model::{
    BatchCreateItem, BatchInput, BatchReadInput, BatchResponse, BatchUpdateItem, IdInput,
};
use crate::server::json_body::JsonBody;
use crate::server::query::QueryParams;
use crate::server::response::{json, no_content, HttpResult};

pub(super) fn render<T: Serialize>(ok: StatusCode, response: &BatchResponse<T>) -> HttpResult {
    let status = if response.is_partial() {
        StatusCode::MULTI_STATUS
    } else {
        ok
    };
    Ok(json(status, response))
}

/// `batch/read[?archived=]`: 200, or 207.
pub(super) async fn read(
    State(s): State<AppState>,
    q: QueryParams,
    JsonBody(input): JsonBody<BatchReadInput>,
) -> HttpResult {
    let archived = q.bool("archived")?.unwrap_or(false);
    render(
        StatusCode::OK,
        &s.backend.batch_read(&input, archived).await?,
    )
}

/// `batch/create`: 201, or 207.
pub(super) async fn create(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<BatchInput<BatchCreateItem>>,
) -> HttpResult {
    render(StatusCode::CREATED, &s.backend.batch_create(&input).await?)
}

/// `batch/update`: 200, or 207.
pub(super) async fn update(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<BatchInput<BatchUpdateItem>>,
) -> HttpResult {
    render(StatusCode::OK, &s.backend.batch_update(&input).await?)
}

/// `batch/upsert`: 200, or 207.
pub(super) async fn upsert(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<BatchInput<BatchUpdateItem>>,
) -> HttpResult {
    render(StatusCode::OK, &s.backend.batch_upsert(&input).await?)
}

/// `batch/archive`: 204.
pub(super) async fn archive(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<BatchInput<IdInput>>,
) -> HttpResult {
    s.backend.batch_archive(&input).await?;
    Ok(no_content())
}
