//! The per-run context every API closure captures: the backend, the runtime handle, the
//! cancel token and deadline, counters, the log, the plan and the write guard.
//!
//! A run records its writes (plans them) unless it is immediate: a dry run stops after
//! planning, a plan-then-apply run hands the plan to [`super::apply`]. While planning, every
//! ticket read is remembered as read (so a planned update of a ticket the run already read
//! needs no second read, and the apply can compare with what the run saw), and reads see the
//! run's own planned writes.
//!
//! Owns per-run state and the helpers that touch it (logging, counting, stopping). The bridge
//! to async code is in `bridge.rs`; the write policy in `guard.rs`. Nothing here is shared
//! between runs except the backend, the state store and the handle.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;
use rhai::{EvalAltResult, Position};
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use crate::backend::TicketsBackend;
use crate::calendar::BusinessCalendar;
use crate::model::{Pipeline, PortalLinks, Property, Ticket, TicketEvent};
use crate::outbound::{slack, AllowList, HttpLimits, OutboundSession, RateCap, Secrets};
use crate::state::{LogLine, StateDb};

use super::guard::{WriteGuard, WriteTarget};
use super::plan::{Plan, PlanChange};
use super::run_log::{cut_line, RunLog};

/// Callback receiving each log line as it is written.
pub type LogSink = Arc<dyn Fn(&LogLine) + Send + Sync>;

/// Asked (with the number of distinct tickets the evaluation would have changed) before a
/// write takes an evaluation past a threshold; `false` stops it (the REPL's y/N prompt).
pub(super) type ConfirmWrites = Arc<dyn Fn(u64) -> bool + Send + Sync>;

/// Why the host stopped a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StopReason {
    /// The wall-clock timeout elapsed.
    Timeout(Duration),
    /// The cancel token fired.
    Cancelled,
    /// A write beyond the cap was refused.
    WriteLimit(String),
    /// The process's heap passed the run's memory budget (bytes).
    Memory(u64),
}

/// The catchable error of a write past the run's write budget (`category: "WRITE_LIMIT"`).
pub(crate) const WRITE_LIMIT: &str = "WRITE_LIMIT";

/// The run-level settings of a context.
pub(crate) struct RunSettings {
    pub script: String,
    pub trigger: String,
    pub dry_run: bool,
    /// Writes are planned and applied after the script ends (not a dry run, not immediate).
    pub plan_then_apply: bool,
    pub args: BTreeMap<String, String>,
    pub timeout: Option<Duration>,
    pub max_writes: Option<u64>,
    pub cancel: CancellationToken,
    pub on_log: Option<LogSink>,
    /// Receives the script's `print` lines (falls back to `on_log` when unset).
    pub on_print: Option<LogSink>,
    /// The zone time functions default to (the header's `timezone`, else UTC).
    pub zone: chrono_tz::Tz,
    /// The business calendar (the header's, else office hours in `zone`).
    pub calendar: BusinessCalendar,
    /// Hosts `http::` may call (the header's `http`).
    pub http: AllowList,
    /// Environment variables usable as secrets (the header's `env`).
    pub env: Vec<String>,
    /// The ticket event that started the run (`event::`), if one did.
    pub event: Option<Arc<TicketEvent>>,
}

/// The environment variable holding the portal id that ticket links are built with.
pub(crate) const PORTAL_ID_ENV: &str = "HUBSPOT_PORTAL_ID";
/// The environment variable overriding HubSpot's app URL (EU portals: app-eu1.hubspot.com).
pub(crate) const APP_URL_ENV: &str = "HUBSPOT_APP_URL";

/// Ticket links from the environment: `Ok(None)` without a portal id, an error for a bad one.
fn portal_links() -> Result<Option<PortalLinks>, String> {
    match std::env::var(PORTAL_ID_ENV) {
        Ok(id) if !id.trim().is_empty() => {
            PortalLinks::new(&id, std::env::var(APP_URL_ENV).ok().as_deref())
                .map(Some)
                .map_err(|e| format!("{PORTAL_ID_ENV}: {e}"))
        }
        _ => Ok(None),
    }
}

/// A `state::` write kept for the commit after the apply.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StateWrite {
    /// `state::set`: the value replaces what is stored.
    Set(serde_json::Value),
    /// `state::remove`.
    Remove,
    /// `state::add`: the amount is added in the store at commit, atomically, to whatever is
    /// stored then (another replica's increments in between count too).
    Add(serde_json::Value),
}

/// Per-run state.
pub(crate) struct RunCtx {
    pub backend: Arc<dyn TicketsBackend>,
    pub state: StateDb,
    pub handle: Handle,
    pub settings: RunSettings,
    pub deadline: Option<Instant>,
    pub reads: AtomicU64,
    pub api_calls: AtomicU64,
    /// Outbound HTTP: allow-list, secrets, request cap and records.
    pub outbound: OutboundSession,
    /// `notify::slack` messages of this run, capped.
    pub slack_cap: RateCap,
    /// How ticket links are built (from `HUBSPOT_PORTAL_ID`), read at the start of the run.
    pub links: Result<Option<PortalLinks>, String>,
    log: Mutex<RunLog>,
    plan: Mutex<Plan>,
    guard: Mutex<WriteGuard>,
    /// Real runs: tickets a write call actually changed or created (counted after HubSpot
    /// answered, by id, so a ticket created then updated counts once); the summary and run
    /// history report these, not admissions.
    written: Mutex<HashSet<String>>,
    /// Hints already logged (see [`RunCtx::first_time`]).
    said: Mutex<HashSet<String>>,
    stop: Mutex<Option<StopReason>>,
    /// The token of the current evaluation (a REPL swaps it per input).
    cancel: Mutex<CancellationToken>,
    pipelines: Mutex<Option<Arc<Vec<Pipeline>>>>,
    /// Property definitions, fetched once per run (dry-run validation).
    properties: Mutex<Option<Arc<Vec<Property>>>>,
    /// Dry run: property values planned per existing ticket, applied to later reads.
    overlay: Mutex<HashMap<String, BTreeMap<String, String>>>,
    /// Dry run: tickets the run would have created.
    created: Mutex<HashMap<String, Ticket>>,
    /// Dry run: `state::` writes kept for this run only.
    pub state_overlay: Mutex<HashMap<String, Option<serde_json::Value>>>,
    next_fake_id: AtomicU64,
    /// Whether writes are planned (dry run, or plan-then-apply; the REPL toggles it).
    dry: AtomicBool,
    /// Whether this is a dry run as the user sees it (`run::dry_run()`).
    user_dry: AtomicBool,
    /// Planning: every ticket as the backend returned it (before the run's own planned
    /// values), merged across reads.
    seen: Mutex<HashMap<String, Ticket>>,
    /// Planning: `state::` writes with the plan length when each was made, so the apply can
    /// commit exactly those made before the part of the plan that was applied.
    state_log: Mutex<Vec<(usize, String, StateWrite)>>,
    /// Planning: outbound requests with side effects (POSTs, `notify::slack`), queued with the
    /// plan length when each was made; sent after the apply, like `state_log` is committed.
    deferred: Mutex<Vec<(usize, crate::outbound::OutboundRequest)>>,
    /// REPL: ask before a live evaluation changes more than this many tickets.
    confirm: Mutex<Option<(u64, ConfirmWrites)>>,
    /// REPL: the current evaluation was confirmed already.
    confirmed: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock()
        .expect("run context lock poisoned by a panicking API call")
}

impl RunCtx {
    pub(crate) fn new(
        backend: Arc<dyn TicketsBackend>,
        state: StateDb,
        handle: Handle,
        settings: RunSettings,
    ) -> Self {
        let started = Instant::now();
        let deadline = settings.timeout.map(|t| started + t);
        let guard = WriteGuard::new(settings.max_writes);
        let cancel = Mutex::new(settings.cancel.clone());
        let dry = AtomicBool::new(settings.dry_run || settings.plan_then_apply);
        let user_dry = AtomicBool::new(settings.dry_run);
        let outbound = OutboundSession::new(
            settings.http.clone(),
            Secrets::from_env(&settings.env),
            HttpLimits::default(),
        );
        Self {
            outbound,
            slack_cap: RateCap::new("Slack messages", slack::MAX_MESSAGES_PER_RUN),
            links: portal_links(),
            backend,
            state,
            handle,
            settings,
            deadline,
            reads: AtomicU64::new(0),
            api_calls: AtomicU64::new(0),
            log: Mutex::new(RunLog::default()),
            plan: Mutex::new(Plan::default()),
            guard: Mutex::new(guard),
            written: Mutex::new(HashSet::new()),
            said: Mutex::new(HashSet::new()),
            stop: Mutex::new(None),
            cancel,
            pipelines: Mutex::new(None),
            properties: Mutex::new(None),
            overlay: Mutex::new(HashMap::new()),
            created: Mutex::new(HashMap::new()),
            state_overlay: Mutex::new(HashMap::new()),
            next_fake_id: AtomicU64::new(1),
            dry,
            user_dry,
            seen: Mutex::new(HashMap::new()),
            state_log: Mutex::new(Vec::new()),
            deferred: Mutex::new(Vec::new()),
            confirm: Mutex::new(None),
            confirmed: AtomicBool::new(false),
        }
    }

    /// Whether writes are recorded instead of sent (a dry run, or the planning half of a
    /// plan-then-apply run).
    pub(crate) fn dry_run(&self) -> bool {
        self.dry.load(Ordering::Relaxed)
    }

    /// Whether the user asked for a dry run (`run::dry_run()`): nothing will be applied.
    pub(crate) fn user_dry_run(&self) -> bool {
        self.user_dry.load(Ordering::Relaxed)
    }

    /// REPL `:dry-run on|off`.
    pub(crate) fn set_dry_run(&self, on: bool) {
        self.dry.store(on, Ordering::Relaxed);
        self.user_dry.store(on, Ordering::Relaxed);
    }

    /// How many more distinct tickets the write budget admits (`None`: no cap).
    pub(crate) fn writes_left(&self) -> Option<u64> {
        let g = lock(&self.guard);
        self.settings
            .max_writes
            .map(|cap| cap.saturating_sub(g.count()))
    }

    /// Planning: records a `state::` write (kept for the run; committed after the apply).
    pub(crate) fn record_state(&self, key: &str, write: StateWrite) {
        let at = lock(&self.plan).entries.len();
        lock(&self.state_log).push((at, key.to_string(), write));
    }

    /// Planning: the `state::` writes made while the plan had at most `applied` entries, in
    /// order (the ones whose preceding changes were all applied).
    pub(crate) fn state_writes_up_to(&self, applied: usize) -> Vec<(String, StateWrite)> {
        lock(&self.state_log)
            .iter()
            .filter(|(at, _, _)| *at <= applied)
            .map(|(_, k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Whether this is the planning half of a plan-then-apply run: ticket writes are recorded
    /// now and applied after the script ends.
    pub(crate) fn planning_for_apply(&self) -> bool {
        self.settings.plan_then_apply && !self.user_dry_run()
    }

    /// Planning: queues an outbound request with side effects, to be sent after the apply.
    pub(crate) fn defer_request(&self, req: crate::outbound::OutboundRequest) {
        let at = lock(&self.plan).entries.len();
        lock(&self.deferred).push((at, req));
    }

    /// After the apply: the queued requests, split into those made while the plan had at most
    /// `applied` entries (every change planned before them landed: send them) and the rest.
    pub(crate) fn take_deferred(
        &self,
        applied: usize,
    ) -> (
        Vec<crate::outbound::OutboundRequest>,
        Vec<crate::outbound::OutboundRequest>,
    ) {
        let all = std::mem::take(&mut *lock(&self.deferred));
        let (send, hold): (Vec<_>, Vec<_>) = all.into_iter().partition(|(at, _)| *at <= applied);
        (
            send.into_iter().map(|(_, r)| r).collect(),
            hold.into_iter().map(|(_, r)| r).collect(),
        )
    }

    /// REPL: a fresh write count (the cap applies per input) and no confirmation yet.
    pub(crate) fn reset_writes(&self) {
        *lock(&self.guard) = WriteGuard::new(self.settings.max_writes);
        self.confirmed.store(false, Ordering::Relaxed);
    }

    /// REPL: ask `hook` before a write takes one evaluation past `threshold` tickets.
    pub(crate) fn set_confirm(&self, threshold: u64, hook: ConfirmWrites) {
        *lock(&self.confirm) = Some((threshold, hook));
    }

    /// Hands a log line to the sink whole, and keeps it cut to its maximum length within the
    /// run's bounds (`run_log.rs`).
    pub(crate) fn log(&self, level: &str, message: impl Into<String>) {
        // Secret values never reach the terminal or the run history, even when echoed back.
        let mut line = LogLine {
            at: Utc::now(),
            level: level.to_string(),
            message: self.outbound.redact(&message.into()),
        };
        if let Some(sink) = &self.settings.on_log {
            sink(&line);
        }
        line.message = cut_line(std::mem::take(&mut line.message));
        lock(&self.log).push(line);
    }

    /// A script's `print`: recorded in the run log at `info` like any line (cut and bounded
    /// the same way), but handed whole to the print sink (stdout for `run`), so the script's
    /// output pipes apart from hubscript's logs.
    pub(crate) fn print(&self, message: impl Into<String>) {
        // Like `log`: secret values never reach the terminal or the run history.
        let mut line = LogLine {
            at: Utc::now(),
            level: "info".to_string(),
            message: self.outbound.redact(&message.into()),
        };
        if let Some(sink) = self
            .settings
            .on_print
            .as_ref()
            .or(self.settings.on_log.as_ref())
        {
            sink(&line);
        }
        line.message = cut_line(std::mem::take(&mut line.message));
        lock(&self.log).push(line);
    }

    pub(crate) fn take_log(&self) -> Vec<LogLine> {
        lock(&self.log).take()
    }

    /// The plan, with the labels of its values from the definitions this run read anyway.
    pub(crate) fn take_plan(&self) -> Plan {
        let mut plan = std::mem::take(&mut *lock(&self.plan));
        let properties = self.cached_properties();
        let pipelines = self.cached_pipelines();
        plan.add_labels(
            properties.as_deref().map_or(&[], Vec::as_slice),
            pipelines.as_deref().map_or(&[], Vec::as_slice),
        );
        plan
    }

    /// Records a planned change made by the script line at `pos`.
    pub(crate) fn plan(&self, pos: Position, ticket: &str, change: PlanChange) {
        lock(&self.plan).push_at(pos.line(), ticket, change);
    }

    /// Dry run: the changes planned so far for `ticket`, in order.
    pub(crate) fn planned(&self, ticket: &str) -> Vec<PlanChange> {
        lock(&self.plan)
            .entries
            .iter()
            .filter(|e| e.ticket == ticket)
            .map(|e| e.change.clone())
            .collect()
    }

    /// Tickets changed by this run (see [`Self::writes`]), with the plan already taken.
    pub(crate) fn writes_of(&self, plan: &Plan) -> u64 {
        if self.dry_run() {
            return plan.tickets() as u64;
        }
        self.writes()
    }

    /// Tickets changed by this run: in a dry run the distinct tickets of the plan; otherwise the
    /// tickets whose write HubSpot accepted (a failed or caught write does not count).
    pub(crate) fn writes(&self) -> u64 {
        if self.dry_run() {
            let plan = lock(&self.plan);
            let distinct: HashSet<&str> = plan.entries.iter().map(|e| e.ticket.as_str()).collect();
            return distinct.len() as u64;
        }
        lock(&self.written).len() as u64
    }

    /// Records that HubSpot accepted a write to these existing tickets.
    pub(crate) fn wrote<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let mut w = lock(&self.written);
        for id in ids {
            w.insert(id.to_string());
        }
    }

    /// Records that HubSpot created these tickets: changed tickets of the run, which later
    /// writes in the same run do not count again (summary and `--max-writes` alike).
    pub(crate) fn wrote_new<'a>(&self, ids: impl IntoIterator<Item = &'a str>) {
        let mut w = lock(&self.written);
        for id in ids {
            w.insert(id.to_string());
            self.created_in_run(id);
        }
    }

    /// A ticket this run created (planned or sent): the write guard counted it when it was
    /// created, so a later write to it is no further ticket for `--max-writes`.
    pub(crate) fn created_in_run(&self, id: &str) {
        lock(&self.guard).note_created(id);
    }

    pub(crate) fn add_reads(&self, n: usize) {
        self.reads.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub(crate) fn stop_reason(&self) -> Option<StopReason> {
        lock(&self.stop).clone()
    }

    /// Records why the run stops and returns the (uncatchable) error that stops it.
    pub(crate) fn stop(&self, reason: StopReason, pos: Position) -> Box<EvalAltResult> {
        let token = match &reason {
            StopReason::Timeout(_) => "timeout",
            StopReason::Cancelled => "cancelled",
            StopReason::WriteLimit(_) => "write_limit",
            StopReason::Memory(_) => "memory",
        };
        lock(&self.stop).get_or_insert(reason);
        Box::new(EvalAltResult::ErrorTerminated(token.into(), pos))
    }

    /// The cancel token of the current evaluation.
    pub(crate) fn cancel_token(&self) -> CancellationToken {
        lock(&self.cancel).clone()
    }

    /// Starts a new evaluation (REPL input): a fresh token, no stop reason.
    pub(crate) fn reset_for_eval(&self, cancel: CancellationToken) {
        *lock(&self.cancel) = cancel;
        *lock(&self.stop) = None;
    }

    /// The reason to stop now, if any (cancelled, or past the deadline).
    pub(crate) fn should_stop(&self) -> Option<StopReason> {
        if self.cancel_token().is_cancelled() {
            return Some(StopReason::Cancelled);
        }
        if let Some(limit) = super::memory::exceeded() {
            return Some(StopReason::Memory(limit));
        }
        match (self.deadline, self.settings.timeout) {
            (Some(d), Some(t)) if Instant::now() >= d => Some(StopReason::Timeout(t)),
            _ => None,
        }
    }

    /// THE write policy: every mutating binding calls this before writing or planning.
    pub(crate) fn admit_write(
        &self,
        pos: Position,
        what: &str,
        targets: &[WriteTarget],
    ) -> Result<(), Box<EvalAltResult>> {
        let count = {
            let mut g = lock(&self.guard);
            g.admit(what, targets)
                .map_err(|msg| write_limit_error(&msg, g.count(), pos))?;
            g.count()
        };
        if self.dry_run() || self.confirmed.load(Ordering::Relaxed) {
            return Ok(());
        }
        let confirm = lock(&self.confirm).clone();
        match confirm {
            Some((threshold, hook)) if count > threshold => {
                if hook(count) {
                    self.confirmed.store(true, Ordering::Relaxed);
                    Ok(())
                } else {
                    let msg = format!(
                        "not confirmed: {what} would take this input to {count} changed tickets"
                    );
                    Err(self.stop(StopReason::WriteLimit(msg), pos))
                }
            }
            _ => Ok(()),
        }
    }

    /// Whether `key` (a hint, a warning) is new to this run; remembers it. For messages a
    /// loop would otherwise repeat.
    pub(crate) fn first_time(&self, key: &str) -> bool {
        lock(&self.said).insert(key.to_string())
    }

    pub(crate) fn cached_properties(&self) -> Option<Arc<Vec<Property>>> {
        lock(&self.properties).clone()
    }

    pub(crate) fn cache_properties(&self, p: Vec<Property>) -> Arc<Vec<Property>> {
        let p = Arc::new(p);
        *lock(&self.properties) = Some(p.clone());
        p
    }

    pub(crate) fn cached_pipelines(&self) -> Option<Arc<Vec<Pipeline>>> {
        lock(&self.pipelines).clone()
    }

    pub(crate) fn cache_pipelines(&self, p: Vec<Pipeline>) -> Arc<Vec<Pipeline>> {
        let p = Arc::new(p);
        *lock(&self.pipelines) = Some(p.clone());
        p
    }

    /// Planning: a placeholder id for a ticket the run creates: `dry-run-N` in a dry run,
    /// `new-N` when the plan will be applied (the apply replaces it with the real id).
    pub(crate) fn fake_id(&self) -> String {
        let n = self.next_fake_id.fetch_add(1, Ordering::Relaxed);
        if self.user_dry_run() {
            format!("dry-run-{n}")
        } else {
            format!("new-{n}")
        }
    }

    /// Planning: a ticket the run read before, with `wanted` properties all known (and the
    /// run's planned values applied), so a planned update needs no read of its own.
    pub(crate) fn seen_ticket(&self, id: &str, wanted: &[String]) -> Option<Ticket> {
        let mut t = lock(&self.seen).get(id).cloned()?;
        if !wanted.iter().all(|w| t.properties.contains_key(w)) {
            return None;
        }
        self.apply_overlay(&mut t);
        Some(t)
    }

    pub(crate) fn remember_created(&self, t: &Ticket) {
        lock(&self.created).insert(t.id.clone(), t.clone());
    }

    pub(crate) fn created_ticket(&self, id: &str) -> Option<Ticket> {
        lock(&self.created).get(id).cloned()
    }

    /// Dry run: records planned values of `id` (applied to later reads).
    pub(crate) fn overlay_set(&self, id: &str, props: &BTreeMap<String, String>) {
        if let Some(t) = lock(&self.created).get_mut(id) {
            for (k, v) in props {
                t.properties.insert(k.clone(), Some(v.clone()));
            }
            return;
        }
        let mut o = lock(&self.overlay);
        let e = o.entry(id.to_string()).or_default();
        for (k, v) in props {
            e.insert(k.clone(), v.clone());
        }
    }

    /// Planning: remembers a ticket as read from the backend, then applies the run's
    /// planned values to it. Every read of a ticket passes here.
    pub(crate) fn apply_overlay(&self, t: &mut Ticket) {
        if !self.dry_run() {
            return;
        }
        {
            let mut seen = lock(&self.seen);
            match seen.get_mut(&t.id) {
                Some(known) => {
                    for (k, v) in &t.properties {
                        known.properties.insert(k.clone(), v.clone());
                    }
                    known.updated_at = t.updated_at;
                }
                None => {
                    seen.insert(t.id.clone(), t.clone());
                }
            }
        }
        if let Some(props) = lock(&self.overlay).get(&t.id) {
            for (k, v) in props {
                let v = if v.is_empty() { None } else { Some(v.clone()) };
                t.properties.insert(k.clone(), v);
            }
        }
    }
}

/// The catchable map a write past the budget throws: `#{ status: 0, category: "WRITE_LIMIT",
/// message, changed }`. A script that catches it ends normally with the writes admitted so far.
fn write_limit_error(msg: &str, changed: u64, pos: Position) -> Box<EvalAltResult> {
    let mut m = rhai::Map::new();
    m.insert("status".into(), rhai::Dynamic::from_int(0));
    m.insert("category".into(), WRITE_LIMIT.into());
    m.insert("message".into(), msg.into());
    m.insert("correlationId".into(), "".into());
    m.insert(
        "changed".into(),
        rhai::Dynamic::from_int(i64::try_from(changed).unwrap_or(i64::MAX)),
    );
    m.insert("errors".into(), rhai::Dynamic::from_array(Vec::new()));
    Box::new(EvalAltResult::ErrorRuntime(m.into(), pos))
}
