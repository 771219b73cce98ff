//! Association endpoints of a ticket: the legacy v3 object-level paths and the v4 ones,
//! including v4's "default" PUT, which creates the unlabelled HubSpot-defined type for the pair,
//! and the v4 batch endpoints `POST /crm/v4/associations/tickets/{toObjectType}/batch/create`
//! (201, or 207) and `.../batch/labels/archive` (204).

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use serde::Serialize;

use super::AppState;
use crate::model::object_types::default_type_id;
use crate::model::{
    AssociationBatchItem, AssociationLabelCreate, AssociationLabelUpdate, AssociationSpec,
    BatchInput, BatchResponse, ObjectIdRef,
};
use crate::server::json_body::JsonBody;
use crate::server::query::QueryParams;
use crate::server::response::{json, no_content, HttpError, HttpResult};

/// v3 `PUT .../{ticketId}/associations/{toObjectType}/{toObjectId}/{associationTypeId}`: 200
/// with the ticket (the status is unconfirmed; 200 is what the old clients expected).
pub(super) async fn associate_v3(
    State(s): State<AppState>,
    Path((id, to_type, to_id, type_id)): Path<(String, String, String, String)>,
) -> HttpResult {
    let ticket = s.backend.associate(&id, &to_type, &to_id, &type_id).await?;
    Ok(json(StatusCode::OK, &ticket))
}

/// v3 `DELETE` on the same path: 204.
pub(super) async fn dissociate_v3(
    State(s): State<AppState>,
    Path((id, to_type, to_id, type_id)): Path<(String, String, String, String)>,
) -> HttpResult {
    s.backend
        .dissociate(&id, &to_type, &to_id, &type_id)
        .await?;
    Ok(no_content())
}

/// v3 `GET .../{ticketId}/associations/{toObjectType}?after=&limit=`.
pub(super) async fn list_v3(
    State(s): State<AppState>,
    Path((id, to_type)): Path<(String, String)>,
    q: QueryParams,
) -> HttpResult {
    let limit = q.u32("limit")?;
    let page = s
        .backend
        .associations(&id, &to_type, q.value("after"), limit)
        .await?;
    Ok(json(StatusCode::OK, &page))
}

/// v4 `PUT .../{ticketId}/associations/{toObjectType}/{toObjectId}` with `AssociationSpec[]`:
/// 201 and a `Location` header. HubSpot's Location value is undocumented; this server points it
/// at the association itself (the request path).
pub(super) async fn associate_v4(
    State(s): State<AppState>,
    Path((id, to_type, to_id)): Path<(String, String, String)>,
    uri: Uri,
    JsonBody(types): JsonBody<Vec<AssociationSpec>>,
) -> HttpResult {
    let pair = s
        .backend
        .associate_v4(&id, &to_type, &to_id, &types)
        .await?;
    let mut response = json(StatusCode::CREATED, &pair);
    if let Ok(location) = HeaderValue::from_str(uri.path()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// One result of the v4 default PUT (`PublicDefaultAssociation`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DefaultAssociation {
    from: ObjectIdRef,
    to: ObjectIdRef,
    association_spec: AssociationSpec,
}

/// v4 `PUT .../{ticketId}/associations/default/{toObjectType}/{toObjectId}`: 200 with a batch
/// response listing the default association created.
pub(super) async fn associate_default_v4(
    State(s): State<AppState>,
    Path((id, to_type, to_id)): Path<(String, String, String)>,
) -> HttpResult {
    let started = chrono::Utc::now();
    let type_id = default_type_id(&to_type).ok_or_else(|| {
        HttpError::validation(format!(
            "No default association type from tickets to `{to_type}`"
        ))
    })?;
    let spec = AssociationSpec::hubspot(type_id);
    let pair = s
        .backend
        .associate_v4(&id, &to_type, &to_id, &[spec])
        .await?;
    let result = DefaultAssociation {
        from: ObjectIdRef {
            id: pair.from_object_id,
        },
        to: ObjectIdRef {
            id: pair.to_object_id,
        },
        association_spec: spec,
    };
    Ok(json(
        StatusCode::OK,
        &BatchResponse::complete(vec![result], started),
    ))
}

/// v4 `DELETE .../{ticketId}/associations/{toObjectType}/{toObjectId}`: 204.
pub(super) async fn dissociate_v4(
    State(s): State<AppState>,
    Path((id, to_type, to_id)): Path<(String, String, String)>,
) -> HttpResult {
    s.backend.dissociate_v4(&id, &to_type, &to_id).await?;
    Ok(no_content())
}

/// v4 `GET .../{ticketId}/associations/{toObjectType}?after=&limit=` (the backend enforces the
/// 500 maximum).
pub(super) async fn list_v4(
    State(s): State<AppState>,
    Path((id, to_type)): Path<(String, String)>,
    q: QueryParams,
) -> HttpResult {
    let limit = q.u32("limit")?;
    let page = s
        .backend
        .associations_v4(&id, &to_type, q.value("after"), limit)
        .await?;
    Ok(json(StatusCode::OK, &page))
}

/// v4 `POST /crm/v4/associations/tickets/{toObjectType}/batch/create`: 201, or 207 when some
/// inputs failed.
pub(super) async fn batch_create_v4(
    State(s): State<AppState>,
    Path(to_type): Path<String>,
    JsonBody(input): JsonBody<BatchInput<AssociationBatchItem>>,
) -> HttpResult {
    let response = s.backend.batch_associate_v4(&to_type, &input).await?;
    let status = if response.is_partial() {
        StatusCode::MULTI_STATUS
    } else {
        StatusCode::CREATED
    };
    Ok(json(status, &response))
}

/// v4 `POST /crm/v4/associations/tickets/{toObjectType}/batch/labels/archive`: 204.
pub(super) async fn batch_archive_labels_v4(
    State(s): State<AppState>,
    Path(to_type): Path<String>,
    JsonBody(input): JsonBody<BatchInput<AssociationBatchItem>>,
) -> HttpResult {
    s.backend.batch_dissociate_v4(&to_type, &input).await?;
    Ok(no_content())
}

/// v4 `POST /crm/v4/associations/tickets/{toObjectType}/batch/read`: 200, or 207 when some
/// tickets do not exist.
pub(super) async fn batch_read_v4(
    State(s): State<AppState>,
    Path(to_type): Path<String>,
    JsonBody(input): JsonBody<BatchInput<crate::model::IdInput>>,
) -> HttpResult {
    let response = s
        .backend
        .batch_read_associations_v4(&to_type, &input)
        .await?;
    let status = if response.is_partial() {
        StatusCode::MULTI_STATUS
    } else {
        StatusCode::OK
    };
    Ok(json(status, &response))
}

/// `GET /crm/v4/associations/{fromObjectType}/{toObjectType}/labels`.
pub(super) async fn labels(
    State(s): State<AppState>,
    Path((from, to)): Path<(String, String)>,
) -> HttpResult {
    let results = s.backend.association_labels(&from, &to).await?;
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({ "results": results }),
    ))
}

/// `POST /crm/v4/associations/{fromObjectType}/{toObjectType}/labels` (200 with both
/// directions, as the client's model expects a collection).
pub(super) async fn create_label(
    State(s): State<AppState>,
    Path((from, to)): Path<(String, String)>,
    JsonBody(input): JsonBody<AssociationLabelCreate>,
) -> HttpResult {
    let results = s
        .backend
        .create_association_label(&from, &to, &input)
        .await?;
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({ "results": results }),
    ))
}

/// `PUT /crm/v4/associations/{fromObjectType}/{toObjectType}/labels` (204).
pub(super) async fn update_label(
    State(s): State<AppState>,
    Path((from, to)): Path<(String, String)>,
    JsonBody(input): JsonBody<AssociationLabelUpdate>,
) -> HttpResult {
    s.backend
        .update_association_label(&from, &to, &input)
        .await?;
    Ok(no_content())
}

/// `DELETE /crm/v4/associations/{fromObjectType}/{toObjectType}/labels/{associationTypeId}`
/// (204).
pub(super) async fn delete_label(
    State(s): State<AppState>,
    Path((from, to, id)): Path<(String, String, String)>,
) -> HttpResult {
    let type_id = id.trim().parse::<i32>().map_err(|_| {
        crate::server::response::HttpError::from(crate::model::ApiError::validation(format!(
            "associationTypeId must be an integer, got {id:?}"
        )))
    })?;
    s.backend
        .delete_association_label(&from, &to, type_id)
        .await?;
    Ok(no_content())
}
