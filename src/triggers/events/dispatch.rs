//! Which event scripts an event starts, and loop prevention: who made a change (a change that
//! an event script's own run made does not start that script again unless its header says
//! `self_trigger = true`), how many rounds of event scripts changing the same ticket led to it
//! (bounded), and re-enrollment (`reenroll = "once"`). Pure logic over what the engine knows.
//!
//! Authorship is learnt from each event run's record (the changes it made) once the run ends;
//! the engine holds back the events of a ticket while an event run for that ticket is going,
//! so a run's own writes are known before they are judged. A write to another ticket seen
//! while the run is still going cannot be attributed (it reads as a change from outside).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::model::{ChangeAction, EventKind, TicketChange, TicketEvent};
use crate::script::event_subs::{EventSubs, Reenroll};

/// How long a run's changes are remembered for attribution.
const AUTHORED_TTL: Duration = Duration::from_secs(15 * 60);

/// The changes event runs made recently: (ticket, what) -> (script, round, when).
#[derive(Debug, Default)]
pub(crate) struct Authored {
    entries: HashMap<(String, String), (String, u32, Instant)>,
}

fn set_key(property: &str, value: Option<&str>) -> String {
    format!("{property}={}", value.unwrap_or(""))
}

const CREATED: &str = "$created";
const ARCHIVED: &str = "$archived";

impl Authored {
    /// Remembers the changes a run of `script` made while handling an event of `round`.
    pub(crate) fn record(&mut self, script: &str, round: u32, changes: &[TicketChange]) {
        let now = Instant::now();
        self.entries
            .retain(|_, (_, _, at)| now.duration_since(*at) < AUTHORED_TTL);
        for c in changes {
            let what = match c.action {
                ChangeAction::Set => match &c.property {
                    Some(p) => set_key(p, c.new.as_deref().filter(|v| !v.is_empty())),
                    None => continue,
                },
                ChangeAction::Create => CREATED.to_string(),
                ChangeAction::Archive | ChangeAction::Merge => ARCHIVED.to_string(),
                _ => continue,
            };
            self.entries
                .insert((c.ticket.clone(), what), (script.to_string(), round, now));
            if c.action == ChangeAction::Create {
                for (p, v) in &c.properties {
                    self.entries.insert(
                        (
                            c.ticket.clone(),
                            set_key(p, Some(v.as_str()).filter(|v| !v.is_empty())),
                        ),
                        (script.to_string(), round, now),
                    );
                }
            }
        }
    }

    /// The script (and round) that made `event`, if an event run did; the matching entries
    /// are used up, so the same value set later from outside is not misattributed.
    pub(crate) fn attribute(&mut self, event: &TicketEvent) -> Option<(String, u32)> {
        let keys: Vec<String> = match event.kind {
            EventKind::Created => vec![CREATED.to_string()],
            EventKind::Archived => vec![ARCHIVED.to_string()],
            EventKind::Changed => event
                .changes
                .iter()
                .map(|(p, c)| set_key(p, c.new.as_deref()))
                .collect(),
        };
        let mut found: Option<(String, u32)> = None;
        for k in keys {
            if let Some((script, round, _)) = self.entries.remove(&(event.ticket.clone(), k)) {
                if found.as_ref().is_none_or(|(_, r)| round > *r) {
                    found = Some((script, round));
                }
            }
        }
        found
    }
}

/// What the engine knows of one event script for a decision.
#[derive(Debug, Clone)]
pub(crate) struct Subscriber<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its `on`.
    pub on: &'a EventSubs,
    /// Its `reenroll`.
    pub reenroll: Reenroll,
    /// Its `self_trigger`.
    pub self_trigger: bool,
}

/// Why a subscriber does not run for an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// It runs, with the event narrowed to what it watches.
    Run(TicketEvent),
    /// Not subscribed to this kind or these properties.
    NotSubscribed,
    /// Its own run made the change.
    Own,
    /// `reenroll = "once"` and it already ran for this ticket.
    AlreadyEnrolled,
}

/// Decides for one subscriber; `author` is who made the change, `ran_before` whether it
/// already ran for the ticket.
pub(crate) fn decide(
    sub: &Subscriber<'_>,
    event: &TicketEvent,
    author: Option<&str>,
    ran_before: impl FnOnce() -> bool,
) -> Decision {
    if !sub.on.wants(event.kind) {
        return Decision::NotSubscribed;
    }
    let mut narrowed = event.clone();
    if event.kind == EventKind::Changed {
        narrowed.changes = event
            .changes
            .iter()
            .filter(|(p, _)| sub.on.changed.contains(*p))
            .map(|(p, c)| (p.clone(), c.clone()))
            .collect::<BTreeMap<_, _>>();
        if narrowed.changes.is_empty() {
            return Decision::NotSubscribed;
        }
    }
    if author == Some(sub.name) && !sub.self_trigger {
        return Decision::Own;
    }
    if sub.reenroll == Reenroll::Once && ran_before() {
        return Decision::AlreadyEnrolled;
    }
    Decision::Run(narrowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PropertyChange;

    fn changed(prop: &str, new: &str) -> TicketEvent {
        TicketEvent {
            kind: EventKind::Changed,
            ticket: "7".into(),
            properties: BTreeMap::new(),
            changes: BTreeMap::from([(
                prop.to_string(),
                PropertyChange {
                    old: None,
                    new: Some(new.to_string()),
                },
            )]),
            at: chrono::Utc::now(),
            source: "feed".into(),
        }
    }

    fn subs(entries: &[&str]) -> EventSubs {
        EventSubs::parse(&entries.iter().map(|s| (*s).to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn a_run_s_own_change_is_attributed_once() {
        let mut a = Authored::default();
        a.record("a", 2, &[TicketChange::set("7", "stage", "2")]);
        let e = changed("stage", "2");
        assert_eq!(a.attribute(&e), Some(("a".into(), 2)));
        assert_eq!(a.attribute(&e), None, "used up");
        assert_eq!(a.attribute(&changed("stage", "3")), None);
    }

    #[test]
    fn decisions_follow_subscription_author_and_reenrollment() {
        let on = subs(&["ticket.changed:stage"]);
        let mut sub = Subscriber {
            name: "a",
            on: &on,
            reenroll: Reenroll::Always,
            self_trigger: false,
        };
        let e = changed("stage", "2");
        assert!(matches!(decide(&sub, &e, None, || false), Decision::Run(_)));
        assert_eq!(
            decide(&sub, &changed("prio", "x"), None, || false),
            Decision::NotSubscribed
        );
        assert_eq!(decide(&sub, &e, Some("a"), || false), Decision::Own);
        assert!(matches!(
            decide(&sub, &e, Some("b"), || false),
            Decision::Run(_)
        ));
        sub.self_trigger = true;
        assert!(matches!(
            decide(&sub, &e, Some("a"), || false),
            Decision::Run(_)
        ));
        sub.reenroll = Reenroll::Once;
        assert_eq!(decide(&sub, &e, None, || true), Decision::AlreadyEnrolled);
    }

    #[test]
    fn the_event_is_narrowed_to_the_watched_properties() {
        let on = subs(&["ticket.changed:stage"]);
        let sub = Subscriber {
            name: "a",
            on: &on,
            reenroll: Reenroll::Always,
            self_trigger: false,
        };
        let mut e = changed("stage", "2");
        e.changes.insert(
            "prio".into(),
            PropertyChange {
                old: None,
                new: Some("HIGH".into()),
            },
        );
        let Decision::Run(n) = decide(&sub, &e, None, || false) else {
            panic!()
        };
        assert_eq!(n.changes.keys().collect::<Vec<_>>(), ["stage"]);
    }
}
