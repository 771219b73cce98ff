//! Schema endpoints: ticket properties and property groups, ticket pipelines with their
//! stages, and the account details (`/account-info/v3/details`). Lists answer
//! `{"results": [...]}` without paging, as HubSpot does.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;

use super::AppState;
use crate::model::{ApiError, PropertyGroupCreate, PropertyGroupUpdate};
use crate::server::json_body::JsonBody;
use crate::server::query::QueryParams;
use crate::server::response::{json, no_content, HttpError, HttpResult};

#[derive(Serialize)]
struct Results<T> {
    results: Vec<T>,
}

/// `GET /crm/v3/properties/tickets[?archived=]`.
pub(super) async fn properties(State(s): State<AppState>, q: QueryParams) -> HttpResult {
    let results = if q.bool("archived")?.unwrap_or(false) {
        s.backend.archived_properties().await?
    } else {
        s.backend.properties().await?
    };
    Ok(json(StatusCode::OK, &Results { results }))
}

/// `GET /crm/v3/properties/{objectType}` for the other stored types (companies, contacts, ...).
pub(super) async fn object_properties(
    State(s): State<AppState>,
    Path(ty): Path<String>,
) -> HttpResult {
    let results = s.backend.object_properties(&ty).await?;
    Ok(json(StatusCode::OK, &Results { results }))
}

/// `GET /crm/v3/properties/tickets/{propertyName}`.
pub(super) async fn property(State(s): State<AppState>, Path(name): Path<String>) -> HttpResult {
    Ok(json(StatusCode::OK, &s.backend.property(&name).await?))
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

/// `GET /crm/v3/properties/tickets/groups`.
pub(super) async fn groups(State(s): State<AppState>) -> HttpResult {
    let results = s.backend.property_groups().await?;
    Ok(json(StatusCode::OK, &Results { results }))
}

/// `POST /crm/v3/properties/tickets/groups` (201).
pub(super) async fn create_group(
    State(s): State<AppState>,
    JsonBody(input): JsonBody<PropertyGroupCreate>,
) -> HttpResult {
    let group = s.backend.create_property_group(&input).await?;
    Ok(json(StatusCode::CREATED, &group))
}

/// `GET /crm/v3/properties/tickets/groups/{groupName}`.
pub(super) async fn group(State(s): State<AppState>, Path(name): Path<String>) -> HttpResult {
    Ok(json(
        StatusCode::OK,
        &s.backend.property_group(&name).await?,
    ))
}

/// `PATCH /crm/v3/properties/tickets/groups/{groupName}`.
pub(super) async fn update_group(
    State(s): State<AppState>,
    Path(name): Path<String>,
    JsonBody(input): JsonBody<PropertyGroupUpdate>,
) -> HttpResult {
    let group = s.backend.update_property_group(&name, &input).await?;
    Ok(json(StatusCode::OK, &group))
}

/// `DELETE /crm/v3/properties/tickets/groups/{groupName}` (204).
pub(super) async fn archive_group(
    State(s): State<AppState>,
    Path(name): Path<String>,
) -> HttpResult {
    s.backend.archive_property_group(&name).await?;
    Ok(no_content())
}
