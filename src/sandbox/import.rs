//! A sandbox built from a copy of a portal (`hubscript sandbox pull`): a [`Snapshot`] of the
//! ticket schema (properties, groups, pipelines, owners), tickets and the companies and
//! contacts they point at, written into a fresh file that is put in place only when complete.
//!
//! Rules and choices:
//! - the snapshot's ticket properties become the file's: a property it does not know gets a
//!   column; one of ours the snapshot lacks (the demo `external_ticket_id`) is archived, so the
//!   pulled sandbox lists exactly the portal's properties;
//! - records keep their ids, property values (in the stored form of their type: epoch ms for
//!   dates), creation and modification times; each ticket gets one history entry per value,
//!   at its creation;
//! - companies and contacts keep the properties the sandbox defines for them (see
//!   `object_defs`); others are dropped;
//! - a ticket's associations are kept when their target was pulled (primary company label
//!   included).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection, Transaction};

use super::catalog::{sql_type, Catalog, Kind};
use super::error::SandboxError;
use super::row::Row;
use super::schema::{object_catalog, to_json};
use super::store::{Db, Sandbox};
use super::writer::record_history;
use crate::backend::BackendResult;
use crate::model::object_types::{object_type, type_for};
use crate::model::time::parse_to_millis;
use crate::model::{ApiError, Owner, Pipeline, Property, PropertyGroup, Ticket};

/// What `sandbox pull` copies from a portal.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every ticket property (custom ones included), in display order.
    pub properties: Vec<Property>,
    /// The ticket property groups.
    pub groups: Vec<PropertyGroup>,
    /// The ticket pipelines.
    pub pipelines: Vec<Pipeline>,
    /// The owners.
    pub owners: Vec<Owner>,
    /// Tickets with their property values and their `contacts` and `companies` associations.
    pub tickets: Vec<Ticket>,
    /// The companies those tickets point at.
    pub companies: Vec<Ticket>,
    /// The contacts those tickets point at.
    pub contacts: Vec<Ticket>,
    /// The portal's own properties of companies and contacts (not HubSpot's), by object type.
    pub object_properties: Vec<(String, Vec<Property>)>,
    /// The portal's own property groups of companies and contacts, by object type.
    pub object_groups: Vec<(String, Vec<PropertyGroup>)>,
}

/// Whether `name` can be a column name as we write them (HubSpot's internal names are
/// lowercase letters, digits and underscores).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Replaces the file's ticket schema with the snapshot's (inside a schema write).
fn write_definitions(tx: &Transaction<'_>, snap: &Snapshot) -> BackendResult<()> {
    let existing: Vec<(String, String)> = tx
        .prepare("SELECT name, definition FROM property_defs")
        .and_then(|mut st| {
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .db()?;
    let pulled: HashSet<&str> = snap.properties.iter().map(|p| p.name.as_str()).collect();
    for (name, definition) in &existing {
        if pulled.contains(name.as_str()) {
            continue;
        }
        let mut p: Property = serde_json::from_str(definition)
            .map_err(|e| ApiError::internal(format!("property definition {name}: {e}")))?;
        p.archived = true;
        tx.execute(
            "UPDATE property_defs SET definition = ?2 WHERE name = ?1",
            params![name, to_json(&p).db()?],
        )
        .db()?;
    }
    let known: HashSet<&str> = existing.iter().map(|(n, _)| n.as_str()).collect();
    for (i, p) in snap.properties.iter().enumerate() {
        if !valid_name(&p.name) {
            return Err(ApiError::validation(format!(
                "property name {:?} cannot be stored (letters, digits and _ only)",
                p.name
            ))
            .into());
        }
        if known.contains(p.name.as_str()) {
            tx.execute(
                "UPDATE property_defs SET position = ?2, definition = ?3 WHERE name = ?1",
                params![p.name, i as i64, to_json(p).db()?],
            )
            .db()?;
        } else {
            if !super::catalog::is_id_alias(&p.name) {
                tx.execute_batch(&format!(
                    "ALTER TABLE tickets ADD COLUMN \"{}\" {}",
                    p.name,
                    sql_type(Kind::of(p))
                ))
                .db()?;
            }
            tx.execute(
                "INSERT INTO property_defs(name, position, definition) VALUES (?1, ?2, ?3)",
                params![p.name, i as i64, to_json(p).db()?],
            )
            .db()?;
        }
    }
    if !snap.groups.is_empty() {
        tx.execute("DELETE FROM property_groups", []).db()?;
        for (i, g) in snap.groups.iter().enumerate() {
            tx.execute(
                "INSERT INTO property_groups(name, position, definition) VALUES (?1, ?2, ?3)",
                params![g.name, i as i64, to_json(g).db()?],
            )
            .db()?;
        }
    }
    write_object_definitions(tx, snap)?;
    tx.execute("DELETE FROM pipelines", []).db()?;
    for p in &snap.pipelines {
        tx.execute(
            "INSERT INTO pipelines(id, definition) VALUES (?1, ?2)",
            params![p.id, to_json(p).db()?],
        )
        .db()?;
    }
    tx.execute("DELETE FROM owners", []).db()?;
    for o in &snap.owners {
        tx.execute(
            "INSERT INTO owners(id, name, email, definition) VALUES (?1, ?2, ?3, ?4)",
            params![
                o.id,
                o.display_name(),
                o.email.clone().unwrap_or_default(),
                to_json(o).db()?
            ],
        )
        .db()?;
    }
    Ok(())
}

/// The portal's own properties and groups of companies and contacts: a definition each, and a
/// column for the values (HubSpot's own ones are the sandbox's, from `object_defs`).
fn write_object_definitions(tx: &Transaction<'_>, snap: &Snapshot) -> BackendResult<()> {
    for (ty, groups) in &snap.object_groups {
        for (i, g) in groups.iter().enumerate() {
            tx.execute(
                "INSERT OR REPLACE INTO object_property_groups(object_type, name, position, definition) VALUES (?1, ?2, ?3, ?4)",
                params![ty, g.name, i as i64, to_json(g).db()?],
            )
            .db()?;
        }
    }
    for (ty, props) in &snap.object_properties {
        let Some(meta) = super::object_defs::stored_object(ty) else {
            continue;
        };
        for (i, p) in props.iter().enumerate() {
            if !valid_name(&p.name) {
                return Err(ApiError::validation(format!(
                    "property name {:?} of {ty} cannot be stored (letters, digits and _ only)",
                    p.name
                ))
                .into());
            }
            tx.execute_batch(&format!(
                "ALTER TABLE {} ADD COLUMN \"{}\" {}",
                meta.table,
                p.name,
                sql_type(Kind::of(p))
            ))
            .db()?;
            tx.execute(
                "INSERT INTO object_property_defs(object_type, name, position, definition) VALUES (?1, ?2, ?3, ?4)",
                params![meta.table, p.name, i as i64, to_json(p).db()?],
            )
            .db()?;
        }
    }
    Ok(())
}

/// The stored form of a pulled value of a property of kind `kind`.
fn stored(kind: Kind, raw: &str) -> Value {
    match kind {
        Kind::DateTime => parse_to_millis(raw).map_or(Value::Null, Value::Integer),
        Kind::Number => raw
            .trim()
            .parse::<i64>()
            .map(Value::Integer)
            .or_else(|_| raw.trim().parse::<f64>().map(Value::Real))
            .unwrap_or(Value::Null),
        _ => Value::Text(raw.to_string()),
    }
}

/// The row of a pulled record, with its creation and modification times.
fn row_of(cat: &Catalog, r: &Ticket) -> BackendResult<Row> {
    let id =
        r.id.parse::<i64>()
            .map_err(|_| ApiError::validation(format!("record id {:?} is not numeric", r.id)))?;
    let mut row = Row::empty(cat);
    row.id = id;
    for p in cat.stored() {
        if let (Some(c), Some(Some(v))) = (p.col, r.properties.get(&p.def.name)) {
            if !v.is_empty() {
                row.values[c] = stored(p.kind, v);
            }
        }
    }
    let meta = cat.meta();
    for (name, at) in [(meta.created, r.created_at), (meta.modified, r.updated_at)] {
        if let Some(c) = cat.col(name) {
            if matches!(row.values[c], Value::Null) {
                row.values[c] = Value::Integer(at.timestamp_millis());
            }
        }
    }
    Ok(row)
}

fn insert_with_id(conn: &Connection, cat: &Catalog, row: &Row) -> BackendResult<()> {
    let cols: Vec<String> = cat.stored().map(|p| p.sql()).collect();
    let marks: Vec<String> = (2..=cols.len() + 1).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {}(id, {}) VALUES (?1, {})",
        cat.table(),
        cols.join(", "),
        marks.join(", ")
    );
    let id = Value::Integer(row.id);
    let values = std::iter::once(&id).chain(row.values.iter());
    conn.prepare_cached(&sql)
        .and_then(|mut st| st.execute(params_from_iter(values)))
        .db()?;
    Ok(())
}

/// Writes the records and associations (inside one write, with the pulled schema in force).
fn write_records(tx: &Transaction<'_>, cat: &Catalog, snap: &Snapshot) -> BackendResult<()> {
    let mut pulled: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    for (ty, records) in [("companies", &snap.companies), ("contacts", &snap.contacts)] {
        let oc = object_catalog(cat, ty)?;
        for r in records {
            insert_with_id(tx, &oc, &row_of(&oc, r)?)?;
            pulled.entry(ty).or_default().insert(r.id.as_str());
        }
    }
    let all: Vec<usize> = (0..cat.stored_len()).collect();
    let mut assoc = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO associations(ticket_id, to_type, to_id, type_id, category) VALUES (?1, ?2, ?3, ?4, 'HUBSPOT_DEFINED')",
        )
        .db()?;
    for t in &snap.tickets {
        let row = row_of(cat, t)?;
        insert_with_id(tx, cat, &row)?;
        let created = row.int(cat, "createdate").unwrap_or(0);
        record_history(tx, cat, row.id, &row, &all, created, "API", false).db()?;
        for (ty, page) in t.associations.iter().flatten() {
            let Some(obj) = object_type(ty) else { continue };
            let Some(ids) = pulled.get(obj.plural) else {
                continue;
            };
            for a in &page.results {
                if !ids.contains(a.id.as_str()) {
                    continue;
                }
                let Ok(kind) = type_for(obj, &a.kind) else {
                    continue;
                };
                assoc
                    .execute(params![
                        row.id,
                        obj.plural,
                        a.id.parse::<i64>().unwrap_or(0),
                        kind.id
                    ])
                    .db()?;
                if let Some(implied) = kind.implies {
                    assoc
                        .execute(params![
                            row.id,
                            obj.plural,
                            a.id.parse::<i64>().unwrap_or(0),
                            implied
                        ])
                        .db()?;
                }
            }
        }
    }
    Ok(())
}

impl Sandbox {
    /// Builds a fresh sandbox at `path` from `snapshot` (replacing what is there, as
    /// [`Sandbox::reset`] does): built under a temporary name and moved into place only when
    /// complete, so a failed import leaves the old file as it was.
    pub fn import(path: &Path, snapshot: &Snapshot) -> Result<Sandbox, SandboxError> {
        let fail = |e: crate::backend::BackendError| SandboxError::Import {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        Sandbox::build_with(path, |sb| {
            sb.inner
                .write_schema(|tx, _| write_definitions(tx, snapshot))
                .map_err(fail)?;
            sb.inner
                .write(|tx, cat| write_records(tx, cat, snapshot))
                .map_err(fail)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pulled_values_take_their_stored_form() {
        assert_eq!(stored(Kind::Number, "42"), Value::Integer(42));
        assert_eq!(stored(Kind::Number, "1.5"), Value::Real(1.5));
        assert_eq!(
            stored(Kind::DateTime, "2026-01-02T03:04:05.000Z"),
            Value::Integer(1_767_323_045_000)
        );
        assert_eq!(stored(Kind::Text, "x"), Value::Text("x".into()));
        assert!(valid_name("escalation_level_2"));
        assert!(!valid_name("bad\"name"));
    }
}
