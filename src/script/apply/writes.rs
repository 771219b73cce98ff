//! The changes of existing tickets, batched: updates merged per ticket (100 tickets per call,
//! each input traced by its ticket id so one refused ticket is a per-item error), associations
//! and their removals per object type (v4 batches of 100), merges (one call each: HubSpot has no
//! batch merge) and archives (100 per call).

use std::collections::{BTreeMap, HashMap};

use crate::backend::TicketsBackend;
use crate::model::object_types::spec_by_id;
use crate::model::{
    AssociationBatchItem, BatchInput, BatchUpdateItem, IdInput, InputProperties, MergeInput,
    MAX_BATCH_INPUTS,
};

use super::super::plan::PlanChange;
use super::outcome::ChangeStatus;
use super::{error_text, Work};

const NOT_CREATED: &str = "its ticket was not created";

/// Updates, merged per ticket in plan order of first appearance.
pub(super) async fn updates(b: &dyn TicketsBackend, w: &mut Work<'_>) {
    let mut order: Vec<String> = Vec::new();
    let mut by_ticket: HashMap<String, (BTreeMap<String, String>, Vec<usize>)> = HashMap::new();
    for (i, e) in w.plan.entries.iter().enumerate() {
        let PlanChange::Set { property, new, .. } = &e.change else {
            continue;
        };
        if !w.pending(i) {
            continue;
        }
        let Some(id) = w.resolve(&e.ticket) else {
            w.failed(i, NOT_CREATED);
            continue;
        };
        let value = w.resolve_value(new);
        let slot = by_ticket.entry(id.clone()).or_insert_with(|| {
            order.push(id.clone());
            Default::default()
        });
        slot.0.insert(property.clone(), value);
        slot.1.push(i);
    }
    for chunk in order.chunks(MAX_BATCH_INPUTS) {
        if w.cancelled() {
            return;
        }
        let input = BatchInput::new(
            chunk
                .iter()
                .map(|id| BatchUpdateItem {
                    id: id.clone(),
                    id_property: None,
                    properties: InputProperties(by_ticket[id].0.clone()),
                    object_write_trace_id: Some(id.clone()),
                })
                .collect(),
        );
        w.calls.write();
        match b.batch_update(&input).await {
            Ok(r) => {
                let mut failed: HashMap<String, String> = HashMap::new();
                for e in &r.errors {
                    let ids = e
                        .context
                        .get("objectWriteTraceId")
                        .or_else(|| e.context.get("ids"));
                    for id in ids.into_iter().flatten() {
                        failed.insert(id.clone(), format!("{} ({})", e.message, e.category));
                    }
                }
                for id in chunk {
                    for &i in &by_ticket[id].1 {
                        match failed.get(id) {
                            Some(m) => w.failed(i, m.clone()),
                            None => w.set(i, ChangeStatus::Applied),
                        }
                    }
                }
            }
            Err(e) => {
                let m = error_text(&e);
                for id in chunk {
                    for &i in &by_ticket[id].1 {
                        w.failed(i, m.clone());
                    }
                }
            }
        }
    }
}

/// One association change to send.
struct Link {
    entry: usize,
    from: String,
    to_id: String,
    type_id: String,
}

/// Associations (`adding`) or their removals, per object type.
pub(super) async fn associations(b: &dyn TicketsBackend, w: &mut Work<'_>, adding: bool) {
    {
        let mut by_type: BTreeMap<String, Vec<Link>> = BTreeMap::new();
        for (i, e) in w.plan.entries.iter().enumerate() {
            let (to_type, to_id, type_id) = match (&e.change, adding) {
                (
                    PlanChange::Associated {
                        to_type,
                        to_id,
                        type_id,
                    },
                    true,
                )
                | (
                    PlanChange::Dissociated {
                        to_type,
                        to_id,
                        type_id,
                    },
                    false,
                ) => (to_type, to_id, type_id),
                _ => continue,
            };
            if !w.pending(i) {
                continue;
            }
            let (Some(from), Some(to)) = (w.resolve(&e.ticket), w.resolve(to_id)) else {
                w.failed(i, NOT_CREATED);
                continue;
            };
            by_type.entry(to_type.clone()).or_default().push(Link {
                entry: i,
                from,
                to_id: to,
                type_id: type_id.clone(),
            });
        }
        for (to_type, links) in by_type {
            // A legacy type name (`ticket_to_contact`) has no v4 form: one v3 call each.
            let (numeric, named): (Vec<Link>, Vec<Link>) = links
                .into_iter()
                .partition(|l| l.type_id.parse::<i32>().is_ok());
            for l in named {
                if w.cancelled() {
                    return;
                }
                w.calls.write();
                let r = if adding {
                    b.associate(&l.from, &to_type, &l.to_id, &l.type_id)
                        .await
                        .map(|_| ())
                } else {
                    b.dissociate(&l.from, &to_type, &l.to_id, &l.type_id).await
                };
                match r {
                    Ok(()) => w.set(l.entry, ChangeStatus::Applied),
                    Err(e) => w.failed(l.entry, error_text(&e)),
                }
            }
            for chunk in numeric.chunks(MAX_BATCH_INPUTS) {
                if w.cancelled() {
                    return;
                }
                send_links(b, w, &to_type, chunk, adding).await;
            }
        }
    }
}

async fn send_links(
    b: &dyn TicketsBackend,
    w: &mut Work<'_>,
    to_type: &str,
    chunk: &[Link],
    adding: bool,
) {
    // A plan keeps a numeric id without its category: HubSpot's own type of the pair, or else
    // a portal label (`spec_by_id`).
    let input = BatchInput::new(
        chunk
            .iter()
            .map(|l| {
                let id = l.type_id.parse::<i32>().unwrap_or_default();
                AssociationBatchItem::new(
                    l.from.clone(),
                    l.to_id.clone(),
                    vec![spec_by_id(to_type, id)],
                )
            })
            .collect(),
    );
    w.calls.write();
    let answer = if adding {
        b.batch_associate_v4(to_type, &input)
            .await
            .map(|r| r.errors)
    } else {
        b.batch_dissociate_v4(to_type, &input)
            .await
            .map(|()| Vec::new())
    };
    match answer {
        Ok(errors) => {
            let mut failed: HashMap<String, String> = HashMap::new();
            for e in &errors {
                for id in e.context.get("fromObjectId").into_iter().flatten() {
                    failed.insert(id.clone(), format!("{} ({})", e.message, e.category));
                }
            }
            for l in chunk {
                match failed.get(&l.from) {
                    Some(m) => w.failed(l.entry, m.clone()),
                    None => w.set(l.entry, ChangeStatus::Applied),
                }
            }
        }
        Err(e) => {
            let m = error_text(&e);
            for l in chunk {
                w.failed(l.entry, m.clone());
            }
        }
    }
}

/// Activities logged on tickets (notes, tasks), one create each, in plan order.
pub(super) async fn logged(b: &dyn TicketsBackend, w: &mut Work<'_>) {
    for i in 0..w.plan.entries.len() {
        let e = &w.plan.entries[i];
        let PlanChange::Logged {
            object_type,
            properties,
        } = &e.change
        else {
            continue;
        };
        if !w.pending(i) {
            continue;
        }
        if w.cancelled() {
            return;
        }
        let Some(ticket) = w.resolve(&e.ticket) else {
            w.failed(i, NOT_CREATED);
            continue;
        };
        let input =
            crate::model::activity::logged_on_ticket(object_type, &ticket, properties.clone());
        w.calls.write();
        match b.object_create(object_type, &input).await {
            Ok(_) => w.set(i, ChangeStatus::Applied),
            Err(err) => w.failed(i, error_text(&err)),
        }
    }
}

/// Activities archived (an undo of what a run logged), one call each, in plan order. An
/// activity already archived (or deleted) answers 404 and is reported as failed.
pub(super) async fn unlogged(b: &dyn TicketsBackend, w: &mut Work<'_>) {
    for i in 0..w.plan.entries.len() {
        let PlanChange::Unlogged { object_type, id } = &w.plan.entries[i].change else {
            continue;
        };
        if !w.pending(i) {
            continue;
        }
        if w.cancelled() {
            return;
        }
        w.calls.write();
        match b.object_archive(object_type, id).await {
            Ok(()) => w.set(i, ChangeStatus::Applied),
            Err(err) => w.failed(i, error_text(&err)),
        }
    }
}

/// Merges, one call each, in plan order.
pub(super) async fn merges(b: &dyn TicketsBackend, w: &mut Work<'_>) {
    for i in 0..w.plan.entries.len() {
        let e = &w.plan.entries[i];
        let PlanChange::Merged { into } = &e.change else {
            continue;
        };
        if !w.pending(i) {
            continue;
        }
        if w.cancelled() {
            return;
        }
        let (Some(other), Some(primary)) = (w.resolve(&e.ticket), w.resolve(into)) else {
            w.failed(i, NOT_CREATED);
            continue;
        };
        w.calls.write();
        match b
            .merge(&MergeInput {
                primary_object_id: primary,
                object_id_to_merge: other,
            })
            .await
        {
            Ok(_) => w.set(i, ChangeStatus::Applied),
            Err(err) => w.failed(i, error_text(&err)),
        }
    }
}

/// Archives, 100 per call.
pub(super) async fn archives(b: &dyn TicketsBackend, w: &mut Work<'_>) {
    let mut todo: Vec<(usize, String)> = Vec::new();
    for (i, e) in w.plan.entries.iter().enumerate() {
        if !matches!(e.change, PlanChange::Archived) || !w.pending(i) {
            continue;
        }
        match w.resolve(&e.ticket) {
            Some(id) => todo.push((i, id)),
            None => w.failed(i, NOT_CREATED),
        }
    }
    for chunk in todo.chunks(MAX_BATCH_INPUTS) {
        if w.cancelled() {
            return;
        }
        let input = BatchInput::new(chunk.iter().map(|(_, id)| IdInput::new(id)).collect());
        w.calls.write();
        match b.batch_archive(&input).await {
            Ok(()) => {
                for (i, _) in chunk {
                    w.set(*i, ChangeStatus::Applied);
                }
            }
            Err(e) => {
                let m = error_text(&e);
                for (i, _) in chunk {
                    w.failed(*i, m.clone());
                }
            }
        }
    }
}
