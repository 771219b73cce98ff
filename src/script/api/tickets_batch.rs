//! `tickets::` batch writes: create_many, update_many, upsert_many, archive_many.
//!
//! Lists are split into HubSpot's 100-input batches by [`batching`] (shared with every other
//! caller). The whole list passes the write guard before the first batch is sent. A batch
//! HubSpot answers with 207 (some inputs failed) throws a catchable map
//! with `status: 207`, `category: "BATCH_PARTIAL"`, `errors` and the `results` that succeeded.
//! In a dry run nothing is sent: each item is planned like its single-record counterpart.

use rhai::{Array, Dynamic, EvalAltResult, Map, Position};

use crate::backend::batching::{self, BatchOutcome};
use crate::backend::BackendResult;
use crate::model::{BatchCreateItem, BatchReadInput, BatchUpdateItem, IdInput};

use super::super::bridge::{self, usage};
use super::super::context::RunCtx;
use super::super::convert;
use super::super::guard::WriteTarget;
use super::super::limits::MAX_ARRAY_SIZE;
use super::declare::{custom, Area, Call, Custom, Ids, Res, ScriptFn};
use super::dry;

fn list<T: serde::de::DeserializeOwned>(v: &Dynamic, what: &str, pos: Position) -> Res<Vec<T>> {
    let items = convert::items(v, what, pos)?;
    if items.len() > MAX_ARRAY_SIZE {
        return Err(usage(
            pos,
            format!("{what}: at most {MAX_ARRAY_SIZE} items"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, it)| convert::from_dyn(it, &format!("{what} item {i}"), pos))
        .collect()
}

/// Results as an array, or a catchable error: the HubSpot error itself when the only call
/// failed as a whole (e.g. a 400 for an invalid property), else the 207 map with the per-input
/// errors and the `results` that succeeded. Splitting into calls of 100 and merging is
/// [`batching`]'s job, shared with every other caller.
fn finish<T: serde::Serialize>(outcome: BatchOutcome<T>, pos: Position) -> Res<Array> {
    if outcome.results.is_empty() && outcome.calls == 1 && outcome.failed_chunks.len() == 1 {
        return Err(bridge::backend_error(&outcome.failed_chunks[0].error, pos));
    }
    let mut results = Array::new();
    for t in &outcome.results {
        results.push(convert::to_dyn(t, pos)?);
    }
    let errors = outcome.errors;
    if errors.is_empty() {
        return Ok(results);
    }
    let mut m = Map::new();
    m.insert("status".into(), Dynamic::from_int(207));
    m.insert("category".into(), "BATCH_PARTIAL".into());
    m.insert(
        "message".into(),
        format!(
            "{} batch input(s) failed: {}",
            errors.len(),
            errors[0].message
        )
        .into(),
    );
    m.insert("correlationId".into(), "".into());
    m.insert("errors".into(), convert::to_dyn(&errors, pos)?);
    m.insert("results".into(), results.into());
    Err(Box::new(EvalAltResult::ErrorRuntime(m.into(), pos)))
}

fn create_items(v: &Dynamic, pos: Position) -> Res<Vec<BatchCreateItem>> {
    let items = convert::items(v, "tickets::create_many", pos)?;
    items
        .iter()
        .map(|it| {
            let full = it
                .read_lock::<Map>()
                .is_some_and(|m| m.get("properties").is_some_and(|p| p.is_map()));
            if full {
                convert::from_dyn(it, "tickets::create_many item", pos)
            } else {
                Ok(BatchCreateItem {
                    properties: convert::properties(it, "tickets::create_many item", pos)?,
                    ..BatchCreateItem::default()
                })
            }
        })
        .collect()
}

/// Sends a batch write and counts the tickets it changed (`id` of each result).
fn send<T: serde::Serialize>(
    c: &Call,
    batches: impl std::future::Future<Output = BackendResult<BatchOutcome<T>>>,
    id: impl Fn(&T) -> &String,
) -> Res<Array> {
    let outcome = c.call(c.pos, batches)?;
    c.wrote(outcome.results.iter().map(|r| id(r).as_str()));
    finish(outcome, c.pos)
}

/// `update_many`/`upsert_many` items, converted one by one (errors name the item's index).
fn update_items() -> Custom<Vec<BatchUpdateItem>> {
    custom("items: array", |v, c| list(&v, c.name, c.pos))
}

fn existing<'a>(ids: impl Iterator<Item = &'a String>) -> Vec<WriteTarget> {
    ids.map(|id| WriteTarget::Existing(id.clone())).collect()
}

const API: Area = Area::module("tickets");

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("create_many", "Creates tickets in batches of 100; items are property maps or #{ properties, associations }.")
            .params((custom("items: array", |v, c| create_items(&v, c.pos)),))
            .returns("tickets: array")
            .write(|(items,)| vec![WriteTarget::New; items.len()])
            .dry(|c, (items,)| {
                items.iter().map(|i| convert::ticket(&dry::create(c, c.pos, &i.properties, i.associations.clone())?, c.pos)).collect()
            })
            .real(|c, (items,)| {
                let outcome = c.call(c.pos, batching::batch_create_all(c.backend.as_ref(), items))?;
                c.wrote_new(outcome.results.iter().map(|t| t.id.as_str()));
                finish(outcome, c.pos)
            }),
        API.func("update_many", "Updates tickets in batches of 100; items are #{ id, properties }.")
            .params((update_items(),))
            .returns("tickets: array")
            .write(|(items,)| existing(items.iter().map(|i| &i.id)))
            .dry(|c, (items,)| dry_update_many(c, c.pos, &items))
            .real(|c, (items,)| {
                send(c, batching::batch_update_all(c.backend.as_ref(), items), |t| &t.id)
            }),
        API.func("upsert_many", "Creates or updates by a unique property in batches of 100; items are #{ id, idProperty, properties }; results carry `new`.")
            .params((update_items(),))
            .returns("tickets: array")
            .write(|(items,)| existing(items.iter().map(|i| &i.id)))
            .dry(|c, (items,)| dry_upsert(c, c.pos, &items))
            .real(|c, (items,)| {
                send(c, batching::batch_upsert_all(c.backend.as_ref(), items), |r| &r.ticket.id)
            }),
        API.func("archive_many", "Archives tickets in batches of 100.")
            .params((Ids("ids: array"),))
            .write(|(ids,)| existing(ids.iter()))
            .dry(|c, (ids,)| {
                for id in &ids {
                    dry::archive(c, c.pos, id)?;
                }
                Ok(())
            })
            .real(|c, (ids,)| {
                send(c, batching::batch_archive_all(c.backend.as_ref(), ids), |id| id).map(|_| ())
            }),
    ]
}

/// Dry `update_many`: the current tickets are read in batches of 100 (not one GET each), then
/// each item is planned like `tickets::update`; an unknown id is the 404 HubSpot would answer.
fn dry_update_many(c: &RunCtx, pos: Position, items: &[BatchUpdateItem]) -> Res<Array> {
    let mut wanted: Vec<String> = items
        .iter()
        .flat_map(|i| dry::read_properties(&i.properties))
        .collect();
    wanted.sort();
    wanted.dedup();
    let stored: Vec<String> = items
        .iter()
        .map(|i| i.id.clone())
        .filter(|id| c.created_ticket(id).is_none())
        .collect();
    let read = BatchReadInput {
        inputs: stored.iter().map(IdInput::new).collect(),
        properties: wanted,
        properties_with_history: Vec::new(),
        id_property: None,
    };
    let outcome = c.call(
        pos,
        batching::batch_read_all(c.backend.as_ref(), read, false),
    )?;
    // The write's own look-up, not tickets the script read (see `tickets_read::look_up`).
    let mut by_id: std::collections::HashMap<String, crate::model::Ticket> = outcome
        .results
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
    let mut out = Array::new();
    for item in items {
        let ticket = match c.created_ticket(&item.id) {
            Some(t) => t,
            None => match by_id.remove(&item.id) {
                Some(mut t) => {
                    c.apply_overlay(&mut t);
                    t
                }
                // Not found (or read twice in one list): ask for it alone, which throws
                // HubSpot's 404 for an unknown id.
                None => super::tickets_read::look_up(
                    c,
                    pos,
                    &item.id,
                    &crate::model::GetParams {
                        properties: dry::read_properties(&item.properties),
                        ..Default::default()
                    },
                )?,
            },
        };
        out.push(convert::ticket(
            &dry::update_from(c, pos, ticket, &item.properties)?,
            pos,
        )?);
    }
    Ok(out)
}

/// Dry upsert: items whose `idProperty` value exists are planned as updates, others as creates.
fn dry_upsert(c: &RunCtx, pos: Position, items: &[BatchUpdateItem]) -> Res<Array> {
    let mut out = Array::new();
    for item in items {
        let input = BatchReadInput {
            inputs: vec![IdInput::new(item.id.clone())],
            properties: Vec::new(),
            properties_with_history: Vec::new(),
            id_property: item.id_property.clone(),
        };
        // The write's own look-up, not tickets the script read (see `tickets_read::look_up`).
        let found = c.call(pos, c.backend.batch_read(&input, false))?;
        let (t, new) = match found.results.first() {
            Some(existing) => (dry::update(c, pos, &existing.id, &item.properties)?, false),
            None => {
                let mut props = item.properties.clone();
                if let Some(p) = &item.id_property {
                    props.insert(p.clone(), item.id.clone());
                }
                (dry::create(c, pos, &props, Vec::new())?, true)
            }
        };
        let mut m = convert::ticket(&t, pos)?
            .try_cast::<Map>()
            .unwrap_or_default();
        m.insert("new".into(), new.into());
        out.push(m.into());
    }
    Ok(out)
}
