//! `tickets::` single-record writes: create, update, delete, merge, associate, dissociate, pin.
//!
//! Each one first passes the write guard ([`RunCtx::admit_write`]), then either calls the
//! backend or, in a dry run, plans the change through `dry.rs` and returns what HubSpot would
//! have returned. A dry run never reaches a backend write method.

use std::sync::Arc;

use rhai::{Dynamic, EvalAltResult, ImmutableString, Module, NativeCallContext};

use crate::model::{
    AssociationInput, CreateInput, GetParams, InputProperties, MergeInput, UpdateInput,
};

use super::super::context::RunCtx;
use super::super::convert;
use super::super::guard::WriteTarget;
use super::super::plan::PlanChange;
use super::dry;
use super::tickets::get_ticket;

type Res<T> = Result<T, Box<EvalAltResult>>;

fn create(
    ctx: &RunCtx,
    nc: &NativeCallContext,
    props: Dynamic,
    assoc: Option<Dynamic>,
) -> Res<Dynamic> {
    let pos = nc.call_position();
    let properties = convert::properties(&props, "tickets::create", pos)?;
    let associations: Vec<AssociationInput> = match assoc {
        Some(a) => convert::from_dyn(&a, "tickets::create associations", pos)?,
        None => Vec::new(),
    };
    ctx.admit_write(pos, "tickets::create", &[WriteTarget::New])?;
    if ctx.dry_run() {
        let t = dry::create(ctx, pos, &properties, associations)?;
        return convert::ticket(&t, pos);
    }
    let t = ctx.call(
        pos,
        ctx.backend.create(&CreateInput {
            properties,
            associations,
        }),
    )?;
    ctx.wrote_new(1);
    convert::ticket(&t, pos)
}

pub(super) fn update(
    ctx: &RunCtx,
    pos: rhai::Position,
    id: &str,
    properties: InputProperties,
) -> Res<Dynamic> {
    ctx.admit_write(
        pos,
        "tickets::update",
        &[WriteTarget::Existing(id.to_string())],
    )?;
    if ctx.dry_run() {
        return convert::ticket(&dry::update(ctx, pos, id, &properties)?, pos);
    }
    let t = ctx.call(
        pos,
        ctx.backend.update(id, &UpdateInput { properties }, None),
    )?;
    ctx.wrote([id]);
    convert::ticket(&t, pos)
}

pub(super) fn add(m: &mut Module, ctx: &Arc<RunCtx>) {
    let c = ctx.clone();
    def!(m, false, "create", &["properties: map", "ticket: map"],
        "Creates a ticket (needs subject, hs_pipeline, hs_pipeline_stage); dry run: returns it with id \"dry-run-N\".",
        move |nc: NativeCallContext, props: Dynamic| -> Res<Dynamic> { create(&c, &nc, props, None) });
    let c = ctx.clone();
    def!(m, false, "create", &["properties: map", "associations: array", "ticket: map"],
        "Creates a ticket with HubSpot-shaped associations [#{ to: #{ id }, types: [#{ associationCategory, associationTypeId }] }].",
        move |nc: NativeCallContext, props: Dynamic, assoc: Dynamic| -> Res<Dynamic> {
            create(&c, &nc, props, Some(assoc))
        });

    let c = ctx.clone();
    def!(
        m,
        false,
        "update",
        &["id: string", "properties: map", "ticket: map"],
        "Sets properties (\"\" or () clears one) and returns the updated ticket.",
        move |nc: NativeCallContext, id: Dynamic, props: Dynamic| -> Res<Dynamic> {
            let pos = nc.call_position();
            let id = convert::id(&id, "tickets::update", pos)?;
            let properties = convert::properties(&props, "tickets::update", pos)?;
            update(&c, pos, &id, properties)
        }
    );

    let c = ctx.clone();
    def!(
        m,
        false,
        "delete",
        &["id: string", "()"],
        "Archives a ticket (moves it to the recycle bin).",
        move |nc: NativeCallContext, id: Dynamic| -> Res<()> {
            let pos = nc.call_position();
            let id = convert::id(&id, "tickets::delete", pos)?;
            c.admit_write(pos, "tickets::delete", &[WriteTarget::Existing(id.clone())])?;
            if c.dry_run() {
                return dry::archive(&c, pos, &id);
            }
            c.call(pos, c.backend.archive(&id))?;
            c.wrote([id.as_str()]);
            Ok(())
        }
    );

    let c = ctx.clone();
    def!(
        m,
        false,
        "merge",
        &["primary: string", "other: string", "ticket: map"],
        "Merges `other` into `primary` (other is archived) and returns the surviving ticket.",
        move |nc: NativeCallContext, primary: Dynamic, other: Dynamic| -> Res<Dynamic> {
            let pos = nc.call_position();
            let primary = convert::id(&primary, "tickets::merge", pos)?;
            let other = convert::id(&other, "tickets::merge", pos)?;
            c.admit_write(
                pos,
                "tickets::merge",
                &[
                    WriteTarget::Existing(primary.clone()),
                    WriteTarget::Existing(other.clone()),
                ],
            )?;
            if c.dry_run() {
                let t = get_ticket(&c, pos, &primary, &GetParams::default())?;
                get_ticket(&c, pos, &other, &GetParams::default())?;
                c.plan(
                    pos,
                    &other,
                    PlanChange::Merged {
                        into: primary.clone(),
                    },
                );
                return convert::ticket(&t, pos);
            }
            let input = MergeInput {
                primary_object_id: primary,
                object_id_to_merge: other,
            };
            let t = c.call(pos, c.backend.merge(&input))?;
            c.wrote([
                input.primary_object_id.as_str(),
                input.object_id_to_merge.as_str(),
            ]);
            convert::ticket(&t, pos)
        }
    );

    let c = ctx.clone();
    def!(m, false, "associate", &["id: string", "to_type: string", "to_id: string", "type_id: int", "ticket: map"],
        "Associates the ticket with a record (v3, e.g. (\"1\", \"contacts\", \"51\", 16)); returns the ticket with associations.",
        move |nc: NativeCallContext, id: Dynamic, to_type: ImmutableString, to_id: Dynamic, type_id: Dynamic| -> Res<Dynamic> {
            let pos = nc.call_position();
            let id = convert::id(&id, "tickets::associate", pos)?;
            let to_id = convert::id(&to_id, "tickets::associate", pos)?;
            let type_id = convert::id(&type_id, "tickets::associate", pos)?;
            c.admit_write(pos, "tickets::associate", &[WriteTarget::Existing(id.clone())])?;
            if c.dry_run() {
                let params = GetParams { associations: vec![to_type.to_string()], ..GetParams::default() };
                let t = get_ticket(&c, pos, &id, &params)?;
                c.plan(pos, &id, PlanChange::Associated { to_type: to_type.to_string(), to_id, type_id });
                return convert::ticket(&t, pos);
            }
            let t = c.call(pos, c.backend.associate(&id, &to_type, &to_id, &type_id))?;
            c.wrote([id.as_str()]);
            convert::ticket(&t, pos)
        });

    let c = ctx.clone();
    def!(
        m,
        false,
        "dissociate",
        &[
            "id: string",
            "to_type: string",
            "to_id: string",
            "type_id: int",
            "()"
        ],
        "Removes one association of the ticket.",
        move |nc: NativeCallContext,
              id: Dynamic,
              to_type: ImmutableString,
              to_id: Dynamic,
              type_id: Dynamic|
              -> Res<()> {
            let pos = nc.call_position();
            let id = convert::id(&id, "tickets::dissociate", pos)?;
            let to_id = convert::id(&to_id, "tickets::dissociate", pos)?;
            let type_id = convert::id(&type_id, "tickets::dissociate", pos)?;
            c.admit_write(
                pos,
                "tickets::dissociate",
                &[WriteTarget::Existing(id.clone())],
            )?;
            if c.dry_run() {
                c.plan(
                    pos,
                    &id,
                    PlanChange::Dissociated {
                        to_type: to_type.to_string(),
                        to_id,
                        type_id,
                    },
                );
                return Ok(());
            }
            c.call(pos, c.backend.dissociate(&id, &to_type, &to_id, &type_id))?;
            c.wrote([id.as_str()]);
            Ok(())
        }
    );

    let c = ctx.clone();
    def!(
        m,
        false,
        "pin",
        &["id: string", "activity_id: string", "ticket: map"],
        "Pins an activity already associated with the ticket (sets hs_pinned_engagement_id).",
        move |nc: NativeCallContext, id: Dynamic, activity: Dynamic| -> Res<Dynamic> {
            let pos = nc.call_position();
            let id = convert::id(&id, "tickets::pin", pos)?;
            let activity = convert::id(&activity, "tickets::pin", pos)?;
            update(
                &c,
                pos,
                &id,
                InputProperties::new().with("hs_pinned_engagement_id", activity),
            )
        }
    );
}
