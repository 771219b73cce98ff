//! `hubscript daemon`: runs every script of a directory whose header has a `schedule`, with
//! catch-up at start, hot reload of the directory (new, edited, broken, deleted files) and
//! graceful shutdown. Owns the table of scheduled scripts; the timing of each script is in
//! `scheduler`, overlap in `overlap`, what a file change means in `reload`.
//!
//! Several daemons may share one state store (PostgreSQL): each fire is claimed there before it
//! runs, so exactly one of them runs it, and a daemon that dies has its claims taken over after
//! their lease (`claims`).
//!
//! This folder holds the daemon's parts: `catch_up` (missed fire times at start), `claims`
//! (exactly-once fires across daemons), `reload`
//! (what a file change means), `scheduler` (one script's timing loop), `overlap` (a fire while
//! the previous run is going) and `run_group` (the shared concurrency limit and graceful
//! shutdown). `watch` reuses the last two through [`RunSlot`] and [`RunGroup`].

mod catch_up;
mod claims;
mod overlap;
mod reload;
mod run_group;
mod scheduler;

pub use claims::{ClaimGuard, DEFAULT_LEASE};
pub(crate) use overlap::{FireOutcome, RunSlot};
pub(crate) use run_group::{RunGroup, Ticket as SlotTicket};

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use self::catch_up::{CatchUpDecision, Missed};
use self::claims::{DaemonClaims, FireClaim};
use self::reload::{decide, Reload};
use self::scheduler::{script_loop, LoopCtx};
use super::clock::{Clock, SystemClock};
use super::error::TriggerError;
use super::events::{Engine, EventScript, EventSetup, EventTable};
use super::fswatch::{is_script, next_batch, watch_dirs};
use super::runner::{Runner, Trigger};
use super::scheduled::ScheduledScript;
use crate::script::header::CatchUp;
use crate::script::header::ScriptHeader;
use crate::script::script_name;
use crate::state::{ClaimSubject, StateDb};

/// Settings of the daemon.
#[derive(Debug, Clone)]
pub struct DaemonConfig {
    /// At most this many runs at once, over all scripts (default 4).
    pub max_concurrent: usize,
    /// How long running scripts may take to finish at shutdown before they are cancelled
    /// (default 10 s).
    pub grace: Duration,
    /// Quiet time that ends a burst of file events (default 50 ms).
    pub debounce: Duration,
    /// Run every script as a plan only (default false).
    pub dry_run: bool,
    /// Set once the schedules are loaded (the `/healthz` readiness of `--listen`).
    pub ready: Option<Arc<std::sync::atomic::AtomicBool>>,
    /// Lease of this daemon's claims: renewed every third of it; a daemon silent for this
    /// long has its running claims taken over by another (default 30 s).
    pub lease: Duration,
    /// Ticket events (change feed, webhooks) for scripts with `on`; `None`: event scripts
    /// are not run.
    pub events: Option<EventSetup>,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        Self {
            max_concurrent: 4,
            grace: Duration::from_secs(10),
            debounce: Duration::from_millis(50),
            dry_run: false,
            ready: None,
            lease: DEFAULT_LEASE,
            events: None,
        }
    }
}

/// A burst of file events is cut after this long.
const MAX_BURST: Duration = Duration::from_secs(1);

/// Runs the daemon over `dir` until `shutdown` is cancelled, then shuts down gracefully.
pub async fn run_daemon(
    dir: PathBuf,
    runner: Arc<dyn Runner>,
    state: StateDb,
    cfg: DaemonConfig,
    shutdown: CancellationToken,
) -> Result<(), TriggerError> {
    run_daemon_with_clock(dir, runner, state, cfg, shutdown, Arc::new(SystemClock)).await
}

/// [`run_daemon`] with an injected wall clock (tests, benches).
pub async fn run_daemon_with_clock(
    dir: PathBuf,
    runner: Arc<dyn Runner>,
    state: StateDb,
    cfg: DaemonConfig,
    shutdown: CancellationToken,
    clock: Arc<dyn Clock>,
) -> Result<(), TriggerError> {
    // Watch first, then scan, so that no change between the two is lost.
    let mut fs = watch_dirs(&[(dir.clone(), false)])?;
    let mut daemon = Daemon::new(dir, runner.clone(), state.clone(), &cfg, clock, &shutdown);
    daemon.scan().await?;
    let listening = daemon.events.borrow().len();
    let engine = match cfg.events.clone() {
        Some(setup) => {
            let mut engine = Engine::new(
                setup,
                state,
                runner,
                daemon.group.clone(),
                cfg.dry_run,
                daemon.events.subscribe(),
            );
            engine.start_cursor();
            Some(tokio::spawn(engine.run(daemon.stop.clone())))
        }
        None => {
            if listening > 0 {
                tracing::warn!("{listening} script(s) listen for ticket events, but ticket events are off: they run on their schedules only");
            }
            None
        }
    };
    if let Some(ready) = &cfg.ready {
        ready.store(true, std::sync::atomic::Ordering::Release);
    }
    tracing::info!(dir = %daemon.dir.display(), scheduled = daemon.scripts.len(), on_events = listening, max_concurrent = daemon.group.slots(), daemon = daemon.ctx.claims.owner(), state = %daemon.ctx.state.describe(), "daemon started");
    if daemon.scripts.is_empty() && listening == 0 {
        tracing::warn!(dir = %daemon.dir.display(), "nothing to do yet: no script here has a `schedule` or `on` header (the daemon keeps watching for one)");
    }
    let mut keep = tokio::time::interval(daemon.ctx.claims.keep_every());
    keep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            _ = keep.tick() => daemon.keep_claims().await,
            batch = next_batch(&mut fs.rx, cfg.debounce, MAX_BURST) => {
                let Some(batch) = batch else { break };
                for path in batch.iter().filter(|p| is_script(p)) {
                    if let Some(name) = path.file_name() {
                        daemon.handle(name.to_os_string(), false).await;
                    }
                }
            }
        }
    }
    daemon.shutdown(cfg.grace).await;
    if let Some(engine) = engine {
        let _ = engine.await;
    }
    Ok(())
}

struct Active {
    version: watch::Sender<Arc<ScheduledScript>>,
    stop: CancellationToken,
    slot: Arc<RunSlot>,
}

/// The table of scheduled scripts and what they share.
pub(crate) struct Daemon {
    dir: PathBuf,
    runner: Arc<dyn Runner>,
    ctx: Arc<LoopCtx>,
    group: RunGroup,
    stop: CancellationToken,
    scripts: BTreeMap<OsString, Active>,
    /// The scripts listening for ticket events (the event engine reads it).
    events: watch::Sender<Arc<EventTable>>,
}

impl Daemon {
    pub(crate) fn new(
        dir: PathBuf,
        runner: Arc<dyn Runner>,
        state: StateDb,
        cfg: &DaemonConfig,
        clock: Arc<dyn Clock>,
        shutdown: &CancellationToken,
    ) -> Self {
        let stop = shutdown.child_token();
        Self {
            dir,
            runner,
            ctx: Arc::new(LoopCtx {
                clock,
                claims: DaemonClaims::new(state.clone(), cfg.lease),
                state,
                dry_run: cfg.dry_run,
            }),
            group: RunGroup::new(cfg.max_concurrent, stop.clone()),
            stop,
            scripts: BTreeMap::new(),
            events: watch::Sender::new(Arc::new(EventTable::new())),
        }
    }

    /// Names of the scheduled script files.
    #[cfg(test)]
    pub(crate) fn scheduled(&self) -> Vec<String> {
        self.scripts
            .keys()
            .map(|k| k.to_string_lossy().into_owned())
            .collect()
    }

    /// Schedules every valid scheduled script of the directory, with catch-up.
    pub(crate) async fn scan(&mut self) -> Result<(), TriggerError> {
        let io_err = |source| TriggerError::Io {
            path: self.dir.clone(),
            source,
        };
        let mut names = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            let path = entry.path();
            if is_script(&path) && path.is_file() {
                names.push(entry.file_name());
            }
        }
        names.sort();
        for name in names {
            self.handle(name, true).await;
        }
        Ok(())
    }

    /// Applies what a change of the file `name` means (`at_start`: the initial scan).
    pub(crate) async fn handle(&mut self, name: OsString, at_start: bool) {
        let path = self.dir.join(&name);
        let on_events = self.handle_events(&path);
        let known = self.scripts.get(&name).map(|a| a.version.borrow().clone());
        let read = std::fs::read_to_string(&path);
        match decide(known.as_deref(), &path, read, &*self.runner) {
            Reload::Schedule(script) => self.schedule(name, script, at_start).await,
            Reload::Update(script) => {
                if let Some(active) = self.scripts.get(&name) {
                    tracing::info!(script = %script.name, schedule = script.schedule.source(), "reloaded: the new version applies from its next run");
                    active.version.send_replace(Arc::new(script));
                }
            }
            Reload::KeepLastGood(error) => {
                tracing::error!(file = %path.display(), "{error} (keeping the last good version running)");
            }
            Reload::Invalid(error) => {
                tracing::error!(file = %path.display(), "{error} (not scheduled)");
            }
            Reload::Unschedule(why) => {
                if let Some(active) = self.scripts.remove(&name) {
                    active.stop.cancel();
                    // A running run may finish; a queued one does not start.
                    active.slot.drop_queued();
                    tracing::info!(file = %path.display(), "unscheduled: {why}");
                }
            }
            // At start nothing is known yet, so "nothing to do" means the header has no
            // `schedule`: say so, so a newcomer sees why a script does not run.
            Reload::Nothing if at_start && !on_events => {
                tracing::info!(file = %path.display(), "ignored: its header has no `schedule` nor `on`");
            }
            Reload::Nothing => {}
        }
    }

    /// Updates the table of event scripts after a change of the file `path`; true if the
    /// script listens for events now.
    fn handle_events(&mut self, path: &std::path::Path) -> bool {
        let name = script_name(path);
        let known = self.events.borrow().get(&name).cloned();
        let forget = |why: &str| {
            if known.is_some() {
                self.events.send_modify(|t| {
                    let mut next = (**t).clone();
                    next.remove(&name);
                    *t = Arc::new(next);
                });
                tracing::info!(file = %path.display(), "no longer listening for ticket events: {why}");
            }
            false
        };
        let source = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return forget("file deleted"),
            Err(_) => return known.is_some(),
        };
        if known.as_ref().is_some_and(|k| *k.source == *source) {
            return true;
        }
        let header = match ScriptHeader::parse(path, &source) {
            Ok(h) => h,
            // The schedule side logs the error; a listening script keeps its last good version.
            Err(_) => return known.is_some(),
        };
        if header.on.is_empty() {
            return forget("its header no longer has `on`");
        }
        if let Err(msg) = self.runner.check(path, &source) {
            // A scheduled script's error is logged by the schedule side.
            if header.schedule.is_none() {
                let what = if known.is_some() {
                    "keeping the last good version listening"
                } else {
                    "not listening for ticket events"
                };
                tracing::error!(file = %path.display(), "{msg} ({what})");
            }
            return known.is_some();
        }
        tracing::info!(script = %name, on = %header.on.describe().join(" "), reenroll = header.reenroll.as_str(), "listening for ticket events");
        let script = Arc::new(EventScript {
            name: name.clone(),
            path: path.to_path_buf(),
            source: source.into(),
            header,
        });
        self.events.send_modify(|t| {
            let mut next = (**t).clone();
            next.insert(name.clone(), script);
            *t = Arc::new(next);
        });
        true
    }

    async fn schedule(&mut self, name: OsString, script: ScheduledScript, at_start: bool) {
        let slot = RunSlot::new(script.name.clone(), self.runner.clone(), self.group.clone());
        let now = self.ctx.clock.now();
        let state = &self.ctx.state;
        let last = state.last_fire(&script.name).unwrap_or_else(|e| {
            tracing::error!(script = %script.name, error = %e, "cannot read the last fire time");
            None
        });
        let record = |at| {
            if let Err(e) = state.set_last_fire(&script.name, at) {
                tracing::error!(script = %script.name, error = %e, "cannot record the fire time");
            }
        };
        match catch_up::decide(&script, last, now) {
            // The daemon starts watching now: downtime from here on counts as missed.
            CatchUpDecision::FirstSeen => record(now),
            CatchUpDecision::UpToDate => {}
            CatchUpDecision::RunOnce(m) if at_start => {
                // Claimed as the last missed fire: daemons starting together catch up once.
                match self.ctx.claims.fire(&script.name, m.last) {
                    FireClaim::Run(claim) => {
                        tracing::info!(script = %script.name, "{} (catch_up = \"once\"): running once now", describe(&m, &script));
                        record(m.last);
                        let mut job = script.job(Trigger::CatchUp, self.ctx.dry_run);
                        job.claim = claim;
                        slot.fire(job, script.header.overlap).await;
                    }
                    FireClaim::Skip => record(m.last),
                }
            }
            CatchUpDecision::RunOnce(m) | CatchUpDecision::Skip(m) => {
                tracing::info!(script = %script.name, "{} (catch_up = \"{}\"): skipped", describe(&m, &script), if at_start { "skip" } else { "once, only at daemon start" });
                record(m.last);
            }
        }
        let next = script.schedule.next_after(now, script.tz);
        tracing::info!(script = %script.name, schedule = script.schedule.source(), timezone = %script.tz, next = ?next.map(|t| t.with_timezone(&script.tz).to_rfc3339()), "scheduled");
        let (version, rx) = watch::channel(Arc::new(script));
        let stop = self.stop.child_token();
        tokio::spawn(script_loop(
            rx,
            slot.clone(),
            self.ctx.clone(),
            stop.clone(),
        ));
        self.scripts.insert(
            name,
            Active {
                version,
                stop,
                slot,
            },
        );
    }

    /// Renews this daemon's claims, then takes over claims whose daemon stopped renewing them:
    /// their runs are marked interrupted, and a fire of a script scheduled here whose
    /// `catch_up` is `"once"` runs again (as a catch-up run).
    pub(crate) async fn keep_claims(&mut self) {
        let claims = self.ctx.claims.clone();
        claims.renew();
        for expired in claims.expired() {
            let here = self
                .scripts
                .values()
                .find(|a| a.version.borrow().name == expired.script);
            let is_fire =
                ClaimSubject::from_key(&expired.subject).is_some_and(|s| s.fire_time().is_some());
            let rerun = is_fire
                && here.is_some_and(|a| a.version.borrow().header.catch_up == CatchUp::Once);
            let Some((_, guard)) = claims.take_over(&expired, rerun) else {
                continue;
            };
            if let (Some(active), Some(guard)) = (here, guard) {
                let script = active.version.borrow().clone();
                let mut job = script.job(Trigger::CatchUp, self.ctx.dry_run);
                job.claim = Some(guard);
                active.slot.fire(job, script.header.overlap).await;
            }
        }
    }

    /// Stops every schedule, then waits for running runs (grace, then cancel).
    pub(crate) async fn shutdown(&mut self, grace: Duration) {
        for active in self.scripts.values() {
            active.stop.cancel();
        }
        self.group.shutdown(grace).await;
        tracing::info!("daemon stopped");
    }
}

fn describe(m: &Missed, s: &ScheduledScript) -> String {
    let more = if m.capped { "+" } else { "" };
    format!(
        "missed {}{more} fire time(s) while down, from {} to {}",
        m.count,
        m.first.with_timezone(&s.tz).to_rfc3339(),
        m.last.with_timezone(&s.tz).to_rfc3339()
    )
}

#[cfg(test)]
mod tests;
