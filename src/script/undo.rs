//! Undo: the reverse of a recorded run's changes as a [`Plan`], applied like any plan (drift
//! check first, so a ticket changed since the run is left alone and reported as a conflict),
//! and recorded as a run of its own (trigger `undo`), which can be undone in turn.
//!
//! The reverse of each change, last change first:
//! - a property set: the value before the run back (the first old value the run read; the
//!   drift check expects the last value the run wrote). A value written without being read
//!   first (`old_known: false`) cannot be put back and is listed;
//! - a created ticket: archived;
//! - an association added: removed; one removed: added back with its type (a v4 removal of
//!   every type between two records names no type and cannot be restored);
//! - an activity logged on a ticket (a note, a task the run created): archived, like a created
//!   ticket (its association goes with it), also when its ticket was created by the run;
//! - an archived or merged ticket, or an archived activity: listed, because HubSpot's API
//!   cannot restore a record from the recycle bin nor split a merge (restoring is done in
//!   HubSpot's UI, within 90 days).

use std::collections::HashMap;

use serde::Serialize;

use crate::model::{ChangeAction, TicketChange};

use super::plan::{Plan, PlanChange};

/// A change of the run that undo cannot reverse, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotUndoable {
    /// The ticket.
    pub ticket: String,
    /// What the run did (`set hs_ticket_priority`, `archive`, ...).
    pub change: String,
    /// Why it cannot be reversed.
    pub reason: String,
}

/// The reverse plan of a run's changes, and what cannot be reversed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UndoPlan {
    /// The changes that put things back, for [`super::apply::apply`].
    pub plan: Plan,
    /// What stays as the run left it.
    pub not_undoable: Vec<NotUndoable>,
}

/// Why an archive cannot be undone through the API.
pub const ARCHIVE_REASON: &str = "HubSpot's API cannot restore an archived ticket: restore it from the recycle bin in HubSpot (within 90 days)";

/// Builds the reverse of `changes` (a run's changes, in the order it made them).
pub fn reverse(changes: &[TicketChange]) -> UndoPlan {
    let mut out = UndoPlan::default();
    // tickets the run created: their own sets and associations go with their archive
    let created: Vec<&str> = changes
        .iter()
        .filter(|c| c.action == ChangeAction::Create)
        .map(|c| c.ticket.as_str())
        .collect();
    // per (ticket, property): the value before the run (first old) and after it (last new)
    let mut sets: HashMap<(&str, &str), (Option<String>, bool, String)> = HashMap::new();
    for c in changes.iter().filter(|c| c.action == ChangeAction::Set) {
        let key = (c.ticket.as_str(), c.property.as_deref().unwrap_or(""));
        let new = c.new.clone().unwrap_or_default();
        sets.entry(key)
            .and_modify(|e| e.2 = new.clone())
            .or_insert((c.old.clone(), c.old_known, new));
    }
    let mut done: std::collections::HashSet<(&str, &str)> = Default::default();
    for c in changes.iter().rev() {
        let t = c.ticket.as_str();
        let not = |reason: &str| NotUndoable {
            ticket: t.to_string(),
            change: match &c.property {
                Some(p) => format!("{} {p}", c.action.as_str()),
                None => c.action.as_str().to_string(),
            },
            reason: reason.to_string(),
        };
        match c.action {
            ChangeAction::Set => {
                let property = c.property.as_deref().unwrap_or("");
                if created.contains(&t) || !done.insert((t, property)) {
                    continue;
                }
                let (before, known, after) = &sets[&(t, property)];
                if !known {
                    out.not_undoable.push(not(
                        "the run wrote it without reading the value before (an immediate write), so there is nothing to put back",
                    ));
                    continue;
                }
                if before.as_deref().unwrap_or("") == after {
                    continue; // the run ended where it started
                }
                out.plan.push(
                    t,
                    PlanChange::Set {
                        property: property.to_string(),
                        old: Some(after.clone()).filter(|v| !v.is_empty()),
                        new: before.clone().unwrap_or_default(),
                    },
                );
            }
            ChangeAction::Create => out.plan.push(t, PlanChange::Archived),
            ChangeAction::Archive => out.not_undoable.push(not(ARCHIVE_REASON)),
            ChangeAction::Merge => out.not_undoable.push(not(
                "HubSpot's API cannot split merged tickets; the merged ticket stays archived",
            )),
            ChangeAction::Log => {
                let (Some(object_type), Some(id)) = (&c.to_type, &c.to_id) else {
                    continue;
                };
                out.plan.push(
                    t,
                    PlanChange::Unlogged {
                        object_type: object_type.clone(),
                        id: id.clone(),
                    },
                );
            }
            ChangeAction::Unlog => out.not_undoable.push(not(
                "HubSpot's API cannot restore an archived note or task: restore it from the recycle bin in HubSpot (within 90 days)",
            )),
            ChangeAction::Associate | ChangeAction::Dissociate => {
                if created.contains(&t) {
                    continue; // goes with the created ticket's archive
                }
                let added = c.action == ChangeAction::Associate;
                let (Some(to_type), Some(to_id)) = (&c.to_type, &c.to_id) else {
                    continue;
                };
                let Some(type_id) = c.type_id.clone().filter(|_| to_type != "(inline)") else {
                    out.not_undoable.push(not(
                        "the association type was not recorded (a removal of every type between the two records)",
                    ));
                    continue;
                };
                let (to_type, to_id) = (to_type.clone(), to_id.clone());
                out.plan.push(
                    t,
                    if added {
                        PlanChange::Dissociated {
                            to_type,
                            to_id,
                            type_id,
                        }
                    } else {
                        PlanChange::Associated {
                            to_type,
                            to_id,
                            type_id,
                        }
                    },
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(t: &str, p: &str, old: Option<&str>, new: &str) -> TicketChange {
        TicketChange {
            old: old.map(String::from),
            old_known: true,
            ..TicketChange::set(t, p, new)
        }
    }

    #[test]
    fn sets_go_back_to_the_value_before_the_run() {
        let changes = vec![
            set("1", "hs_pipeline_stage", Some("1"), "2"),
            set("1", "hs_pipeline_stage", Some("2"), "4"),
            set("2", "content", None, "hello"),
            set("3", "subject", Some("a"), "a"),
        ];
        let u = reverse(&changes);
        assert!(u.not_undoable.is_empty());
        let entries: Vec<(String, PlanChange)> = u
            .plan
            .entries
            .into_iter()
            .map(|e| (e.ticket, e.change))
            .collect();
        assert_eq!(
            entries,
            vec![
                (
                    "2".to_string(),
                    PlanChange::Set {
                        property: "content".into(),
                        old: Some("hello".into()),
                        new: String::new(),
                    }
                ),
                (
                    "1".to_string(),
                    PlanChange::Set {
                        property: "hs_pipeline_stage".into(),
                        old: Some("4".into()),
                        new: "1".into(),
                    }
                ),
            ]
        );
    }

    #[test]
    fn creates_are_archived_and_archives_are_listed() {
        let mut unread = TicketChange::set("5", "subject", "x");
        unread.old_known = false;
        let changes = vec![
            TicketChange::create("9", Default::default()),
            set("9", "subject", None, "later"),
            TicketChange::association("9", true, "contacts", "7", Some("16".into())),
            TicketChange::archive("4"),
            TicketChange::association("6", true, "contacts", "7", Some("16".into())),
            TicketChange::association("6", false, "companies", "8", None),
            unread,
        ];
        let u = reverse(&changes);
        let kinds: Vec<(&str, &PlanChange)> = u
            .plan
            .entries
            .iter()
            .map(|e| (e.ticket.as_str(), &e.change))
            .collect();
        assert_eq!(kinds.len(), 2, "{kinds:?}");
        assert!(
            matches!(kinds[0], ("6", PlanChange::Dissociated { type_id, .. }) if type_id == "16")
        );
        assert!(matches!(kinds[1], ("9", PlanChange::Archived)));
        let reasons: Vec<(&str, &str)> = u
            .not_undoable
            .iter()
            .map(|n| (n.ticket.as_str(), n.change.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![("5", "set subject"), ("6", "dissociate"), ("4", "archive")]
        );
        assert!(u.not_undoable[2].reason.contains("recycle bin"));
    }

    #[test]
    fn logged_activities_are_archived_and_archived_ones_listed() {
        let log = |t: &str, id: &str| {
            TicketChange::logged(t, true, "notes", id, Some("227".into()), Default::default())
        };
        let changes = vec![
            TicketChange::create("9", Default::default()),
            log("9", "70"),
            log("3", "71"),
            TicketChange::logged("4", false, "tasks", "72", None, Default::default()),
        ];
        let u = reverse(&changes);
        let entries: Vec<(&str, &PlanChange)> = u
            .plan
            .entries
            .iter()
            .map(|e| (e.ticket.as_str(), &e.change))
            .collect();
        let unlogged = |id: &str| PlanChange::Unlogged {
            object_type: "notes".into(),
            id: id.into(),
        };
        // A note on a ticket the run created goes too (the ticket's archive does not take it).
        assert_eq!(
            entries,
            vec![
                ("3", &unlogged("71")),
                ("9", &unlogged("70")),
                ("9", &PlanChange::Archived),
            ]
        );
        assert_eq!(u.not_undoable.len(), 1);
        assert_eq!(u.not_undoable[0].change, "unlog");
        assert!(u.not_undoable[0].reason.contains("recycle bin"));
    }
}
