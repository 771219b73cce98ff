//! Validation of written property values and the derived values a write implies: defaults on
//! create, pipeline/stage consistency, `hs_is_closed`, `closed_date` and `time_to_close`.
//! Pure: works on [`Row`]s, never touches the database (uniqueness and pinning need the
//! database and are checked by the writer).
//!
//! Choices where HubSpot is unconfirmed:
//! - every problem of one input is collected into one `invalid_properties` error;
//! - a malformed number answers `INVALID_INTEGER`, a malformed datetime `INVALID_DATE` (epoch
//!   milliseconds and ISO-8601 are both accepted), a bad boolean `INVALID_BOOLEAN`;
//! - `hubspot_owner_id` must be one of the sandbox's owners (`INVALID_OPTION` otherwise);
//!   `hubspot_team_id` accepts any value;
//! - `hs_pipeline` and `hs_pipeline_stage` cannot be cleared;
//! - `closed_date` is writable, but is set to now when a ticket enters a CLOSED stage and
//!   cleared when it leaves one (unless the same write sets it explicitly).

use rusqlite::types::Value;

use super::catalog::{Catalog, Kind, PropInfo};
use super::row::Row;
use crate::model::time::parse_to_millis;
use crate::model::{ErrorDetail, InputProperties};

/// A validated write: the row after the write.
#[derive(Debug, Clone)]
pub struct ValidatedWrite {
    /// The full row after the write.
    pub row: Row,
    /// Names of the properties the caller sent.
    pub sent: Vec<String>,
}

impl ValidatedWrite {
    /// Stored column indexes whose value differs from `old`.
    pub fn changed(&self, old: &Row) -> Vec<usize> {
        (0..self.row.values.len())
            .filter(|&i| self.row.values[i] != old.values[i])
            .collect()
    }
}

/// Parses one sent value into its stored form (`Value::Null` for `""`).
pub fn parse_value(cat: &Catalog, p: &PropInfo, raw: &str) -> Result<Value, ErrorDetail> {
    let name = p.def.name.as_str();
    if raw.is_empty() {
        if matches!(name, "hs_pipeline" | "hs_pipeline_stage") {
            return Err(ErrorDetail::property(
                "INVALID_OPTION",
                name,
                format!("{name} cannot be empty"),
            ));
        }
        return Ok(Value::Null);
    }
    match p.kind {
        Kind::Text => Ok(Value::Text(raw.to_string())),
        Kind::Number => {
            if let Ok(i) = raw.trim().parse::<i64>() {
                Ok(Value::Integer(i))
            } else {
                match raw.trim().parse::<f64>() {
                    Ok(f) if f.is_finite() => Ok(Value::Real(f)),
                    _ => Err(ErrorDetail::property(
                        "INVALID_INTEGER",
                        name,
                        format!("{raw} was not a valid number."),
                    )),
                }
            }
        }
        Kind::DateTime => parse_to_millis(raw).map(Value::Integer).ok_or_else(|| {
            ErrorDetail::property(
                "INVALID_DATE",
                name,
                format!("{raw} is not a valid datetime: use epoch milliseconds or ISO-8601"),
            )
        }),
        Kind::Bool => match raw.to_ascii_lowercase().as_str() {
            v @ ("true" | "false") => Ok(Value::Text(v.to_string())),
            _ => Err(ErrorDetail::property(
                "INVALID_BOOLEAN",
                name,
                format!("{raw} is not a valid boolean: use true or false"),
            )),
        },
        Kind::Enum { multi } => {
            let valid = |v: &str| match name {
                "hubspot_owner_id" => cat.is_owner(v),
                "hubspot_team_id" => true,
                "hs_pipeline_stage" => true, // checked against the pipeline later
                _ => p.def.options.iter().any(|o| o.value == v),
            };
            let bad: Vec<&str> = if multi {
                raw.split(';').filter(|v| !valid(v)).collect()
            } else if valid(raw) {
                Vec::new()
            } else {
                vec![raw]
            };
            if bad.is_empty() {
                Ok(Value::Text(raw.to_string()))
            } else {
                let allowed: Vec<&str> = if name == "hubspot_owner_id" {
                    cat.owners().iter().map(String::as_str).collect()
                } else {
                    p.def.options.iter().map(|o| o.value.as_str()).collect()
                };
                Err(ErrorDetail::property(
                    "INVALID_OPTION",
                    name,
                    format!(
                        "{} was not one of the allowed options: [{}]",
                        bad.join(";"),
                        allowed.join(", ")
                    ),
                ))
            }
        }
    }
}

/// Validates `input` against the catalog and computes the row after the write.
/// `current` is `None` for a create. `now` is the write time in epoch ms.
pub fn validate_write(
    cat: &Catalog,
    input: &InputProperties,
    current: Option<&Row>,
    now: i64,
) -> Result<ValidatedWrite, Vec<ErrorDetail>> {
    let mut errors = Vec::new();
    let mut row = current.cloned().unwrap_or_else(|| Row::empty(cat));
    let mut sent = Vec::new();
    for (name, raw) in input.iter() {
        let Some(p) = cat.prop(name) else {
            errors.push(ErrorDetail::property(
                "PROPERTY_DOESNT_EXIST",
                name,
                format!("Property \"{name}\" does not exist"),
            ));
            continue;
        };
        if p.read_only() {
            errors.push(ErrorDetail::property(
                "READ_ONLY_VALUE",
                name,
                format!("\"{name}\" is a read only property; its value cannot be set."),
            ));
            continue;
        }
        match parse_value(cat, p, raw) {
            Ok(v) => {
                if let Some(c) = p.col {
                    row.values[c] = v;
                }
                sent.push(name.clone());
            }
            Err(e) => errors.push(e),
        }
    }
    let set = |row: &mut Row, name: &str, v: Value| {
        if let Some(c) = cat.col(name) {
            row.values[c] = v;
        }
    };
    // Pipeline and stage.
    let pipeline = row.text(cat, "hs_pipeline").unwrap_or("0").to_string();
    if cat.pipeline(&pipeline).is_none() {
        errors.push(ErrorDetail::property(
            "INVALID_OPTION",
            "hs_pipeline",
            format!("{pipeline} is not a valid pipeline id"),
        ));
        return Err(errors);
    }
    set(&mut row, "hs_pipeline", Value::Text(pipeline.clone()));
    let stage = match row.text(cat, "hs_pipeline_stage") {
        Some(s) => s.to_string(),
        None => cat
            .first_stage(&pipeline)
            .map(|s| s.id.clone())
            .unwrap_or_default(),
    };
    let new_closed = match cat.stage(&pipeline, &stage) {
        Some(s) => s.is_closed(),
        None => {
            errors.push(ErrorDetail::property(
                "INVALID_OPTION",
                "hs_pipeline_stage",
                format!("{stage} is not a valid pipeline stage of pipeline {pipeline}"),
            ));
            false
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    set(&mut row, "hs_pipeline_stage", Value::Text(stage));
    // Calculated values.
    let old_closed = current
        .and_then(|c| {
            let p = c.text(cat, "hs_pipeline")?;
            let s = c.text(cat, "hs_pipeline_stage")?;
            cat.stage(p, s).map(|s| s.is_closed())
        })
        .unwrap_or(false);
    let closed_sent = input.contains_key("closed_date");
    if new_closed && !old_closed && !closed_sent {
        set(&mut row, "closed_date", Value::Integer(now));
    } else if !new_closed && old_closed && !closed_sent {
        set(&mut row, "closed_date", Value::Null);
    }
    set(
        &mut row,
        "hs_is_closed",
        Value::Text(new_closed.to_string()),
    );
    if current.is_none() {
        set(&mut row, "createdate", Value::Integer(now));
        set(&mut row, "hs_object_source", Value::Text("API".into()));
        set(
            &mut row,
            "hs_object_source_label",
            Value::Text("INTERNAL_PROCESSING".into()),
        );
    }
    set(&mut row, "hs_lastmodifieddate", Value::Integer(now));
    let created = row.int(cat, "createdate").unwrap_or(now);
    let ttc = match row.int(cat, "closed_date") {
        Some(c) => Value::Integer((c - created).max(0)),
        None => Value::Null,
    };
    set(&mut row, "time_to_close", ttc);
    Ok(ValidatedWrite { row, sent })
}

#[cfg(test)]
mod tests {
    use super::super::definitions::{default_pipeline, default_properties, demo_owners};
    use super::*;

    fn cat() -> Catalog {
        Catalog::new(
            default_properties(),
            vec![default_pipeline()],
            demo_owners().iter().map(|o| o.id.to_string()).collect(),
        )
    }

    fn codes(e: &[ErrorDetail]) -> Vec<(String, String)> {
        e.iter()
            .map(|d| {
                (
                    d.code.clone().unwrap_or_default(),
                    d.context["propertyName"][0].clone(),
                )
            })
            .collect()
    }

    #[test]
    fn create_fills_defaults() {
        let c = cat();
        let p =
            validate_write(&c, &InputProperties::new().with("subject", "x"), None, 1000).unwrap();
        assert_eq!(p.row.text(&c, "hs_pipeline"), Some("0"));
        assert_eq!(p.row.text(&c, "hs_pipeline_stage"), Some("1"));
        assert_eq!(p.row.text(&c, "hs_is_closed"), Some("false"));
        assert_eq!(p.row.int(&c, "createdate"), Some(1000));
        assert_eq!(p.row.text(&c, "hs_object_source"), Some("API"));
    }

    #[test]
    fn every_error_is_collected() {
        let c = cat();
        let input = InputProperties::new()
            .with("nope", "1")
            .with("createdate", "1")
            .with("hs_ticket_priority", "high")
            .with("hs_pinned_engagement_id", "abc")
            .with("closed_date", "yesterday");
        let e = validate_write(&c, &input, None, 1).unwrap_err();
        let mut got = codes(&e);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("INVALID_DATE".into(), "closed_date".into()),
                ("INVALID_INTEGER".into(), "hs_pinned_engagement_id".into()),
                ("INVALID_OPTION".into(), "hs_ticket_priority".into()),
                ("PROPERTY_DOESNT_EXIST".into(), "nope".into()),
                ("READ_ONLY_VALUE".into(), "createdate".into()),
            ]
        );
    }

    #[test]
    fn stage_must_belong_to_the_pipeline() {
        let c = cat();
        let e = validate_write(
            &c,
            &InputProperties::new().with("hs_pipeline_stage", "9"),
            None,
            1,
        )
        .unwrap_err();
        assert_eq!(codes(&e)[0].1, "hs_pipeline_stage");
        let e = validate_write(
            &c,
            &InputProperties::new().with("hs_pipeline", "7"),
            None,
            1,
        )
        .unwrap_err();
        assert_eq!(codes(&e)[0].1, "hs_pipeline");
    }

    #[test]
    fn closing_sets_and_reopening_clears_closed_date() {
        let c = cat();
        let open = validate_write(&c, &InputProperties::new(), None, 1_000)
            .unwrap()
            .row;
        let closed = validate_write(
            &c,
            &InputProperties::new().with("hs_pipeline_stage", "4"),
            Some(&open),
            5_000,
        )
        .unwrap()
        .row;
        assert_eq!(closed.int(&c, "closed_date"), Some(5_000));
        assert_eq!(closed.int(&c, "time_to_close"), Some(4_000));
        assert_eq!(closed.text(&c, "hs_is_closed"), Some("true"));
        let still = validate_write(
            &c,
            &InputProperties::new().with("subject", "y"),
            Some(&closed),
            9_000,
        )
        .unwrap()
        .row;
        assert_eq!(still.int(&c, "closed_date"), Some(5_000));
        let reopened = validate_write(
            &c,
            &InputProperties::new().with("hs_pipeline_stage", "3"),
            Some(&still),
            9_500,
        )
        .unwrap()
        .row;
        assert_eq!(reopened.int(&c, "closed_date"), None);
        assert_eq!(reopened.text(&c, "hs_is_closed"), Some("false"));
    }

    #[test]
    fn values_are_normalised() {
        let c = cat();
        let input = InputProperties::new()
            .with("closed_date", "2024-08-15T17:09:13.648Z")
            .with("hs_ticket_category", "BILLING_ISSUE;PRODUCT_ISSUE")
            .with("hubspot_owner_id", demo_owners()[0].id)
            .with("content", "");
        let p = validate_write(&c, &input, None, 1).unwrap();
        assert_eq!(p.row.int(&c, "closed_date"), Some(1_723_741_753_648));
        assert_eq!(*p.row.raw(&c, "content"), Value::Null);
        let bad = InputProperties::new().with("hubspot_owner_id", "1");
        assert_eq!(
            codes(&validate_write(&c, &bad, None, 1).unwrap_err())[0].0,
            "INVALID_OPTION"
        );
    }
}
