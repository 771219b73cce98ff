//! Dry-run validation: a planned write must fail where HubSpot would refuse it, so a plan never
//! shows a change the real run could not make. Checks the properties HubSpot checks (unknown,
//! read-only, enumeration options, numbers, dates) and that a stage belongs to its pipeline,
//! against the portal's own definitions (read once per run), and throws the same catchable
//! `VALIDATION_ERROR` a real write would.

use std::sync::Arc;

use rhai::{EvalAltResult, Position};

use crate::backend::BackendError;
use crate::model::{time, ApiError, ErrorDetail, InputProperties, Property};

use super::super::bridge::backend_error;
use super::super::context::RunCtx;

type Res<T> = Result<T, Box<EvalAltResult>>;

fn definitions(ctx: &RunCtx, pos: Position) -> Res<Arc<Vec<Property>>> {
    if let Some(p) = ctx.cached_properties() {
        return Ok(p);
    }
    let p = ctx.call(pos, ctx.backend.properties())?;
    Ok(ctx.cache_properties(p))
}

/// What is wrong with one value, if anything (HubSpot's error code and message).
fn check_value(def: &Property, value: &str) -> Option<(&'static str, String)> {
    if def.is_read_only() {
        return Some((
            "READ_ONLY_VALUE",
            format!(
                "{} is a read only property; its value cannot be set.",
                def.name
            ),
        ));
    }
    if value.is_empty() {
        return None;
    }
    match def.kind.as_str() {
        "enumeration" if !def.options.is_empty() && !def.external_options => {
            let values: Vec<&str> = if def.field_type == "checkbox" {
                value.split(';').collect()
            } else {
                vec![value]
            };
            values
                .into_iter()
                .find(|v| !def.options.iter().any(|o| o.value == *v))
                .map(|bad| {
                    let allowed: Vec<&str> = def.options.iter().map(|o| o.value.as_str()).collect();
                    (
                        "INVALID_OPTION",
                        format!(
                            "{bad} was not one of the allowed options: [{}]",
                            allowed.join(", ")
                        ),
                    )
                })
        }
        "number" if value.parse::<f64>().is_err() => Some((
            "INVALID_INTEGER",
            format!("{value} is not a valid number for {}", def.name),
        )),
        "datetime" | "date" if time::parse_to_millis(value).is_none() => Some((
            "INVALID_DATE",
            format!("{value} is not a valid date for {}", def.name),
        )),
        _ => None,
    }
}

/// Validates `props` like HubSpot would for a write to a ticket in `pipeline` (the value the
/// ticket has, or will have: `hs_pipeline` in `props` wins; `"0"` for a create without one).
pub(super) fn validate(
    ctx: &RunCtx,
    pos: Position,
    props: &InputProperties,
    pipeline: &str,
) -> Res<()> {
    let defs = definitions(ctx, pos)?;
    let mut details = Vec::new();
    for (name, value) in props.iter() {
        match defs.iter().find(|d| &d.name == name) {
            None => details.push(ErrorDetail::property(
                "PROPERTY_DOESNT_EXIST",
                name,
                format!("Property \"{name}\" does not exist"),
            )),
            Some(def) => {
                if let Some((code, message)) = check_value(def, value) {
                    details.push(ErrorDetail::property(code, name, message));
                }
            }
        }
    }
    if !details.is_empty() {
        return Err(backend_error(
            &BackendError::Api(ApiError::invalid_properties(details)),
            pos,
        ));
    }
    if let Some(stage) = props.get("hs_pipeline_stage").filter(|s| !s.is_empty()) {
        let pipeline = props
            .get("hs_pipeline")
            .map(String::as_str)
            .unwrap_or(pipeline);
        let pipelines = super::pipelines::all(ctx, pos)?;
        let ok = pipelines
            .iter()
            .find(|p| p.id == pipeline)
            .is_some_and(|p| p.stage(stage).is_some());
        if !ok {
            return Err(backend_error(
                &BackendError::Api(ApiError::validation(format!(
                    "{stage} is not a valid pipeline stage of pipeline {pipeline}"
                ))),
                pos,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModificationMetadata, PropertyOption};

    fn prop(name: &str, kind: &str, options: &[&str], read_only: bool) -> Property {
        serde_json::from_value::<Property>(serde_json::json!({
            "name": name, "label": name, "type": kind, "fieldType": "select",
            "groupName": "ticketinformation",
        }))
        .map(|mut p| {
            p.options = options
                .iter()
                .map(|v| PropertyOption {
                    label: v.to_string(),
                    value: v.to_string(),
                    hidden: false,
                    description: None,
                    display_order: 0,
                })
                .collect();
            p.modification_metadata = Some(ModificationMetadata {
                archivable: false,
                read_only_definition: true,
                read_only_value: read_only,
                read_only_options: None,
            });
            p
        })
        .unwrap()
    }

    #[test]
    fn values_are_checked_like_hubspot_does() {
        let priority = prop("hs_ticket_priority", "enumeration", &["LOW", "HIGH"], false);
        assert_eq!(check_value(&priority, "HIGH"), None);
        assert_eq!(check_value(&priority, ""), None, "empty clears");
        assert_eq!(check_value(&priority, "BAD").unwrap().0, "INVALID_OPTION");
        let created = prop("createdate", "datetime", &[], true);
        assert_eq!(check_value(&created, "x").unwrap().0, "READ_ONLY_VALUE");
        let closed = prop("closed_date", "datetime", &[], false);
        assert_eq!(check_value(&closed, "x").unwrap().0, "INVALID_DATE");
        assert_eq!(check_value(&closed, "1700000000000"), None);
        let n = prop("time_to_close", "number", &[], false);
        assert_eq!(check_value(&n, "ten").unwrap().0, "INVALID_INTEGER");
    }
}
