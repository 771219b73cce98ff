//! The plan of a run (each planned change, ticket by ticket, with the script line that planned
//! it and the value it replaces as the run read it) and the one-line run summary.
//!
//! Owns the data shapes and their text/JSON forms. It must not decide what is recorded: the
//! planning write functions in `api/dry.rs` do; nor how a plan is applied: `apply/` does.

use std::collections::BTreeMap;
use std::time::Duration;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde::{Deserialize, Serialize};

use crate::model::{AssociationInput, Pipeline, Property};

/// One planned change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PlanChange {
    /// A property changes value.
    Set {
        /// Property name.
        property: String,
        /// Value before (`None` when empty or unknown).
        old: Option<String>,
        /// Value after (`""` clears it).
        new: String,
    },
    /// The ticket is created with these properties.
    Created {
        /// Its properties.
        properties: BTreeMap<String, String>,
        /// Associations created with it (HubSpot's inline form).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        associations: Vec<AssociationInput>,
    },
    /// The ticket goes to the recycle bin.
    Archived,
    /// An association is added.
    Associated {
        /// Object type (`contacts`, ...).
        to_type: String,
        /// Object id.
        to_id: String,
        /// Association type id.
        type_id: String,
    },
    /// An association is removed.
    Dissociated {
        /// Object type.
        to_type: String,
        /// Object id.
        to_id: String,
        /// Association type id.
        type_id: String,
    },
    /// The ticket is merged into `into` (and archived).
    Merged {
        /// The surviving ticket.
        into: String,
    },
    /// An activity (a note, a task) is created with its association to the ticket.
    Logged {
        /// Its object type (`notes`, `tasks`).
        object_type: String,
        /// Its properties.
        properties: BTreeMap<String, String>,
    },
    /// An activity a run logged on the ticket is archived (the undo of `Logged`).
    Unlogged {
        /// Its object type (`notes`, `tasks`).
        object_type: String,
        /// Its id.
        id: String,
    },
}

/// A planned change of one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEntry {
    /// Ticket id (a placeholder such as `new-1` or `dry-run-1` for a ticket the run creates;
    /// applying replaces it with the real id everywhere).
    pub ticket: String,
    /// What changes.
    #[serde(flatten)]
    pub change: PlanChange,
    /// The script line that planned it (`None` when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// Every change a run planned, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// The changes.
    pub entries: Vec<PlanEntry>,
    /// Labels of the values in the plan that people know by name, by property then value:
    /// pipelines and stages, owners and other options whose label differs from the value. The
    /// table shows them next to the ids (`Closed (4)`); filled at the end of a run from the
    /// definitions the run read anyway (no extra call).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, BTreeMap<String, String>>,
}

impl Plan {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a change.
    pub fn push(&mut self, ticket: &str, change: PlanChange) {
        self.push_at(None, ticket, change);
    }

    /// Adds a change planned by script line `line`.
    pub fn push_at(&mut self, line: Option<usize>, ticket: &str, change: PlanChange) {
        self.entries.push(PlanEntry {
            ticket: ticket.to_string(),
            change,
            line,
        });
    }

    /// Fills [`Plan::labels`] for the values the plan sets, from the property definitions
    /// (option labels) and pipelines at hand.
    pub fn add_labels(&mut self, properties: &[Property], pipelines: &[Pipeline]) {
        let mut known: BTreeMap<(&str, &str), &str> = BTreeMap::new();
        for p in pipelines {
            known.insert(("hs_pipeline", p.id.as_str()), p.label.as_str());
            for st in &p.stages {
                known.insert(("hs_pipeline_stage", st.id.as_str()), st.label.as_str());
            }
        }
        for d in properties {
            for o in &d.options {
                if o.label != o.value && !o.label.is_empty() {
                    known
                        .entry((d.name.as_str(), o.value.as_str()))
                        .or_insert(o.label.as_str());
                }
            }
        }
        let mut used: Vec<(&str, &str)> = Vec::new();
        for e in &self.entries {
            match &e.change {
                PlanChange::Set { property, old, new } => {
                    used.push((property, new));
                    if let Some(o) = old {
                        used.push((property, o));
                    }
                }
                PlanChange::Created { properties, .. } => {
                    used.extend(properties.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                }
                _ => {}
            }
        }
        for key in used {
            if let Some(label) = known.get(&key) {
                self.labels
                    .entry(key.0.to_string())
                    .or_default()
                    .insert(key.1.to_string(), (*label).to_string());
            }
        }
    }

    /// `value`, or `Label (value)` when the plan knows its label.
    fn labelled(&self, property: &str, value: &str) -> String {
        match self.labels.get(property).and_then(|m| m.get(value)) {
            Some(label) => format!("{label} ({value})"),
            None => value.to_string(),
        }
    }

    /// Distinct tickets the plan changes (each created ticket counts once).
    pub fn tickets(&self) -> usize {
        let distinct: std::collections::HashSet<&str> =
            self.entries.iter().map(|e| e.ticket.as_str()).collect();
        distinct.len()
    }

    /// A table with one row per change: ticket, change, property, old, new. Values longer
    /// than [`TABLE_CELL_CHARS`] are cut (saying how much): the table is for reading, the JSON
    /// plan (`--json`) keeps every value exact.
    pub fn render_table(&self) -> String {
        self.render_table_fit(None)
    }

    /// [`Plan::render_table`] fitted to `width` columns (a terminal's): the widest columns are
    /// narrowed and their values cut with an ellipsis; `--json` keeps every value whole.
    pub fn render_table_fit(&self, width: Option<usize>) -> String {
        if self.entries.is_empty() {
            return "no changes planned\n".to_string();
        }
        const HEADER: [&str; 5] = ["ticket", "change", "property", "old", "new"];
        let mut rows: Vec<[String; 5]> = Vec::with_capacity(self.entries.len());
        for e in &self.entries {
            let row: [String; 5] = match &e.change {
                PlanChange::Set { property, old, new } => [
                    e.ticket.clone(),
                    "set".into(),
                    property.clone(),
                    old.as_deref()
                        .map_or_else(|| "(empty)".into(), |o| self.labelled(property, o)),
                    if new.is_empty() {
                        "(empty)".into()
                    } else {
                        self.labelled(property, new)
                    },
                ],
                PlanChange::Created { properties, .. } => [
                    e.ticket.clone(),
                    "create".into(),
                    String::new(),
                    String::new(),
                    properties
                        .iter()
                        .map(|(k, v)| format!("{k}={}", self.labelled(k, v)))
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
                PlanChange::Archived => [
                    e.ticket.clone(),
                    "archive".into(),
                    String::new(),
                    String::new(),
                    String::new(),
                ],
                PlanChange::Associated {
                    to_type,
                    to_id,
                    type_id,
                } => [
                    e.ticket.clone(),
                    "associate".into(),
                    format!("{to_type} (type {type_id})"),
                    String::new(),
                    to_id.clone(),
                ],
                PlanChange::Dissociated {
                    to_type,
                    to_id,
                    type_id,
                } => [
                    e.ticket.clone(),
                    "dissociate".into(),
                    format!("{to_type} (type {type_id})"),
                    to_id.clone(),
                    String::new(),
                ],
                PlanChange::Merged { into } => [
                    e.ticket.clone(),
                    "merge".into(),
                    String::new(),
                    String::new(),
                    format!("into {into}"),
                ],
                PlanChange::Logged {
                    object_type,
                    properties,
                } => [
                    e.ticket.clone(),
                    "log".into(),
                    object_type.clone(),
                    String::new(),
                    properties
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ],
                PlanChange::Unlogged { object_type, id } => [
                    e.ticket.clone(),
                    "unlog".into(),
                    object_type.clone(),
                    id.clone(),
                    "(archived)".into(),
                ],
            };
            rows.push(row.map(cell));
        }
        if let Some(width) = width {
            fit(&mut rows, &HEADER, width);
        }
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        t.set_header(HEADER.to_vec());
        for row in rows {
            t.add_row(row.to_vec());
        }
        format!("{t}\n")
    }
}

/// Narrowest a column is made to fit a terminal (a cut value keeps a few characters).
const MIN_COLUMN: usize = 8;

/// Cuts the cells of `rows` so the table is at most `width` columns wide: the widest column
/// gives up a character at a time (none below [`MIN_COLUMN`] or its header), and each value
/// longer than its column ends with `…`.
fn fit<const N: usize>(rows: &mut [[String; N]], header: &[&str; N], width: usize) {
    let w = |s: &str| unicode_width::UnicodeWidthStr::width(s);
    let mut cols: [usize; N] = std::array::from_fn(|i| {
        rows.iter()
            .map(|r| w(&r[i]))
            .max()
            .unwrap_or(0)
            .max(w(header[i]))
    });
    // UTF8_FULL_CONDENSED: "│ a ┆ b │", one space each side of a value and N + 1 borders.
    let chrome = 3 * N + 1;
    while cols.iter().sum::<usize>() + chrome > width {
        let (i, widest) = cols
            .iter()
            .copied()
            .enumerate()
            .max_by_key(|&(_, c)| c)
            .unwrap_or((0, 0));
        if widest <= MIN_COLUMN.max(w(header[i])) {
            break;
        }
        cols[i] -= 1;
    }
    for row in rows.iter_mut() {
        for (cell, max) in row.iter_mut().zip(cols) {
            if w(cell) > max {
                let mut out = String::new();
                for ch in cell.chars() {
                    if w(&out) + unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0) + 1 > max {
                        break;
                    }
                    out.push(ch);
                }
                out.push('…');
                *cell = out;
            }
        }
    }
}

/// Longest value shown in a cell of the plan table, in characters.
pub const TABLE_CELL_CHARS: usize = 200;

/// `s` cut to [`TABLE_CELL_CHARS`] characters, saying how many more there are.
fn cell(s: String) -> String {
    match s.char_indices().nth(TABLE_CELL_CHARS) {
        None => s,
        Some((at, _)) => {
            let rest = s[at..].chars().count();
            format!("{}… ({rest} more characters)", &s[..at])
        }
    }
}

/// Counts of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    /// Tickets read.
    pub reads: u64,
    /// Distinct tickets changed (or that would change, in a dry run); creates count.
    pub writes: u64,
    /// Changes the script planned (plan entries; a dry run or a plan-then-apply run).
    pub planned: u64,
    /// Planned changes HubSpot accepted.
    pub applied: u64,
    /// Planned changes skipped because their ticket changed since the run read it.
    pub conflicts: u64,
    /// Planned changes that failed (or whose outcome is unknown).
    pub failed: u64,
    /// HTTP requests sent to HubSpot (or backend calls, for an in-process sandbox): each
    /// chunk of a batch, each page, each retry counts.
    pub api_calls: u64,
    /// Backend calls that read (searches, gets, batch reads, definitions, the drift check),
    /// retries not included.
    pub api_reads: u64,
    /// Backend calls that wrote, retries not included.
    pub api_writes: u64,
    /// How many of those requests repeated an attempt (after a 429, a 5xx or a timeout).
    pub retries: u64,
    /// How many retries waited out a 429 first.
    pub rate_limit_waits: u64,
    /// Outbound requests of `http::` and `notify::` (to other hosts than HubSpot) sent, or
    /// planned in a dry run.
    pub outbound_requests: u64,
    /// Wall-clock duration; `duration_ms` in JSON (the unit is in the key).
    #[serde(rename = "duration_ms", with = "duration_ms")]
    pub duration: Duration,
    /// Whether writes were only planned.
    pub dry_run: bool,
}

impl RunSummary {
    /// One line: `read 12 tickets, wrote 3, applied 4 of 4 planned changes, 5 API calls (3
    /// reads, 2 writes) in 1.2s`, with conflicts and failures when there were any. With outbound
    /// requests (`http::`, `notify::`), `..., 1 outbound request` before the time.
    pub fn render(&self) -> String {
        let millis = self.duration.as_millis();
        let took = if millis < 1000 {
            format!("{millis}ms")
        } else {
            format!("{:.1}s", self.duration.as_secs_f64())
        };
        let changes = if self.dry_run {
            format!(", {} planned", plural(self.planned, "change", "changes"))
        } else if self.planned > 0 {
            let mut parts = vec![format!(
                ", applied {} of {} planned {}",
                self.applied,
                self.planned,
                if self.planned == 1 {
                    "change"
                } else {
                    "changes"
                }
            )];
            if self.conflicts > 0 {
                parts.push(plural(self.conflicts, "conflict", "conflicts"));
            }
            if self.failed > 0 {
                parts.push(format!("{} failed", self.failed));
            }
            parts.join(", ")
        } else {
            String::new()
        };
        let mut detail = vec![
            plural(self.api_reads, "read", "reads"),
            plural(self.api_writes, "write", "writes"),
        ];
        if self.retries > 0 {
            detail.push(plural(self.retries, "retry", "retries"));
        }
        if self.rate_limit_waits > 0 {
            detail.push(plural(
                self.rate_limit_waits,
                "rate-limit wait",
                "rate-limit waits",
            ));
        }
        let outbound = match self.outbound_requests {
            0 => String::new(),
            n => format!(
                ", {}{}",
                plural(n, "outbound request", "outbound requests"),
                if self.dry_run { " planned" } else { "" }
            ),
        };
        format!(
            "read {}, {} {}{}{changes}, {} ({}){outbound} in {took}",
            plural(self.reads, "ticket", "tickets"),
            if self.dry_run { "would write" } else { "wrote" },
            self.writes,
            if self.dry_run { " (dry run)" } else { "" },
            plural(self.api_calls, "API call", "API calls"),
            detail.join(", "),
        )
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

mod duration_ms {
    use std::time::Duration;

    pub(super) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fitted_table_cuts_the_widest_columns_with_an_ellipsis() {
        let mut p = Plan::default();
        p.push(
            "7",
            PlanChange::Set {
                property: "subject".into(),
                old: Some("short".into()),
                new: "x".repeat(300),
            },
        );
        let t = p.render_table_fit(Some(60));
        for line in t.lines() {
            assert!(line.chars().count() <= 60, "{line}\n{t}");
        }
        assert!(t.contains("xxx…"), "{t}");
        assert!(t.contains("short"), "{t}");
        // Unfitted, the value is cut only at its length limit.
        assert!(p.render_table().contains(&"x".repeat(200)));
    }

    #[test]
    fn table_shows_old_and_new() {
        let mut p = Plan::default();
        p.push(
            "7",
            PlanChange::Set {
                property: "hs_ticket_priority".into(),
                old: Some("HIGH".into()),
                new: "URGENT".into(),
            },
        );
        let t = p.render_table();
        assert!(t.contains("hs_ticket_priority"), "{t}");
        assert!(t.contains("HIGH") && t.contains("URGENT"), "{t}");
        let j = serde_json::to_value(&p).unwrap();
        assert_eq!(j["entries"][0]["action"], "set");
        assert_eq!(j["entries"][0]["old"], "HIGH");
    }

    // Issue 9: a dry run planning megabyte values prints them cut; the JSON plan stays exact.
    #[test]
    fn table_cuts_long_values_and_json_keeps_them() {
        let big = "x".repeat(1_000_000);
        let mut p = Plan::default();
        p.push(
            "7",
            PlanChange::Set {
                property: "content".into(),
                old: Some(big.clone()),
                new: big.clone(),
            },
        );
        let mut props = BTreeMap::new();
        props.insert("content".to_string(), big.clone());
        p.push(
            "dry-run-1",
            PlanChange::Created {
                properties: props,
                associations: vec![],
            },
        );
        let t = p.render_table();
        assert!(t.len() < 20_000, "{} bytes, not megabytes", t.len());
        assert!(t.contains("999800 more characters"), "{t}");
        let j = serde_json::to_value(&p).unwrap();
        assert_eq!(j["entries"][0]["new"].as_str().unwrap().len(), 1_000_000);
        assert_eq!(j["entries"][0]["old"].as_str().unwrap().len(), 1_000_000);
    }

    #[test]
    fn summary_is_one_line() {
        let s = RunSummary {
            reads: 1,
            writes: 2,
            planned: 3,
            api_calls: 3,
            api_reads: 3,
            duration: Duration::from_millis(40),
            dry_run: true,
            ..RunSummary::default()
        };
        assert_eq!(
            s.render(),
            "read 1 ticket, would write 2 (dry run), 3 changes planned, 3 API calls (3 reads, 0 writes) in 40ms"
        );
        let dry = s.clone();
        let s = RunSummary {
            reads: 200,
            writes: 150,
            planned: 160,
            applied: 158,
            conflicts: 1,
            failed: 1,
            api_calls: 5,
            api_reads: 2,
            api_writes: 3,
            duration: Duration::from_millis(1500),
            dry_run: false,
            ..RunSummary::default()
        };
        assert_eq!(
            s.render(),
            "read 200 tickets, wrote 150, applied 158 of 160 planned changes, 1 conflict, 1 failed, 5 API calls (2 reads, 3 writes) in 1.5s"
        );
        let slow = RunSummary {
            api_calls: 19,
            retries: 3,
            rate_limit_waits: 1,
            ..dry
        };
        assert_eq!(
            slow.render(),
            "read 1 ticket, would write 2 (dry run), 3 changes planned, 19 API calls (3 reads, 0 writes, 3 retries, 1 rate-limit wait) in 40ms"
        );
        let json = serde_json::to_value(&slow).unwrap();
        assert_eq!(json["duration_ms"], 40);
        assert_eq!(json["retries"], 3);
        let notified = RunSummary {
            outbound_requests: 1,
            ..dry
        };
        assert_eq!(
            notified.render(),
            "read 1 ticket, would write 2 (dry run), 3 changes planned, 3 API calls (3 reads, 0 writes), 1 outbound request planned in 40ms"
        );
    }
}
