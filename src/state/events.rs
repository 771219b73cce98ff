//! What the daemon's ticket events need to survive a restart: the change feed's cursor (its
//! watermark on (last-modified time, id) and the time it first started), the snapshot of the
//! watched properties of each ticket it has seen (old values come from here), each delivery
//! of a change to a script (pending, started, done: one row per (script, ticket, change), so
//! a change runs a script once), and the webhook event ids already received.
//!
//! The types and the [`StateDb`] methods; the SQL is each store's (`sqlite/events.rs`,
//! `postgres/events.rs`), tested by the shared suite (`suite_tests.rs`). No logic about what an
//! event means (that is `triggers::events`).

use std::collections::BTreeMap;

use super::{RunId, StateDb, StateError};

/// Where the change feed stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedCursor {
    /// Every change up to this last-modified time (epoch ms) ...
    pub modified_ms: i64,
    /// ... and, at that time, up to this ticket id, was seen.
    pub ticket_id: i64,
    /// When the feed first started: tickets created since are new to it.
    pub baseline_ms: i64,
}

/// What the snapshot knows of one ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketSnapshot {
    /// Whether it was last seen archived.
    pub archived: bool,
    /// Watched property -> (value, epoch ms of the observation that gave it).
    pub properties: BTreeMap<String, (Option<String>, i64)>,
}

/// A change to store in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotUpdate {
    /// The ticket.
    pub ticket: String,
    /// Whether it is archived now.
    pub archived: bool,
    /// Properties to set: name -> (value, epoch ms).
    pub properties: BTreeMap<String, (Option<String>, i64)>,
}

/// How far a delivery got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Decided, not started yet.
    Pending,
    /// Its run started (a daemon that stops now does not run it again).
    Started,
    /// Its run ended.
    Done,
}

impl DeliveryStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Started => "started",
            Self::Done => "done",
        }
    }
}

/// One change for one script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The script.
    pub script: String,
    /// The ticket.
    pub ticket: String,
    /// The change's key (see `model::TicketEvent::change_key`).
    pub change_key: String,
    /// When the change happened (epoch ms).
    pub at_ms: i64,
    /// The event as JSON.
    pub event: String,
    /// How many event-script runs led to this change (0: a change from outside).
    pub round: u32,
}

impl StateDb {
    /// The change feed's cursor, if it ever ran.
    pub fn feed_cursor(&self) -> Result<Option<FeedCursor>, StateError> {
        self.store.feed_cursor()
    }

    /// The snapshot of `ticket`, if the daemon has seen it.
    pub fn ticket_snapshot(&self, ticket: &str) -> Result<Option<TicketSnapshot>, StateError> {
        self.store.ticket_snapshot(ticket)
    }

    /// Stores snapshot updates, the new deliveries and the cursor in one transaction. Returns
    /// the deliveries that were new (a change already delivered to a script is not again).
    pub fn commit_events(
        &self,
        updates: &[SnapshotUpdate],
        deliveries: &[Delivery],
        cursor: Option<FeedCursor>,
    ) -> Result<Vec<Delivery>, StateError> {
        self.store.commit_events(updates, deliveries, cursor)
    }

    /// Deliveries decided but not started (a daemon that stopped before running them runs
    /// them at its next start), oldest first.
    pub fn pending_deliveries(&self) -> Result<Vec<Delivery>, StateError> {
        self.store.pending_deliveries()
    }

    /// Moves a delivery on (with its run's id once it has one).
    pub fn mark_delivery(
        &self,
        d: &Delivery,
        status: DeliveryStatus,
        run_id: Option<RunId>,
    ) -> Result<(), StateError> {
        self.store.mark_delivery(d, status, run_id)
    }

    /// Whether `script` already ran (or started) for `ticket` (re-enrollment `once`).
    pub fn ran_for_ticket(&self, script: &str, ticket: &str) -> Result<bool, StateError> {
        self.store.ran_for_ticket(script, ticket)
    }

    /// Records a webhook event id; false if it was received before. Ids older than a week
    /// are forgotten (HubSpot retries for at most 3 days).
    pub fn webhook_event_new(&self, event_id: i64, now_ms: i64) -> Result<bool, StateError> {
        self.store.webhook_event_new(event_id, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(script: &str, key: &str) -> Delivery {
        Delivery {
            script: script.into(),
            ticket: "7".into(),
            change_key: key.into(),
            at_ms: 10,
            event: "{}".into(),
            round: 0,
        }
    }

    #[test]
    fn a_change_is_delivered_to_a_script_once_and_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let db = StateDb::open(&path).unwrap();
        assert_eq!(db.feed_cursor().unwrap(), None);
        let update = SnapshotUpdate {
            ticket: "7".into(),
            archived: false,
            properties: BTreeMap::from([("hs_pipeline_stage".into(), (Some("1".into()), 5))]),
        };
        let cursor = FeedCursor {
            modified_ms: 10,
            ticket_id: 7,
            baseline_ms: 1,
        };
        let d = [delivery("a", "k"), delivery("b", "k")];
        let fresh = db.commit_events(&[update], &d, Some(cursor)).unwrap();
        assert_eq!(fresh.len(), 2);
        let again = db.commit_events(&[], &d[..1], None).unwrap();
        assert!(again.is_empty(), "{again:?}");
        db.mark_delivery(&d[0], DeliveryStatus::Started, None)
            .unwrap();
        let db = StateDb::open(&path).unwrap();
        assert_eq!(db.feed_cursor().unwrap(), Some(cursor));
        let snap = db.ticket_snapshot("7").unwrap().unwrap();
        assert_eq!(snap.properties["hs_pipeline_stage"], (Some("1".into()), 5));
        assert_eq!(db.ticket_snapshot("8").unwrap(), None);
        let pending = db.pending_deliveries().unwrap();
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].script, "b");
        assert!(db.ran_for_ticket("a", "7").unwrap());
        assert!(!db.ran_for_ticket("c", "7").unwrap());
    }

    #[test]
    fn webhook_event_ids_are_new_once() {
        let db = StateDb::in_memory().unwrap();
        assert!(db.webhook_event_new(42, 1).unwrap());
        assert!(!db.webhook_event_new(42, 2).unwrap());
        assert!(db.webhook_event_new(43, 2).unwrap());
    }
}
