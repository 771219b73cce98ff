//! Dry-run validation: a planned write must fail where HubSpot would refuse it, so a plan never
//! shows a change the real run could not make. The rules are HubSpot's, kept once in
//! [`crate::model::write_rules`] and applied by the sandbox too; this module only gathers what
//! they judge against (the portal's property definitions and pipelines, read once per run, and
//! the ticket's pipeline, stage and associations) and throws the same catchable
//! `VALIDATION_ERROR` a real write would.
//!
//! A pin counts as associated when the association exists on the portal or was planned earlier
//! in this dry run (inline on a create, or by `tickets::associate`). A dissociation planned
//! earlier in the same dry run is not taken into account.

use std::sync::Arc;

use rhai::{EvalAltResult, Position};

use crate::backend::BackendError;
use crate::model::limits::ASSOCIATION_PAGE_MAX;
use crate::model::object_types::{object_type, pinnable_types, target_of};
use crate::model::write_rules::{
    check_value, check_write, pin_not_associated, CheckedWrite, Placement, PINNED_ACTIVITY,
};
use crate::model::{ApiError, AssociationInput, ErrorDetail, InputProperties, Property, Ticket};

use super::super::bridge::backend_error;
use super::super::context::RunCtx;
use super::super::plan::PlanChange;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// Most association pages read per activity type when looking for a pinned activity.
const MAX_ASSOCIATION_PAGES: usize = 1_000;

/// The ticket a planned write goes to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Target<'a> {
    /// A create, with the associations made in the same request.
    New(&'a [AssociationInput]),
    /// An existing ticket (or one this dry run created), read with at least
    /// [`read_properties`].
    Existing(&'a Ticket),
}

/// The properties to read of a ticket before planning a write of `props` to it: the written
/// ones, its pipeline and its stage.
pub(super) fn read_properties(props: &InputProperties) -> Vec<String> {
    let mut wanted: Vec<String> = props.keys().cloned().collect();
    wanted.extend(["hs_pipeline".to_string(), "hs_pipeline_stage".to_string()]);
    wanted.sort();
    wanted.dedup();
    wanted
}

/// The portal's property definitions, read once per run.
pub(super) fn definitions(ctx: &RunCtx, pos: Position) -> Res<Arc<Vec<Property>>> {
    if let Some(p) = ctx.cached_properties() {
        return Ok(p);
    }
    let p = ctx.call(pos, ctx.backend.properties())?;
    Ok(ctx.cache_properties(p))
}

fn refuse(details: Vec<ErrorDetail>, pos: Position) -> Box<EvalAltResult> {
    backend_error(
        &BackendError::from(ApiError::invalid_properties(details)),
        pos,
    )
}

/// Validates `props` like HubSpot would for a write to `target`; on success, the checked
/// values and where the ticket ends up (pipeline and stage).
pub(super) fn validate(
    ctx: &RunCtx,
    pos: Position,
    props: &InputProperties,
    target: Target<'_>,
) -> Res<CheckedWrite> {
    let defs = definitions(ctx, pos)?;
    let pipelines = super::pipelines::all(ctx, pos)?;
    let placement = match target {
        Target::New(_) => None,
        Target::Existing(t) => Some(Placement {
            pipeline: t.prop("hs_pipeline"),
            stage: t.prop("hs_pipeline_stage"),
        }),
    };
    let checked = check_write(defs.as_slice(), &pipelines, props, placement).map_err(|d| {
        // HubSpot's answer names the bad property or value; the definitions can say what was
        // probably meant (issue 16: a misspelled property, an option in the wrong case).
        for hint in crate::model::write_hints(props, &defs) {
            if ctx.first_time(&hint) {
                ctx.log("warn", hint);
            }
        }
        refuse(d, pos)
    })?;
    if let Some(pin) = checked.pinned() {
        if !is_associated(ctx, pos, target, pin)? {
            return Err(refuse(vec![pin_not_associated(pin)], pos));
        }
    }
    Ok(checked)
}

/// The property that names an activity's owner.
const OWNER: &str = "hubspot_owner_id";

/// Judges the owner of an activity logged on a ticket (a task's `hubspot_owner_id`) like the
/// real write is judged: notes and tasks take the ticket property's definition of
/// `hubspot_owner_id` (the same owners; `sandbox/object_defs.rs`), so the one rule is
/// [`check_value`] against that definition, and an id that is not an owner is refused with the
/// real run's `INVALID_OPTION` answer. A portal whose definition lists no owners (HubSpot's
/// `externalOptions`) accepts any id, as its real write would be judged here.
pub(super) fn validate_activity_owner(
    ctx: &RunCtx,
    pos: Position,
    props: &InputProperties,
) -> Res<()> {
    let Some(owner) = props.get(OWNER) else {
        return Ok(());
    };
    let defs = definitions(ctx, pos)?;
    let Some(def) = defs.iter().find(|p| p.name == OWNER) else {
        return Ok(());
    };
    check_value(def, owner)
        .map(|_| ())
        .map_err(|r| refuse(vec![r.into()], pos))
}

/// Whether activity `pin` is associated with the target (or already pinned on it).
fn is_associated(ctx: &RunCtx, pos: Position, target: Target<'_>, pin: i64) -> Res<bool> {
    let pin_id = pin.to_string();
    let inline_pins = |inline: &[AssociationInput]| {
        inline.iter().any(|a| {
            a.to.id.trim() == pin_id
                && a.types
                    .iter()
                    .any(|t| target_of(t.association_type_id).is_some_and(|o| o.pinnable))
        })
    };
    let ticket = match target {
        Target::New(inline) => return Ok(inline_pins(inline)),
        Target::Existing(t) => t,
    };
    let already = ticket
        .prop(PINNED_ACTIVITY)
        .and_then(|v| v.trim().parse::<i64>().ok())
        == Some(pin);
    let planned = ctx.planned(&ticket.id).into_iter().any(|c| match c {
        PlanChange::Associated {
            to_type,
            to_id,
            type_id,
        } => {
            let kind =
                object_type(&to_type).or_else(|| type_id.trim().parse().ok().and_then(target_of));
            to_id.trim() == pin_id && kind.is_some_and(|o| o.pinnable)
        }
        PlanChange::Created { associations, .. } => inline_pins(&associations),
        _ => false,
    });
    if already || planned || ctx.created_ticket(&ticket.id).is_some() {
        return Ok(already || planned);
    }
    for kind in pinnable_types() {
        let mut after: Option<String> = None;
        // Bounded: a portal answering cursors in a cycle must not hang the dry run.
        for _ in 0..MAX_ASSOCIATION_PAGES {
            let page = ctx.call(
                pos,
                ctx.backend.associations(
                    &ticket.id,
                    kind.plural,
                    after.as_deref(),
                    Some(ASSOCIATION_PAGE_MAX),
                ),
            )?;
            if page.results.iter().any(|a| a.id == pin_id) {
                return Ok(true);
            }
            match page.paging.and_then(|p| p.next).map(|n| n.after) {
                Some(next) if after.as_deref() != Some(next.as_str()) => after = Some(next),
                _ => break,
            }
        }
    }
    Ok(false)
}
