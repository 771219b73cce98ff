//! The owners endpoints: `GET /crm/v3/owners` (`email`, `after`, `limit`, `archived`) and
//! `GET /crm/v3/owners/{ownerId}` (`idProperty=id|userId`, `archived`).

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::AppState;
use crate::model::{ApiError, OwnerIdProperty, OwnerQuery};
use crate::server::query::QueryParams;
use crate::server::response::{json, HttpError, HttpResult};

/// `GET /crm/v3/owners`.
pub(super) async fn list(State(s): State<AppState>, q: QueryParams) -> HttpResult {
    let query = OwnerQuery {
        email: q.value("email").map(str::to_string),
        after: q.value("after").map(str::to_string),
        limit: q.u32("limit")?,
        archived: q.bool("archived")?.unwrap_or(false),
    };
    Ok(json(StatusCode::OK, &s.backend.owners(&query).await?))
}

/// `GET /crm/v3/owners/{ownerId}`.
pub(super) async fn get(
    State(s): State<AppState>,
    Path(id): Path<String>,
    q: QueryParams,
) -> HttpResult {
    let id_property = match q.value("idProperty") {
        None | Some("id") => OwnerIdProperty::Id,
        Some("userId") => OwnerIdProperty::UserId,
        Some(other) => {
            return Err(HttpError::from(ApiError::validation(format!(
                "idProperty must be id or userId, got {other:?}"
            ))))
        }
    };
    let archived = q.bool("archived")?.unwrap_or(false);
    Ok(json(
        StatusCode::OK,
        &s.backend.owner(&id, id_property, archived).await?,
    ))
}
