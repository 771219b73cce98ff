//! Schema endpoints: ticket pipelines with their stages, and the account details
//! (`/account-info/v3/details`). The property endpoints are in `properties`. Lists answer
//! `{"results": [...]}` without paging, as HubSpot does.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::AppState;
use crate::model::ApiError;
use crate::server::response::{json, HttpError, HttpResult};

#[derive(Serialize)]
struct Results<T> {
    results: Vec<T>,
}

/// `GET /account-info/v3/details`: the sandbox's account (portal id 0).
pub(super) async fn account_details(State(s): State<AppState>) -> HttpResult {
    Ok(json(StatusCode::OK, &s.backend.account_details().await?))
}

/// `GET /crm/v3/pipelines/tickets`.
pub(super) async fn pipelines(State(s): State<AppState>) -> HttpResult {
    let results = s.backend.pipelines().await?;
    Ok(json(StatusCode::OK, &Results { results }))
}

/// `GET /crm/v3/pipelines/tickets/{pipelineId}`.
pub(super) async fn pipeline(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult {
    Ok(json(StatusCode::OK, &s.backend.pipeline(&id).await?))
}

/// `GET /crm/v3/pipelines/tickets/{pipelineId}/stages`.
pub(super) async fn stages(State(s): State<AppState>, Path(id): Path<String>) -> HttpResult {
    let results = s.backend.pipeline_stages(&id).await?;
    Ok(json(StatusCode::OK, &Results { results }))
}

/// `GET /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}`: the stage of the pipeline,
/// or 404 `OBJECT_NOT_FOUND`.
pub(super) async fn stage(
    State(s): State<AppState>,
    Path((pipeline_id, stage_id)): Path<(String, String)>,
) -> HttpResult {
    let pipeline = s.backend.pipeline(&pipeline_id).await?;
    let stage = pipeline.stage(&stage_id).ok_or_else(|| {
        HttpError::from(ApiError::not_found(format!(
            "Unable to find stage {stage_id} in pipeline {pipeline_id}"
        )))
    })?;
    Ok(json(StatusCode::OK, stage))
}
