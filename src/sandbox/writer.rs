//! The write primitives every write endpoint is built from, all running inside the caller's
//! transaction: resolving a path id, inserting and updating rows with their property history,
//! and creating/updating one ticket with every rule of TICKETS_API.md §2.3-2.4 (validation,
//! uniqueness, pinning, inline associations). Errors with a 4xx status describe the one input;
//! 500s abort the whole transaction.
//!
//! History: a row per property set at creation (values present only) and per changed property
//! on each write (`""` when cleared); `hs_lastmodifieddate` has no history (it changes on
//! every write). Calculated values are recorded with source type `CALCULATED`.

use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, Connection};

use super::assoc;
use super::catalog::Catalog;
use super::row::{self, render, Row};
use super::search_lag;
use super::store::Db;
use super::validate::{validate_write, ValidatedWrite};
use crate::backend::BackendResult;
use crate::model::write_rules::{pin_not_associated, PINNED_ACTIVITY};
use crate::model::{ApiError, AssociationInput, InputProperties};

/// Properties whose history entries are `CALCULATED` rather than `API`.
const CALCULATED: &[&str] = &[
    "hs_is_closed",
    "closed_date",
    "time_to_close",
    "hs_merged_object_ids",
];

/// Inserts a row; returns its id.
pub(super) fn insert_row(conn: &Connection, cat: &Catalog, row: &Row) -> rusqlite::Result<i64> {
    let cols: Vec<String> = cat.stored().map(|p| p.sql()).collect();
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {}({}) VALUES ({})",
        cat.table(),
        cols.join(", "),
        marks.join(", ")
    );
    let mut st = conn.prepare_cached(&sql)?;
    st.execute(params_from_iter(row.values.iter()))?;
    Ok(conn.last_insert_rowid())
}

/// Writes the given stored columns of `row` (an API write: search sees it after the lag).
pub(super) fn update_cols(
    conn: &Connection,
    cat: &Catalog,
    row: &Row,
    cols: &[usize],
) -> rusqlite::Result<()> {
    if cols.is_empty() {
        return Ok(());
    }
    search_lag::before_write(conn, cat, row.id, now_ms())?;
    let stored: Vec<String> = cat.stored().map(|p| p.sql()).collect();
    let sets: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(k, &c)| format!("{} = ?{}", stored[c], k + 2))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE id = ?1",
        cat.table(),
        sets.join(", ")
    );
    let mut values: Vec<&Value> = vec![];
    let id = Value::Integer(row.id);
    values.push(&id);
    values.extend(cols.iter().map(|&c| &row.values[c]));
    conn.prepare_cached(&sql)?
        .execute(params_from_iter(values))?;
    Ok(())
}

/// Records history rows for the given columns of `row` at `ts`.
#[allow(clippy::too_many_arguments)]
pub(super) fn record_history(
    conn: &Connection,
    cat: &Catalog,
    id: i64,
    row: &Row,
    cols: &[usize],
    ts: i64,
    source: &str,
    include_empty: bool,
) -> rusqlite::Result<()> {
    // property_history is keyed by ticket id: the other object types keep no history (a
    // choice: no rule reads a contact's or company's past values).
    if !cat.is_tickets() {
        return Ok(());
    }
    let mut st = conn.prepare_cached(
        "INSERT INTO property_history(ticket_id, name, value, ts, source_type) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let props: Vec<_> = cat.stored().collect();
    for &c in cols {
        let p = props[c];
        if p.def.name == "hs_lastmodifieddate" {
            continue;
        }
        let value = render(p.kind, &row.values[c]);
        if value.is_none() && !include_empty {
            continue;
        }
        let src = if CALCULATED.contains(&p.def.name.as_str()) {
            "CALCULATED"
        } else {
            source
        };
        st.execute(params![id, p.def.name, value.unwrap_or_default(), ts, src])?;
    }
    Ok(())
}

/// Finds the row a path id names. `id_property` must be `hs_object_id` or a unique property
/// (400 otherwise); merged-away ids resolve to the surviving ticket; the row must be archived
/// exactly when `archived` is set (404 otherwise).
pub(super) fn resolve(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    id_property: Option<&str>,
    archived: bool,
) -> BackendResult<Row> {
    let not_found = || {
        ApiError::not_found(format!(
            "Object not found. objectId are usually numeric. ({} {id})",
            cat.meta().singular
        ))
    };
    let num = match id_property {
        None | Some("hs_object_id") => id.trim().parse::<i64>().ok(),
        Some(name) => {
            let p = cat
                .prop(name)
                .filter(|p| p.def.has_unique_value && p.col.is_some())
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "idProperty {name} is not a unique property of {}: use hs_object_id or a property with hasUniqueValue",
                        cat.table()
                    ))
                })?;
            row::find_by(conn, cat, p, id).db()?
        }
    };
    let mut row = match num {
        Some(n) => row::load(conn, cat, n).db()?,
        None => None,
    }
    .ok_or_else(not_found)?;
    for _ in 0..32 {
        match row.merged_into {
            Some(target) => row = row::load(conn, cat, target).db()?.ok_or_else(not_found)?,
            None => break,
        }
    }
    if row.archived != archived {
        return Err(not_found().into());
    }
    Ok(row)
}

/// The unique-value and pinning checks that need the database.
pub(super) fn check_db_rules(
    conn: &Connection,
    cat: &Catalog,
    write: &ValidatedWrite,
    old: Option<&Row>,
    inline_activities: &[i64],
) -> BackendResult<()> {
    for p in cat
        .props()
        .filter(|p| p.def.has_unique_value && p.col.is_some())
    {
        let Some(c) = p.col else { continue };
        let new = &write.row.values[c];
        if matches!(new, Value::Null) || old.is_some_and(|o| &o.values[c] == new) {
            continue;
        }
        let value = render(p.kind, new).unwrap_or_default();
        if let Some(other) = row::find_by(conn, cat, p, &value).db()? {
            if other != write.row.id {
                return Err(ApiError::new(
                    409,
                    crate::model::ErrorCategory::CONFLICT,
                    format!(
                        "A {} with {}={value} already exists. Existing ID: {other}",
                        cat.meta().singular,
                        p.def.name
                    ),
                )
                .with_context("propertyName", vec![p.def.name.clone()])
                .into());
            }
        }
    }
    if let (Some(pin), Some(c)) = (write.pinned, cat.col(PINNED_ACTIVITY)) {
        let changed = old.is_none_or(|o| o.values[c] != Value::Integer(pin));
        let associated = || -> BackendResult<bool> {
            Ok(inline_activities.contains(&pin)
                || (write.row.id != 0 && assoc::has_activity(conn, write.row.id, pin)?))
        };
        if changed && !associated()? {
            return Err(ApiError::invalid_properties(vec![pin_not_associated(pin)]).into());
        }
    }
    Ok(())
}

/// Creates one ticket with its inline associations; returns its id and the validated write.
pub(super) fn create_one(
    conn: &Connection,
    cat: &Catalog,
    input: &InputProperties,
    associations: &[AssociationInput],
    now: i64,
) -> BackendResult<(i64, ValidatedWrite)> {
    let write = validate_write(cat, input, None, now).map_err(ApiError::invalid_properties)?;
    let links = assoc::resolve_inline(conn, cat, associations)?;
    let activities: Vec<i64> = links
        .iter()
        .filter(|(o, _, _)| o.pinnable)
        .map(|(_, id, _)| *id)
        .collect();
    check_db_rules(conn, cat, &write, None, &activities)?;
    let id = insert_row(conn, cat, &write.row).db()?;
    search_lag::created(conn, cat, id, now).db()?;
    let all: Vec<usize> = (0..cat.stored_len()).collect();
    record_history(conn, cat, id, &write.row, &all, now, "API", false).db()?;
    for (obj, to_id, t) in links {
        assoc::add(conn, id, obj, to_id, &t)?;
    }
    let mut write = write;
    write.row.id = id;
    Ok((id, write))
}

/// Updates one resolved ticket; returns the validated write (the row after it).
pub(super) fn update_one(
    conn: &Connection,
    cat: &Catalog,
    old: &Row,
    input: &InputProperties,
    now: i64,
) -> BackendResult<ValidatedWrite> {
    let write = validate_write(cat, input, Some(old), now).map_err(ApiError::invalid_properties)?;
    check_db_rules(conn, cat, &write, Some(old), &[])?;
    let changed = write.changed(old);
    update_cols(conn, cat, &write.row, &changed).db()?;
    record_history(conn, cat, old.id, &write.row, &changed, now, "API", true).db()?;
    Ok(write)
}

/// Moves one ticket to the recycle bin.
pub(super) fn archive_one(
    conn: &Connection,
    cat: &Catalog,
    id: i64,
    now: i64,
) -> BackendResult<()> {
    search_lag::before_write(conn, cat, id, now).db()?;
    conn.prepare_cached(&format!(
        "UPDATE {} SET archived = 1, archived_at = ?2 WHERE id = ?1",
        cat.table()
    ))
    .and_then(|mut st| st.execute(params![id, now]))
    .db()?;
    Ok(())
}

/// Current time in epoch ms.
pub(super) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
