//! The `on` header key of an event script: which ticket events start it, and the two keys
//! that go with it (`self_trigger`, `reenroll`).
//!
//! ```text
//! //! on = ["ticket.created", "ticket.changed:hs_pipeline_stage,hs_ticket_priority", "ticket.archived"]
//! //! reenroll = "once"       # one run per ticket ever ("always", the default: every time)
//! //! self_trigger = true     # changes this script's own runs made may start it again
//! ```
//!
//! `ticket.changed` must name the properties it watches (the change feed asks HubSpot only
//! for those); a property may be listed by more than one entry. Pure parsing: the daemon
//! decides what an event means.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::model::EventKind;

/// Whether a script runs again for a ticket it already ran for (HubSpot's "re-enrollment").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reenroll {
    /// Every time a subscribed event happens to the ticket.
    #[default]
    Always,
    /// Only for the first event of each ticket.
    Once,
}

impl Reenroll {
    /// The header's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Always => "always",
            Self::Once => "once",
        }
    }
}

/// The events a script subscribes to; empty when it has no `on` key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSubs {
    /// `ticket.created`.
    pub created: bool,
    /// `ticket.changed:...`: the properties watched (empty: not subscribed).
    pub changed: BTreeSet<String>,
    /// `ticket.archived`.
    pub archived: bool,
}

impl EventSubs {
    /// Reads the entries of `on`.
    pub fn parse(entries: &[String]) -> Result<Self, String> {
        let mut subs = Self::default();
        if entries.is_empty() {
            return Err("`on` is empty: list events such as \"ticket.created\" or \"ticket.changed:hs_pipeline_stage\"".into());
        }
        for entry in entries {
            let (kind, props) = match entry.split_once(':') {
                Some((k, p)) => (k.trim(), Some(p)),
                None => (entry.trim(), None),
            };
            match (kind, props) {
                ("ticket.created", None) => subs.created = true,
                ("ticket.archived", None) => subs.archived = true,
                ("ticket.changed", Some(props)) => {
                    for p in props.split(',').map(str::trim) {
                        if p.is_empty()
                            || !p
                                .bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        {
                            return Err(format!("`on` entry \"{entry}\": \"{p}\" is not a property name (lowercase letters, digits and _)"));
                        }
                        subs.changed.insert(p.to_string());
                    }
                }
                ("ticket.changed", None) => {
                    return Err(format!("`on` entry \"{entry}\": name the properties to watch, e.g. \"ticket.changed:hs_pipeline_stage,hs_ticket_priority\""));
                }
                ("ticket.created" | "ticket.archived", Some(_)) => {
                    return Err(format!(
                        "`on` entry \"{entry}\": only ticket.changed takes properties"
                    ));
                }
                _ => {
                    return Err(format!("`on` entry \"{entry}\": unknown event (use ticket.created, ticket.changed:PROPERTIES or ticket.archived)"));
                }
            }
        }
        Ok(subs)
    }

    /// Whether the script subscribes to anything.
    pub fn is_empty(&self) -> bool {
        !self.created && !self.archived && self.changed.is_empty()
    }

    /// Whether it subscribes to `kind`.
    pub fn wants(&self, kind: EventKind) -> bool {
        match kind {
            EventKind::Created => self.created,
            EventKind::Changed => !self.changed.is_empty(),
            EventKind::Archived => self.archived,
        }
    }

    /// The entries as written back, for listings: `ticket.created`,
    /// `ticket.changed:a,b`, `ticket.archived`.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.created {
            out.push(EventKind::Created.as_str().to_string());
        }
        if !self.changed.is_empty() {
            let props: Vec<&str> = self.changed.iter().map(String::as_str).collect();
            out.push(format!(
                "{}:{}",
                EventKind::Changed.as_str(),
                props.join(",")
            ));
        }
        if self.archived {
            out.push(EventKind::Archived.as_str().to_string());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entries: &[&str]) -> Result<EventSubs, String> {
        EventSubs::parse(&entries.iter().map(|s| (*s).to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn reads_the_three_kinds() {
        let s = parse(&[
            "ticket.created",
            "ticket.changed:hs_pipeline_stage, hs_ticket_priority",
            "ticket.changed:hs_pipeline_stage",
            "ticket.archived",
        ])
        .unwrap();
        assert!(s.created && s.archived);
        assert_eq!(
            s.changed.iter().map(String::as_str).collect::<Vec<_>>(),
            ["hs_pipeline_stage", "hs_ticket_priority"]
        );
        assert_eq!(
            s.describe(),
            [
                "ticket.created",
                "ticket.changed:hs_pipeline_stage,hs_ticket_priority",
                "ticket.archived"
            ]
        );
        assert!(s.wants(EventKind::Changed));
    }

    #[test]
    fn refuses_what_it_cannot_watch() {
        for (bad, says) in [
            (vec!["ticket.changed"], "name the properties"),
            (vec!["ticket.updated"], "unknown event"),
            (vec!["ticket.created:subject"], "only ticket.changed"),
            (
                vec!["ticket.changed:Subject"],
                "\"Subject\" is not a property name",
            ),
            (vec!["ticket.changed:a,,b"], "\"\" is not a property name"),
            (vec![], "`on` is empty"),
        ] {
            let e = parse(&bad).unwrap_err();
            assert!(e.contains(says), "{bad:?}: {e}");
        }
    }
}
