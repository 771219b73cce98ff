//! `notes::create(ticket_id, body)` and `tasks::create(ticket_id, #{ subject, due, owner })`:
//! an activity logged on a ticket, created with its association to the ticket (note to ticket
//! 228, task to ticket 230) in the same request.
//!
//! They are writes of the ticket: the write guard counts the ticket, a dry run plans a
//! `logged` change and returns the record HubSpot would return (id `dry-run-N`), and a normal
//! run applies it after the script (one create call per record: HubSpot has no batch create
//! that carries associations for us to lean on here). Choices where HubSpot is silent:
//! - a note's `hs_timestamp` is the moment of the call; a task's is `due` (epoch ms or an
//!   ISO-8601 string), or the moment of the call when `due` is left out;
//! - a task starts `NOT_STARTED`, type `TODO`, unless `status`/`type` say otherwise; `priority`
//!   is one of HubSpot's `NONE`, `LOW`, `MEDIUM`, `HIGH`; unknown keys are refused.

use std::collections::BTreeMap;

use chrono::Utc;
use rhai::{Dynamic, Map, Position};

use crate::model::activity::{logged_on_ticket, TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES};
use crate::model::time::parse_to_millis;
use crate::model::{InputProperties, Ticket};

use super::super::context::RunCtx;
use super::super::convert;
use super::super::guard::WriteTarget;
use super::super::plan::PlanChange;
use super::declare::{Area, Call, Id, ObjMap, Res, ScriptFn, Str};
use super::dry_validate::validate_activity_owner;
use super::tickets_read::look_up;

/// Keys of the `tasks::create` map, in the order the reference lists them.
const TASK_KEYS: &[&str] = &[
    "subject", "due", "owner", "body", "priority", "status", "type",
];

fn now_ms() -> String {
    Utc::now().timestamp_millis().to_string()
}

/// The properties of a task from the script's map.
fn task_properties(c: &Call, spec: &Map) -> Res<InputProperties> {
    if let Some(k) = spec.keys().find(|k| !TASK_KEYS.contains(&k.as_str())) {
        return Err(c.usage(format!(
            "tasks::create: unknown key `{k}`; use {}",
            TASK_KEYS.join(", ")
        )));
    }
    let text = |key: &str| -> Res<Option<String>> {
        match spec.get(key) {
            None => Ok(None),
            Some(v) if v.is_unit() => Ok(None),
            Some(v) => convert::value_string(v)
                .map(Some)
                .ok_or_else(|| c.usage(format!("tasks::create: `{key}` must be a string"))),
        }
    };
    let one_of = |key: &str, allowed: &[&str], default: Option<&str>| -> Res<Option<String>> {
        match text(key)? {
            None => Ok(default.map(str::to_string)),
            Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
            Some(v) => Err(c.usage(format!(
                "tasks::create: `{key}` is {v}; use one of {}",
                allowed.join(", ")
            ))),
        }
    };
    let subject = text("subject")?
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| c.usage("tasks::create: `subject` is required"))?;
    let due = match text("due")? {
        None => now_ms(),
        Some(d) => parse_to_millis(&d)
            .ok_or_else(|| {
                c.usage(format!(
                    "tasks::create: `due` is {d}; use epoch milliseconds or ISO-8601"
                ))
            })?
            .to_string(),
    };
    let mut p = InputProperties::new()
        .with("hs_task_subject", subject)
        .with("hs_timestamp", due);
    for (key, prop, allowed, default) in [
        (
            "status",
            "hs_task_status",
            TASK_STATUSES,
            Some("NOT_STARTED"),
        ),
        ("type", "hs_task_type", TASK_TYPES, Some("TODO")),
        ("priority", "hs_task_priority", TASK_PRIORITIES, None),
    ] {
        if let Some(v) = one_of(key, allowed, default)? {
            p = p.with(prop, v);
        }
    }
    if let Some(owner) = text("owner")? {
        p = p.with("hubspot_owner_id", owner);
    }
    if let Some(body) = text("body")? {
        p = p.with("hs_task_body", body);
    }
    Ok(p)
}

/// The record HubSpot would return for a logged activity, in a dry run.
fn planned_record(id: String, properties: &InputProperties) -> Ticket {
    let now = Utc::now();
    let mut props: BTreeMap<String, Option<String>> = properties
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    props.insert("hs_object_id".into(), Some(id.clone()));
    Ticket {
        id,
        properties: props,
        properties_with_history: None,
        created_at: now,
        updated_at: now,
        archived: false,
        archived_at: None,
        associations: None,
    }
}

/// Plans an activity on a ticket (the ticket must exist, or be created by this run).
fn plan(c: &Call, ticket: &str, object_type: &str, properties: InputProperties) -> Res<Dynamic> {
    look_up(c, c.pos, ticket, &crate::model::GetParams::default())?;
    c.plan(
        c.pos,
        ticket,
        PlanChange::Logged {
            object_type: object_type.to_string(),
            properties: properties.0.clone(),
        },
    );
    convert::ticket(&planned_record(c.fake_id(), &properties), c.pos)
}

/// Creates an activity on a ticket now (a run with `apply = "immediate"`).
fn create_now(
    ctx: &RunCtx,
    pos: Position,
    ticket: &str,
    object_type: &str,
    properties: InputProperties,
) -> Res<Dynamic> {
    let input = logged_on_ticket(object_type, ticket, properties.0);
    let r = ctx.call(pos, ctx.backend.object_create(object_type, &input))?;
    ctx.wrote([ticket]);
    convert::ticket(&r, pos)
}

fn on_ticket(id: &str) -> Vec<WriteTarget> {
    vec![WriteTarget::Existing(id.to_string())]
}

/// The reference example of `notes::`.
pub(super) const NOTES_EXAMPLE: &str = r#"let note = notes::create("1", "Escalated to tier 2: customer is platinum");
log::info(`logged note ${note.id}`);"#;

/// The reference example of `tasks::`.
pub(super) const TASKS_EXAMPLE: &str = r#"tasks::create("1", #{ subject: "Call the customer back", due: now() + hours(4), owner: "52550153", priority: "HIGH" });"#;

const NOTES: Area = Area::module("notes");
const TASKS: Area = Area::module("tasks");

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        NOTES.func("create", "Logs a note on the ticket (hs_note_body = body, hs_timestamp = now), associated with it; returns the note (dry run: id \"dry-run-N\").")
            .params((Id("ticket_id: string"), Str("body: string")))
            .returns("note: map")
            .write(|(id, _)| on_ticket(id))
            .dry(|c, (id, body)| {
                let p = InputProperties::new().with("hs_note_body", body.as_str()).with("hs_timestamp", now_ms());
                plan(c, &id, "notes", p)
            })
            .real(|c, (id, body)| {
                let p = InputProperties::new().with("hs_note_body", body.as_str()).with("hs_timestamp", now_ms());
                create_now(c, c.pos, &id, "notes", p)
            }),
        TASKS.func("create", "Creates a task on the ticket from #{ subject, due, owner, body, priority, status, type } (subject required; due: epoch ms or ISO-8601, default now; owner: an owner id), associated with it; returns the task.")
            .params((Id("ticket_id: string"), ObjMap("task: map")))
            .returns("task: map")
            .write(|(id, _)| on_ticket(id))
            .dry(|c, (id, spec)| {
                let p = task_properties(c, &spec)?;
                validate_activity_owner(c, c.pos, &p)?;
                plan(c, &id, "tasks", p)
            })
            .real(|c, (id, spec)| {
                let p = task_properties(c, &spec)?;
                create_now(c, c.pos, &id, "tasks", p)
            }),
    ]
}
