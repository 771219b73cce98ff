//! The batch write endpoints. Each request is one transaction.
//!
//! - At most 100 inputs, else 400.
//! - create: when EVERY input has a distinct `objectWriteTraceId`, a failing input becomes a
//!   per-item error (`context.objectWriteTraceId`) and the others are created (207); otherwise
//!   the first failing input fails the whole batch with its own status and nothing is written.
//! - update: unknown ids are per-item `OBJECT_NOT_FOUND` errors (207, our choice); invalid
//!   properties fail the whole batch (400) unless every input has a distinct trace id.
//! - upsert: `idProperty` is required in each input and must be a unique property; `new` tells
//!   whether the record was created. Errors as for create.
//! - archive: ids that do not exist or are already archived are ignored (204 regardless).
//! - update and upsert: the same id twice (same `idProperty`) is a 400 "Duplicate IDs found in
//!   batch input" naming the ids, and nothing is written, as HubSpot answers. Ids are compared
//!   as sent (trimmed); HubSpot's exact comparison (e.g. of `012` and `12`) is unconfirmed.

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use rusqlite::Connection;

use super::catalog::Catalog;
use super::writer::{archive_one, create_one, now_ms, resolve, update_one};
use super::writes::{created_view, updated_view};
use crate::backend::{BackendError, BackendResult};
use crate::model::{
    ApiError, BatchCreateItem, BatchInput, BatchResponse, BatchUpdateItem, IdInput, StandardError,
    Ticket, UpsertResult, MAX_BATCH_INPUTS,
};

/// 400 when a batch has more than 100 inputs.
pub(super) fn check_size(n: usize) -> BackendResult<()> {
    if n > MAX_BATCH_INPUTS {
        return Err(ApiError::validation(format!(
            "Too many inputs: a batch accepts at most {MAX_BATCH_INPUTS}, got {n}"
        ))
        .into());
    }
    Ok(())
}

/// 400 when the same id (under the same `idProperty`) appears twice in an update or upsert
/// batch: HubSpot refuses the whole batch rather than apply two writes to one record.
pub(super) fn check_unique_ids(inputs: &[BatchUpdateItem]) -> BackendResult<()> {
    let mut seen = HashSet::new();
    let mut dups: Vec<String> = Vec::new();
    for item in inputs {
        let id = item.id.trim();
        let key = (item.id_property.as_deref().unwrap_or("hs_object_id"), id);
        if !seen.insert(key) && !dups.iter().any(|d| d == id) {
            dups.push(id.to_string());
        }
    }
    if dups.is_empty() {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "Duplicate IDs found in batch input: [{}]. IDs must be unique",
        dups.join(", ")
    ))
    .with_context("ids", dups)
    .into())
}

/// Whether every input carries a distinct trace id (multi-status mode).
fn trace_mode<'a>(ids: impl Iterator<Item = Option<&'a String>>) -> bool {
    let mut seen = HashSet::new();
    let mut any = false;
    for id in ids {
        match id {
            Some(id) if seen.insert(id.clone()) => any = true,
            _ => return false,
        }
    }
    any
}

/// A batch item error from an API error.
pub(super) fn standard(e: &ApiError, key: &str, value: &str) -> StandardError {
    let mut context = e.context.clone();
    context.insert(key.to_string(), vec![value.to_string()]);
    StandardError {
        status: "error".into(),
        category: e.category.clone(),
        message: e.message.clone(),
        errors: e.errors.clone(),
        context,
        links: BTreeMap::new(),
        id: None,
        sub_category: e.sub_category.clone(),
    }
}

/// Splits an error into a per-item error (4xx in multi-status mode) or a fatal one.
fn item_error(
    e: BackendError,
    trace: Option<&String>,
    multi: bool,
) -> BackendResult<StandardError> {
    match (e.api(), trace) {
        (Some(api), Some(t)) if multi && api.http_status < 500 => {
            Ok(standard(api, "objectWriteTraceId", t))
        }
        _ => Err(e),
    }
}

/// `POST .../batch/create`.
pub(super) fn create(
    conn: &Connection,
    cat: &Catalog,
    input: &BatchInput<BatchCreateItem>,
) -> BackendResult<BatchResponse<Ticket>> {
    let started = Utc::now();
    check_size(input.inputs.len())?;
    let multi = trace_mode(
        input
            .inputs
            .iter()
            .map(|i| i.object_write_trace_id.as_ref()),
    );
    let now = now_ms();
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for item in &input.inputs {
        match create_one(conn, cat, &item.properties, &item.associations, now) {
            Ok((_, plan)) => results.push(created_view(conn, cat, &plan)?),
            Err(e) => errors.push(item_error(e, item.object_write_trace_id.as_ref(), multi)?),
        }
    }
    Ok(BatchResponse::complete(results, started).with_errors(errors))
}

/// `POST .../batch/update`.
pub(super) fn update(
    conn: &Connection,
    cat: &Catalog,
    input: &BatchInput<BatchUpdateItem>,
) -> BackendResult<BatchResponse<Ticket>> {
    let started = Utc::now();
    check_size(input.inputs.len())?;
    check_unique_ids(&input.inputs)?;
    let multi = trace_mode(
        input
            .inputs
            .iter()
            .map(|i| i.object_write_trace_id.as_ref()),
    );
    let now = now_ms();
    let (mut results, mut errors, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for item in &input.inputs {
        let old = match resolve(conn, cat, &item.id, item.id_property.as_deref(), false) {
            Ok(r) => r,
            Err(e) if e.http_status() == Some(404) => {
                missing.push(item.id.clone());
                continue;
            }
            Err(e) => {
                errors.push(item_error(e, item.object_write_trace_id.as_ref(), multi)?);
                continue;
            }
        };
        match update_one(conn, cat, &old, &item.properties, now) {
            Ok(plan) => results.push(updated_view(conn, cat, &old, &plan)?),
            Err(e) => errors.push(item_error(e, item.object_write_trace_id.as_ref(), multi)?),
        }
    }
    if !missing.is_empty() {
        let e = ApiError::not_found(format!(
            "Could not find some TICKET objects to update: {}",
            missing.join(", ")
        ))
        .with_context("ids", missing);
        let mut s = standard(&e, "ids", "");
        s.context = e.context.clone();
        errors.push(s);
    }
    Ok(BatchResponse::complete(results, started).with_errors(errors))
}

/// `POST .../batch/upsert`.
pub(super) fn upsert(
    conn: &Connection,
    cat: &Catalog,
    input: &BatchInput<BatchUpdateItem>,
) -> BackendResult<BatchResponse<UpsertResult>> {
    let started = Utc::now();
    check_size(input.inputs.len())?;
    check_unique_ids(&input.inputs)?;
    let multi = trace_mode(
        input
            .inputs
            .iter()
            .map(|i| i.object_write_trace_id.as_ref()),
    );
    let now = now_ms();
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for item in &input.inputs {
        let trace = item.object_write_trace_id.as_ref();
        let outcome = (|| -> BackendResult<UpsertResult> {
            let name = item.id_property.as_deref().ok_or_else(|| {
                ApiError::validation("batch upsert needs idProperty in every input")
            })?;
            let prop = cat
                .prop(name)
                .filter(|p| p.def.has_unique_value && p.col.is_some())
                .ok_or_else(|| {
                    ApiError::validation(format!(
                        "idProperty {name} is not a unique property of tickets"
                    ))
                })?;
            match resolve(conn, cat, &item.id, Some(name), false) {
                Ok(old) => {
                    let plan = update_one(conn, cat, &old, &item.properties, now)?;
                    Ok(UpsertResult {
                        ticket: updated_view(conn, cat, &old, &plan)?,
                        new: false,
                    })
                }
                Err(e) if e.http_status() == Some(404) => {
                    let mut props = item.properties.clone();
                    props.insert(prop.def.name.clone(), item.id.clone());
                    let (_, plan) = create_one(conn, cat, &props, &[], now)?;
                    Ok(UpsertResult {
                        ticket: created_view(conn, cat, &plan)?,
                        new: true,
                    })
                }
                Err(e) => Err(e),
            }
        })();
        match outcome {
            Ok(r) => results.push(r),
            Err(e) => errors.push(item_error(e, trace, multi)?),
        }
    }
    Ok(BatchResponse::complete(results, started).with_errors(errors))
}

/// `POST .../batch/archive`.
pub(super) fn archive(
    conn: &Connection,
    cat: &Catalog,
    input: &BatchInput<IdInput>,
) -> BackendResult<()> {
    check_size(input.inputs.len())?;
    let now = now_ms();
    for i in &input.inputs {
        if let Ok(row) = resolve(conn, cat, &i.id, None, false) {
            archive_one(conn, cat, row.id, now)?;
        }
    }
    Ok(())
}
