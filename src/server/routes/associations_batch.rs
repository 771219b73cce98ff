//! The association batch endpoints that HubSpot's official clients still call besides v4's
//! create/read/labels-archive: v3's `POST /crm/v3/associations/tickets/{toObjectType}/batch/
//! {create,read,archive}` (inputs name their type, `"type": "ticket_to_contact"`) and v4's
//! `POST /crm/v4/associations/tickets/{toObjectType}/batch/archive` (every association between
//! each pair). Each is translated to the backend's v4 batch operations, so sizes, missing
//! records and per-input errors are judged in one place, the same way for every version.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::model::object_types::{assoc_type, known_object_type, type_for};
use crate::model::{
    find_pair_type, ApiError, AssociationBatchItem, AssociationCategory, AssociationSpec,
    AssociationSpecWithLabel, BatchInput, BatchResponse, IdInput, ObjectIdRef, MAX_BATCH_INPUTS,
};
use crate::server::json_body::JsonBody;
use crate::server::response::{json, no_content, HttpError, HttpResult};

/// One v3 input (`PublicAssociation`): `{from: {id}, to: {id}, type: "ticket_to_contact"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct V3Association {
    from: ObjectIdRef,
    to: ObjectIdRef,
    #[serde(rename = "type")]
    kind: String,
}

/// One v3 batch-read result (`PublicAssociationMulti`): a ticket and its associated ids.
#[derive(Debug, Serialize)]
struct V3AssociationMulti {
    from: ObjectIdRef,
    to: Vec<V3AssociatedId>,
}

/// `{id, type}` inside [`V3AssociationMulti`].
#[derive(Debug, Serialize)]
struct V3AssociatedId {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

/// One v4 batch-archive input (`PublicAssociationMultiArchive`): a ticket and the records
/// whose every association with it goes.
#[derive(Debug, Deserialize)]
pub(super) struct V4ArchiveInput {
    from: ObjectIdRef,
    to: Vec<ObjectIdRef>,
}

/// The v3 inputs as v4 batch items: each named type resolved to its id, HubSpot's by its v3
/// name or id, a portal label by its label text or type id (the pair's labels are read once,
/// when an input names one); a type that is neither is HubSpot's 400 for the whole batch.
async fn as_v4(
    s: &AppState,
    to_type: &str,
    input: &BatchInput<V3Association>,
) -> Result<BatchInput<AssociationBatchItem>, HttpError> {
    let invalid = |message: String| HttpError::from(ApiError::validation(message));
    let to = known_object_type(to_type).map_err(invalid)?;
    let mut labels: Option<Vec<AssociationSpecWithLabel>> = None;
    let mut inputs = Vec::with_capacity(input.inputs.len());
    for a in &input.inputs {
        let spec = match type_for(to, &a.kind) {
            Ok(t) => AssociationSpec::hubspot(t.id),
            Err(message) => {
                if labels.is_none() {
                    labels = Some(s.backend.association_labels("tickets", to.plural).await?);
                }
                let known = labels.as_deref().unwrap_or_default();
                let user: Vec<AssociationSpecWithLabel> = known
                    .iter()
                    .filter(|t| t.category == AssociationCategory::UserDefined)
                    .cloned()
                    .collect();
                find_pair_type(&user, &a.kind, to.plural).map_err(|_| invalid(message))?
            }
        };
        inputs.push(AssociationBatchItem {
            from: a.from.clone(),
            to: a.to.clone(),
            types: vec![spec],
        });
    }
    Ok(BatchInput { inputs })
}

/// The v3 `type` of one association type: HubSpot's v3 name, a portal label's text (as the
/// sandbox's v3 listing names it).
fn v3_name(t: &AssociationSpecWithLabel) -> Option<String> {
    match t.category {
        AssociationCategory::UserDefined => t.label.clone(),
        _ => assoc_type(t.type_id).map(|known| known.name.to_string()),
    }
}

/// v3 `.../batch/create`: 201 with the associations made (in v3's shape), or 207 with the
/// inputs that failed.
pub(super) async fn create_v3(
    State(s): State<AppState>,
    Path(to_type): Path<String>,
    JsonBody(input): JsonBody<BatchInput<V3Association>>,
) -> HttpResult {
    let v4 = as_v4(&s, &to_type, &input).await?;
    let done = s.backend.batch_associate_v4(&to_type, &v4).await?;
    // Each result names its pair; its v3 type is the one that input asked for.
    let results = done
        .results
        .iter()
        .filter_map(|r| {
            input
                .inputs
                .iter()
                .find(|a| a.from.id == r.from_object_id && a.to.id == r.to_object_id)
                .cloned()
        })
        .collect();
    let status = if done.is_partial() {
        StatusCode::MULTI_STATUS
    } else {
        StatusCode::CREATED
    };
    Ok(json(status, &with_results(done, results)))
}

/// v3 `.../batch/archive`: 204; removes the named type of each pair (others stay).
pub(super) async fn archive_v3(
    State(s): State<AppState>,
    Path(to_type): Path<String>,
    JsonBody(input): JsonBody<BatchInput<V3Association>>,
) -> HttpResult {
    let v4 = as_v4(&s, &to_type, &input).await?;
    s.backend.batch_dissociate_v4(&to_type, &v4).await?;
    Ok(no_content())
}

/// v3 `.../batch/read`: each ticket's associated ids of `to_type` with their v3 type names
/// (200, or 207 when some tickets do not exist).
pub(super) async fn read_v3(
    State(s): State<AppState>,
    Path(to_type): Path<String>,
    JsonBody(input): JsonBody<BatchInput<IdInput>>,
) -> HttpResult {
    let read = s
        .backend
        .batch_read_associations_v4(&to_type, &input)
        .await?;
    let results: Vec<V3AssociationMulti> = read
        .results
        .iter()
        .map(|of| V3AssociationMulti {
            from: of.from.clone(),
            to: of
                .to
                .iter()
                .flat_map(|o| {
                    o.association_types.iter().filter_map(|t| {
                        v3_name(t).map(|kind| V3AssociatedId {
                            id: o.to_object_id.clone(),
                            kind,
                        })
                    })
                })
                .collect(),
        })
        .collect();
    let status = if read.is_partial() {
        StatusCode::MULTI_STATUS
    } else {
        StatusCode::OK
    };
    Ok(json(status, &with_results(read, results)))
}

/// v4 `.../batch/archive`: 204; removes every association between each ticket and each of its
/// listed records. At most [`MAX_BATCH_INPUTS`] tickets, as every batch.
pub(super) async fn archive_all_v4(
    State(s): State<AppState>,
    Path(to_type): Path<String>,
    JsonBody(input): JsonBody<BatchInput<V4ArchiveInput>>,
) -> HttpResult {
    let n = input.inputs.len();
    if n > MAX_BATCH_INPUTS {
        return Err(ApiError::validation(format!(
            "Too many inputs: a batch accepts at most {MAX_BATCH_INPUTS}, got {n}"
        ))
        .into());
    }
    for pair in &input.inputs {
        for to in &pair.to {
            s.backend
                .dissociate_v4(&pair.from.id, &to_type, &to.id)
                .await?;
        }
    }
    Ok(no_content())
}

/// `done` with its results replaced by their v3 form (status, errors and times kept).
fn with_results<T, U>(done: BatchResponse<T>, results: Vec<U>) -> BatchResponse<U> {
    BatchResponse {
        status: done.status,
        results,
        num_errors: done.num_errors,
        errors: done.errors,
        requested_at: done.requested_at,
        started_at: done.started_at,
        completed_at: done.completed_at,
        links: done.links,
    }
}
