//! What `tickets::associate` and `tickets::dissociate` name a type with, resolved to the spec to
//! send: HubSpot's own type of the pair by id or v3 name (`16`, `"ticket_to_contact"`; the
//! model's table, no call), or one of the portal's labels by its label text or type id
//! (`"Billing account"`, `1001`), looked up in the pair's label listing
//! (`GET /crm/v4/associations/tickets/{to}/labels`) and judged by the sandbox's own rule
//! ([`check_pair_type`]), so a dry run refuses an unknown label with the answer the real write
//! gets. A number that is not one of HubSpot's types of the pair is taken as a label's id.

use rhai::{EvalAltResult, Position};

use crate::backend::BackendError;
use crate::model::object_types::{object_type, type_for};
use crate::model::{
    check_pair_type, find_pair_type, ApiError, AssociationCategory, AssociationSpec,
};

use super::super::bridge::backend_error;
use super::super::context::RunCtx;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// A type named by a script, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Named {
    /// HubSpot's own type, as the script named it (the v3 segment: id or name).
    Hubspot(String),
    /// A portal label.
    Label(AssociationSpec),
}

impl Named {
    /// The type id a plan and a run record keep (HubSpot's as named, a label's id).
    pub(super) fn plan_id(&self) -> String {
        match self {
            Named::Hubspot(segment) => segment.clone(),
            Named::Label(spec) => spec.association_type_id.to_string(),
        }
    }
}

fn refused(message: String, pos: Position) -> Box<EvalAltResult> {
    backend_error(&BackendError::from(ApiError::validation(message)), pos)
}

/// Resolves `key` (what the script passed as the type) for associations from tickets to
/// `to_type`.
pub(super) fn resolve(ctx: &RunCtx, pos: Position, to_type: &str, key: &str) -> Res<Named> {
    let obj = object_type(to_type);
    if let Some(o) = obj {
        if type_for(o, key).is_ok() {
            return Ok(Named::Hubspot(key.to_string()));
        }
    }
    let plural = obj.map_or(to_type, |o| o.plural);
    let known = ctx.call(pos, ctx.backend.association_labels("tickets", to_type))?;
    let spec = match key.trim().parse::<i32>() {
        Ok(id) => AssociationSpec {
            association_category: AssociationCategory::UserDefined,
            association_type_id: id,
        },
        Err(_) => find_pair_type(&known, key, plural).map_err(|m| refused(m, pos))?,
    };
    check_pair_type(&known, &spec, plural).map_err(|m| refused(m, pos))?;
    Ok(match spec.association_category {
        AssociationCategory::HubspotDefined => Named::Hubspot(spec.association_type_id.to_string()),
        _ => Named::Label(spec),
    })
}
