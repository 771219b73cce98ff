//! The route table: HubSpot's tickets, associations, properties and pipelines paths, the object
//! paths of contacts, companies, notes and tasks, each mapped
//! to a handler that parses the request, makes exactly one backend call and renders HubSpot's
//! status and body. Handlers hold no business rules (limits, validation, defaults): those live
//! in the backend and come back as `ApiError`s.
//!
//! Precedence: the static paths `search`, `merge` and `batch/*` win over `{ticketId}`. Because
//! HubSpot's `{ticketId}` matches any segment, `GET .../tickets/search` (or `merge`) is a read
//! of the ticket with that id, as on HubSpot, and gets the backend's 404.

mod associations;
mod associations_batch;
mod batch;
mod objects;
mod owners;
mod pipelines;
mod properties;
mod schema;
mod tickets;

use std::sync::Arc;

use axum::routing::{get, post, put};
use axum::Router;

use crate::backend::TicketsBackend;

/// What every handler needs.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) backend: Arc<dyn TicketsBackend>,
}

const TICKETS: &str = "/crm/v3/objects/tickets";

/// All routes, without middleware.
pub(crate) fn routes() -> Router<AppState> {
    let v3_assoc = "/crm/v3/objects/tickets/{ticketId}/associations";
    let v4_assoc = "/crm/v4/objects/tickets/{ticketId}/associations";
    Router::new()
        .route(TICKETS, get(tickets::list).post(tickets::create))
        .route(
            "/crm/v3/objects/tickets/{ticketId}",
            get(tickets::get)
                .patch(tickets::update)
                .delete(tickets::archive),
        )
        .route(
            "/crm/v3/objects/tickets/search",
            tickets::literal_id("search").post(tickets::search),
        )
        .route(
            "/crm/v3/objects/tickets/merge",
            tickets::literal_id("merge").post(tickets::merge),
        )
        .route("/crm/v3/objects/tickets/batch/read", post(batch::read))
        .route("/crm/v3/objects/tickets/batch/create", post(batch::create))
        .route("/crm/v3/objects/tickets/batch/update", post(batch::update))
        .route("/crm/v3/objects/tickets/batch/upsert", post(batch::upsert))
        .route(
            "/crm/v3/objects/tickets/batch/archive",
            post(batch::archive),
        )
        .route(
            &format!("{v3_assoc}/{{toObjectType}}/{{toObjectId}}/{{associationTypeId}}"),
            put(associations::associate_v3).delete(associations::dissociate_v3),
        )
        .route(
            &format!("{v3_assoc}/{{toObjectType}}"),
            get(associations::list_v3),
        )
        .route(
            &format!("{v4_assoc}/default/{{toObjectType}}/{{toObjectId}}"),
            put(associations::associate_default_v4),
        )
        .route(
            &format!("{v4_assoc}/{{toObjectType}}/{{toObjectId}}"),
            put(associations::associate_v4).delete(associations::dissociate_v4),
        )
        .route(
            &format!("{v4_assoc}/{{toObjectType}}"),
            get(associations::list_v4),
        )
        .route(
            "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels",
            get(associations::labels)
                .post(associations::create_label)
                .put(associations::update_label),
        )
        .route(
            "/crm/v4/associations/{fromObjectType}/{toObjectType}/labels/{associationTypeId}",
            axum::routing::delete(associations::delete_label),
        )
        .route(
            "/crm/v4/associations/tickets/{toObjectType}/batch/create",
            post(associations::batch_create_v4),
        )
        .route(
            "/crm/v4/associations/tickets/{toObjectType}/batch/read",
            post(associations::batch_read_v4),
        )
        .route(
            "/crm/v4/associations/tickets/{toObjectType}/batch/labels/archive",
            post(associations::batch_archive_labels_v4),
        )
        .route(
            "/crm/v4/associations/tickets/{toObjectType}/batch/archive",
            post(associations_batch::archive_all_v4),
        )
        .route(
            "/crm/v3/associations/tickets/{toObjectType}/batch/create",
            post(associations_batch::create_v3),
        )
        .route(
            "/crm/v3/associations/tickets/{toObjectType}/batch/read",
            post(associations_batch::read_v3),
        )
        .route(
            "/crm/v3/associations/tickets/{toObjectType}/batch/archive",
            post(associations_batch::archive_v3),
        )
        .route(
            "/crm/v3/objects/{objectType}",
            get(objects::list).post(objects::create),
        )
        .route(
            "/crm/v3/objects/{objectType}/{objectId}",
            get(objects::get)
                .patch(objects::update)
                .delete(objects::archive),
        )
        .route("/crm/v3/objects/{objectType}/search", post(objects::search))
        .route(
            "/crm/v3/objects/{objectType}/batch/read",
            post(objects::batch_read),
        )
        .route(
            "/crm/v3/properties/{objectType}",
            get(properties::list).post(properties::create),
        )
        .route(
            "/crm/v3/properties/{objectType}/batch/read",
            post(properties::batch_read),
        )
        .route(
            "/crm/v3/properties/{objectType}/batch/create",
            post(properties::batch_create),
        )
        .route(
            "/crm/v3/properties/{objectType}/batch/archive",
            post(properties::batch_archive),
        )
        .route(
            "/crm/v3/properties/{objectType}/groups",
            get(properties::groups).post(properties::create_group),
        )
        .route(
            "/crm/v3/properties/{objectType}/groups/{groupName}",
            get(properties::group)
                .patch(properties::update_group)
                .delete(properties::archive_group),
        )
        .route(
            "/crm/v3/properties/{objectType}/{propertyName}",
            get(properties::get)
                .patch(properties::update)
                .delete(properties::archive),
        )
        .route(
            "/crm/v3/pipelines/tickets",
            get(schema::pipelines).post(pipelines::create),
        )
        .route("/account-info/v3/details", get(schema::account_details))
        .route("/crm/v3/owners", get(owners::list))
        // HubSpot's spec (and so the official clients) spell the list with a trailing slash.
        .route("/crm/v3/owners/", get(owners::list))
        .route("/crm/v3/owners/{ownerId}", get(owners::get))
        .route(
            "/crm/v3/pipelines/tickets/{pipelineId}",
            get(schema::pipeline)
                .put(pipelines::replace)
                .patch(pipelines::update)
                .delete(pipelines::delete),
        )
        .route(
            "/crm/v3/pipelines/tickets/{pipelineId}/stages",
            get(schema::stages).post(pipelines::create_stage),
        )
        .route(
            "/crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}",
            get(schema::stage)
                .put(pipelines::replace_stage)
                .patch(pipelines::update_stage)
                .delete(pipelines::delete_stage),
        )
}
