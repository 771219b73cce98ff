//! [`TicketEvent`]: something that happened to a ticket (created, properties changed,
//! archived), as an event script receives it through `event::` and as the daemon's change feed
//! and webhook receiver produce it. Serialised to JSON to reach a run's child process.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventKind {
    /// The ticket was created (`ticket.created`).
    #[serde(rename = "ticket.created")]
    Created,
    /// Watched properties changed value (`ticket.changed`).
    #[serde(rename = "ticket.changed")]
    Changed,
    /// The ticket went to the recycle bin (`ticket.archived`).
    #[serde(rename = "ticket.archived")]
    Archived,
}

impl EventKind {
    /// The name scripts use: `ticket.created`, `ticket.changed`, `ticket.archived`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "ticket.created",
            Self::Changed => "ticket.changed",
            Self::Archived => "ticket.archived",
        }
    }
}

/// One property's change: the value before and after (`None`: empty, or unknown before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyChange {
    /// The value before.
    pub old: Option<String>,
    /// The value after.
    pub new: Option<String>,
}

/// One event about one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    /// What happened.
    pub kind: EventKind,
    /// The ticket's id.
    pub ticket: String,
    /// The ticket's watched properties as known after the event.
    pub properties: BTreeMap<String, Option<String>>,
    /// The properties that changed (for `created`: the watched ones that have a value).
    pub changes: BTreeMap<String, PropertyChange>,
    /// When it happened (HubSpot's last-modified time, or the webhook's `occurredAt`).
    pub at: DateTime<Utc>,
    /// Where the daemon learnt of it: `feed` or `webhook`.
    pub source: String,
}

impl TicketEvent {
    /// A key naming this change of this ticket, the same whichever source saw it: kind,
    /// ticket and each changed property with its new value. Two sources reporting one change
    /// give one key; the same values reached again later are told apart by `at` (see the
    /// daemon's delivery records).
    pub fn change_key(&self) -> String {
        let mut key = format!("{}:{}", self.kind.as_str(), self.ticket);
        for (p, c) in &self.changes {
            key.push_str(&format!(";{p}={}", c.new.as_deref().unwrap_or("")));
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_json_with_hubspot_style_kind_names() {
        let e = TicketEvent {
            kind: EventKind::Changed,
            ticket: "7".into(),
            properties: BTreeMap::from([("hs_pipeline_stage".into(), Some("2".into()))]),
            changes: BTreeMap::from([(
                "hs_pipeline_stage".into(),
                PropertyChange {
                    old: Some("1".into()),
                    new: Some("2".into()),
                },
            )]),
            at: "2026-01-02T03:04:05.678Z".parse().unwrap(),
            source: "feed".into(),
        };
        let text = serde_json::to_string(&e).unwrap();
        assert!(text.contains("\"ticket.changed\""), "{text}");
        assert_eq!(serde_json::from_str::<TicketEvent>(&text).unwrap(), e);
        assert_eq!(e.change_key(), "ticket.changed:7;hs_pipeline_stage=2");
    }
}
