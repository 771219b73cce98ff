//! Change detection: what one observation of a ticket (a search result of the change feed, an
//! archived ticket, a webhook event) means against the snapshot the daemon keeps of its watched
//! properties. A change is per property: a ticket touched without a watched property changing
//! value is no event. Pure logic; the engine reads the snapshot and stores the update.
//!
//! Rules, our choices where HubSpot gives no answer:
//! - A ticket the daemon has not seen, created at or after the feed's baseline (its first
//!   start), is `ticket.created`; its changes are the watched properties that have a value.
//!   Creating a ticket is not also a `ticket.changed` of its initial values.
//! - A ticket not seen before, created before the baseline, is compared with its property
//!   history: a property whose newest value was set after `since` changed, from the value it
//!   had at `since`. Without history the observation only fills the snapshot.
//! - An observation older than what the snapshot holds for a property (a late webhook) is
//!   ignored for that property, so a stale value never reads as a change back.
//! - Several changes of one property between two polls read as one change, first to last.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};

use crate::model::{EventKind, PropertyChange, TicketEvent};
use crate::state::{SnapshotUpdate, TicketSnapshot};

/// Property history: name -> values newest first, as (value, epoch ms).
pub(crate) type History = BTreeMap<String, Vec<(Option<String>, i64)>>;

/// What was seen of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Observed {
    /// The ticket.
    pub ticket: String,
    /// Watched properties whose current value is known (a webhook knows one).
    pub properties: BTreeMap<String, Option<String>>,
    /// When the ticket was created, when known.
    pub created_at: Option<DateTime<Utc>>,
    /// When this state was reached (last-modified time, archive time or `occurredAt`).
    pub at: DateTime<Utc>,
    /// Whether it is archived (`false` in a property-only observation, which says nothing
    /// about it: see `partial`).
    pub archived: bool,
    /// Only `properties` are known (a webhook's propertyChange): the archived state is the
    /// snapshot's.
    pub partial: bool,
    /// Property history, newest first, for tickets not seen before: (value, epoch ms).
    pub history: Option<History>,
    /// `feed` or `webhook`.
    pub source: &'static str,
}

/// What the observation means: an event (if any) and what to store in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Detected {
    /// The event, if something a script can subscribe to happened.
    pub event: Option<TicketEvent>,
    /// The snapshot update (`None`: nothing to store).
    pub update: Option<SnapshotUpdate>,
}

/// `""` and absent are both "no value".
pub(crate) fn norm(v: Option<&str>) -> Option<String> {
    v.filter(|s| !s.is_empty()).map(str::to_string)
}

/// Epoch milliseconds as a time.
pub(crate) fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// Compares `obs` with `snapshot`; `baseline_ms` is the feed's first start, `since_ms` the
/// watermark before this observation (for history).
pub(crate) fn detect(
    snapshot: Option<&TicketSnapshot>,
    obs: &Observed,
    baseline_ms: i64,
    since_ms: i64,
) -> Detected {
    let at_ms = obs.at.timestamp_millis();
    let stamped =
        |props: &BTreeMap<String, Option<String>>| -> BTreeMap<String, (Option<String>, i64)> {
            props
                .iter()
                .map(|(k, v)| (k.clone(), (v.clone(), at_ms)))
                .collect()
        };
    let event =
        |kind: EventKind, properties: BTreeMap<String, Option<String>>, changes| TicketEvent {
            kind,
            ticket: obs.ticket.clone(),
            properties,
            changes,
            at: obs.at,
            source: obs.source.to_string(),
        };
    let Some(snap) = snapshot else {
        let update = Some(SnapshotUpdate {
            ticket: obs.ticket.clone(),
            archived: obs.archived,
            properties: stamped(&obs.properties),
        });
        if obs.archived {
            let ev = (at_ms >= baseline_ms)
                .then(|| event(EventKind::Archived, obs.properties.clone(), BTreeMap::new()));
            return Detected { event: ev, update };
        }
        let created_ms = obs.created_at.map(|t| t.timestamp_millis());
        if created_ms.is_some_and(|c| c >= baseline_ms) {
            let changes = obs
                .properties
                .iter()
                .filter(|(_, v)| v.is_some())
                .map(|(k, v)| {
                    (
                        k.clone(),
                        PropertyChange {
                            old: None,
                            new: v.clone(),
                        },
                    )
                })
                .collect();
            return Detected {
                event: Some(event(EventKind::Created, obs.properties.clone(), changes)),
                update,
            };
        }
        let mut changes = BTreeMap::new();
        if let Some(history) = &obs.history {
            for (name, now) in &obs.properties {
                let Some(entries) = history.get(name) else {
                    continue;
                };
                if entries.first().is_some_and(|(_, t)| *t > since_ms) {
                    let old = entries
                        .iter()
                        .find(|(_, t)| *t <= since_ms)
                        .and_then(|(v, _)| v.clone());
                    if old != *now {
                        changes.insert(
                            name.clone(),
                            PropertyChange {
                                old,
                                new: now.clone(),
                            },
                        );
                    }
                }
            }
        }
        let ev = (!changes.is_empty())
            .then(|| event(EventKind::Changed, obs.properties.clone(), changes));
        return Detected { event: ev, update };
    };
    let mut properties: BTreeMap<String, Option<String>> = snap
        .properties
        .iter()
        .map(|(k, (v, _))| (k.clone(), v.clone()))
        .collect();
    let mut changes = BTreeMap::new();
    let mut store = BTreeMap::new();
    for (name, now) in &obs.properties {
        match snap.properties.get(name) {
            Some((_, seen_at)) if at_ms < *seen_at => {}
            Some((old, _)) if old == now => {}
            Some((old, _)) => {
                changes.insert(
                    name.clone(),
                    PropertyChange {
                        old: old.clone(),
                        new: now.clone(),
                    },
                );
                store.insert(name.clone(), (now.clone(), at_ms));
                properties.insert(name.clone(), now.clone());
            }
            // Newly watched: nothing to compare with yet.
            None => {
                store.insert(name.clone(), (now.clone(), at_ms));
                properties.insert(name.clone(), now.clone());
            }
        }
    }
    let archived = if obs.partial {
        snap.archived
    } else {
        obs.archived
    };
    let archiving = archived && !snap.archived;
    let restored = !archived && snap.archived;
    let update = (!store.is_empty() || archiving || restored).then(|| SnapshotUpdate {
        ticket: obs.ticket.clone(),
        archived,
        properties: store,
    });
    let ev = if archiving {
        Some(event(EventKind::Archived, properties, BTreeMap::new()))
    } else if !changes.is_empty() && !archived {
        Some(event(EventKind::Changed, properties, changes))
    } else {
        None
    };
    Detected { event: ev, update }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(props: &[(&str, Option<&str>)], at: i64) -> Observed {
        Observed {
            ticket: "7".into(),
            properties: props
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.map(str::to_string)))
                .collect(),
            created_at: Some(from_ms(5)),
            at: from_ms(at),
            archived: false,
            partial: false,
            history: None,
            source: "feed",
        }
    }

    fn snap(props: &[(&str, Option<&str>, i64)]) -> TicketSnapshot {
        TicketSnapshot {
            archived: false,
            properties: props
                .iter()
                .map(|(k, v, t)| ((*k).to_string(), (v.map(str::to_string), *t)))
                .collect(),
        }
    }

    #[test]
    fn a_new_ticket_is_created_with_its_valued_properties() {
        let d = detect(None, &obs(&[("stage", Some("1")), ("prio", None)], 6), 1, 1);
        let e = d.event.unwrap();
        assert_eq!(e.kind, EventKind::Created);
        assert_eq!(e.changes.len(), 1);
        assert_eq!(e.changes["stage"].new.as_deref(), Some("1"));
        assert_eq!(d.update.unwrap().properties.len(), 2);
        // Created before the baseline and no history: only remembered.
        let d = detect(None, &obs(&[("stage", Some("1"))], 6), 10, 10);
        assert_eq!(d.event, None);
        assert!(d.update.is_some());
    }

    #[test]
    fn a_change_is_per_property_against_the_snapshot() {
        let s = snap(&[("stage", Some("1"), 5), ("prio", Some("LOW"), 5)]);
        let d = detect(
            Some(&s),
            &obs(&[("stage", Some("2")), ("prio", Some("LOW"))], 9),
            1,
            5,
        );
        let e = d.event.unwrap();
        assert_eq!(e.kind, EventKind::Changed);
        assert_eq!(
            e.changes["stage"],
            PropertyChange {
                old: Some("1".into()),
                new: Some("2".into())
            }
        );
        assert_eq!(e.changes.len(), 1);
        assert_eq!(e.properties["prio"].as_deref(), Some("LOW"));
        // A touch that changed nothing watched is no event and stores nothing.
        let d = detect(Some(&s), &obs(&[("stage", Some("1"))], 9), 1, 5);
        assert_eq!(
            d,
            Detected {
                event: None,
                update: None
            }
        );
    }

    #[test]
    fn a_late_observation_does_not_read_as_a_change_back() {
        let s = snap(&[("stage", Some("3"), 20)]);
        let d = detect(Some(&s), &obs(&[("stage", Some("2"))], 15), 1, 5);
        assert_eq!(d.event, None);
    }

    #[test]
    fn archiving_is_an_event_once() {
        let s = snap(&[("stage", Some("3"), 20)]);
        let mut o = obs(&[], 30);
        o.archived = true;
        let d = detect(Some(&s), &o, 1, 5);
        assert_eq!(d.event.unwrap().kind, EventKind::Archived);
        let archived = TicketSnapshot {
            archived: true,
            ..s
        };
        assert_eq!(detect(Some(&archived), &o, 1, 5).event, None);
        // An unknown ticket archived before the baseline is history, not an event.
        assert_eq!(detect(None, &o, 40, 40).event, None);
        assert!(detect(None, &o, 25, 25).event.is_some());
        // A late property webhook does not bring an archived ticket back.
        let mut late = obs(&[("stage", Some("3"))], 35);
        late.partial = true;
        assert_eq!(
            detect(Some(&archived), &late, 1, 5),
            Detected {
                event: None,
                update: None
            }
        );
    }

    #[test]
    fn an_older_ticket_seen_first_is_compared_with_its_history() {
        let mut o = obs(&[("stage", Some("3")), ("prio", Some("HIGH"))], 50);
        o.history = Some(BTreeMap::from([
            (
                "stage".to_string(),
                vec![(Some("3".to_string()), 45), (Some("1".to_string()), 2)],
            ),
            ("prio".to_string(), vec![(Some("HIGH".to_string()), 3)]),
        ]));
        let d = detect(None, &o, 10, 40);
        let e = d.event.unwrap();
        assert_eq!(e.kind, EventKind::Changed);
        assert_eq!(e.changes.len(), 1);
        assert_eq!(e.changes["stage"].old.as_deref(), Some("1"));
    }
}
