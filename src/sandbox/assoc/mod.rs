//! Association storage and the association endpoints' rules: a target of a stored type
//! (tickets, contacts, companies, notes, tasks) must exist and not be archived (404 otherwise,
//! as HubSpot); deals, meetings, calls, e-mails and communications are not stored as records,
//! so any numeric id of those is accepted. Ticket-to-ticket associations are stored in both
//! directions (a portal label with its inverse type from the other ticket); a labelled type is
//! always stored with its unlabelled type.
//!
//! A type is HubSpot's own (the model's table) or one of the portal's USER_DEFINED labels (the
//! catalog's, `assoc_labels.rs`); which types a pair may carry is judged by the one rule in
//! [`crate::model::check_pair_type`], against the pair's listing. The
//! endpoints built on them are in [`endpoints`].

pub(super) mod endpoints;

use rusqlite::{params, Connection};

use super::assoc_labels;
use super::catalog::Catalog;
use super::object_defs::{stored_object, ObjectMeta};
use super::store::Db;
use crate::backend::BackendResult;
use crate::model::object_types::{assoc_type, default_type, object_type, type_for, ObjectType};
use crate::model::{
    check_pair_type, ApiError, AssociatedId, AssociationCategory, AssociationInput,
    AssociationLabel, AssociationSpec, AssociationSpecWithLabel,
};

/// An association type from a ticket to a record of one object type, resolved against HubSpot's
/// table or the portal's labels: what [`add`] and [`remove`] store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PairType {
    /// The type id, from the ticket.
    pub(super) id: i32,
    /// HubSpot's own, or a portal label.
    pub(super) category: AssociationCategory,
    /// The unlabelled type always stored beside a labelled one.
    pub(super) implies: Option<i32>,
    /// The type stored from the other ticket of a ticket-to-ticket pair: HubSpot's own type
    /// itself, a label's inverse type.
    pub(super) reverse: i32,
}

impl PairType {
    /// One of HubSpot's types (the model's table).
    pub(super) fn hubspot(id: i32) -> BackendResult<Self> {
        let t = assoc_type(id).ok_or_else(|| ApiError::internal("association table"))?;
        Ok(Self {
            id: t.id,
            category: AssociationCategory::HubspotDefined,
            implies: t.implies,
            reverse: t.id,
        })
    }

    /// A portal label from tickets to `obj` (stored with the pair's unlabelled type).
    fn labelled(l: &AssociationLabel, obj: &ObjectType) -> Self {
        Self {
            id: l.type_id,
            category: AssociationCategory::UserDefined,
            implies: default_type(obj).map(|t| t.id),
            reverse: l.inverse_type_id,
        }
    }

    /// Whether removing it removes every type between the pair (HubSpot's unlabelled type).
    fn is_unlabelled(&self) -> bool {
        self.category == AssociationCategory::HubspotDefined
            && assoc_type(self.id).is_some_and(|t| t.label.is_none())
    }
}

/// The portal label from tickets to `obj` with type `id`.
fn label_to<'a>(cat: &'a Catalog, obj: &ObjectType, id: i32) -> Option<&'a AssociationLabel> {
    cat.labels()
        .iter()
        .find(|l| l.type_id == id && l.from_type == "tickets" && l.to_type == obj.plural)
}

/// The ticket side of a portal label from a record of `obj` to tickets (`type_id` is the
/// record → ticket direction; what is stored is its inverse, ticket → record).
pub(super) fn ticket_side_label(cat: &Catalog, obj: &ObjectType, type_id: i32) -> Option<PairType> {
    let l = cat
        .labels()
        .iter()
        .find(|l| l.type_id == type_id && l.from_type == obj.plural && l.to_type == "tickets")?;
    label_to(cat, obj, l.inverse_type_id).map(|inverse| PairType::labelled(inverse, obj))
}

/// A label by its type id, whatever its pair (stored rows name their type only).
fn label_by_id(cat: &Catalog, id: i32) -> Option<&AssociationLabel> {
    cat.labels().iter().find(|l| l.type_id == id)
}

/// Resolves one spec for associations from tickets to `obj`: the pair's rule (400 when the type
/// is not one of the pair's, in its category), then what to store.
pub(super) fn resolve_spec(
    cat: &Catalog,
    obj: &ObjectType,
    spec: AssociationSpec,
) -> BackendResult<PairType> {
    let known = assoc_labels::list(cat, "tickets", obj.plural)?;
    check_pair_type(&known, &spec, obj.plural).map_err(ApiError::validation)?;
    match spec.association_category {
        AssociationCategory::UserDefined => label_to(cat, obj, spec.association_type_id)
            .map(|l| PairType::labelled(l, obj))
            .ok_or_else(|| ApiError::internal("association label listing").into()),
        _ => PairType::hubspot(spec.association_type_id),
    }
}

/// Resolves a v3 type segment for associations from tickets to `obj`: HubSpot's (numeric id or
/// legacy name, `ticket_to_contact`), else a portal label by type id, label text or internal
/// name, case-insensitive (our choice: v3 has no category and names its types); HubSpot's 400
/// otherwise.
pub(super) fn resolve_segment(
    cat: &Catalog,
    obj: &ObjectType,
    segment: &str,
) -> BackendResult<PairType> {
    match type_for(obj, segment) {
        Ok(t) => PairType::hubspot(t.id),
        Err(message) => {
            let s = segment.trim();
            let id = s.parse::<i32>().ok();
            cat.labels()
                .iter()
                .find(|l| {
                    l.from_type == "tickets"
                        && l.to_type == obj.plural
                        && (id == Some(l.type_id)
                            || l.name.eq_ignore_ascii_case(s)
                            || l.label.eq_ignore_ascii_case(s))
                })
                .map(|l| PairType::labelled(l, obj))
                .ok_or_else(|| ApiError::validation(message).into())
        }
    }
}

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

/// The tickets a record of another stored type is associated with, seen from that record: one
/// `{id, type: "company_to_ticket"}` per ticket for HubSpot's types (a pair with the Primary
/// type too is listed once, as before), and one per portal label on the pair, its `type` the
/// label as seen from the record (the label's inverse text, e.g. `Billed ticket`).
pub(super) fn tickets_of(
    conn: &Connection,
    cat: &Catalog,
    meta: &ObjectMeta,
    id: i64,
) -> BackendResult<Vec<AssociatedId>> {
    let rows: Vec<(i64, i32, String)> = conn
        .prepare_cached(
            "SELECT a.ticket_id, a.type_id, a.category FROM associations a JOIN tickets t ON t.id = a.ticket_id \
             WHERE a.to_type = ?1 AND a.to_id = ?2 AND t.archived = 0 ORDER BY a.ticket_id, a.type_id",
        )
        .and_then(|mut st| {
            st.query_map(params![meta.table, id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .db()?;
    let mut out: Vec<AssociatedId> = Vec::new();
    for (ticket, type_id, category) in rows {
        let kind = if category == AssociationCategory::UserDefined.as_str() {
            match label_by_id(cat, type_id).and_then(|l| label_by_id(cat, l.inverse_type_id)) {
                Some(inverse) => inverse.label.clone(),
                None => continue,
            }
        } else {
            format!("{}_to_ticket", meta.singular)
        };
        let entry = AssociatedId {
            id: ticket.to_string(),
            kind,
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    Ok(out)
}

/// Stores an association (and its implied unlabelled type, and the reverse for tickets).
pub(super) fn add(
    conn: &Connection,
    ticket: i64,
    obj: &ObjectType,
    to_id: i64,
    t: &PairType,
) -> BackendResult<()> {
    let mut st = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO associations(ticket_id, to_type, to_id, type_id, category) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .db()?;
    let hubspot = AssociationCategory::HubspotDefined.as_str();
    st.execute(params![
        ticket,
        obj.plural,
        to_id,
        t.id,
        t.category.as_str()
    ])
    .db()?;
    if let Some(implied) = t.implies {
        st.execute(params![ticket, obj.plural, to_id, implied, hubspot])
            .db()?;
    }
    if obj.plural == "tickets" {
        st.execute(params![
            to_id,
            "tickets",
            ticket,
            t.reverse,
            t.category.as_str()
        ])
        .db()?;
        if let Some(implied) = t.implies {
            st.execute(params![to_id, "tickets", ticket, implied, hubspot])
                .db()?;
        }
    }
    Ok(())
}

/// Removes associations between a pair: one type, or all of them (`None`). Removing an
/// unlabelled type removes the labelled ones too; removing a label leaves the unlabelled type
/// (HubSpot's `labels/archive`).
pub(super) fn remove(
    conn: &Connection,
    ticket: i64,
    obj: &ObjectType,
    to_id: i64,
    t: Option<&PairType>,
) -> BackendResult<()> {
    let all = t.is_none_or(PairType::is_unlabelled);
    let pairs: Vec<(i64, i64, Option<i32>)> = if obj.plural == "tickets" {
        vec![
            (ticket, to_id, t.map(|t| t.id)),
            (to_id, ticket, t.map(|t| t.reverse)),
        ]
    } else {
        vec![(ticket, to_id, t.map(|t| t.id))]
    };
    for (a, b, type_id) in pairs {
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

/// Validates inline associations of a create (each type one of its pair's: HubSpot's own from
/// tickets, or a portal label; ids numeric, targets existing) and returns what to store.
pub(super) fn resolve_inline(
    conn: &Connection,
    cat: &Catalog,
    inputs: &[AssociationInput],
) -> BackendResult<Vec<(&'static ObjectType, i64, PairType)>> {
    let mut out = Vec::new();
    for a in inputs {
        let to_id = target_id(&a.to.id)?;
        if a.types.is_empty() {
            return Err(ApiError::validation("an association needs at least one type").into());
        }
        for spec in &a.types {
            // The spec names no object type: it is the one its type leads to.
            let target = match spec.association_category {
                AssociationCategory::HubspotDefined => {
                    assoc_type(spec.association_type_id).map(|t| t.to)
                }
                AssociationCategory::UserDefined => cat
                    .labels()
                    .iter()
                    .find(|l| l.type_id == spec.association_type_id && l.from_type == "tickets")
                    .map(|l| l.to_type.as_str()),
                _ => None,
            };
            let obj = target.and_then(object_type).ok_or_else(|| {
                ApiError::validation(format!(
                    "association type {} ({}) is not a known ticket association type",
                    spec.association_type_id,
                    spec.association_category.as_str()
                ))
            })?;
            let t = resolve_spec(cat, obj, *spec)?;
            check_target(conn, obj, to_id)?;
            out.push((obj, to_id, t));
        }
    }
    Ok(out)
}

/// Resolves v4 specs to types of the pair (400 when one does not fit); none is the pair's
/// unlabelled type.
pub(super) fn resolve_specs(
    cat: &Catalog,
    obj: &ObjectType,
    specs: &[AssociationSpec],
) -> BackendResult<Vec<PairType>> {
    if specs.is_empty() {
        let t =
            default_type(obj).ok_or_else(|| ApiError::validation("no association type given"))?;
        return Ok(vec![PairType::hubspot(t.id)?]);
    }
    specs.iter().map(|s| resolve_spec(cat, obj, *s)).collect()
}

/// `(to_id, type_id, category)` of a ticket's associations to one object type, ordered by
/// target then type. An archived contact, company, note or task is left out (HubSpot lists no
/// association to a record in the recycle bin; the stored association comes back with it).
pub(super) fn pairs(
    conn: &Connection,
    ticket: i64,
    obj: &ObjectType,
) -> BackendResult<Vec<(i64, i32, AssociationCategory)>> {
    let hidden = match stored_object(obj.plural) {
        Some(m) => format!(
            " AND NOT EXISTS (SELECT 1 FROM {} r WHERE r.id = associations.to_id AND r.archived = 1)",
            m.table
        ),
        None => String::new(),
    };
    let mut st = conn
        .prepare_cached(&format!(
            "SELECT to_id, type_id, category FROM associations WHERE ticket_id = ?1 AND to_type = ?2{hidden} ORDER BY to_id, type_id"
        ))
        .db()?;
    let rows = st
        .query_map(params![ticket, obj.plural], |r| {
            let category: String = r.get(2)?;
            let category = if category == AssociationCategory::UserDefined.as_str() {
                AssociationCategory::UserDefined
            } else {
                AssociationCategory::HubspotDefined
            };
            Ok((r.get(0)?, r.get(1)?, category))
        })
        .db()?;
    rows.collect::<rusqlite::Result<Vec<_>>>().db()
}

/// The v3 listing entries of a ticket to one object type: one `{id, type}` per type, HubSpot's
/// by their v3 name (`ticket_to_company_primary`), a portal label by its label text (our
/// choice, HubSpot is silent: v3 names its types, the label is the name the v4 API shows, and
/// the v3 paths accept a label by it).
pub(super) fn associated_ids(
    conn: &Connection,
    cat: &Catalog,
    ticket: i64,
    obj: &ObjectType,
) -> BackendResult<Vec<AssociatedId>> {
    Ok(pairs(conn, ticket, obj)?
        .into_iter()
        .map(|(id, t, category)| AssociatedId {
            id: id.to_string(),
            kind: match category {
                AssociationCategory::UserDefined => label_by_id(cat, t).map_or_else(
                    || format!("ticket_to_{}", obj.singular),
                    |l| l.label.clone(),
                ),
                _ => assoc_type(t).map_or_else(
                    || format!("ticket_to_{}", obj.singular),
                    |t| t.name.to_string(),
                ),
            },
        })
        .collect())
}

/// The v4 form of one stored type (a label's current text from the catalog).
pub(super) fn spec_with_label(
    cat: &Catalog,
    type_id: i32,
    category: AssociationCategory,
) -> AssociationSpecWithLabel {
    let label = match category {
        AssociationCategory::UserDefined => label_by_id(cat, type_id).map(|l| l.label.clone()),
        _ => assoc_type(type_id).and_then(|t| t.label.map(str::to_string)),
    };
    AssociationSpecWithLabel {
        category,
        type_id,
        label,
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
