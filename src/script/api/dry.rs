//! Dry-run stand-ins for writes: they read what they need for real, record the change in the
//! plan and return what HubSpot would have returned, without sending anything.
//!
//! Callers have already passed the write guard. Nothing here may call a backend write method.

use std::collections::BTreeMap;

use chrono::Utc;
use rhai::{EvalAltResult, Position};

use crate::backend::BackendError;
use crate::model::object_types::{has_records, object_type, object_types, target_of, ObjectType};
use crate::model::{
    ApiError, AssociationCategory, AssociationInput, GetParams, InputProperties, Ticket,
};

use super::super::bridge::backend_error;
use super::super::context::RunCtx;
use super::super::plan::PlanChange;
use super::dry_validate::{self, Target};
use super::tickets_read::look_up;

type Res<T> = Result<T, Box<EvalAltResult>>;

pub(super) use super::dry_validate::read_properties;

/// Refuses, as the real call would, an association to a record that does not exist: a ticket
/// target is read like any ticket (a ticket created earlier in the run counts), a contact,
/// company, note or task through its object endpoint. Types hubscript has no records of
/// (deals, calls, ...) are left to the real call.
pub(super) fn check_target(ctx: &RunCtx, pos: Position, to_type: &str, to_id: &str) -> Res<()> {
    let Some(obj) = object_type(to_type) else {
        return Ok(());
    };
    if obj.plural == "tickets" {
        look_up(ctx, pos, to_id, &GetParams::default())?;
    } else if has_records(obj.plural) {
        ctx.call(
            pos,
            ctx.backend
                .object_get(obj.plural, to_id, &GetParams::default()),
        )?;
    }
    Ok(())
}

/// The object type a portal label on a create's inline association leads to. The spec names no
/// object type, so, as the sandbox does from its catalog (`sandbox/assoc::resolve_inline`), the
/// label is looked up among the labels from tickets, one pair's listing at a time until found
/// (only for USER_DEFINED types, which scripts rarely put inline); none is the real create's 400.
fn label_target(ctx: &RunCtx, pos: Position, type_id: i32) -> Res<&'static ObjectType> {
    for obj in object_types() {
        let labels = ctx.call(pos, ctx.backend.association_labels("tickets", obj.plural))?;
        if labels
            .iter()
            .any(|l| l.category == AssociationCategory::UserDefined && l.type_id == type_id)
        {
            return Ok(obj);
        }
    }
    let e = ApiError::validation(format!(
        "association type {type_id} (USER_DEFINED) is not a known ticket association type"
    ));
    Err(backend_error(&BackendError::from(e), pos))
}

/// The ticket a create would return: a fake id (`dry-run-N`), the given properties and the
/// ones the backend fills in (pipeline, stage, create date ...); refused
/// like HubSpot would refuse it (see [`super::dry_validate`]). `associations` are those made in
/// the same request (they may hold the activity the create pins).
pub(super) fn create(
    ctx: &RunCtx,
    pos: Position,
    props: &InputProperties,
    associations: Vec<AssociationInput>,
) -> Res<Ticket> {
    let checked = dry_validate::validate(ctx, pos, props, Target::New(&associations))?;
    for a in &associations {
        for t in &a.types {
            let obj = match t.association_category {
                AssociationCategory::UserDefined => {
                    Some(label_target(ctx, pos, t.association_type_id)?)
                }
                _ => target_of(t.association_type_id),
            };
            if let Some(obj) = obj {
                check_target(ctx, pos, obj.plural, &a.to.id)?;
            }
        }
    }
    let id = ctx.fake_id();
    let now = Utc::now();
    let mut properties: BTreeMap<String, Option<String>> = props
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    // What the backend fills in on a create (the sandbox in sandbox/validate.rs, HubSpot per
    // TICKETS_API.md 2.3), so code after a dry-run create (`t.properties.hs_pipeline_stage`,
    // `t.properties.createdate`) works as after a real one; tests/first_hour.rs compares the
    // two answers.
    let stamp = crate::model::time::format_iso(now);
    let closed = checked.stage.is_closed();
    for (name, value) in [
        ("hs_object_id", id.clone()),
        ("hs_ticket_id", id.clone()),
        ("hs_pipeline", checked.pipeline),
        ("hs_pipeline_stage", checked.stage.id),
        ("hs_is_closed", closed.to_string()),
        ("createdate", stamp.clone()),
        ("hs_lastmodifieddate", stamp.clone()),
        ("hs_object_source", "API".into()),
        ("hs_object_source_label", "INTERNAL_PROCESSING".into()),
    ] {
        properties.insert(name.to_string(), Some(value));
    }
    if closed {
        properties
            .entry("closed_date".into())
            .or_insert(Some(stamp));
    }
    let t = Ticket {
        id: id.clone(),
        properties,
        properties_with_history: None,
        created_at: now,
        updated_at: now,
        archived: false,
        archived_at: None,
        associations: None,
    };
    ctx.plan(
        pos,
        &id,
        PlanChange::Created {
            properties: props.0.clone(),
            associations,
        },
    );
    // Later reads and writes of this ticket see where it landed, so a later move is judged
    // like the real run judges it.
    let remembered = t.clone();
    ctx.remember_created(&remembered);
    ctx.created_in_run(&id);
    Ok(t)
}

/// The ticket an update would return: the current ticket (read for real) with `props` applied.
/// Each property whose value changes is planned as old -> new.
pub(super) fn update(
    ctx: &RunCtx,
    pos: Position,
    id: &str,
    props: &InputProperties,
) -> Res<Ticket> {
    let wanted = read_properties(props);
    // A ticket the run read already (a search page, a get) with every value needed is not
    // read again: a loop of updates over a search costs no call per ticket.
    let t = match ctx.seen_ticket(id, &wanted) {
        Some(t) => t,
        None => {
            let params = GetParams {
                properties: wanted,
                ..GetParams::default()
            };
            look_up(ctx, pos, id, &params)?
        }
    };
    update_from(ctx, pos, t, props)
}

/// Like [`update`], for a ticket already read (with [`read_properties`]):
/// batch dry runs read their tickets 100 at a time instead of one GET each, to spare a live
/// portal's rate budget.
pub(super) fn update_from(
    ctx: &RunCtx,
    pos: Position,
    mut t: Ticket,
    props: &InputProperties,
) -> Res<Ticket> {
    dry_validate::validate(ctx, pos, props, Target::Existing(&t))?;
    // Show only what the caller wrote, like HubSpot's answer to an update.
    t.properties.retain(|k, _| {
        !matches!(k.as_str(), "hs_pipeline" | "hs_pipeline_stage") || props.contains_key(k)
    });
    for (k, new) in props.iter() {
        let old = t
            .properties
            .get(k)
            .cloned()
            .flatten()
            .filter(|s| !s.is_empty());
        if old.as_deref().unwrap_or("") != new {
            ctx.plan(
                pos,
                &t.id,
                PlanChange::Set {
                    property: k.clone(),
                    old,
                    new: new.clone(),
                },
            );
        }
        t.properties.insert(
            k.clone(),
            if new.is_empty() {
                None
            } else {
                Some(new.clone())
            },
        );
    }
    ctx.overlay_set(&t.id, &props.0);
    t.updated_at = Utc::now();
    Ok(t)
}

/// Plans an archive of an existing ticket (an unknown id is the 404 HubSpot would answer).
pub(super) fn archive(ctx: &RunCtx, pos: Position, id: &str) -> Res<()> {
    look_up(ctx, pos, id, &GetParams::default())?;
    ctx.plan(pos, id, PlanChange::Archived);
    Ok(())
}
