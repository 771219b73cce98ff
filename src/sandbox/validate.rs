//! A sandbox write as rows: HubSpot's value rules (in [`crate::model::write_rules`], shared
//! with dry-run planning) applied to a [`Row`], plus the derived values a write implies:
//! defaults on create, `hs_is_closed`, `closed_date` and `time_to_close`. Pure: works on
//! [`Row`]s, never touches the database (uniqueness and pinning need the database and are
//! checked by the writer).
//!
//! Choices where HubSpot is unconfirmed (the value rules' own are listed in the model):
//! - every problem of one input is collected into one `invalid_properties` error;
//! - `closed_date` is writable, but is set to now when a ticket enters a CLOSED stage and
//!   cleared when it leaves one (unless the same write sets it explicitly).

use rusqlite::types::Value;

use super::catalog::Catalog;
use super::row::Row;
use crate::model::write_rules::{check_write, CheckedValue, Placement};
use crate::model::{ErrorDetail, InputProperties};

/// A validated write: the row after the write.
#[derive(Debug, Clone)]
pub(super) struct ValidatedWrite {
    /// The full row after the write.
    pub row: Row,
    /// Names of the properties the caller sent.
    pub sent: Vec<String>,
    /// The activity the write pins, if it sets `hs_pinned_engagement_id`.
    pub pinned: Option<i64>,
}

impl ValidatedWrite {
    /// Stored column indexes whose value differs from `old`.
    pub(super) fn changed(&self, old: &Row) -> Vec<usize> {
        (0..self.row.values.len())
            .filter(|&i| self.row.values[i] != old.values[i])
            .collect()
    }
}

/// The stored form of a checked value.
fn stored(v: CheckedValue) -> Value {
    match v {
        CheckedValue::Cleared => Value::Null,
        CheckedValue::Text(s) => Value::Text(s),
        CheckedValue::Integer(i) | CheckedValue::Millis(i) => Value::Integer(i),
        CheckedValue::Real(f) => Value::Real(f),
    }
}

/// Validates `input` against the catalog and computes the row after the write.
/// `current` is `None` for a create. `now` is the write time in epoch ms.
pub(super) fn validate_write(
    cat: &Catalog,
    input: &InputProperties,
    current: Option<&Row>,
    now: i64,
) -> Result<ValidatedWrite, Vec<ErrorDetail>> {
    let placement = current.map(|c| Placement {
        pipeline: c.text(cat, "hs_pipeline"),
        stage: c.text(cat, "hs_pipeline_stage"),
    });
    let checked = check_write(cat, cat.pipelines(), input, placement)?;
    let pinned = checked.pinned();
    let mut row = current.cloned().unwrap_or_else(|| Row::empty(cat));
    let set = |row: &mut Row, name: &str, v: Value| {
        if let Some(c) = cat.col(name) {
            row.values[c] = v;
        }
    };
    let mut sent = Vec::with_capacity(checked.values.len());
    for (name, v) in checked.values {
        set(&mut row, &name, stored(v));
        sent.push(name);
    }
    let new_closed = checked.stage.is_closed();
    set(&mut row, "hs_pipeline", Value::Text(checked.pipeline));
    set(&mut row, "hs_pipeline_stage", Value::Text(checked.stage.id));
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
    Ok(ValidatedWrite { row, sent, pinned })
}

#[cfg(test)]
mod tests {
    use super::super::catalog::Definitions;
    use super::super::definitions::{default_pipeline, default_properties, demo_owners};
    use super::*;

    fn cat() -> Catalog {
        Catalog::new(Definitions {
            props: default_properties(),
            pipelines: vec![default_pipeline()],
            owners: demo_owners().iter().map(|o| o.record()).collect(),
            ..Definitions::default()
        })
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
