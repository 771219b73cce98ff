//! The single-record write endpoints (create, update, archive) and the property sets their
//! responses carry: the properties sent plus the system ones HubSpot's examples show.
//! Archive of an unknown or already archived id answers 404 (our choice; HubSpot unconfirmed).

use rusqlite::Connection;

use super::catalog::Catalog;
use super::reads::{render, Projection};
use super::row::Row;
use super::validate::ValidatedWrite;
use super::writer::{archive_one, create_one, now_ms, resolve, update_one};
use crate::backend::BackendResult;
use crate::model::{CreateInput, Ticket, UpdateInput};

const CREATE_SYSTEM: &[&str] = &[
    "createdate",
    "hs_lastmodifieddate",
    "hs_object_id",
    "hs_ticket_id",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hs_object_source",
    "hs_object_source_label",
    "hs_is_closed",
];
const UPDATE_SYSTEM: &[&str] = &["createdate", "hs_lastmodifieddate", "hs_object_id"];

fn with_system(write: &ValidatedWrite, system: &[&str], extra: Vec<String>) -> Projection {
    let mut props = write.sent.clone();
    for s in system.iter().map(|s| s.to_string()).chain(extra) {
        if !props.contains(&s) {
            props.push(s);
        }
    }
    Projection::only(props)
}

/// The response of a create.
pub(super) fn created_view(
    conn: &Connection,
    cat: &Catalog,
    write: &ValidatedWrite,
) -> BackendResult<Ticket> {
    render(
        conn,
        cat,
        &write.row,
        &with_system(write, CREATE_SYSTEM, Vec::new()),
    )
}

/// The response of an update: sent, system and changed calculated properties.
pub(super) fn updated_view(
    conn: &Connection,
    cat: &Catalog,
    old: &Row,
    write: &ValidatedWrite,
) -> BackendResult<Ticket> {
    let names: Vec<String> = cat.stored().map(|p| p.def.name.clone()).collect();
    let calculated: Vec<String> = write
        .changed(old)
        .into_iter()
        .map(|c| names[c].clone())
        .filter(|n| matches!(n.as_str(), "hs_is_closed" | "closed_date" | "time_to_close"))
        .collect();
    render(
        conn,
        cat,
        &write.row,
        &with_system(write, UPDATE_SYSTEM, calculated),
    )
}

/// `POST /crm/v3/objects/tickets`.
pub(super) fn create(
    conn: &Connection,
    cat: &Catalog,
    input: &CreateInput,
) -> BackendResult<Ticket> {
    let (_, write) = create_one(conn, cat, &input.properties, &input.associations, now_ms())?;
    created_view(conn, cat, &write)
}

/// `PATCH /crm/v3/objects/tickets/{id}`.
pub(super) fn update(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    input: &UpdateInput,
    id_property: Option<&str>,
) -> BackendResult<Ticket> {
    let old = resolve(conn, cat, id, id_property, false)?;
    let write = update_one(conn, cat, &old, &input.properties, now_ms())?;
    updated_view(conn, cat, &old, &write)
}

/// `DELETE /crm/v3/objects/tickets/{id}`.
pub(super) fn archive(conn: &Connection, cat: &Catalog, id: &str) -> BackendResult<()> {
    let row = resolve(conn, cat, id, None, false)?;
    archive_one(conn, cat, row.id, now_ms())
}
