//! What applying a plan did, change by change: applied, skipped as a conflict, failed (with the
//! script line that planned it), or uncertain (a create whose answer was lost and could not be
//! found again). Also the calls it made, split into reads and writes.
//!
//! Owns the data and its counts; the steps in `apply/` fill it in.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How one planned change went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChangeStatus {
    /// Not attempted yet (only seen while applying, or when the apply was cancelled).
    Pending,
    /// HubSpot accepted it.
    Applied,
    /// The ticket changed since the plan read it: none of its changes were sent.
    Conflict {
        /// The property whose value differs (`(ticket)` when the ticket is gone).
        property: String,
        /// The value the plan read (`None`: empty).
        read: Option<String>,
        /// The value found before applying (`None`: empty).
        found: Option<String>,
    },
    /// HubSpot refused it, or the change depended on one that failed.
    Failed {
        /// Why.
        message: String,
    },
    /// A create whose answer was lost and that could not be found again: it was not sent a
    /// second time, and may or may not exist.
    Uncertain {
        /// What is known.
        message: String,
    },
}

/// One planned change and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeOutcome {
    /// Its index in the plan.
    pub index: usize,
    /// The ticket as the plan named it (a placeholder for a created ticket).
    pub ticket: String,
    /// The ticket's real id, when known (differs from `ticket` for created tickets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The script line that planned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// How it went.
    #[serde(flatten)]
    pub status: ChangeStatus,
}

/// What applying a plan did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyReport {
    /// One outcome per plan entry, in plan order.
    pub outcomes: Vec<ChangeOutcome>,
    /// Real ids of the tickets the plan created, by placeholder.
    pub created: BTreeMap<String, String>,
    /// Read calls made (drift check, read-back).
    pub read_calls: u64,
    /// Write calls made.
    pub write_calls: u64,
}

impl ApplyReport {
    fn count(&self, f: impl Fn(&ChangeStatus) -> bool) -> u64 {
        self.outcomes.iter().filter(|o| f(&o.status)).count() as u64
    }

    /// Changes HubSpot accepted.
    pub fn applied(&self) -> u64 {
        self.count(|s| matches!(s, ChangeStatus::Applied))
    }

    /// Changes skipped because their ticket changed since it was read.
    pub fn conflicts(&self) -> u64 {
        self.count(|s| matches!(s, ChangeStatus::Conflict { .. }))
    }

    /// Changes that failed, were not attempted, or whose outcome is unknown.
    pub fn failed(&self) -> u64 {
        self.count(|s| {
            matches!(
                s,
                ChangeStatus::Failed { .. }
                    | ChangeStatus::Uncertain { .. }
                    | ChangeStatus::Pending
            )
        })
    }

    /// Distinct tickets with at least one change applied (real ids).
    pub fn tickets_applied(&self) -> u64 {
        let ids: std::collections::HashSet<&str> = self
            .outcomes
            .iter()
            .filter(|o| matches!(o.status, ChangeStatus::Applied))
            .map(|o| o.id.as_deref().unwrap_or(&o.ticket))
            .collect();
        ids.len() as u64
    }

    /// Whether every change was applied.
    pub fn is_complete(&self) -> bool {
        self.outcomes
            .iter()
            .all(|o| matches!(o.status, ChangeStatus::Applied))
    }

    /// How many leading plan entries were all applied: the part of the script's timeline that
    /// is fully done (state written up to there may be committed).
    pub fn applied_prefix(&self) -> usize {
        self.outcomes
            .iter()
            .position(|o| !matches!(o.status, ChangeStatus::Applied))
            .unwrap_or(self.outcomes.len())
    }

    /// One line per change that was not applied: `line 12: ticket 7: conflict: ...`.
    pub fn problems(&self) -> Vec<String> {
        self.outcomes
            .iter()
            .filter_map(|o| {
                let what = match &o.status {
                    ChangeStatus::Applied => return None,
                    ChangeStatus::Pending => "not applied (the apply stopped first)".to_string(),
                    ChangeStatus::Conflict {
                        property,
                        read,
                        found,
                    } => format!(
                        "conflict: {property} was {} when the plan read it and is now {}; \
                         the ticket was left alone",
                        show(read.as_deref()),
                        show(found.as_deref())
                    ),
                    ChangeStatus::Failed { message } => format!("failed: {message}"),
                    ChangeStatus::Uncertain { message } => format!("uncertain: {message}"),
                };
                let at = o.line.map(|l| format!("line {l}: ")).unwrap_or_default();
                let id = o.id.as_deref().unwrap_or(&o.ticket);
                Some(format!("{at}ticket {id}: {what}"))
            })
            .collect()
    }
}

fn show(v: Option<&str>) -> String {
    match v {
        Some(v) => format!("{v:?}"),
        None => "(empty)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(index: usize, status: ChangeStatus) -> ChangeOutcome {
        ChangeOutcome {
            index,
            ticket: format!("{index}"),
            id: None,
            line: Some(index + 10),
            status,
        }
    }

    #[test]
    fn counts_and_prefix() {
        let r = ApplyReport {
            outcomes: vec![
                outcome(0, ChangeStatus::Applied),
                outcome(
                    1,
                    ChangeStatus::Conflict {
                        property: "p".into(),
                        read: Some("a".into()),
                        found: None,
                    },
                ),
                outcome(2, ChangeStatus::Applied),
                outcome(
                    3,
                    ChangeStatus::Failed {
                        message: "no".into(),
                    },
                ),
            ],
            ..ApplyReport::default()
        };
        assert_eq!((r.applied(), r.conflicts(), r.failed()), (2, 1, 1));
        assert_eq!(r.applied_prefix(), 1);
        assert!(!r.is_complete());
        let p = r.problems();
        assert_eq!(p.len(), 2);
        assert!(
            p[0].starts_with("line 11: ticket 1: conflict: p was \"a\""),
            "{p:?}"
        );
        assert_eq!(p[1], "line 13: ticket 3: failed: no");
    }
}
