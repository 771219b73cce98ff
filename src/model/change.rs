//! [`TicketChange`]: one change a run made to a ticket (a property set, a create, an archive, a
//! merge, an association added or removed), as the run record keeps it and `runs show --json`
//! prints it. The JSON shape is stable and documented in docs/run-record.md: every key is always
//! present, `null` when it does not apply.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeAction {
    /// A property changed value.
    Set,
    /// The ticket was created.
    Create,
    /// The ticket went to the recycle bin.
    Archive,
    /// The ticket was merged into `into` (and so archived).
    Merge,
    /// An association was added.
    Associate,
    /// An association was removed.
    Dissociate,
    /// A record of another type (a note, a task) was created associated with the ticket.
    Log,
    /// A record the run had logged on the ticket was archived (an undo of `Log`).
    Unlog,
}

impl ChangeAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Set => "set",
            Self::Create => "create",
            Self::Archive => "archive",
            Self::Merge => "merge",
            Self::Associate => "associate",
            Self::Dissociate => "dissociate",
            Self::Log => "log",
            Self::Unlog => "unlog",
        }
    }
}

/// One change to one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketChange {
    /// The ticket's id (the real id of a created ticket).
    pub ticket: String,
    /// What happened.
    pub action: ChangeAction,
    /// `set`: the property.
    pub property: Option<String>,
    /// `set`: the value before (`null` when it was empty, or when `old_known` is false).
    pub old: Option<String>,
    /// `set`: whether `old` was read before the write (a run that planned first read it; a write
    /// sent immediately did not, and such a change cannot be undone field by field).
    pub old_known: bool,
    /// `set`: the value written (`""` clears the property).
    pub new: Option<String>,
    /// `set` of a pipeline stage or pipeline: the label of `old`, when known.
    pub old_label: Option<String>,
    /// `set` of a pipeline stage or pipeline: the label of `new`, when known.
    pub new_label: Option<String>,
    /// `create`: the properties sent.
    pub properties: BTreeMap<String, String>,
    /// `associate`/`dissociate`: the other object's type (`contacts`, ...).
    pub to_type: Option<String>,
    /// `associate`/`dissociate`: the other object's id.
    pub to_id: Option<String>,
    /// `associate`/`dissociate`: the association type id (`null`: every type between the two,
    /// as the v4 removal does).
    pub type_id: Option<String>,
    /// `merge`: the surviving ticket.
    pub into: Option<String>,
}

impl TicketChange {
    fn bare(ticket: &str, action: ChangeAction) -> Self {
        Self {
            ticket: ticket.to_string(),
            action,
            property: None,
            old: None,
            old_known: false,
            new: None,
            old_label: None,
            new_label: None,
            properties: BTreeMap::new(),
            to_type: None,
            to_id: None,
            type_id: None,
            into: None,
        }
    }

    /// `property` of `ticket` set to `new` (the old value not known yet).
    pub fn set(ticket: &str, property: &str, new: &str) -> Self {
        Self {
            property: Some(property.to_string()),
            new: Some(new.to_string()),
            ..Self::bare(ticket, ChangeAction::Set)
        }
    }

    /// `ticket` created with `properties`.
    pub fn create(ticket: &str, properties: BTreeMap<String, String>) -> Self {
        Self {
            properties,
            ..Self::bare(ticket, ChangeAction::Create)
        }
    }

    /// `ticket` archived.
    pub fn archive(ticket: &str) -> Self {
        Self::bare(ticket, ChangeAction::Archive)
    }

    /// `ticket` merged into `into`.
    pub fn merge(ticket: &str, into: &str) -> Self {
        Self {
            into: Some(into.to_string()),
            ..Self::bare(ticket, ChangeAction::Merge)
        }
    }

    /// An association of `ticket` added (`added`) or removed.
    pub fn association(
        ticket: &str,
        added: bool,
        to_type: &str,
        to_id: &str,
        type_id: Option<String>,
    ) -> Self {
        let action = if added {
            ChangeAction::Associate
        } else {
            ChangeAction::Dissociate
        };
        Self {
            to_type: Some(to_type.to_string()),
            to_id: Some(to_id.to_string()),
            type_id,
            ..Self::bare(ticket, action)
        }
    }
}

impl TicketChange {
    /// A record of `to_type` (`notes`, `tasks`) created as `to_id` with `properties`, associated
    /// with `ticket` by `type_id` (`log`), or such a record archived (`unlog`).
    pub fn logged(
        ticket: &str,
        logged: bool,
        to_type: &str,
        to_id: &str,
        type_id: Option<String>,
        properties: BTreeMap<String, String>,
    ) -> Self {
        let action = if logged {
            ChangeAction::Log
        } else {
            ChangeAction::Unlog
        };
        Self {
            properties,
            to_type: Some(to_type.to_string()),
            to_id: Some(to_id.to_string()),
            type_id,
            ..Self::bare(ticket, action)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_every_key() {
        let c = TicketChange::set("7", "hs_ticket_priority", "HIGH");
        let v = serde_json::to_value(&c).unwrap();
        for key in [
            "ticket",
            "action",
            "property",
            "old",
            "old_known",
            "new",
            "old_label",
            "new_label",
            "properties",
            "to_type",
            "to_id",
            "type_id",
            "into",
        ] {
            assert!(v.get(key).is_some(), "{key} missing from {v}");
        }
        assert_eq!(v["action"], "set");
        let back: TicketChange = serde_json::from_value(v).unwrap();
        assert_eq!(back, c);
    }
}
