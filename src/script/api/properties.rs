//! `properties::`: the ticket property definitions (name, label, type, options), read from the
//! backend on each call (while planning, `get` is served from the run's one read of them all),
//! and the schema writes a rule or a setup script needs: create, update, archive a property,
//! create a group. How schema writes run beside the plan is in `schema.rs`.

use chrono::Utc;
use rhai::{Array, Dynamic};

use crate::model::schema_rules::{self, Refused};
use crate::model::{
    ApiError, Property, PropertyCreate, PropertyGroup, PropertyGroupCreate, PropertyUpdate,
};

use super::super::bridge::backend_error;
use super::super::convert;
use super::declare::{custom, json, Area, Call, Res, ScriptFn, Str};
use super::schema;

const API: Area = Area::module("properties");

/// The reference's example for `properties::`.
pub(super) const EXAMPLE: &str = r#"properties::create(#{
    name: "escalation_level", label: "Escalation level",
    type: "enumeration", options: ["tier1", "tier2", "tier3"],
});
tickets::update(ticket_id, #{ escalation_level: "tier2" });
properties::update("escalation_level", #{ label: "Escalation tier" });"#;

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("list", "Every ticket property definition (HubSpot's shape: name, label, type, fieldType, options, ...).")
            .returns("properties: array")
            .read(|c, ()| {
                let ps = c.call(c.pos, c.backend.properties())?;
                ps.iter().map(|p| convert::to_dyn(p, c.pos)).collect::<Res<Array>>()
            }),
        API.func("get", "One property definition with its options; throws a 404 map when unknown.")
            .params((Str("name: string"),))
            .returns("property: map")
            .read(|c, (name,)| {
                // While planning, the definitions are read once (planning validates writes
                // against them anyway) and served from there.
                if c.dry_run() {
                    let all = super::dry_validate::definitions(c, c.pos)?;
                    if let Some(p) = all.iter().find(|p| p.name == name.as_str()) {
                        return convert::to_dyn(p, c.pos);
                    }
                }
                convert::to_dyn(&c.call(c.pos, c.backend.property(&name))?, c.pos)
            }),
        API.func("create", "Creates a ticket property from a definition map (HubSpot's PropertyCreate: name, label, type, fieldType, groupName, options, hasUniqueValue, ...; defaults: type string, fieldType from the type, label the name, groupName ticketinformation; options may be plain strings). Tickets can carry it at once. Sent when called, even while a run plans (see the module note); planned only in a dry run.")
            .params((custom("definition: map", schema::property_input),))
            .returns("property: map")
            .write(|_| Vec::new())
            .dry(|c, (input,)| {
                if !schema::planned(c) {
                    return create_now(c, &input);
                }
                let defs = super::dry_validate::definitions(c, c.pos)?;
                let groups = c.call(c.pos, c.backend.property_groups())?;
                let existing: Vec<&Property> = defs.iter().collect();
                let p = schema_rules::new_property(&existing, &groups, &[], &input, Utc::now())
                    .map_err(|r| schema::refused(r, c.pos))?;
                schema::log_write(c, format!("create property {}", p.name));
                schema::edit_properties(c, |v| v.push(p.clone()));
                convert::to_dyn(&p, c.pos)
            })
            .real(|c, (input,)| create_now(c, &input)),
        API.func("update", "Changes a property's definition (HubSpot's PropertyUpdate: label, type, fieldType, groupName, description, options (replacing them all), displayOrder, hidden, formField); HubSpot's own properties are refused.")
            .params((Str("name: string"), custom("changes: map", schema::property_update)))
            .returns("property: map")
            .write(|_| Vec::new())
            .dry(|c, (name, input)| {
                if !schema::planned(c) {
                    return update_now(c, &name, &input);
                }
                let defs = super::dry_validate::definitions(c, c.pos)?;
                let old = defs.iter().find(|p| p.name == name.as_str()).ok_or_else(|| not_found(&name, c.pos))?;
                let groups = c.call(c.pos, c.backend.property_groups())?;
                let others = defs.iter().filter(|p| p.has_unique_value && p.name != old.name).count();
                let p = schema_rules::updated_property(old, others, &groups, &input, Utc::now())
                    .map_err(|r| schema::refused(r, c.pos))?;
                schema::log_write(c, format!("update property {name}"));
                schema::edit_properties(c, |v| replace_property(v, &p));
                convert::to_dyn(&p, c.pos)
            })
            .real(|c, (name, input)| update_now(c, &name, &input)),
        API.func("archive", "Archives a custom property: its values stay, but reads, writes and searches no longer know it. HubSpot's own properties are refused.")
            .params((Str("name: string"),))
            .write(|_| Vec::new())
            .dry(|c, (name,)| {
                if !schema::planned(c) {
                    return archive_now(c, &name);
                }
                let defs = super::dry_validate::definitions(c, c.pos)?;
                let old = defs.iter().find(|p| p.name == name.as_str()).ok_or_else(|| not_found(&name, c.pos))?;
                schema_rules::check_archivable(old).map_err(|r| schema::refused(r, c.pos))?;
                schema::log_write(c, format!("archive property {name}"));
                schema::edit_properties(c, |v| v.retain(|p| p.name != name.as_str()));
                Ok(())
            })
            .real(|c, (name,)| archive_now(c, &name)),
        API.func("groups", "Every property group (name, label, displayOrder).")
            .returns("groups: array")
            .read(|c, ()| {
                let gs = c.call(c.pos, c.backend.property_groups())?;
                gs.iter().map(|g| convert::to_dyn(g, c.pos)).collect::<Res<Array>>()
            }),
        API.func("create_group", "Creates a property group (#{ name, label, displayOrder }) to put new properties in.")
            .params((json::<PropertyGroupCreate>("group: map"),))
            .returns("group: map")
            .write(|_| Vec::new())
            .dry(|c, (input,)| {
                if !schema::planned(c) {
                    return create_group_now(c, &input);
                }
                schema_rules::check_name("property group", &input.name).map_err(|r| schema::refused(r, c.pos))?;
                schema_rules::check_label("property group", &input.label).map_err(|r| schema::refused(r, c.pos))?;
                let groups = c.call(c.pos, c.backend.property_groups())?;
                if groups.iter().any(|g| g.name == input.name) {
                    return Err(schema::refused(
                        Refused::Conflict(format!("A property group named {} already exists", input.name)),
                        c.pos,
                    ));
                }
                schema::log_write(c, format!("create property group {}", input.name));
                let g = PropertyGroup {
                    name: input.name.clone(),
                    label: input.label.clone(),
                    display_order: input.display_order.unwrap_or(0),
                    archived: false,
                };
                convert::to_dyn(&g, c.pos)
            })
            .real(|c, (input,)| create_group_now(c, &input)),
    ]
}

fn not_found(name: &str, pos: rhai::Position) -> Box<rhai::EvalAltResult> {
    backend_error(
        &ApiError::not_found(format!(
            "Unable to find property {name} for object type tickets"
        ))
        .into(),
        pos,
    )
}

fn replace_property(v: &mut [Property], p: &Property) {
    if let Some(slot) = v.iter_mut().find(|x| x.name == p.name) {
        *slot = p.clone();
    }
}

fn create_now(c: &Call, input: &PropertyCreate) -> Res<Dynamic> {
    let p = c.call(c.pos, c.backend.create_property(input))?;
    schema::log_write(c, format!("created property {}", p.name));
    schema::edit_properties(c, |v| v.push(p.clone()));
    convert::to_dyn(&p, c.pos)
}

fn update_now(c: &Call, name: &str, input: &PropertyUpdate) -> Res<Dynamic> {
    let p = c.call(c.pos, c.backend.update_property(name, input))?;
    schema::log_write(c, format!("updated property {name}"));
    schema::edit_properties(c, |v| replace_property(v, &p));
    convert::to_dyn(&p, c.pos)
}

fn archive_now(c: &Call, name: &str) -> Res<()> {
    c.call(c.pos, c.backend.archive_property(name))?;
    schema::log_write(c, format!("archived property {name}"));
    schema::edit_properties(c, |v| v.retain(|p| p.name != name));
    Ok(())
}

fn create_group_now(c: &Call, input: &PropertyGroupCreate) -> Res<Dynamic> {
    let g = c.call(c.pos, c.backend.create_property_group(input))?;
    schema::log_write(c, format!("created property group {}", g.name));
    convert::to_dyn(&g, c.pos)
}
