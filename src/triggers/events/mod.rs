//! Ticket events for the daemon: scripts whose header has `on = [...]` run once per event
//! (`ticket.created`, `ticket.changed:PROPS`, `ticket.archived`) with the ticket and the change
//! in hand (`event::`).
//!
//! Events come from a change feed (one poller for every event script: a search for tickets
//! modified since a watermark, asking only for the watched properties; `feed`), from HubSpot
//! webhooks (`webhook`), or both. Either way an observation is compared with the snapshot of
//! the watched properties (`detect`), so one change seen by both sources is one event; which
//! scripts run, and loop prevention, is `dispatch`; the task tying it together, and the
//! durable records (watermark, snapshot, one delivery per (script, ticket, change) in the
//! state store), is `engine`. Runs go through the daemon's [`Runner`](super::Runner) and
//! slots like scheduled runs (trigger `event`).

mod detect;
mod dispatch;
mod engine;
mod feed;
mod webhook;

pub(crate) use engine::Engine;
pub use webhook::{start_webhook_receiver, WebhookReceiver};

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::backend::TicketsBackend;
use crate::model::TicketEvent;
use crate::script::header::ScriptHeader;

use super::runner::{Job, Trigger};

/// An event script as the daemon keeps it: the last good version.
#[derive(Debug, Clone)]
pub(crate) struct EventScript {
    /// Its name (file stem).
    pub name: String,
    /// The file.
    pub path: PathBuf,
    /// Its source.
    pub source: Arc<str>,
    /// Its header (`on`, `reenroll`, `self_trigger`, limits).
    pub header: ScriptHeader,
}

impl EventScript {
    /// A job running this version for `event`.
    pub(crate) fn job(&self, event: TicketEvent, dry_run: bool) -> Job {
        Job {
            path: self.path.clone(),
            source: Arc::clone(&self.source),
            dry_run,
            trigger: Trigger::Event,
            timeout: self.header.timeout,
            max_writes: self.header.max_writes,
            memory: self.header.memory,
            // Exactly once comes from the delivery record (one per script, ticket and change),
            // not from a claim: one daemon runs the events of one store.
            claim: None,
            event: Some(Arc::new(event)),
        }
    }
}

/// Every event script by name.
pub(crate) type EventTable = BTreeMap<String, Arc<EventScript>>;

/// What the events cost and did, for `/metrics` and the summary at shutdown.
#[derive(Debug, Default)]
pub struct EventStats {
    /// Searches the change feed made.
    pub feed_searches: AtomicU64,
    /// Other reads (property history, archived tickets, webhook look-ups).
    pub reads: AtomicU64,
    /// Webhook requests accepted.
    pub webhook_requests: AtomicU64,
    /// Webhook requests refused (bad signature, stale timestamp, bad body).
    pub webhook_rejected: AtomicU64,
    /// Webhook events dropped as already received (same event id).
    pub webhook_duplicates: AtomicU64,
    /// Events detected.
    pub events: AtomicU64,
    /// Event runs started.
    pub runs: AtomicU64,
    /// Changes not delivered to the script whose own run made them.
    pub own_changes: AtomicU64,
    /// Chains of event scripts changing the same ticket that were stopped.
    pub loops_stopped: AtomicU64,
}

impl EventStats {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// A counter's value.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// How the daemon finds and runs ticket events.
#[derive(Clone)]
pub struct EventSetup {
    /// Where the feed and webhook look-ups read tickets.
    pub backend: Arc<dyn TicketsBackend>,
    /// The feed's interval; `None`: no change feed (webhooks only).
    pub feed_interval: Option<Duration>,
    /// After downtime, the feed catches up at most this far back (older changes are skipped,
    /// with a warning).
    pub horizon: Duration,
    /// Rounds of event scripts changing the same ticket after which the chain is stopped.
    pub max_rounds: u32,
    /// Batches from the webhook receiver, if one runs.
    pub webhooks: Option<
        Arc<
            tokio::sync::Mutex<
                tokio::sync::mpsc::Receiver<Vec<crate::model::webhook::WebhookEvent>>,
            >,
        >,
    >,
    /// Counters.
    pub stats: Arc<EventStats>,
}

impl std::fmt::Debug for EventSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSetup")
            .field("backend", &self.backend.describe())
            .field("feed_interval", &self.feed_interval)
            .field("horizon", &self.horizon)
            .field("max_rounds", &self.max_rounds)
            .field("webhooks", &self.webhooks.is_some())
            .finish_non_exhaustive()
    }
}

/// Default interval of the change feed.
pub const DEFAULT_FEED_INTERVAL: Duration = Duration::from_secs(10);
/// Default catch-up horizon.
pub const DEFAULT_HORIZON: Duration = Duration::from_secs(24 * 3600);
/// Default bound on rounds of event scripts changing one ticket.
pub const DEFAULT_MAX_ROUNDS: u32 = 4;
