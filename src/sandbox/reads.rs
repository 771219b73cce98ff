//! Turning rows into HubSpot's ticket JSON (property selection, history, association blocks)
//! and the read endpoints: get, list (cursor = last id) and batch read.
//!
//! Every stored object type is read here with its own catalog (tickets, contacts, companies,
//! notes, tasks). Rules: no `properties` asked: the type's default set; a requested, defined property without a
//! value: `null`; a requested undefined property: left out; `associations` blocks are keyed by
//! the plural name and left out when empty (unknown types are ignored).
//! List: `limit` default 10, at most 100 (50 with `propertiesWithHistory`); above that: 400
//! (our choice; HubSpot's behaviour is unconfirmed). Merged-away tickets never appear in lists.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection};

use super::assoc;
use super::catalog::Catalog;
use super::row::Row;
use super::store::Db;
use super::writer::resolve;
use crate::backend::BackendResult;
use crate::model::limits::{DEFAULT_PAGE_SIZE, LIST_PAGE_MAX, LIST_PAGE_MAX_WITH_HISTORY};
use crate::model::object_types::{object_type, ObjectType};
use crate::model::{
    ApiError, AssociatedIdPage, BatchReadInput, BatchResponse, GetParams, ListParams, Page, Paging,
    StandardError, Ticket, ValueWithTimestamp,
};

/// What to put in a rendered ticket.
#[derive(Debug, Clone, Default)]
pub(super) struct Projection {
    /// Property names for `properties`.
    pub props: Vec<String>,
    /// Property names for `propertiesWithHistory`.
    pub history: Vec<String>,
    /// Object types for `associations`.
    pub assocs: Vec<&'static ObjectType>,
}

impl Projection {
    /// From request parameters; empty `props` means the object type's default set.
    pub(super) fn new(props: &[String], history: &[String], assocs: &[String]) -> Self {
        let props = props.to_vec();
        let mut types: Vec<&'static ObjectType> = Vec::new();
        for a in assocs {
            if let Some(o) = object_type(a) {
                if !types.contains(&o) {
                    types.push(o);
                }
            }
        }
        Projection {
            props,
            history: history.to_vec(),
            assocs: types,
        }
    }

    /// Exactly these properties.
    pub(super) fn only(props: Vec<String>) -> Self {
        Projection {
            props,
            ..Projection::default()
        }
    }
}

/// Epoch ms to a timestamp.
pub(super) fn instant(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Renders a row.
pub(super) fn render(
    conn: &Connection,
    cat: &Catalog,
    row: &Row,
    proj: &Projection,
) -> BackendResult<Ticket> {
    let mut properties = BTreeMap::new();
    let defaults: Vec<String>;
    let names = if proj.props.is_empty() {
        defaults = cat.meta().defaults.iter().map(|s| s.to_string()).collect();
        &defaults
    } else {
        &proj.props
    };
    for name in names {
        if let Some(p) = cat.prop(name) {
            properties.insert(name.clone(), row.string(p));
        }
    }
    let properties_with_history = if proj.history.is_empty() || !cat.is_tickets() {
        None
    } else {
        let mut out = BTreeMap::new();
        let mut st = conn
            .prepare_cached(
                "SELECT value, ts, source_type FROM property_history WHERE ticket_id = ?1 AND name = ?2 ORDER BY ts DESC, seq DESC",
            )
            .db()?;
        for name in &proj.history {
            let Some(p) = cat.prop(name) else { continue };
            let entries = if p.col.is_none() {
                vec![ValueWithTimestamp {
                    value: row.id.to_string(),
                    timestamp: instant(row.int(cat, "createdate").unwrap_or(0)),
                    source_type: "CALCULATED".into(),
                    source_id: None,
                    source_label: None,
                    updated_by_user_id: None,
                }]
            } else {
                st.query_map(params![row.id, name], |r| {
                    Ok(ValueWithTimestamp {
                        value: r.get(0)?,
                        timestamp: instant(r.get(1)?),
                        source_type: r.get(2)?,
                        source_id: None,
                        source_label: None,
                        updated_by_user_id: None,
                    })
                })
                .db()?
                .collect::<rusqlite::Result<Vec<_>>>()
                .db()?
            };
            out.insert(name.clone(), entries);
        }
        Some(out)
    };
    let associations = if proj.assocs.is_empty() {
        None
    } else {
        let mut out = BTreeMap::new();
        for obj in &proj.assocs {
            let results = if cat.is_tickets() {
                assoc::associated_ids(conn, cat, row.id, obj)?
            } else if obj.plural == "tickets" {
                assoc::tickets_of(conn, cat, cat.meta(), row.id)?
            } else {
                // Only ticket associations are stored (a contact's companies are not).
                Vec::new()
            };
            if !results.is_empty() {
                out.insert(
                    obj.plural.to_string(),
                    AssociatedIdPage {
                        results,
                        paging: None,
                    },
                );
            }
        }
        (!out.is_empty()).then_some(out)
    };
    Ok(Ticket {
        id: row.id.to_string(),
        properties,
        properties_with_history,
        created_at: instant(row.int(cat, cat.meta().created).unwrap_or(0)),
        updated_at: instant(row.int(cat, cat.meta().modified).unwrap_or(0)),
        archived: row.archived,
        archived_at: row.archived_at.map(instant),
        associations,
    })
}

/// `GET .../{id}`.
pub(super) fn get(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    params: &GetParams,
) -> BackendResult<Ticket> {
    let row = resolve(
        conn,
        cat,
        id,
        params.id_property.as_deref(),
        params.archived,
    )?;
    let proj = Projection::new(
        &params.properties,
        &params.properties_with_history,
        &params.associations,
    );
    render(conn, cat, &row, &proj)
}

/// `GET /crm/v3/objects/tickets`.
pub(super) fn list(
    conn: &Connection,
    cat: &Catalog,
    params: &ListParams,
) -> BackendResult<Page<Ticket>> {
    let (max, because) = if params.properties_with_history.is_empty() {
        (LIST_PAGE_MAX, "")
    } else {
        (
            LIST_PAGE_MAX_WITH_HISTORY,
            " when propertiesWithHistory is used",
        )
    };
    let limit = params.limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if limit == 0 || limit > max {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {max}{because}; got {limit}"
        ))
        .into());
    }
    let after = match params.after.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(a) => a.parse::<i64>().map_err(|_| {
            ApiError::validation(format!(
                "after must be the cursor of a previous page; got {a}"
            ))
        })?,
    };
    let rows: Vec<Row> = conn
        .prepare_cached(&list_sql(cat))
        .db()?
        .query_map(params![params.archived, after, i64::from(limit) + 1], |r| {
            Row::from_sql(r, cat)
        })
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    let more = rows.len() > limit as usize;
    let proj = Projection::new(
        &params.properties,
        &params.properties_with_history,
        &params.associations,
    );
    let results = rows
        .iter()
        .take(limit as usize)
        .map(|r| render(conn, cat, r, &proj))
        .collect::<BackendResult<Vec<_>>>()?;
    let paging = if more {
        results.last().map(|t| Paging::next(t.id.clone()))
    } else {
        None
    };
    Ok(Page { results, paging })
}

/// The query of a list page: `archived` `?1`, after id `?2`, `?3` rows. Index
/// `tickets_live` (schema migration 4) makes it one seek wherever the page starts.
pub(super) fn list_sql(cat: &Catalog) -> String {
    format!(
        "SELECT {} FROM {} WHERE archived = ?1 AND merged_into IS NULL AND id > ?2 ORDER BY id LIMIT ?3",
        cat.select_list(),
        cat.table()
    )
}

/// `POST .../batch/read`: missing ids come back as one `OBJECT_NOT_FOUND` error listing them.
pub(super) fn batch_read(
    conn: &Connection,
    cat: &Catalog,
    input: &BatchReadInput,
    archived: bool,
) -> BackendResult<BatchResponse<Ticket>> {
    let started = Utc::now();
    super::batch::check_size(input.inputs.len())?;
    let proj = Projection::new(&input.properties, &input.properties_with_history, &[]);
    let mut results = Vec::new();
    let mut missing = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for i in &input.inputs {
        if !seen.insert(i.id.clone()) {
            continue;
        }
        match resolve(conn, cat, &i.id, input.id_property.as_deref(), archived) {
            Ok(row) => results.push(render(conn, cat, &row, &proj)?),
            Err(e) if e.http_status() == Some(404) => missing.push(i.id.clone()),
            Err(e) => return Err(e),
        }
    }
    let errors = if missing.is_empty() {
        Vec::new()
    } else {
        let mut context = BTreeMap::new();
        context.insert("ids".to_string(), missing.clone());
        vec![StandardError {
            status: "error".into(),
            category: "OBJECT_NOT_FOUND".into(),
            message: format!(
                "Could not get some {} objects, they may be deleted or not exist. Check that ids are valid. Missing: {}",
                cat.meta().upper,
                missing.join(", ")
            ),
            errors: Vec::new(),
            context,
            links: BTreeMap::new(),
            id: None,
            sub_category: None,
        }]
    };
    Ok(BatchResponse::complete(results, started).with_errors(errors))
}
