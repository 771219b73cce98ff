//! `POST .../merge`. The primary keeps its id and its values; each of its empty properties
//! is filled from the merged ticket (except system, calculated and unique properties); the
//! merged ticket is archived with `merged_into` set (its id keeps resolving to the primary),
//! its own merged ids carry over, its associations move to the primary, and the primary's
//! `hs_merged_object_ids` lists every id merged into it (`;`-joined).
//! Merging a ticket with itself or with an archived ticket: 400; unknown ids: 404; a 250th
//! merged identity: 414 (HubSpot's limit).

use rusqlite::types::Value;
use rusqlite::{params, Connection};

use super::catalog::Catalog;
use super::row;
use super::store::Db;
use super::validate::ValidatedWrite;
use super::writer::{now_ms, record_history, update_cols};
use super::writes::updated_view;
use crate::backend::BackendResult;
use crate::model::limits::MAX_MERGES;
use crate::model::{ApiError, MergeInput, Ticket};

const NOT_COPIED: &[&str] = &[
    "createdate",
    "hs_lastmodifieddate",
    "hs_object_source",
    "hs_object_source_label",
    "hs_merged_object_ids",
    "hs_is_closed",
    "closed_date",
    "time_to_close",
    "hs_pipeline",
    "hs_pipeline_stage",
];

fn id_of(s: &str) -> BackendResult<i64> {
    s.trim().parse::<i64>().map_err(|_| {
        ApiError::not_found(format!(
            "Object not found. objectId are usually numeric. (ticket {s})"
        ))
        .into()
    })
}

/// Merges `object_id_to_merge` into `primary_object_id`.
pub(super) fn merge(conn: &Connection, cat: &Catalog, input: &MergeInput) -> BackendResult<Ticket> {
    let (pid, oid) = (
        id_of(&input.primary_object_id)?,
        id_of(&input.object_id_to_merge)?,
    );
    if pid == oid {
        return Err(ApiError::validation("a ticket cannot be merged with itself").into());
    }
    let load = |id: i64| -> BackendResult<row::Row> {
        row::load(conn, cat, id)
            .db()?
            .ok_or_else(|| ApiError::not_found(format!("Ticket {id} does not exist")).into())
    };
    let (primary, other) = (load(pid)?, load(oid)?);
    for r in [&primary, &other] {
        if r.archived {
            return Err(ApiError::validation(format!(
                "ticket {} is archived or merged and cannot take part in a merge",
                r.id
            ))
            .into());
        }
    }
    let now = now_ms();
    let mut new = primary.clone();
    for p in cat.stored() {
        let Some(c) = p.col else { continue };
        if NOT_COPIED.contains(&p.def.name.as_str()) || p.def.has_unique_value {
            continue;
        }
        if matches!(new.values[c], Value::Null) {
            new.values[c] = other.values[c].clone();
        }
    }
    let mut merged: Vec<String> = Vec::new();
    for r in [&primary, &other] {
        if let Some(s) = r.text(cat, "hs_merged_object_ids") {
            merged.extend(s.split(';').filter(|s| !s.is_empty()).map(str::to_string));
        }
    }
    merged.push(oid.to_string());
    if merged.len() >= MAX_MERGES {
        return Err(ApiError::new(
            414,
            crate::model::ErrorCategory::VALIDATION_ERROR,
            format!("Cannot have more than {MAX_MERGES} identities on a profile"),
        )
        .into());
    }
    if let Some(c) = cat.col("hs_merged_object_ids") {
        new.values[c] = Value::Text(merged.join(";"));
    }
    if let Some(c) = cat.col("hs_lastmodifieddate") {
        new.values[c] = Value::Integer(now);
    }
    let changed: Vec<usize> = (0..new.values.len())
        .filter(|&i| new.values[i] != primary.values[i])
        .collect();
    update_cols(conn, cat, &new, &changed).db()?;
    record_history(conn, cat, pid, &new, &changed, now, "API", true).db()?;
    super::search_lag::before_write(conn, cat, oid, now).db()?;
    let sql = [
        "UPDATE tickets SET archived = 1, archived_at = ?3, merged_into = ?1 WHERE id = ?2",
        "UPDATE tickets SET merged_into = ?1 WHERE merged_into = ?2 AND ?3 IS NOT NULL",
        "INSERT OR IGNORE INTO associations(ticket_id, to_type, to_id, type_id, category) SELECT ?1, to_type, to_id, type_id, category FROM associations WHERE ticket_id = ?2 AND NOT (to_type = 'tickets' AND to_id = ?1) AND ?3 IS NOT NULL",
        "INSERT OR IGNORE INTO associations(ticket_id, to_type, to_id, type_id, category) SELECT ticket_id, to_type, ?1, type_id, category FROM associations WHERE to_type = 'tickets' AND to_id = ?2 AND ticket_id <> ?1 AND ?3 IS NOT NULL",
        "DELETE FROM associations WHERE (ticket_id = ?2 OR (to_type = 'tickets' AND to_id = ?2)) AND ?3 IS NOT NULL",
    ];
    for s in sql {
        conn.execute(s, params![pid, oid, now]).db()?;
    }
    let write = ValidatedWrite {
        row: new,
        sent: Vec::new(),
        pinned: None,
    };
    let mut t = updated_view(conn, cat, &primary, &write)?;
    let full = super::reads::render(
        conn,
        cat,
        &write.row,
        &super::reads::Projection::new(&[], &[], &[]),
    )?;
    t.properties.extend(full.properties);
    Ok(t)
}
