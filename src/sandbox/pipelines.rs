//! The pipeline and stage endpoints (`/crm/v3/pipelines/tickets[...]`) over the catalog: reads
//! here, writes through the store's schema write.

use super::catalog::Catalog;
use crate::backend::BackendResult;
use crate::model::{ApiError, Pipeline};

/// `GET /crm/v3/pipelines/tickets/{pipelineId}`.
pub(super) fn get<'a>(cat: &'a Catalog, id: &str) -> BackendResult<&'a Pipeline> {
    cat.pipeline(id).filter(|p| !p.archived).ok_or_else(|| {
        ApiError::not_found(format!(
            "Unable to find pipeline {id} for object type tickets"
        ))
        .into()
    })
}
