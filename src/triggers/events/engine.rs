//! The daemon's event engine: one task that polls the change feed, takes webhook batches,
//! turns observations into events against the snapshot, decides which scripts run, records
//! every decision in the state store before running it, and launches the runs through the
//! daemon's slots. Every (script, ticket, change) is recorded once, so a change seen by the
//! feed and by a webhook, or again after a restart, runs a script once.
//!
//! Crash and restart: the watermark, the snapshot and the new deliveries of one feed page are
//! stored in one transaction; deliveries not started yet run at the next start, and a run
//! that had started is not run again (its record says how it ended). Events of a ticket
//! that arrive while an event run for that ticket is going are held in memory until it ends
//! (so the run's own writes are known); a daemon stopped meanwhile loses only those.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use crate::model::webhook::{WebhookEvent, CREATION, DELETION, PROPERTY_CHANGE};
use crate::model::{BatchReadInput, GetParams, IdInput, ListParams, Ticket, TicketEvent};
use crate::state::{
    Delivery, DeliveryStatus, FeedCursor, RunId, RunStatus, SnapshotUpdate, StateDb, TicketSnapshot,
};
use crate::triggers::daemon::RunGroup;
use crate::triggers::runner::Runner;

use super::detect::{detect, from_ms, norm, History, Observed};
use super::dispatch::{decide, Authored, Decision, Subscriber};
use super::feed::{self, Next, ALL_AT_TIME, PAGE};
use super::{EventSetup, EventStats, EventTable};

/// Queries of one poll at most (then the next interval goes on): 10,000 results.
const MAX_QUERIES_PER_POLL: usize = 50;
/// Pages of the recycle bin read per poll at most.
const MAX_ARCHIVED_PAGES: usize = 100;
/// Tickets per history read (HubSpot's batch read limit with `propertiesWithHistory`).
const HISTORY_BATCH: usize = 50;

/// An event run that ended.
struct RunDone {
    script: String,
    ticket: String,
    round: u32,
    run_id: Option<RunId>,
}

/// The engine; see the module doc.
pub(crate) struct Engine {
    setup: EventSetup,
    state: StateDb,
    runner: Arc<dyn Runner>,
    group: RunGroup,
    dry_run: bool,
    scripts: watch::Receiver<Arc<EventTable>>,
    authored: Authored,
    in_flight: HashMap<String, usize>,
    parked: HashMap<String, Vec<TicketEvent>>,
    done_tx: mpsc::UnboundedSender<RunDone>,
    done_rx: mpsc::UnboundedReceiver<RunDone>,
    cursor: FeedCursor,
}

impl Engine {
    pub(crate) fn new(
        setup: EventSetup,
        state: StateDb,
        runner: Arc<dyn Runner>,
        group: RunGroup,
        dry_run: bool,
        scripts: watch::Receiver<Arc<EventTable>>,
    ) -> Self {
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        Self {
            setup,
            state,
            runner,
            group,
            dry_run,
            scripts,
            authored: Authored::default(),
            in_flight: HashMap::new(),
            parked: HashMap::new(),
            done_tx,
            done_rx,
            cursor: FeedCursor {
                modified_ms: 0,
                ticket_id: ALL_AT_TIME,
                baseline_ms: 0,
            },
        }
    }

    fn stats(&self) -> &EventStats {
        &self.setup.stats
    }

    /// Runs until `stop` is cancelled.
    pub(crate) async fn run(mut self, stop: CancellationToken) {
        let started = Instant::now();
        for d in self.state.pending_deliveries().unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot read the event runs left pending");
            Vec::new()
        }) {
            tracing::info!(script = %d.script, ticket = %d.ticket, "running an event left pending when the daemon stopped");
            *self.in_flight.entry(d.ticket.clone()).or_default() += 1;
            self.launch(d);
        }
        let webhooks = self.setup.webhooks.clone();
        let mut webhooks = match &webhooks {
            Some(rx) => Some(rx.lock().await),
            None => None,
        };
        let interval = self.setup.feed_interval;
        let mut tick = tokio::time::interval(interval.unwrap_or(Duration::from_secs(3600)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                () = stop.cancelled() => break,
                Some(done) = self.done_rx.recv() => self.on_done(done).await,
                Some(batch) = async {
                    match webhooks.as_mut() {
                        Some(rx) => rx.recv().await,
                        None => std::future::pending().await,
                    }
                } => self.on_webhooks(batch).await,
                _ = tick.tick(), if interval.is_some() => self.poll().await,
            }
        }
        let s = self.stats();
        tracing::info!(
            "events: {} detected, {} runs started; change feed {} searches, {} other reads in {}",
            EventStats::get(&s.events),
            EventStats::get(&s.runs),
            EventStats::get(&s.feed_searches),
            EventStats::get(&s.reads),
            humantime::format_duration(Duration::from_secs(started.elapsed().as_secs()))
        );
    }

    /// Reads the cursor (first start: from now), applying the catch-up horizon. Called before
    /// the daemon says it started, so a change made after that is after the baseline.
    pub(crate) fn start_cursor(&mut self) {
        let now = Utc::now().timestamp_millis();
        let stored = self.state.feed_cursor().unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot read the change feed's position: starting from now");
            None
        });
        let mut cursor = stored.unwrap_or(FeedCursor {
            modified_ms: now,
            ticket_id: ALL_AT_TIME,
            baseline_ms: now,
        });
        let horizon = i64::try_from(self.setup.horizon.as_millis()).unwrap_or(i64::MAX);
        if stored.is_some() && now.saturating_sub(cursor.modified_ms) > horizon {
            tracing::warn!(
                "the change feed stopped at {}, longer ago than the catch-up horizon of {}: changes before {} are skipped",
                from_ms(cursor.modified_ms).to_rfc3339(),
                humantime::format_duration(self.setup.horizon),
                from_ms(now - horizon).to_rfc3339()
            );
            cursor.modified_ms = now - horizon;
            cursor.ticket_id = ALL_AT_TIME;
        } else if stored.is_some() && self.setup.feed_interval.is_some() {
            tracing::info!(
                "change feed: catching up from {}",
                from_ms(cursor.modified_ms).to_rfc3339()
            );
        }
        self.cursor = cursor;
        if let Err(e) = self.state.commit_events(&[], &[], Some(cursor)) {
            tracing::error!(error = %e, "cannot record the change feed's position");
        }
    }

    fn table(&self) -> Arc<EventTable> {
        self.scripts.borrow().clone()
    }

    /// Every property some event script watches.
    fn watched(table: &EventTable) -> Vec<String> {
        let set: BTreeSet<&String> = table.values().flat_map(|s| &s.header.on.changed).collect();
        set.into_iter().cloned().collect()
    }

    async fn poll(&mut self) {
        let table = self.table();
        if table.is_empty() {
            return;
        }
        let watched = Self::watched(&table);
        let since = self.cursor.modified_ms;
        for _ in 0..MAX_QUERIES_PER_POLL {
            let request = feed::after(&self.cursor, &watched);
            EventStats::add(&self.stats().feed_searches, 1);
            let page = match self.setup.backend.search(&request).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "change feed: search failed (retrying at the next interval)");
                    return;
                }
            };
            match feed::advance(&self.cursor, &page.results) {
                Next::Done(c) => {
                    self.observe_page(page.results, &watched, since, c).await;
                    break;
                }
                Next::More(c) => self.observe_page(page.results, &watched, since, c).await,
                Next::Burst(ms) => {
                    let mut id =
                        if self.cursor.modified_ms == ms && self.cursor.ticket_id != ALL_AT_TIME {
                            self.cursor.ticket_id
                        } else {
                            -1
                        };
                    loop {
                        EventStats::add(&self.stats().feed_searches, 1);
                        let page = match self
                            .setup
                            .backend
                            .search(&feed::within(ms, id, &watched))
                            .await
                        {
                            Ok(p) => p,
                            Err(e) => {
                                tracing::warn!(error = %e, "change feed: search failed (retrying at the next interval)");
                                return;
                            }
                        };
                        let full = page.results.len() >= PAGE as usize;
                        id = page
                            .results
                            .iter()
                            .map(|t| feed::key(t).1)
                            .max()
                            .unwrap_or(id);
                        let c = FeedCursor {
                            modified_ms: ms,
                            ticket_id: id,
                            ..self.cursor
                        };
                        self.observe_page(page.results, &watched, since, c).await;
                        if !full {
                            break;
                        }
                    }
                }
            }
        }
        if table.values().any(|s| s.header.on.archived) {
            self.poll_archived(&watched, since).await;
        }
    }

    /// Reads the recycle bin for tickets archived since they were last seen.
    async fn poll_archived(&mut self, watched: &[String], since: i64) {
        let mut after = None;
        for _ in 0..MAX_ARCHIVED_PAGES {
            let params = ListParams {
                limit: Some(100),
                after: after.clone(),
                properties: watched.to_vec(),
                archived: true,
                ..ListParams::default()
            };
            EventStats::add(&self.stats().reads, 1);
            let page = match self.setup.backend.list(&params).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "change feed: reading archived tickets failed (retrying at the next interval)");
                    return;
                }
            };
            let mut obs = Vec::new();
            for t in &page.results {
                let o = observe(t, watched, "feed", true);
                obs.push(o);
            }
            self.handle(obs, since, None);
            match page.paging.and_then(|p| p.next) {
                Some(n) => after = Some(n.after),
                None => break,
            }
        }
    }

    /// Turns a feed page into observations (with history for tickets never seen that are
    /// older than the baseline), handles them and stores the cursor.
    async fn observe_page(
        &mut self,
        results: Vec<Ticket>,
        watched: &[String],
        since: i64,
        cursor: FeedCursor,
    ) {
        let baseline = self.cursor.baseline_ms;
        let unknown: Vec<String> = results
            .iter()
            .filter(|t| t.created_at.timestamp_millis() < baseline)
            .filter(|t| matches!(self.state.ticket_snapshot(&t.id), Ok(None)))
            .map(|t| t.id.clone())
            .collect();
        let history = self.history(&unknown, watched).await;
        let obs = results
            .iter()
            .map(|t| {
                let mut o = observe(t, watched, "feed", false);
                o.history = history.get(&t.id).cloned();
                o
            })
            .collect();
        self.cursor = cursor;
        self.handle(obs, since, Some(cursor));
    }

    /// Property history of `ids` (batch reads of 50).
    async fn history(&self, ids: &[String], watched: &[String]) -> HashMap<String, History> {
        let mut out = HashMap::new();
        if watched.is_empty() {
            return out;
        }
        for chunk in ids.chunks(HISTORY_BATCH) {
            let input = BatchReadInput {
                inputs: chunk.iter().map(|id| IdInput { id: id.clone() }).collect(),
                properties: watched.to_vec(),
                properties_with_history: watched.to_vec(),
                id_property: None,
            };
            EventStats::add(&self.stats().reads, 1);
            match self.setup.backend.batch_read(&input, false).await {
                Ok(r) => {
                    for t in r.results {
                        out.insert(t.id.clone(), history_of(&t));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "change feed: cannot read property history (old values of tickets seen for the first time are unknown)");
                }
            }
        }
        out
    }

    /// Detects, decides and records (snapshot, deliveries and cursor in one transaction);
    /// launches the new runs.
    fn handle(&mut self, obs: Vec<Observed>, since: i64, cursor: Option<FeedCursor>) {
        // What this batch changed, so a second observation of a ticket sees the first.
        let mut seen: HashMap<String, Option<TicketSnapshot>> = HashMap::new();
        let mut updates: Vec<SnapshotUpdate> = Vec::new();
        let mut deliveries = Vec::new();
        for o in obs {
            let snap = match seen.get(&o.ticket) {
                Some(s) => s.clone(),
                None => match self.state.ticket_snapshot(&o.ticket) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!(ticket = %o.ticket, error = %e, "cannot read the ticket's snapshot");
                        continue;
                    }
                },
            };
            let d = detect(snap.as_ref(), &o, self.cursor.baseline_ms, since);
            tracing::debug!(ticket = %o.ticket, source = o.source, known = snap.is_some(), event = ?d.event.as_ref().map(|e| e.kind), "observed");
            if let Some(u) = d.update {
                let mut next = snap.unwrap_or_default();
                next.archived = u.archived;
                next.properties.extend(u.properties.clone());
                seen.insert(o.ticket.clone(), Some(next));
                updates.push(u);
            }
            if let Some(event) = d.event {
                EventStats::add(&self.stats().events, 1);
                deliveries.extend(self.route(event));
            }
        }
        self.commit(&updates, &deliveries, cursor);
    }

    /// Stores `updates`, `deliveries` and the cursor, and launches the deliveries that are new.
    fn commit(
        &mut self,
        updates: &[SnapshotUpdate],
        deliveries: &[Delivery],
        cursor: Option<FeedCursor>,
    ) {
        match self.state.commit_events(updates, deliveries, cursor) {
            Ok(fresh) => {
                let mut freed = Vec::new();
                for d in deliveries.iter().filter(|d| !fresh.contains(d)) {
                    tracing::debug!(script = %d.script, ticket = %d.ticket, "change already delivered");
                    if self.release(&d.ticket) {
                        freed.push(d.ticket.clone());
                    }
                }
                for d in fresh {
                    self.launch(d);
                }
                for ticket in freed {
                    self.unpark(&ticket);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot record ticket events: not running them");
                for d in deliveries {
                    self.release(&d.ticket);
                }
            }
        }
    }

    /// Decides who runs for `event`; counts the runs as in flight for its ticket.
    fn route(&mut self, event: TicketEvent) -> Vec<Delivery> {
        if self.in_flight.get(&event.ticket).copied().unwrap_or(0) > 0 {
            self.parked
                .entry(event.ticket.clone())
                .or_default()
                .push(event);
            return Vec::new();
        }
        let author = self.authored.attribute(&event);
        let round = author.as_ref().map_or(0, |(_, r)| r + 1);
        if round > self.setup.max_rounds {
            EventStats::add(&self.stats().loops_stopped, 1);
            tracing::warn!(
                ticket = %event.ticket,
                "loop stopped: ticket {} was changed by {} rounds of event scripts in a row (last by {}); {} of it runs no script (the bound is --event-rounds {})",
                event.ticket,
                round,
                author.as_ref().map_or("?", |a| a.0.as_str()),
                event.kind.as_str(),
                self.setup.max_rounds
            );
            return Vec::new();
        }
        let table = self.table();
        let mut out = Vec::new();
        for script in table.values() {
            let sub = Subscriber {
                name: &script.name,
                on: &script.header.on,
                reenroll: script.header.reenroll,
                self_trigger: script.header.self_trigger,
            };
            let decision = decide(&sub, &event, author.as_ref().map(|a| a.0.as_str()), || {
                self.state
                    .ran_for_ticket(&script.name, &event.ticket)
                    .unwrap_or(false)
            });
            match decision {
                Decision::Run(narrowed) => {
                    let Ok(json) = serde_json::to_string(&narrowed) else {
                        continue;
                    };
                    *self.in_flight.entry(event.ticket.clone()).or_default() += 1;
                    out.push(Delivery {
                        script: script.name.clone(),
                        ticket: event.ticket.clone(),
                        change_key: narrowed.change_key(),
                        at_ms: narrowed.at.timestamp_millis(),
                        event: json,
                        round,
                    });
                }
                Decision::Own => {
                    EventStats::add(&self.stats().own_changes, 1);
                    tracing::debug!(script = %script.name, ticket = %event.ticket, "not run for a change its own run made (self_trigger = true allows it)");
                }
                Decision::AlreadyEnrolled => {
                    tracing::debug!(script = %script.name, ticket = %event.ticket, "already ran for this ticket (reenroll = \"once\")");
                }
                Decision::NotSubscribed => {}
            }
        }
        out
    }

    /// Starts the run of `d` in the daemon's slots.
    fn launch(&mut self, d: Delivery) {
        let table = self.table();
        let done_tx = self.done_tx.clone();
        let Some(script) = table.get(&d.script).cloned() else {
            tracing::warn!(script = %d.script, ticket = %d.ticket, "the script no longer listens for events: its event is dropped");
            let _ = self.state.mark_delivery(&d, DeliveryStatus::Done, None);
            let _ = done_tx.send(RunDone {
                script: d.script,
                ticket: d.ticket,
                round: d.round,
                run_id: None,
            });
            return;
        };
        let event: TicketEvent = match serde_json::from_str(&d.event) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(script = %d.script, error = %e, "a recorded event cannot be read: dropped");
                let _ = self.state.mark_delivery(&d, DeliveryStatus::Done, None);
                let _ = done_tx.send(RunDone {
                    script: d.script,
                    ticket: d.ticket,
                    round: d.round,
                    run_id: None,
                });
                return;
            }
        };
        let changes: Vec<String> = event
            .changes
            .iter()
            .map(|(p, c)| {
                format!(
                    "{p}: {} -> {}",
                    c.old.as_deref().unwrap_or("()"),
                    c.new.as_deref().unwrap_or("()")
                )
            })
            .collect();
        tracing::info!(script = %d.script, ticket = %d.ticket, source = %event.source, "{} of ticket {}{}: running {}", event.kind.as_str(), d.ticket, if changes.is_empty() { String::new() } else { format!(" ({})", changes.join(", ")) }, d.script);
        EventStats::add(&self.stats().runs, 1);
        let job = script.job(event, self.dry_run);
        let group = self.group.clone();
        let runner = self.runner.clone();
        let state = self.state.clone();
        let hold = group.hold();
        tokio::spawn(async move {
            let _hold = hold;
            if let Err(e) = state.mark_delivery(&d, DeliveryStatus::Started, None) {
                tracing::error!(script = %d.script, error = %e, "cannot record the start of an event run");
            }
            let ticket = crate::triggers::daemon::SlotTicket::default();
            let result = group.run(&*runner, job, group.run_token(), &ticket).await;
            let not_run = result.run_id.is_none()
                && result.status == RunStatus::Cancelled
                && group.stopping();
            let status = if not_run {
                DeliveryStatus::Pending
            } else {
                DeliveryStatus::Done
            };
            if let Err(e) = state.mark_delivery(&d, status, result.run_id) {
                tracing::error!(script = %d.script, error = %e, "cannot record the end of an event run");
            }
            let _ = done_tx.send(RunDone {
                script: d.script,
                ticket: d.ticket,
                round: d.round,
                run_id: result.run_id,
            });
        });
    }

    /// One run for `ticket` fewer in flight; when none is left, its held events go on.
    fn release(&mut self, ticket: &str) -> bool {
        let left = match self.in_flight.get_mut(ticket) {
            Some(n) => {
                *n = n.saturating_sub(1);
                *n
            }
            None => 0,
        };
        if left == 0 {
            self.in_flight.remove(ticket);
        }
        left == 0
    }

    async fn on_done(&mut self, done: RunDone) {
        if let Some(id) = done.run_id {
            match self.state.run(id) {
                Ok(Some(record)) => self
                    .authored
                    .record(&done.script, done.round, &record.changes),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(run = id, error = %e, "cannot read the changes of an event run (its writes may start other event scripts as outside changes)");
                }
            }
        }
        if self.release(&done.ticket) {
            self.unpark(&done.ticket);
        }
    }

    /// Routes the events held for `ticket` while its runs went.
    fn unpark(&mut self, ticket: &str) {
        if let Some(held) = self.parked.remove(ticket) {
            let mut deliveries = Vec::new();
            for event in held {
                deliveries.extend(self.route(event));
            }
            self.commit(&[], &deliveries, None);
        }
    }

    async fn on_webhooks(&mut self, mut batch: Vec<WebhookEvent>) {
        let table = self.table();
        if table.is_empty() {
            return;
        }
        let watched = Self::watched(&table);
        batch.sort_by_key(|e| (e.occurred_at, e.event_id));
        let since = self.cursor.modified_ms;
        let mut obs = Vec::new();
        for ev in batch {
            tracing::debug!(event_id = ev.event_id, subscription = %ev.subscription_type, ticket = ev.object_id, property = ?ev.property_name, "webhook event");
            let ticket = ev.object_id.to_string();
            let at = from_ms(ev.occurred_at);
            let known = matches!(self.state.ticket_snapshot(&ticket), Ok(Some(_)));
            let o = match ev.subscription_type.as_str() {
                DELETION => Observed {
                    ticket,
                    properties: BTreeMap::new(),
                    created_at: None,
                    at,
                    archived: true,
                    partial: false,
                    history: None,
                    source: "webhook",
                },
                PROPERTY_CHANGE if known => {
                    let Some(name) = ev.property_name.filter(|p| watched.contains(p)) else {
                        continue;
                    };
                    Observed {
                        ticket,
                        properties: BTreeMap::from([(name, norm(ev.property_value.as_deref()))]),
                        created_at: None,
                        at,
                        archived: false,
                        partial: true,
                        history: None,
                        source: "webhook",
                    }
                }
                CREATION | PROPERTY_CHANGE => {
                    if ev.subscription_type == PROPERTY_CHANGE
                        && !ev
                            .property_name
                            .as_ref()
                            .is_some_and(|p| watched.contains(p))
                    {
                        continue;
                    }
                    let Some(mut o) = self.look_up(&ticket, &watched, !known).await else {
                        continue;
                    };
                    o.at = o.at.max(at);
                    o
                }
                other => {
                    tracing::debug!(
                        subscription = other,
                        "webhook event of a kind scripts cannot subscribe to: ignored"
                    );
                    continue;
                }
            };
            obs.push(o);
        }
        self.handle(obs, since, None);
    }

    /// Reads one ticket's watched properties (with history when `history`), for a webhook.
    async fn look_up(&self, id: &str, watched: &[String], history: bool) -> Option<Observed> {
        let mut properties = watched.to_vec();
        properties.push("createdate".into());
        let params = GetParams {
            properties,
            properties_with_history: if history {
                watched.to_vec()
            } else {
                Vec::new()
            },
            ..GetParams::default()
        };
        EventStats::add(&self.stats().reads, 1);
        match self.setup.backend.get(id, &params).await {
            Ok(t) => {
                let mut o = observe(&t, watched, "webhook", false);
                if history {
                    o.history = Some(history_of(&t));
                }
                Some(o)
            }
            Err(e) => {
                tracing::warn!(ticket = id, error = %e, "webhook: cannot read the ticket: its event is dropped");
                None
            }
        }
    }
}

/// An observation of `t` (as read by search, list or get).
fn observe(t: &Ticket, watched: &[String], source: &'static str, archived: bool) -> Observed {
    Observed {
        ticket: t.id.clone(),
        properties: watched
            .iter()
            .map(|p| (p.clone(), norm(t.prop(p))))
            .collect(),
        created_at: Some(t.created_at),
        at: if archived {
            t.archived_at.unwrap_or(t.updated_at)
        } else {
            t.updated_at
        },
        archived,
        partial: false,
        history: None,
        source,
    }
}

fn history_of(t: &Ticket) -> History {
    t.properties_with_history
        .as_ref()
        .map(|h| {
            h.iter()
                .map(|(k, vs)| {
                    (
                        k.clone(),
                        vs.iter()
                            .map(|v| (norm(Some(v.value.as_str())), v.timestamp.timestamp_millis()))
                            .collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
