//! Pipeline and stage writes: `POST /crm/v3/pipelines/tickets`, `PUT/PATCH/DELETE
//! .../{pipelineId}`, `POST .../{pipelineId}/stages` and `PUT/PATCH/DELETE
//! .../stages/{stageId}`. The reads are in `schema.rs`. HubSpot's
//! `validateReferencesBeforeDelete` and `validateDealStageUsagesBeforeDelete` query parameters
//! are accepted and ignored: the sandbox always refuses to delete what tickets are in.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::AppState;
use crate::model::{PipelineInput, PipelinePatch, StageInput, StagePatch};
use crate::server::json_body::JsonBody;
use crate::server::response::{json, no_content, HttpResult};

/// `POST /crm/v3/pipelines/tickets` (201).
pub(super) async fn create(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<PipelineInput>,
) -> HttpResult {
    Ok(json(
        StatusCode::CREATED,
        &s.backend.create_pipeline(&input).await?,
    ))
}

/// `PUT /crm/v3/pipelines/tickets/{pipelineId}`.
pub(super) async fn replace(
    State(s): State<AppState>,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PipelineInput>,
) -> HttpResult {
    Ok(json(
        StatusCode::OK,
        &s.backend.replace_pipeline(&id, &input).await?,
    ))
}

/// `PATCH /crm/v3/pipelines/tickets/{pipelineId}`.
pub(super) async fn update(
    State(s): State<AppState>,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<PipelinePatch>,
) -> HttpResult {
    Ok(json(
        StatusCode::OK,
        &s.backend.update_pipeline(&id, &input).await?,
    ))
}

/// `DELETE /crm/v3/pipelines/tickets/{pipelineId}` (204).
pub(super) async fn delete(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult {
    s.backend.delete_pipeline(&id).await?;
    Ok(no_content())
}

/// `POST /crm/v3/pipelines/tickets/{pipelineId}/stages` (201).
pub(super) async fn create_stage(
    State(s): State<AppState>,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<StageInput>,
) -> HttpResult {
    Ok(json(
        StatusCode::CREATED,
        &s.backend.create_stage(&id, &input).await?,
    ))
}

/// `PUT /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}`.
pub(super) async fn replace_stage(
    State(s): State<AppState>,
    Path((id, stage)): Path<(String, String)>,
    JsonBody(input): JsonBody<StageInput>,
) -> HttpResult {
    Ok(json(
        StatusCode::OK,
        &s.backend.replace_stage(&id, &stage, &input).await?,
    ))
}

/// `PATCH /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}`.
pub(super) async fn update_stage(
    State(s): State<AppState>,
    Path((id, stage)): Path<(String, String)>,
    JsonBody(input): JsonBody<StagePatch>,
) -> HttpResult {
    Ok(json(
        StatusCode::OK,
        &s.backend.update_stage(&id, &stage, &input).await?,
    ))
}

/// `DELETE /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}` (204).
pub(super) async fn delete_stage(
    State(s): State<AppState>,
    Path((id, stage)): Path<(String, String)>,
) -> HttpResult {
    s.backend.delete_stage(&id, &stage).await?;
    Ok(no_content())
}
