//! The schema writes of `properties::` and `pipelines::`: how a script's definition map becomes
//! HubSpot's input (with friendly defaults), and how each write runs.
//!
//! A schema write is not part of a run's plan: in a run that plans, then applies, it is sent
//! when called (the planned ticket writes after it are judged against, and applied onto, the
//! schema it makes), and it stays if the script fails later. In a dry run it is checked with
//! the model's rules (`model::schema_rules`, the ones the sandbox applies), logged as "would
//! ...", not sent, and the run's view of the definitions gains it, so later planned writes to
//! the new property or pipeline validate as they will for real. `hubscript undo` does not
//! reverse schema writes.

use rhai::{Dynamic, Position};
use serde_json::Value;

use crate::backend::BackendError;
use crate::model::schema_rules::Refused;
use crate::model::{ApiError, Pipeline, Property};

use super::super::bridge::backend_error;
use super::super::context::RunCtx;
use super::super::convert;
use super::declare::{Call, Res};

/// Whether a schema write is only planned (a dry run) rather than sent now.
pub(super) fn planned(c: &Call) -> bool {
    c.user_dry_run()
}

/// A refusal of the model's rules as the catchable map HubSpot's answer would make.
pub(super) fn refused(r: impl Into<Refused>, pos: Position) -> Box<rhai::EvalAltResult> {
    backend_error(&BackendError::from(ApiError::from(r.into())), pos)
}

/// Logs a schema write: sent, or planned in a dry run.
pub(super) fn log_write(c: &Call, what: String) {
    if planned(c) {
        c.log("info", format!("would {what} (dry run: not sent)"));
    } else {
        c.log("info", what);
    }
}

/// The run's cached definitions after a write (when it has read them): `f` edits a copy.
pub(super) fn edit_properties(ctx: &RunCtx, f: impl FnOnce(&mut Vec<Property>)) {
    if let Some(cached) = ctx.cached_properties() {
        let mut v = (*cached).clone();
        f(&mut v);
        ctx.cache_properties(v);
    }
}

/// The run's cached pipelines after a write (when it has read them).
pub(super) fn edit_pipelines(ctx: &RunCtx, f: impl FnOnce(&mut Vec<Pipeline>)) {
    if let Some(cached) = ctx.cached_pipelines() {
        let mut v = (*cached).clone();
        f(&mut v);
        ctx.cache_pipelines(v);
    }
}

/// A script's map as JSON, refused unless it is a map.
fn object(v: &Dynamic, what: &str, pos: Position) -> Res<serde_json::Map<String, Value>> {
    match convert::to_json_checked(v, pos)? {
        Value::Object(m) => Ok(m),
        _ => Err(super::super::bridge::usage(
            pos,
            format!("{what} takes a map, got {}", v.type_name()),
        )),
    }
}

/// A JSON value as a request type; `what` names the argument in errors.
fn parse<T: serde::de::DeserializeOwned>(v: Value, what: &str, pos: Position) -> Res<T> {
    serde_json::from_value(v).map_err(|e| super::super::bridge::usage(pos, format!("{what}: {e}")))
}

/// The field type a property of `kind` gets when the script names none.
fn default_field_type(kind: &str) -> &'static str {
    match kind {
        "number" => "number",
        "date" | "datetime" => "date",
        "enumeration" => "select",
        "bool" => "booleancheckbox",
        _ => "text",
    }
}

/// A property definition map with the script defaults: `type` "string", `fieldType` from the
/// type, `label` the name, `groupName` "ticketinformation"; options may be plain strings
/// (value and label alike).
pub(super) fn property_input(v: Dynamic, c: &Call) -> Res<crate::model::PropertyCreate> {
    let what = format!("{} definition", c.name);
    let mut m = object(&v, &what, c.pos)?;
    let kind = m
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string")
        .to_string();
    m.entry("type").or_insert_with(|| Value::from(kind.clone()));
    m.entry("fieldType")
        .or_insert_with(|| Value::from(default_field_type(&kind)));
    if let Some(name) = m.get("name").cloned() {
        m.entry("label").or_insert(name);
    }
    m.entry("groupName")
        .or_insert_with(|| Value::from("ticketinformation"));
    plain_options(&mut m);
    parse(Value::Object(m), &what, c.pos)
}

/// A property change map; options may be plain strings.
pub(super) fn property_update(v: Dynamic, c: &Call) -> Res<crate::model::PropertyUpdate> {
    let what = format!("{} changes", c.name);
    let mut m = object(&v, &what, c.pos)?;
    plain_options(&mut m);
    parse(Value::Object(m), &what, c.pos)
}

fn plain_options(m: &mut serde_json::Map<String, Value>) {
    if let Some(Value::Array(options)) = m.get_mut("options") {
        for o in options.iter_mut() {
            if let Value::String(s) = o {
                *o = serde_json::json!({ "label": s.clone(), "value": s.clone() });
            }
        }
    }
}

/// A stage map with the script defaults: `displayOrder` its place, and `ticketState` accepted
/// beside `metadata` (`#{ label: "Escalated", ticketState: "OPEN" }`).
fn stage_value(v: &mut Value, index: usize) {
    if let Value::Object(m) = v {
        m.entry("displayOrder")
            .or_insert_with(|| Value::from(index));
        if let Some(state) = m.remove("ticketState") {
            let meta = m
                .entry("metadata")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Value::Object(meta) = meta {
                meta.entry("ticketState").or_insert(state);
            }
        }
    }
}

/// A pipeline definition map with the script defaults (`displayOrder` after the others is
/// left to 0; each stage's its place).
pub(super) fn pipeline_input(v: Dynamic, c: &Call) -> Res<crate::model::PipelineInput> {
    let what = format!("{} definition", c.name);
    let mut m = object(&v, &what, c.pos)?;
    m.entry("displayOrder").or_insert_with(|| Value::from(0));
    if let Some(Value::Array(stages)) = m.get_mut("stages") {
        for (i, s) in stages.iter_mut().enumerate() {
            stage_value(s, i);
        }
    }
    parse(Value::Object(m), &what, c.pos)
}

/// A stage definition map (`displayOrder` defaults to after the pipeline's stages, filled by
/// the caller through `index`).
pub(super) fn stage_input(v: Dynamic, c: &Call, index: usize) -> Res<crate::model::StageInput> {
    let what = format!("{} stage", c.name);
    let m = object(&v, &what, c.pos)?;
    let mut value = Value::Object(m);
    stage_value(&mut value, index);
    parse(value, &what, c.pos)
}

/// A stage change map (`ticketState` accepted beside `metadata`).
pub(super) fn stage_patch(v: Dynamic, c: &Call) -> Res<crate::model::StagePatch> {
    let what = format!("{} changes", c.name);
    let mut m = object(&v, &what, c.pos)?;
    if let Some(state) = m.remove("ticketState") {
        let meta = m
            .entry("metadata")
            .or_insert_with(|| Value::Object(Default::default()));
        if let Value::Object(meta) = meta {
            meta.entry("ticketState").or_insert(state);
        }
    }
    parse(Value::Object(m), &what, c.pos)
}
