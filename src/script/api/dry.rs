//! Dry-run stand-ins for writes: they read what they need for real, record the change in the
//! plan and return what HubSpot would have returned, without sending anything.
//!
//! Callers have already passed the write guard. Nothing here may call a backend write method.

use std::collections::BTreeMap;

use chrono::Utc;
use rhai::{EvalAltResult, Position};

use crate::model::{GetParams, InputProperties, Ticket};

use super::super::context::RunCtx;
use super::super::plan::PlanChange;
use super::tickets::get_ticket;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// The ticket a create would return: a fake id (`dry-run-N`) and the given properties.
pub(super) fn create(ctx: &RunCtx, props: &InputProperties) -> Ticket {
    let id = ctx.fake_id();
    let now = Utc::now();
    let mut properties: BTreeMap<String, Option<String>> = props
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    properties.insert("hs_object_id".into(), Some(id.clone()));
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
        &id,
        PlanChange::Created {
            properties: props.0.clone(),
        },
    );
    ctx.remember_created(&t);
    t
}

/// The ticket an update would return: the current ticket (read for real) with `props` applied.
/// Each property whose value changes is planned as old -> new.
pub(super) fn update(
    ctx: &RunCtx,
    pos: Position,
    id: &str,
    props: &InputProperties,
) -> Res<Ticket> {
    let params = GetParams {
        properties: props.keys().cloned().collect(),
        ..GetParams::default()
    };
    let mut t = get_ticket(ctx, pos, id, &params)?;
    for (k, new) in props.iter() {
        let old = t
            .properties
            .get(k)
            .cloned()
            .flatten()
            .filter(|s| !s.is_empty());
        if old.as_deref().unwrap_or("") != new {
            ctx.plan(
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

/// Plans an archive.
pub(super) fn archive(ctx: &RunCtx, id: &str) {
    ctx.plan(id, PlanChange::Archived);
}
