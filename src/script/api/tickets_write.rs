//! `tickets::` single-record writes: create, update, delete, merge, associate, dissociate, pin.
//!
//! The mechanism passes each one through the write guard, then runs its `real` body (the
//! backend call) or, in a dry run, its `dry` body, which plans the change through `dry.rs`
//! and returns what HubSpot would have returned. A dry run never reaches a backend write
//! method.

use rhai::Dynamic;

use crate::model::{
    AssociationBatchItem, AssociationInput, BatchInput, CreateInput, GetParams, InputProperties,
    MergeInput, UpdateInput,
};

use super::super::convert;
use super::super::guard::WriteTarget;
use super::super::plan::PlanChange;
use super::association_type::{self, Named};
use super::declare::{json, Area, Call, Id, Props, Res, ScriptFn, Str};
use super::dry;
use super::tickets_read::look_up;

fn create(
    c: &Call,
    properties: InputProperties,
    associations: Vec<AssociationInput>,
) -> Res<Dynamic> {
    let t = c.call(
        c.pos,
        c.backend.create(&CreateInput {
            properties,
            associations,
        }),
    )?;
    c.wrote_new([t.id.as_str()]);
    convert::ticket(&t, c.pos)
}

fn update(c: &Call, id: &str, properties: InputProperties) -> Res<Dynamic> {
    let t = c.call(
        c.pos,
        c.backend.update(id, &UpdateInput { properties }, None),
    )?;
    c.wrote([id]);
    convert::ticket(&t, c.pos)
}

fn existing(id: &str) -> Vec<WriteTarget> {
    vec![WriteTarget::Existing(id.to_string())]
}

const API: Area = Area::module("tickets");

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("create", "Creates a ticket. No property is required: without hs_pipeline and hs_pipeline_stage it lands in the first stage of the default pipeline (the sandbox does so; HubSpot is reported to, unconfirmed); HubSpot's guide asks for subject and hs_pipeline_stage, so send them. Returns the ticket with what the backend fills in (id, pipeline, stage, createdate); a dry run returns the same with id \"dry-run-N\".")
            .params((Props("properties: map"),))
            .returns("ticket: map")
            .write(|_| vec![WriteTarget::New])
            .dry(|c, (props,)| convert::ticket(&dry::create(c, c.pos, &props, Vec::new())?, c.pos))
            .real(|c, (props,)| create(c, props, Vec::new())),
        API.func("create", "Creates a ticket with HubSpot-shaped associations [#{ to: #{ id }, types: [#{ associationCategory, associationTypeId }] }].")
            .params((Props("properties: map"), json::<Vec<AssociationInput>>("associations: array")))
            .returns("ticket: map")
            .write(|_| vec![WriteTarget::New])
            .dry(|c, (props, assoc)| convert::ticket(&dry::create(c, c.pos, &props, assoc)?, c.pos))
            .real(|c, (props, assoc)| create(c, props, assoc)),
        API.func("update", "Sets properties (\"\" or () clears one) and returns the updated ticket.")
            .params((Id("id: string"), Props("properties: map")))
            .returns("ticket: map")
            .write(|(id, _)| existing(id))
            .dry(|c, (id, props)| convert::ticket(&dry::update(c, c.pos, &id, &props)?, c.pos))
            .real(|c, (id, props)| update(c, &id, props)),
        API.func("delete", "Archives a ticket (moves it to the recycle bin).")
            .params((Id("id: string"),))
            .write(|(id,)| existing(id))
            .dry(|c, (id,)| dry::archive(c, c.pos, &id))
            .real(|c, (id,)| {
                c.call(c.pos, c.backend.archive(&id))?;
                c.wrote([id.as_str()]);
                Ok(())
            }),
        API.func("merge", "Merges `other` into `primary` (other is archived) and returns the surviving ticket.")
            .params((Id("primary: string"), Id("other: string")))
            .returns("ticket: map")
            .write(|(primary, other)| [existing(primary), existing(other)].concat())
            .dry(|c, (primary, other)| {
                let t = look_up(c, c.pos, &primary, &GetParams::default())?;
                look_up(c, c.pos, &other, &GetParams::default())?;
                c.plan(c.pos, &other, PlanChange::Merged { into: primary });
                convert::ticket(&t, c.pos)
            })
            .real(|c, (primary, other)| {
                let input = MergeInput { primary_object_id: primary, object_id_to_merge: other };
                let t = c.call(c.pos, c.backend.merge(&input))?;
                c.wrote([input.primary_object_id.as_str(), input.object_id_to_merge.as_str()]);
                convert::ticket(&t, c.pos)
            }),
        API.func("associate", "Associates the ticket with a record by a type of the pair: HubSpot's own (id or v3 name, e.g. (\"1\", \"contacts\", \"51\", 16)) or a portal label by its label text or type id (e.g. (\"1\", \"companies\", \"7\", \"Billing account\"), stored beside the unlabelled type); an unknown label is refused like HubSpot refuses it, dry run included. Returns the ticket with its associations of to_type.")
            .params((Id("id: string"), Str("to_type: string"), Id("to_id: string"), Id("type: int/string")))
            .returns("ticket: map")
            .write(|(id, ..)| existing(id))
            .dry(|c, (id, to_type, to_id, key)| {
                let named = association_type::resolve(c, c.pos, &to_type, &key)?;
                let params = GetParams { associations: vec![to_type.to_string()], ..GetParams::default() };
                let t = look_up(c, c.pos, &id, &params)?;
                dry::check_target(c, c.pos, &to_type, &to_id)?;
                c.plan(c.pos, &id, PlanChange::Associated { to_type: to_type.to_string(), to_id, type_id: named.plan_id() });
                convert::ticket(&t, c.pos)
            })
            .real(|c, (id, to_type, to_id, key)| {
                let t = match association_type::resolve(c, c.pos, &to_type, &key)? {
                    Named::Hubspot(segment) => c.call(c.pos, c.backend.associate(&id, &to_type, &to_id, &segment))?,
                    Named::Label(spec) => {
                        c.call(c.pos, c.backend.associate_v4(&id, &to_type, &to_id, &[spec]))?;
                        let params = GetParams { associations: vec![to_type.to_string()], ..GetParams::default() };
                        c.call(c.pos, c.backend.get(&id, &params))?
                    }
                };
                c.wrote([id.as_str()]);
                convert::ticket(&t, c.pos)
            }),
        API.func("dissociate", "Removes one association type of the ticket, named as for associate (removing HubSpot's unlabelled type removes the labels too; removing a label leaves the association).")
            .params((Id("id: string"), Str("to_type: string"), Id("to_id: string"), Id("type: int/string")))
            .write(|(id, ..)| existing(id))
            .dry(|c, (id, to_type, to_id, key)| {
                let named = association_type::resolve(c, c.pos, &to_type, &key)?;
                c.plan(c.pos, &id, PlanChange::Dissociated { to_type: to_type.to_string(), to_id, type_id: named.plan_id() });
                Ok(())
            })
            .real(|c, (id, to_type, to_id, key)| {
                match association_type::resolve(c, c.pos, &to_type, &key)? {
                    Named::Hubspot(segment) => c.call(c.pos, c.backend.dissociate(&id, &to_type, &to_id, &segment))?,
                    Named::Label(spec) => {
                        let input = BatchInput::new(vec![AssociationBatchItem::new(id.as_str(), to_id.as_str(), vec![spec])]);
                        c.call(c.pos, c.backend.batch_dissociate_v4(&to_type, &input))?;
                    }
                }
                c.wrote([id.as_str()]);
                Ok(())
            }),
        API.func("pin", "Pins an activity already associated with the ticket (sets hs_pinned_engagement_id).")
            .params((Id("id: string"), Id("activity_id: string")))
            .returns("ticket: map")
            .write(|(id, _)| existing(id))
            .dry(|c, (id, activity)| {
                let props = InputProperties::new().with("hs_pinned_engagement_id", activity);
                convert::ticket(&dry::update(c, c.pos, &id, &props)?, c.pos)
            })
            .real(|c, (id, activity)| {
                update(c, &id, InputProperties::new().with("hs_pinned_engagement_id", activity))
            }),
    ]
}
