//! How a REPL result is shown: tickets as a table cut to the terminal width, one ticket as a
//! list of its properties, anything else as Rhai prints it, or raw JSON under `:json`.
//!
//! Pure text building (no terminal access, no session): the driver passes the width and the
//! labels it fetched (stages, pipelines, owners). The table's columns are
//! [`TABLE_PROPERTIES`], which the session asks a lazy result for, so none stays empty for
//! lack of being requested.

use std::collections::HashMap;

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde_json::Value;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::script::ReplValue;

/// Labels of the values people know by name, by property then value: `hs_pipeline_stage`
/// and `hs_pipeline` (from the pipelines), `hubspot_owner_id` (owner names).
pub(super) type Labels = HashMap<String, HashMap<String, String>>;

/// The properties the ticket table shows (the session requests them with a lazy result).
pub(super) const TABLE_PROPERTIES: &[&str] = &[
    "subject",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "hubspot_owner_id",
    "createdate",
];

fn label<'a>(labels: &'a Labels, property: &str, value: &str) -> Option<&'a String> {
    labels.get(property).and_then(|m| m.get(value))
}

/// Whether `v` is shaped like a HubSpot ticket.
pub(super) fn is_ticket(v: &Value) -> bool {
    v.get("id")
        .is_some_and(|id| id.is_string() || id.is_number())
        && v.get("properties").is_some_and(Value::is_object)
}

/// The text for `value` (empty for `()`), ending with a newline when not empty.
pub(super) fn render(value: &ReplValue, json: bool, labels: &Labels, width: usize) -> String {
    match value {
        ReplValue::Unit => String::new(),
        ReplValue::Query { rows, more } => {
            let mut out = if json {
                pretty(&Value::Array(rows.clone()))
            } else if rows.is_empty() {
                "(no tickets)\n".to_string()
            } else {
                ticket_table(rows, labels, width)
            };
            if *more {
                out.push_str(&format!(
                    "... more tickets not shown (the first {} are); iterate with `for` or add a `limit`\n",
                    rows.len()
                ));
            }
            out
        }
        ReplValue::Value { json: v, display } => {
            if json {
                return pretty(v);
            }
            match v {
                Value::Array(items) if !items.is_empty() && items.iter().all(is_ticket) => {
                    ticket_table(items, labels, width)
                }
                v if is_ticket(v) => ticket_properties(v, labels),
                _ => format!("{display}\n"),
            }
        }
    }
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string());
    s.push('\n');
    s
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn prop(t: &Value, name: &str) -> String {
    text(t.get("properties").and_then(|p| p.get(name)))
}

/// `2024-05-01T10:20:30.000Z` -> `2024-05-01 10:20`; anything else unchanged.
fn short_time(s: &str) -> String {
    let b = s.as_bytes();
    if s.len() >= 16 && b.get(10) == Some(&b'T') && s.is_char_boundary(16) {
        format!("{} {}", &s[..10], &s[11..16])
    } else {
        s.to_string()
    }
}

fn stage_label(t: &Value, labels: &Labels) -> String {
    let id = prop(t, "hs_pipeline_stage");
    label(labels, "hs_pipeline_stage", &id)
        .cloned()
        .unwrap_or(id)
}

/// `Jane Doe (42)` when the owner's name is known, else the id (as the plan table shows it).
fn owner_label(t: &Value, labels: &Labels) -> String {
    let id = prop(t, "hubspot_owner_id");
    match label(labels, "hubspot_owner_id", &id) {
        Some(name) => format!("{name} ({id})"),
        None => id,
    }
}

/// `s` cut to `max` display columns, ending with `…` when cut.
pub(super) fn cut(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > max {
            break;
        }
        out.push(c);
        w += cw;
    }
    if max > 0 {
        out.push('…');
    }
    out
}

const HEADER: [&str; 6] = ["id", "subject", "stage", "priority", "owner", "created"];

/// A table of tickets: id, subject, stage label, priority, owner (name and id), created. The
/// subject column shrinks first; any line still wider than `width` is cut.
pub(super) fn ticket_table(rows: &[Value], labels: &Labels, width: usize) -> String {
    let mut cells: Vec<[String; 6]> = rows
        .iter()
        .map(|t| {
            let created = t
                .get("createdAt")
                .map(|v| text(Some(v)))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| prop(t, "createdate"));
            [
                text(t.get("id")),
                prop(t, "subject").replace(['\n', '\r', '\t'], " "),
                stage_label(t, labels),
                prop(t, "hs_ticket_priority"),
                owner_label(t, labels),
                short_time(&created),
            ]
        })
        .collect();
    let col_width = |i: usize, cells: &[[String; 6]]| {
        cells
            .iter()
            .map(|r| r[i].width())
            .chain([HEADER[i].len()])
            .max()
            .unwrap_or(0)
    };
    // Borders and padding of UTF8_FULL_CONDENSED: 3 columns per cell plus one.
    let others: usize = [0, 2, 3, 4, 5].iter().map(|&i| col_width(i, &cells)).sum();
    let chrome = 3 * HEADER.len() + 1;
    let subject_budget = width.saturating_sub(others + chrome).max(HEADER[1].len());
    for r in &mut cells {
        r[1] = cut(&r[1], subject_budget);
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(HEADER.to_vec());
    for r in cells {
        table.add_row(r.to_vec());
    }
    let mut out = String::new();
    for line in table.to_string().lines() {
        out.push_str(&cut(line, width));
        out.push('\n');
    }
    if let Some(note) = not_fetched(rows) {
        out.push_str(&cut(&note, width));
        out.push('\n');
    }
    out
}

/// The columns no row has because no read asked for them (a `to_array()` or `read_many` result
/// made before the prompt saw it: the session adds the columns only to lazy results), said
/// under the table with what to ask for, so an empty column is not read as "no owner".
fn not_fetched(rows: &[Value]) -> Option<String> {
    let columns = [
        ("subject", "subject"),
        ("stage", "hs_pipeline_stage"),
        ("priority", "hs_ticket_priority"),
        ("owner", "hubspot_owner_id"),
    ];
    let absent: Vec<(&str, &str)> = columns
        .into_iter()
        .filter(|(_, property)| {
            rows.iter().all(|t| {
                t.get("properties")
                    .and_then(Value::as_object)
                    .is_some_and(|p| !p.contains_key(*property))
            })
        })
        .collect();
    if absent.is_empty() {
        return None;
    }
    let names: Vec<&str> = absent.iter().map(|(c, _)| *c).collect();
    let props: Vec<String> = absent.iter().map(|(_, p)| format!("\"{p}\"")).collect();
    Some(format!(
        "({} not fetched: add {} to the `properties` asked for)",
        names.join(", "),
        props.join(", ")
    ))
}

/// One ticket as a list: id, timestamps, then each property with its value (`Label (value)`
/// where the value has a known label).
pub(super) fn ticket_properties(t: &Value, labels: &Labels) -> String {
    let mut rows: Vec<(String, String)> = vec![("id".into(), text(t.get("id")))];
    for key in ["createdAt", "updatedAt", "archived"] {
        if let Some(v) = t.get(key) {
            rows.push((key.into(), text(Some(v))));
        }
    }
    if let Some(props) = t.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let mut value = text(Some(v));
            if let Some(label) = label(labels, k, &value) {
                value = format!("{label} ({value})");
            }
            rows.push((format!("properties.{k}"), value));
        }
    }
    let pad = rows.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<pad$}  {v}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ticket(id: &str, subject: &str) -> Value {
        json!({
            "id": id,
            "properties": {
                "subject": subject,
                "hs_pipeline_stage": "1",
                "hs_ticket_priority": "HIGH",
                "hubspot_owner_id": "42",
            },
            "createdAt": "2024-05-01T10:20:30.000Z",
            "updatedAt": "2024-05-02T10:20:30.000Z",
            "archived": false,
        })
    }

    fn stages() -> Labels {
        HashMap::from([
            (
                "hs_pipeline_stage".to_string(),
                HashMap::from([("1".to_string(), "New".to_string())]),
            ),
            (
                "hubspot_owner_id".to_string(),
                HashMap::from([("42".to_string(), "Jane Doe".to_string())]),
            ),
        ])
    }

    #[test]
    fn a_ticket_table_shows_labels_and_short_times() {
        let out = ticket_table(&[ticket("7", "Printer on fire")], &stages(), 200);
        assert!(out.contains("Printer on fire"), "{out}");
        assert!(out.contains("New"), "{out}");
        assert!(out.contains("2024-05-01 10:20"), "{out}");
        assert!(out.contains("priority"), "{out}");
        assert!(
            out.contains(" Jane Doe (42) "),
            "the owner's name next to its id: {out}"
        );
        assert!(!out.contains('…'), "{out}");
        // An owner without a known name shows its id alone.
        let out = ticket_table(&[ticket("7", "x")], &Labels::new(), 200);
        assert!(out.contains(" 42 ") && !out.contains("Jane"), "{out}");
    }

    #[test]
    fn a_ticket_table_says_which_columns_were_not_fetched() {
        let mut t = ticket("7", "x");
        t["properties"]
            .as_object_mut()
            .unwrap()
            .remove("hubspot_owner_id");
        let out = ticket_table(&[t.clone(), ticket("8", "y")], &stages(), 200);
        assert!(!out.contains("not fetched"), "one row has an owner: {out}");
        let out = ticket_table(&[t.clone(), t], &stages(), 200);
        assert!(
            out.ends_with(
                "(owner not fetched: add \"hubspot_owner_id\" to the `properties` asked for)\n"
            ),
            "{out}"
        );
        // A property asked for but empty (null) was fetched.
        let mut t = ticket("9", "z");
        t["properties"]["hubspot_owner_id"] = Value::Null;
        assert!(!ticket_table(&[t], &stages(), 200).contains("not fetched"));
    }

    #[test]
    fn a_ticket_table_is_cut_to_the_width() {
        let long = "a very long subject line ".repeat(10);
        let rows = vec![ticket("1", &long), ticket("123456", "short")];
        for width in [40, 60, 80, 120] {
            let out = ticket_table(&rows, &stages(), width);
            for line in out.lines() {
                assert!(
                    line.width() <= width,
                    "{width}: {line:?} is {}",
                    line.width()
                );
            }
            assert!(out.contains('…'), "{out}");
        }
        // Wide enough: the subject column keeps the whole subject.
        let out = ticket_table(&rows, &stages(), 400);
        assert!(out.contains(long.trim_end()), "{out}");
    }

    #[test]
    fn cut_respects_display_width() {
        assert_eq!(cut("hello", 10), "hello");
        assert_eq!(cut("hello world", 6), "hello…");
        assert_eq!(cut("日本語テキスト", 7), "日本語…");
        assert!(cut("日本語テキスト", 7).width() <= 7);
    }

    #[test]
    fn values_render_by_shape() {
        let s = stages();
        let one = ReplValue::Value {
            json: ticket("7", "x"),
            display: "#{...}".into(),
        };
        let out = render(&one, false, &s, 80);
        assert!(
            out.contains("properties.hs_pipeline_stage   New (1)\n"),
            "{out}"
        );
        assert!(out.starts_with("id "), "{out}");
        assert!(
            out.contains("properties.hubspot_owner_id    Jane Doe (42)\n"),
            "{out}"
        );
        let many = ReplValue::Value {
            json: json!([ticket("7", "x"), ticket("8", "y")]),
            display: "[...]".into(),
        };
        assert!(render(&many, false, &s, 80).contains("subject"));
        let other = ReplValue::Value {
            json: json!(3),
            display: "3".into(),
        };
        assert_eq!(render(&other, false, &s, 80), "3\n");
        assert_eq!(render(&other, true, &s, 80), "3\n");
        assert_eq!(render(&ReplValue::Unit, false, &s, 80), "");
        let q = ReplValue::Query {
            rows: vec![ticket("7", "x")],
            more: true,
        };
        let out = render(&q, false, &s, 80);
        assert!(
            out.contains("more tickets not shown (the first 1 are)"),
            "{out}"
        );
        assert!(render(&q, true, &s, 80).starts_with("[\n"));
        let none = ReplValue::Query {
            rows: vec![],
            more: false,
        };
        assert_eq!(render(&none, false, &s, 80), "(no tickets)\n");
    }
}
