//! HubSpot's rules for the property values of a ticket write, written once: the sandbox applies
//! them to every real write and dry-run planning applies them to every planned write, so a plan
//! never shows a change the real run would refuse (and the contract test in
//! `tests/write_contract.rs` holds both to the same verdicts).
//!
//! [`check_value`] judges one value against its property definition; [`check_write`] judges a
//! whole write (every property, then the pipeline and stage the ticket ends up in) and collects
//! every problem into one list, which the caller answers as HubSpot's `invalid_properties` 400.
//! The one rule that needs the ticket's associations (a pinned activity must be associated with
//! the ticket) is decided by the caller, which knows them, and reported with [`pin_not_associated`].
//! Pure: no I/O.
//!
//! Choices where HubSpot is unconfirmed:
//! - a malformed number answers `INVALID_INTEGER` (also for `NaN` and infinities), a malformed
//!   datetime `INVALID_DATE` (epoch milliseconds and ISO-8601 are both accepted), a bad boolean
//!   `INVALID_BOOLEAN`;
//! - a `string` value longer than [`MAX_STRING_CHARS`] characters answers `VALUE_TOO_LONG`
//!   (the limit is HubSpot's documented one; the code is our choice);
//! - an enumeration with external options (`hubspot_owner_id`, `hubspot_team_id`) is checked
//!   against the options its definition lists, and accepts any value when it lists none (a
//!   real portal lists owners through its owners API, not as options);
//! - `hs_pipeline` and `hs_pipeline_stage` cannot be cleared, are checked against the portal's
//!   pipelines rather than the definition's options, and a ticket without a pipeline lands in
//!   [`DEFAULT_PIPELINE`], in the pipeline's first stage when no stage is given;
//! - `hs_pinned_engagement_id` must be a whole, positive number.

use super::error::ErrorDetail;
use super::limits::MAX_STRING_CHARS;
use super::pipeline::{Pipeline, PipelineStage};
use super::property::Property;
use super::time::parse_to_millis;
use super::values::InputProperties;

/// The pipeline a ticket lands in when no write names one.
pub const DEFAULT_PIPELINE: &str = "0";

/// The property that pins an activity on a ticket.
pub const PINNED_ACTIVITY: &str = "hs_pinned_engagement_id";

/// A property value that passed [`check_value`], in the form a store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckedValue {
    /// `""`: the value is cleared.
    Cleared,
    /// Free text, an option (`;`-joined for a multi-select), or a boolean (`true`/`false`).
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A finite number with a fraction.
    Real(f64),
    /// A date or datetime, as epoch milliseconds.
    Millis(i64),
}

/// Why HubSpot refuses one value: its error code and message, about one property. Small by
/// design; it becomes the [`ErrorDetail`] of HubSpot's `invalid_properties` answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HubSpot's code, e.g. `INVALID_OPTION`.
    pub code: &'static str,
    /// The property.
    pub property: String,
    /// What is wrong.
    pub message: String,
}

impl From<Refusal> for ErrorDetail {
    fn from(r: Refusal) -> Self {
        ErrorDetail::property(r.code, &r.property, r.message)
    }
}

/// How a property's values are read, from its definition's `type` and `fieldType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Free text (`string`, `phone_number`, anything unknown).
    Text,
    /// `enumeration`; `multi` for `;`-joined checkbox values.
    Enum {
        /// Multi-select (`fieldType: checkbox`).
        multi: bool,
    },
    /// `number`.
    Number,
    /// `datetime` or `date`.
    DateTime,
    /// `bool`.
    Bool,
}

impl ValueKind {
    /// The kind of a definition.
    pub fn of(p: &Property) -> ValueKind {
        match p.kind.as_str() {
            "enumeration" => ValueKind::Enum {
                multi: p.field_type == "checkbox",
            },
            "number" => ValueKind::Number,
            "datetime" | "date" => ValueKind::DateTime,
            "bool" => ValueKind::Bool,
            _ => ValueKind::Text,
        }
    }
}

/// Where a ticket's definitions come from: a property by name.
pub trait PropertyLookup {
    /// The definition of `name`, if the portal has it.
    fn property(&self, name: &str) -> Option<&Property>;
}

impl PropertyLookup for [Property] {
    fn property(&self, name: &str) -> Option<&Property> {
        self.iter().find(|p| p.name == name)
    }
}

impl PropertyLookup for Vec<Property> {
    fn property(&self, name: &str) -> Option<&Property> {
        self.as_slice().property(name)
    }
}

/// Whether the pipeline rules, not the definition's options, decide a value of `name`.
fn is_pipeline_property(name: &str) -> bool {
    matches!(name, "hs_pipeline" | "hs_pipeline_stage")
}

/// Judges one written value against its property definition: read-only, clearing, the value's
/// type, a string's length, an enumeration's options and the pin's form.
pub fn check_value(def: &Property, raw: &str) -> Result<CheckedValue, Refusal> {
    let name = def.name.as_str();
    let bad = |code: &'static str, message: String| {
        Err(Refusal {
            code,
            property: name.to_string(),
            message,
        })
    };
    if def.is_read_only() {
        return bad(
            "READ_ONLY_VALUE",
            format!("\"{name}\" is a read only property; its value cannot be set."),
        );
    }
    if raw.is_empty() {
        if is_pipeline_property(name) {
            return bad("INVALID_OPTION", format!("{name} cannot be empty"));
        }
        return Ok(CheckedValue::Cleared);
    }
    match ValueKind::of(def) {
        ValueKind::Text => {
            let chars = raw.chars().count();
            if chars > MAX_STRING_CHARS {
                return bad(
                    "VALUE_TOO_LONG",
                    format!(
                        "{name} is {chars} characters long; HubSpot keeps at most {MAX_STRING_CHARS}"
                    ),
                );
            }
            Ok(CheckedValue::Text(raw.to_string()))
        }
        ValueKind::Number => {
            let trimmed = raw.trim();
            if name == PINNED_ACTIVITY {
                return match trimmed.parse::<i64>() {
                    Ok(id) if id > 0 => Ok(CheckedValue::Integer(id)),
                    _ => bad(
                        "INVALID_INTEGER",
                        format!(
                            "{raw} is not an activity id: {name} takes a whole, positive number"
                        ),
                    ),
                };
            }
            if let Ok(i) = trimmed.parse::<i64>() {
                return Ok(CheckedValue::Integer(i));
            }
            match trimmed.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(CheckedValue::Real(f)),
                _ => bad("INVALID_INTEGER", format!("{raw} was not a valid number.")),
            }
        }
        ValueKind::DateTime => match parse_to_millis(raw) {
            Some(ms) => Ok(CheckedValue::Millis(ms)),
            None => bad(
                "INVALID_DATE",
                format!("{raw} is not a valid datetime: use epoch milliseconds or ISO-8601"),
            ),
        },
        ValueKind::Bool => match raw.to_ascii_lowercase().as_str() {
            v @ ("true" | "false") => Ok(CheckedValue::Text(v.to_string())),
            _ => bad(
                "INVALID_BOOLEAN",
                format!("{raw} is not a valid boolean: use true or false"),
            ),
        },
        ValueKind::Enum { multi } => {
            let open =
                is_pipeline_property(name) || (def.external_options && def.options.is_empty());
            let valid = |v: &str| open || def.options.iter().any(|o| o.value == v);
            let wrong: Vec<&str> = if multi {
                raw.split(';').filter(|v| !valid(v)).collect()
            } else if valid(raw) {
                Vec::new()
            } else {
                vec![raw]
            };
            if wrong.is_empty() {
                return Ok(CheckedValue::Text(raw.to_string()));
            }
            let allowed: Vec<&str> = def.options.iter().map(|o| o.value.as_str()).collect();
            bad(
                "INVALID_OPTION",
                format!(
                    "{} was not one of the allowed options: [{}]",
                    wrong.join(";"),
                    allowed.join(", ")
                ),
            )
        }
    }
}

/// The pipeline and stage a ticket has before a write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placement<'a> {
    /// Its `hs_pipeline`, if set.
    pub pipeline: Option<&'a str>,
    /// Its `hs_pipeline_stage`, if set.
    pub stage: Option<&'a str>,
}

/// A write that passed every rule of [`check_write`].
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedWrite {
    /// Each sent property with its checked value, in the order sent.
    pub values: Vec<(String, CheckedValue)>,
    /// The pipeline the ticket is in after the write.
    pub pipeline: String,
    /// The stage the ticket is in after the write.
    pub stage: PipelineStage,
}

impl CheckedWrite {
    /// The activity the write pins, if it sets `hs_pinned_engagement_id`.
    pub fn pinned(&self) -> Option<i64> {
        self.values.iter().find_map(|(name, v)| match v {
            CheckedValue::Integer(id) if name == PINNED_ACTIVITY => Some(*id),
            _ => None,
        })
    }
}

/// Judges a whole write: every sent property (unknown, then [`check_value`]), then the pipeline
/// and stage the ticket ends up in (`current` is `None` for a create). Every problem is
/// collected; on success the checked values and the ticket's pipeline and stage come back.
pub fn check_write(
    properties: &(impl PropertyLookup + ?Sized),
    pipelines: &[Pipeline],
    input: &InputProperties,
    current: Option<Placement<'_>>,
) -> Result<CheckedWrite, Vec<ErrorDetail>> {
    let mut errors = Vec::new();
    let mut values = Vec::new();
    for (name, raw) in input.iter() {
        let Some(def) = properties.property(name) else {
            errors.push(ErrorDetail::property(
                "PROPERTY_DOESNT_EXIST",
                name,
                format!("Property \"{name}\" does not exist"),
            ));
            continue;
        };
        match check_value(def, raw) {
            Ok(v) => values.push((name.clone(), v)),
            Err(e) => errors.push(e.into()),
        }
    }
    let sent = |name: &str| {
        values.iter().find_map(|(n, v)| match v {
            CheckedValue::Text(s) if n == name => Some(s.as_str()),
            _ => None,
        })
    };
    let current = current.unwrap_or_default();
    let pipeline_id = sent("hs_pipeline")
        .or(current.pipeline)
        .unwrap_or(DEFAULT_PIPELINE)
        .to_string();
    let Some(pipeline) = pipelines.iter().find(|p| p.id == pipeline_id) else {
        errors.push(ErrorDetail::property(
            "INVALID_OPTION",
            "hs_pipeline",
            format!("{pipeline_id} is not a valid pipeline id"),
        ));
        return Err(errors);
    };
    let stage = match sent("hs_pipeline_stage").or(current.stage) {
        Some(id) => pipeline.stage(id).ok_or_else(|| {
            ErrorDetail::property(
                "INVALID_OPTION",
                "hs_pipeline_stage",
                format!("{id} is not a valid pipeline stage of pipeline {pipeline_id}"),
            )
        }),
        None => pipeline.first_stage().ok_or_else(|| {
            ErrorDetail::property(
                "INVALID_OPTION",
                "hs_pipeline_stage",
                format!("pipeline {pipeline_id} has no stage to start in"),
            )
        }),
    };
    match stage {
        Ok(stage) if errors.is_empty() => Ok(CheckedWrite {
            values,
            pipeline: pipeline_id,
            stage: stage.clone(),
        }),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.push(e);
            Err(errors)
        }
    }
}

/// The refusal of a pin to an activity that is not associated with the ticket (associating it
/// in the same create request counts).
pub fn pin_not_associated(pin: i64) -> ErrorDetail {
    ErrorDetail::property(
        "INVALID_OPTION",
        PINNED_ACTIVITY,
        format!(
            "{pin} is not an activity (note, email, call, task or meeting) associated with this ticket"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModificationMetadata, PropertyOption};

    fn prop(
        name: &str,
        kind: &str,
        field_type: &str,
        options: &[&str],
        read_only: bool,
    ) -> Property {
        Property {
            name: name.into(),
            label: name.into(),
            kind: kind.into(),
            field_type: field_type.into(),
            group_name: "ticketinformation".into(),
            description: String::new(),
            options: options
                .iter()
                .map(|v| PropertyOption {
                    label: v.to_string(),
                    value: v.to_string(),
                    hidden: false,
                    description: None,
                    display_order: 0,
                })
                .collect(),
            display_order: 0,
            calculated: false,
            external_options: false,
            has_unique_value: false,
            hidden: false,
            hubspot_defined: true,
            form_field: true,
            referenced_object_type: None,
            modification_metadata: Some(ModificationMetadata {
                archivable: false,
                read_only_definition: true,
                read_only_value: read_only,
                read_only_options: None,
            }),
            archived: false,
            created_at: None,
            updated_at: None,
            archived_at: None,
            calculation_formula: None,
        }
    }

    fn defs() -> Vec<Property> {
        vec![
            prop("subject", "string", "text", &[], false),
            prop("hs_pipeline", "enumeration", "select", &["0"], false),
            prop("hs_pipeline_stage", "enumeration", "select", &["1"], false),
            prop(
                "hs_ticket_priority",
                "enumeration",
                "select",
                &["LOW", "HIGH"],
                false,
            ),
            prop(
                "hs_ticket_category",
                "enumeration",
                "checkbox",
                &["A", "B"],
                false,
            ),
            prop(PINNED_ACTIVITY, "number", "number", &[], false),
            prop("time_to_close", "number", "number", &[], false),
            prop("closed_date", "datetime", "date", &[], false),
            prop("createdate", "datetime", "date", &[], true),
            prop("flag", "bool", "booleancheckbox", &[], false),
        ]
    }

    fn pipelines() -> Vec<Pipeline> {
        let at = "2024-01-01T00:00:00.000Z";
        let stage = |id: &str, order: i32, state: &str| {
            serde_json::json!({"id": id, "label": id, "displayOrder": order, "archived": false,
                "createdAt": at, "updatedAt": at, "metadata": {"ticketState": state}})
        };
        let pipeline = |id: &str, stages: Vec<serde_json::Value>| {
            serde_json::json!({"id": id, "label": id, "displayOrder": 0, "archived": false,
                "createdAt": at, "updatedAt": at, "stages": stages})
        };
        serde_json::from_value(serde_json::json!([
            pipeline(
                "0",
                vec![
                    stage("2", 1, "OPEN"),
                    stage("1", 0, "OPEN"),
                    stage("4", 3, "CLOSED")
                ]
            ),
            pipeline("p2", vec![stage("9", 0, "OPEN")]),
        ]))
        .unwrap()
    }

    fn code(def: &Property, raw: &str) -> Option<String> {
        check_value(def, raw).err().map(|e| e.code.to_string())
    }

    fn codes(input: &[(&str, &str)], current: Option<Placement<'_>>) -> Vec<(String, String)> {
        let mut props = InputProperties::new();
        for (k, v) in input {
            props = props.with(*k, *v);
        }
        let mut got: Vec<(String, String)> = check_write(&defs(), &pipelines(), &props, current)
            .unwrap_err()
            .iter()
            .map(|d| {
                (
                    d.code.clone().unwrap_or_default(),
                    d.context["propertyName"][0].clone(),
                )
            })
            .collect();
        got.sort();
        got
    }

    #[test]
    fn values_are_checked_by_type() {
        let d = defs();
        let by = |n: &str| d.property(n).unwrap();
        assert_eq!(
            check_value(by("time_to_close"), " 42 "),
            Ok(CheckedValue::Integer(42))
        );
        assert_eq!(
            check_value(by("time_to_close"), "1.5"),
            Ok(CheckedValue::Real(1.5))
        );
        for bad in ["ten", "NaN", "inf", "-inf"] {
            assert_eq!(
                code(by("time_to_close"), bad).as_deref(),
                Some("INVALID_INTEGER"),
                "{bad}"
            );
        }
        assert_eq!(
            check_value(by("closed_date"), "2024-08-15T17:09:13.648Z"),
            Ok(CheckedValue::Millis(1_723_741_753_648))
        );
        assert_eq!(
            code(by("closed_date"), "yesterday").as_deref(),
            Some("INVALID_DATE")
        );
        assert_eq!(
            check_value(by("flag"), "TRUE"),
            Ok(CheckedValue::Text("true".into()))
        );
        assert_eq!(code(by("flag"), "yes").as_deref(), Some("INVALID_BOOLEAN"));
        assert_eq!(
            code(by("createdate"), "1").as_deref(),
            Some("READ_ONLY_VALUE")
        );
        assert_eq!(check_value(by("subject"), ""), Ok(CheckedValue::Cleared));
    }

    #[test]
    fn options_are_checked_one_by_one() {
        let d = defs();
        let by = |n: &str| d.property(n).unwrap();
        assert!(check_value(by("hs_ticket_priority"), "HIGH").is_ok());
        assert_eq!(
            check_value(by("hs_ticket_priority"), ""),
            Ok(CheckedValue::Cleared),
            "empty clears"
        );
        let e = check_value(by("hs_ticket_priority"), "high").unwrap_err();
        assert_eq!(
            e.message,
            "high was not one of the allowed options: [LOW, HIGH]"
        );
        assert!(check_value(by("hs_ticket_category"), "A;B").is_ok());
        assert_eq!(
            code(by("hs_ticket_category"), "A;C").as_deref(),
            Some("INVALID_OPTION")
        );
        let mut owner = prop("hubspot_owner_id", "enumeration", "select", &[], false);
        owner.external_options = true;
        assert!(
            check_value(&owner, "123").is_ok(),
            "no listed owners: any id"
        );
        owner.options = prop("x", "enumeration", "select", &["7"], false).options;
        assert_eq!(code(&owner, "123").as_deref(), Some("INVALID_OPTION"));
        assert!(check_value(&owner, "7").is_ok());
    }

    #[test]
    fn strings_stop_at_hubspots_limit() {
        let d = defs();
        let subject = d.property("subject").unwrap();
        assert!(check_value(subject, &"é".repeat(MAX_STRING_CHARS)).is_ok());
        assert_eq!(
            code(subject, &"x".repeat(MAX_STRING_CHARS + 1)).as_deref(),
            Some("VALUE_TOO_LONG")
        );
    }

    #[test]
    fn the_pin_is_a_whole_positive_number() {
        let d = defs();
        let pin = d.property(PINNED_ACTIVITY).unwrap();
        assert_eq!(check_value(pin, "42"), Ok(CheckedValue::Integer(42)));
        for bad in ["NaN", "1.5", "0", "-3", "abc"] {
            assert_eq!(code(pin, bad).as_deref(), Some("INVALID_INTEGER"), "{bad}");
        }
        assert_eq!(check_value(pin, ""), Ok(CheckedValue::Cleared), "unpinning");
        let w = check_write(
            &d,
            &pipelines(),
            &InputProperties::new().with(PINNED_ACTIVITY, "42"),
            None,
        )
        .unwrap();
        assert_eq!(w.pinned(), Some(42));
        assert_eq!(
            pin_not_associated(42).code.as_deref(),
            Some("INVALID_OPTION")
        );
    }

    #[test]
    fn every_problem_of_a_write_is_collected() {
        let got = codes(
            &[
                ("nope", "1"),
                ("createdate", "1"),
                ("hs_ticket_priority", "high"),
                (PINNED_ACTIVITY, "abc"),
                ("closed_date", "yesterday"),
            ],
            None,
        );
        assert_eq!(
            got,
            vec![
                ("INVALID_DATE".into(), "closed_date".into()),
                ("INVALID_INTEGER".into(), PINNED_ACTIVITY.into()),
                ("INVALID_OPTION".into(), "hs_ticket_priority".into()),
                ("PROPERTY_DOESNT_EXIST".into(), "nope".into()),
                ("READ_ONLY_VALUE".into(), "createdate".into()),
            ]
        );
    }

    #[test]
    fn pipeline_and_stage_cannot_be_cleared() {
        let here = Some(Placement {
            pipeline: Some("0"),
            stage: Some("1"),
        });
        assert_eq!(
            codes(&[("hs_pipeline_stage", "")], here),
            vec![("INVALID_OPTION".into(), "hs_pipeline_stage".into())]
        );
        assert_eq!(
            codes(&[("hs_pipeline", "")], here),
            vec![("INVALID_OPTION".into(), "hs_pipeline".into())]
        );
    }

    #[test]
    fn the_stage_belongs_to_the_pipeline() {
        let none = InputProperties::new();
        let w = check_write(&defs(), &pipelines(), &none, None).unwrap();
        assert_eq!(
            (w.pipeline.as_str(), w.stage.id.as_str()),
            ("0", "1"),
            "default, first stage"
        );
        assert_eq!(
            codes(&[("hs_pipeline_stage", "9")], None),
            vec![("INVALID_OPTION".into(), "hs_pipeline_stage".into())]
        );
        assert_eq!(
            codes(&[("hs_pipeline", "7")], None),
            vec![("INVALID_OPTION".into(), "hs_pipeline".into())]
        );
        // Moving pipelines keeps the old stage unless a new one is sent.
        let here = Some(Placement {
            pipeline: Some("0"),
            stage: Some("2"),
        });
        assert_eq!(
            codes(&[("hs_pipeline", "p2")], here),
            vec![("INVALID_OPTION".into(), "hs_pipeline_stage".into())]
        );
        let moved = InputProperties::new()
            .with("hs_pipeline", "p2")
            .with("hs_pipeline_stage", "9");
        let w = check_write(&defs(), &pipelines(), &moved, here).unwrap();
        assert_eq!((w.pipeline.as_str(), w.stage.id.as_str()), ("p2", "9"));
    }
}
