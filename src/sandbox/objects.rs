//! The write endpoints of the other stored object types (contacts, companies, notes, tasks):
//! create (with inline associations to tickets), update and archive. Reads, batch reads and
//! search are the tickets' own functions run with the type's catalog (`reads`, `search`).
//!
//! Rules, HubSpot's where documented and our choice where marked:
//! - every value passes [`check_value`] (read-only, type, length, options), an unknown
//!   property is `PROPERTY_DOESNT_EXIST`, all problems of one input in one 400;
//! - a create without a required property (`hs_timestamp` of notes and tasks) is a 400
//!   `REQUIRED_FIELD` (HubSpot's code for it is unconfirmed);
//! - a unique property (`email` of contacts) already held by another record is a 409;
//! - inline associations take the types from the object to a ticket (228 note to ticket, 15
//!   contact to ticket, ...) and need the ticket to exist (404); they are stored from the
//!   ticket's side, like every association;
//! - the response of a create or update carries the sent properties plus the type's defaults
//!   (our choice; HubSpot's exact set is unconfirmed).

use rusqlite::types::Value;
use rusqlite::Connection;

use super::assoc::{self, PairType};
use super::catalog::Catalog;
use super::reads::{render, Projection};
use super::row::Row;
use super::store::Db;
use super::validate::ValidatedWrite;
use super::writer::{archive_one, check_db_rules, insert_row, now_ms, resolve, update_cols};
use crate::backend::BackendResult;
use crate::model::object_types::{object_type, ticket_side_type};
use crate::model::write_rules::{check_value, CheckedValue};
use crate::model::{
    ApiError, AssociationCategory, AssociationInput, CreateInput, ErrorDetail, InputProperties,
    Ticket, UpdateInput,
};

fn stored(v: CheckedValue) -> Value {
    match v {
        CheckedValue::Cleared => Value::Null,
        CheckedValue::Text(s) => Value::Text(s),
        CheckedValue::Integer(i) | CheckedValue::Millis(i) => Value::Integer(i),
        CheckedValue::Real(f) => Value::Real(f),
    }
}

/// Validates a write to a record of `cat`'s type (`current` is `None` for a create).
fn validate(
    cat: &Catalog,
    input: &InputProperties,
    current: Option<&Row>,
    now: i64,
) -> Result<ValidatedWrite, Vec<ErrorDetail>> {
    let mut row = current.cloned().unwrap_or_else(|| Row::empty(cat));
    let mut errors = Vec::new();
    let mut sent = Vec::new();
    for (name, raw) in input.iter() {
        let Some(p) = cat.prop(name) else {
            errors.push(ErrorDetail::property(
                "PROPERTY_DOESNT_EXIST",
                name,
                format!("Property \"{name}\" does not exist"),
            ));
            continue;
        };
        match check_value(&p.def, raw) {
            Ok(v) => {
                if let Some(c) = p.col {
                    row.values[c] = stored(v);
                }
                sent.push(name.clone());
            }
            Err(e) => errors.push(e.into()),
        }
    }
    if current.is_none() {
        for name in cat.meta().required {
            let set = cat
                .col(name)
                .is_some_and(|c| !matches!(row.values[c], Value::Null));
            if !set && !input.contains_key(*name) {
                errors.push(ErrorDetail::property(
                    "REQUIRED_FIELD",
                    name,
                    format!("{name} is required to create a {}", cat.meta().singular),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let (None, Some(c)) = (current, cat.col(cat.meta().created)) {
        row.values[c] = Value::Integer(now);
    }
    if let Some(c) = cat.col(cat.meta().modified) {
        row.values[c] = Value::Integer(now);
    }
    Ok(ValidatedWrite {
        row,
        sent,
        pinned: None,
    })
}

/// The tickets an inline association list points at, with the ticket-side type of each
/// (HubSpot's own record → ticket types, or a portal label from this type to tickets).
fn inline_tickets(
    conn: &Connection,
    cat: &Catalog,
    inputs: &[AssociationInput],
) -> BackendResult<Vec<(i64, PairType)>> {
    let tickets = object_type("tickets").ok_or_else(|| ApiError::internal("object table"))?;
    let obj = object_type(cat.table()).ok_or_else(|| ApiError::internal("object table"))?;
    let mut out = Vec::new();
    for a in inputs {
        let ticket = assoc::target_id(&a.to.id)?;
        if a.types.is_empty() {
            return Err(ApiError::validation("an association needs at least one type").into());
        }
        for spec in &a.types {
            let forward = match spec.association_category {
                AssociationCategory::HubspotDefined => {
                    match ticket_side_type(cat.table(), spec.association_type_id) {
                        Some(id) => Some(PairType::hubspot(id)?),
                        None => None,
                    }
                }
                AssociationCategory::UserDefined => {
                    assoc::ticket_side_label(cat, obj, spec.association_type_id)
                }
                _ => None,
            }
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "association type {} ({}) does not link {} to tickets (the sandbox stores only associations with tickets)",
                    spec.association_type_id,
                    spec.association_category.as_str(),
                    cat.table()
                ))
            })?;
            assoc::check_target(conn, tickets, ticket)?;
            out.push((ticket, forward));
        }
    }
    Ok(out)
}

fn response(conn: &Connection, cat: &Catalog, write: &ValidatedWrite) -> BackendResult<Ticket> {
    let mut props: Vec<String> = cat.meta().defaults.iter().map(|s| s.to_string()).collect();
    for s in &write.sent {
        if !props.contains(s) {
            props.push(s.clone());
        }
    }
    render(conn, cat, &write.row, &Projection::only(props))
}

/// `POST /crm/v3/objects/{objectType}` (201).
pub(super) fn create(
    conn: &Connection,
    cat: &Catalog,
    input: &CreateInput,
) -> BackendResult<Ticket> {
    let now = now_ms();
    let mut write =
        validate(cat, &input.properties, None, now).map_err(ApiError::invalid_properties)?;
    let links = inline_tickets(conn, cat, &input.associations)?;
    check_db_rules(conn, cat, &write, None, &[])?;
    let id = insert_row(conn, cat, &write.row).db()?;
    super::search_lag::created(conn, cat, id, now).db()?;
    write.row.id = id;
    let obj = object_type(cat.table()).ok_or_else(|| ApiError::internal("object table"))?;
    for (ticket, t) in links {
        assoc::add(conn, ticket, obj, id, &t)?;
    }
    response(conn, cat, &write)
}

/// `PATCH /crm/v3/objects/{objectType}/{id}[?idProperty=]`.
pub(super) fn update(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    input: &UpdateInput,
    id_property: Option<&str>,
) -> BackendResult<Ticket> {
    let old = resolve(conn, cat, id, id_property, false)?;
    let write = validate(cat, &input.properties, Some(&old), now_ms())
        .map_err(ApiError::invalid_properties)?;
    check_db_rules(conn, cat, &write, Some(&old), &[])?;
    update_cols(conn, cat, &write.row, &write.changed(&old)).db()?;
    response(conn, cat, &write)
}

/// `DELETE /crm/v3/objects/{objectType}/{id}` (204; the record's associations stay, as an
/// archived ticket's do, and come back with it).
pub(super) fn archive(conn: &Connection, cat: &Catalog, id: &str) -> BackendResult<()> {
    let row = resolve(conn, cat, id, None, false)?;
    archive_one(conn, cat, row.id, now_ms())
}
