//! Association storage and the association endpoints' rules: a target of a stored type
//! (tickets, contacts, companies, notes, tasks) must exist and not be archived (404 otherwise,
//! as HubSpot); deals, meetings, calls, e-mails and communications are not stored as records,
//! so any numeric id of those is accepted. Ticket-to-ticket associations are stored in both
//! directions; a labelled type is always stored with its unlabelled type.
//! The endpoints built on them are in [`endpoints`].

pub(super) mod endpoints;

use rusqlite::{params, Connection};

use super::object_defs::{stored_object, ObjectMeta};
use super::store::Db;
use crate::backend::BackendResult;
use crate::model::object_types::{assoc_type, default_type, object_type, AssocType, ObjectType};
use crate::model::{
    ApiError, AssociatedId, AssociationCategory, AssociationInput, AssociationSpec,
    AssociationSpecWithLabel,
};

/// Parses a target id (numeric), as a 400 otherwise.
pub(super) fn target_id(id: &str) -> BackendResult<i64> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| {
            ApiError::validation(format!(
                "association target id {id} is not a valid numeric id"
            ))
            .into()
        })
}

/// Checks that a target exists: records of a stored type must be active, ids of the types the
/// sandbox does not store are accepted.
pub(super) fn check_target(conn: &Connection, obj: &ObjectType, to_id: i64) -> BackendResult<()> {
    let (table, noun) = match stored_object(obj.plural) {
        Some(m) => (m.table, m.singular),
        None if obj.plural == "tickets" => ("tickets", "ticket"),
        None => return Ok(()),
    };
    let found: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM {table} WHERE id = ?1 AND archived = 0"
        ))
        .and_then(|mut st| st.query_row(params![to_id], |r| r.get(0)))
        .db()?;
    if found == 0 {
        // A missing ticket keeps its older message; a missing record of another type answers
        // what reading it answers, so a dry run (which reads the target) and a real run
        // report the same refusal.
        let message = if table == "tickets" {
            format!("Ticket {to_id} does not exist")
        } else {
            format!("Object not found. objectId are usually numeric. ({noun} {to_id})")
        };
        return Err(ApiError::not_found(message).into());
    }
    Ok(())
}

/// The tickets a record of another stored type is associated with, seen from that record
/// (`company_to_ticket`); a labelled pair is listed once.
pub(super) fn tickets_of(
    conn: &Connection,
    meta: &ObjectMeta,
    id: i64,
) -> BackendResult<Vec<AssociatedId>> {
    let ids: Vec<i64> = conn
        .prepare_cached(
            "SELECT DISTINCT a.ticket_id FROM associations a JOIN tickets t ON t.id = a.ticket_id \
             WHERE a.to_type = ?1 AND a.to_id = ?2 AND t.archived = 0 ORDER BY a.ticket_id",
        )
        .and_then(|mut st| {
            st.query_map(params![meta.table, id], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .db()?;
    Ok(ids
        .into_iter()
        .map(|t| AssociatedId {
            id: t.to_string(),
            kind: format!("{}_to_ticket", meta.singular),
        })
        .collect())
}

/// Stores an association (and its implied unlabelled type, and the reverse for tickets).
pub(super) fn add(
    conn: &Connection,
    ticket: i64,
    obj: &ObjectType,
    to_id: i64,
    t: &AssocType,
) -> BackendResult<()> {
    let mut st = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO associations(ticket_id, to_type, to_id, type_id, category) VALUES (?1, ?2, ?3, ?4, 'HUBSPOT_DEFINED')",
        )
        .db()?;
    st.execute(params![ticket, obj.plural, to_id, t.id]).db()?;
    if let Some(implied) = t.implies {
        st.execute(params![ticket, obj.plural, to_id, implied])
            .db()?;
    }
    if obj.plural == "tickets" {
        st.execute(params![to_id, "tickets", ticket, t.id]).db()?;
    }
    Ok(())
}

/// Removes associations between a pair: one type, or all of them (`None`). Removing an
/// unlabelled type removes the labelled ones too.
pub(super) fn remove(
    conn: &Connection,
    ticket: i64,
    obj: &ObjectType,
    to_id: i64,
    type_id: Option<i32>,
) -> BackendResult<()> {
    let all = type_id.is_none_or(|id| assoc_type(id).is_some_and(|t| t.label.is_none()));
    let pairs: Vec<(i64, i64)> = if obj.plural == "tickets" {
        vec![(ticket, to_id), (to_id, ticket)]
    } else {
        vec![(ticket, to_id)]
    };
    for (a, b) in pairs {
        if all {
            conn.execute(
                "DELETE FROM associations WHERE ticket_id = ?1 AND to_type = ?2 AND to_id = ?3",
                params![a, obj.plural, b],
            )
            .db()?;
        } else {
            conn.execute(
                "DELETE FROM associations WHERE ticket_id = ?1 AND to_type = ?2 AND to_id = ?3 AND type_id = ?4",
                params![a, obj.plural, b, type_id],
            )
            .db()?;
        }
    }
    Ok(())
}

/// Validates inline associations of a create (types must be HUBSPOT_DEFINED ticket types, ids
/// numeric, ticket targets existing) and returns what to store.
pub(super) fn resolve_inline(
    conn: &Connection,
    inputs: &[AssociationInput],
) -> BackendResult<Vec<(&'static ObjectType, i64, &'static AssocType)>> {
    let mut out = Vec::new();
    for a in inputs {
        let to_id = target_id(&a.to.id)?;
        if a.types.is_empty() {
            return Err(ApiError::validation("an association needs at least one type").into());
        }
        for spec in &a.types {
            let t = match (
                spec.association_category,
                assoc_type(spec.association_type_id),
            ) {
                (AssociationCategory::HubspotDefined, Some(t)) => t,
                _ => {
                    return Err(ApiError::validation(format!(
                        "association type {} ({:?}) is not a known ticket association type",
                        spec.association_type_id, spec.association_category
                    ))
                    .into())
                }
            };
            let obj = object_type(t.to).ok_or_else(|| ApiError::internal("association table"))?;
            check_target(conn, obj, to_id)?;
            out.push((obj, to_id, t));
        }
    }
    Ok(out)
}

/// Resolves v4 specs to types of the pair (400 when one does not fit).
pub(super) fn resolve_specs(
    obj: &ObjectType,
    specs: &[AssociationSpec],
) -> BackendResult<Vec<&'static AssocType>> {
    if specs.is_empty() {
        return default_type(obj)
            .map(|t| vec![t])
            .ok_or_else(|| ApiError::validation("no association type given").into());
    }
    specs
        .iter()
        .map(|s| match assoc_type(s.association_type_id) {
            Some(t)
                if t.to == obj.plural
                    && s.association_category == AssociationCategory::HubspotDefined =>
            {
                Ok(t)
            }
            _ => Err(ApiError::validation(format!(
                "association type {} ({:?}) does not link tickets to {}",
                s.association_type_id, s.association_category, obj.plural
            ))
            .into()),
        })
        .collect()
}

/// `(to_id, type_id)` pairs of a ticket to one object type, ordered by target then type.
/// An archived contact, company, note or task is left out (HubSpot lists no association to a
/// record in the recycle bin; the stored association comes back with the record).
pub(super) fn pairs(
    conn: &Connection,
    ticket: i64,
    obj: &ObjectType,
) -> BackendResult<Vec<(i64, i32)>> {
    let hidden = match stored_object(obj.plural) {
        Some(m) => format!(
            " AND NOT EXISTS (SELECT 1 FROM {} r WHERE r.id = associations.to_id AND r.archived = 1)",
            m.table
        ),
        None => String::new(),
    };
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT to_id, type_id FROM associations WHERE ticket_id = ?1 AND to_type = ?2{hidden} ORDER BY to_id, type_id"
        ))
        .db()?;
    let rows = st
        .query_map(params![ticket, obj.plural], |r| Ok((r.get(0)?, r.get(1)?)))
        .db()?;
    rows.collect::<rusqlite::Result<Vec<_>>>().db()
}

/// The v3 listing entries of a ticket to one object type.
pub(super) fn associated_ids(
    conn: &Connection,
    ticket: i64,
    obj: &ObjectType,
) -> BackendResult<Vec<AssociatedId>> {
    Ok(pairs(conn, ticket, obj)?
        .into_iter()
        .map(|(id, t)| AssociatedId {
            id: id.to_string(),
            kind: assoc_type(t).map_or_else(
                || format!("ticket_to_{}", obj.singular),
                |t| t.name.to_string(),
            ),
        })
        .collect())
}

/// The v4 form of one type.
pub(super) fn spec_with_label(type_id: i32) -> AssociationSpecWithLabel {
    AssociationSpecWithLabel {
        category: AssociationCategory::HubspotDefined,
        type_id,
        label: assoc_type(type_id).and_then(|t| t.label.map(str::to_string)),
    }
}

/// Whether the ticket is associated with activity `id` of a pinnable type.
pub(super) fn has_activity(conn: &Connection, ticket: i64, id: i64) -> BackendResult<bool> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM associations WHERE ticket_id = ?1 AND to_id = ?2 AND to_type IN ('notes','emails','calls','tasks','meetings')",
        )
        .and_then(|mut st| st.query_row(params![ticket, id], |r| r.get(0)))
        .db()?;
    Ok(n > 0)
}
