//! [`ScriptHost`]: the one entry point the CLI, triggers and REPL use to check and run scripts.
//!
//! Owns compilation (size cap, header, AST cache keyed by a hash of path and content), the
//! run lifecycle (options merged with the header, a `spawn_blocking` thread per run, the run
//! recorded in `state.db` with what `run_record.rs` gathers) and the outcome. It must not
//! print: callers get strings.
//!
//! A run plans, then applies: the script runs with real reads and recorded writes (what a dry
//! run does), and when it ends without an error the recorded changes are applied by
//! [`super::apply`] (batched, after a drift check) and the script's `state::` writes are
//! committed up to the first change that was not applied. A script that fails applies
//! nothing. `--dry-run` stops after planning; the header's `apply = "immediate"` sends each
//! write when the script makes it, as before.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use rhai::{Module, AST};
use serde::Serialize;
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use crate::backend::{CallStats, Counted, TicketsBackend};
use crate::model::{TicketChange, TicketEvent};
use crate::outbound::RequestRecord;
use crate::state::{LogLine, RunEnd, RunId, RunStart, RunStatus, StateDb};

use super::apply::{self, ApplyOptions, ApplyReport, DriftCheck};
use super::context::{LogSink, RunCtx, RunSettings, StateWrite};
use super::engine::{self, Shared};
use super::error::{Diagnostic, ScriptError};
use super::header::{ApplyMode, HeaderError, ScriptHeader};
use super::limits;
use super::memory;
use super::outbound;
use super::plan::{Plan, RunSummary};
use super::render;
use super::run_record;

/// How far before the run started the drift check looks for modified tickets (our clock
/// against HubSpot's).
const DRIFT_CLOCK_MARGIN_SECS: i64 = 60;

/// A script that compiled and whose header is valid.
#[derive(Clone)]
pub struct CompiledScript {
    /// Script name: the file stem (also its `state::` namespace).
    pub name: String,
    /// The path as given.
    pub path: PathBuf,
    /// The parsed header.
    pub header: ScriptHeader,
    /// Hash of path and content (the cache key).
    pub hash: u64,
    ast: Arc<AST>,
}

impl std::fmt::Debug for CompiledScript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledScript")
            .field("name", &self.name)
            .field("path", &self.path)
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

/// How to run a script.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Plan writes instead of sending them.
    pub dry_run: bool,
    /// `--arg key=value` arguments.
    pub args: BTreeMap<String, String>,
    /// Wall-clock limit; overrides the header's `timeout`; with neither,
    /// [`limits::DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
    /// Write cap; overrides the header's `max_writes`. Against a live portal the default is
    /// [`limits::DEFAULT_LIVE_MAX_WRITES`].
    pub max_writes: Option<u64>,
    /// What started the run: `run`, `watch`, `schedule` and `catch_up` (daemon), `repl`, `undo`.
    pub trigger: String,
    /// The run this one undoes (recorded).
    pub undo_of: Option<RunId>,
    /// The daemon's claim this run fulfils (recorded with the run, see `state::claims`).
    pub claim: Option<crate::state::ClaimId>,
    /// Memory budget in bytes; overrides the header's `memory`; with neither,
    /// [`memory::DEFAULT_MEMORY`]. Applies to the whole process (see [`memory`]).
    pub memory: Option<u64>,
    /// The ticket event that started the run (trigger `event`), read through `event::`.
    pub event: Option<Arc<TicketEvent>>,
}

/// Told the run's id as soon as its start is recorded (a daemon's child process reports it to
/// its parent, which settles the run if the child dies).
pub type StartSink = Arc<dyn Fn(RunId) + Send + Sync>;

/// One run to perform.
#[derive(Clone)]
pub struct RunRequest {
    /// The script file (names it in errors; its stem names its state).
    pub path: PathBuf,
    /// Its content.
    pub source: String,
    /// Options.
    pub options: RunOptions,
    /// Cancels the run (Ctrl-C, shutdown, a replacing run).
    pub cancel: CancellationToken,
    /// Receives each log line as it is written.
    pub on_log: Option<LogSink>,
    /// Receives each `print` line (stdout for `run`); `None` sends them to `on_log`.
    pub on_print: Option<LogSink>,
    /// Receives the run's id once its start is recorded.
    pub on_start: Option<StartSink>,
}

/// How a run went.
#[derive(Debug, Clone, Serialize)]
pub struct RunOutcome {
    /// Its id in `state.db` (`None` if it could not be recorded).
    pub run_id: Option<RunId>,
    /// The recorded status.
    pub status: RunStatus,
    /// The error it ended with.
    #[serde(serialize_with = "error_text")]
    pub error: Option<ScriptError>,
    /// Counts and duration.
    pub summary: RunSummary,
    /// Planned changes (dry run and plan-then-apply runs; empty for immediate runs).
    pub plan: Plan,
    /// The changes as recorded: a dry run's plan, or what a real run landed.
    pub changes: Vec<TicketChange>,
    /// What applying the plan did (plan-then-apply runs whose script succeeded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub apply: Option<ApplyReport>,
    /// The run's log lines.
    pub log: Vec<LogLine>,
    /// Outbound HTTP requests, sent or (dry run) planned, secrets shown by name.
    pub requests: Vec<RequestRecord>,
    /// Why the run could not be recorded in `state.db` (its start or its end), if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_error: Option<String>,
}

/// The run's row in `state.db`, or why it has none.
struct RunRecording {
    id: Option<RunId>,
    error: Option<String>,
}

fn error_text<S: serde::Serializer>(e: &Option<ScriptError>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_some(&serde_json::json!({
            "kind": e.kind(),
            "message": e.to_string(),
            "rendered": e.render(),
            "diagnostic": e.diagnostic(),
        })),
        None => s.serialize_none(),
    }
}

/// How a run ended, before it is recorded.
struct Ending {
    error: Option<ScriptError>,
    summary: RunSummary,
    plan: Plan,
    log: Vec<LogLine>,
    changes: Vec<TicketChange>,
    calls: crate::backend::CallCounts,
    requests: Vec<RequestRecord>,
}

impl Ending {
    /// A run that ended before its script ran.
    fn early(error: ScriptError, summary: RunSummary) -> Self {
        Self {
            error: Some(error),
            summary,
            plan: Plan::default(),
            log: Vec::new(),
            changes: Vec::new(),
            calls: Default::default(),
            requests: Vec::new(),
        }
    }
}

/// Checks and runs scripts against one backend. Cheap to clone.
#[derive(Clone)]
pub struct ScriptHost {
    backend: Arc<dyn TicketsBackend>,
    state: StateDb,
    handle: Handle,
    shared: Arc<Shared>,
    cache: Arc<Mutex<HashMap<u64, CompiledScript>>>,
    slots: Arc<tokio::sync::Semaphore>,
    /// A live portal's id, asked once per host (`None` inside: asked and not answered).
    portal: Arc<tokio::sync::OnceCell<Option<u64>>>,
    /// Validates the header's `schedule` (the cron dialect is the triggers layer's, which this
    /// layer must not import: the CLI hands its parser in), so `run` and `check` refuse a bad
    /// cron expression alike.
    schedule_check: Option<ScheduleCheck>,
    /// The API's functions, read once from the engine's metadata for the call check.
    catalog: Arc<std::sync::OnceLock<Vec<super::api::FnInfo>>>,
}

/// Validates a cron expression: `Err` says what is wrong with it.
pub type ScheduleCheck = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// The name a script is known by in run records and the state store: its file stem (`escalate`
/// for `escalate.rhai`). Defined once here; the triggers and the CLI name scripts with it.
pub fn script_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

impl ScriptHost {
    /// A host over `backend`, recording runs and script state in `state`; host calls block on
    /// `handle` (a multi-thread runtime).
    pub fn new(backend: Arc<dyn TicketsBackend>, state: StateDb, handle: Handle) -> Self {
        Self {
            backend,
            state,
            handle,
            shared: Arc::new(Shared::new()),
            cache: Arc::new(Mutex::new(HashMap::new())),
            slots: Arc::new(tokio::sync::Semaphore::new(limits::MAX_CONCURRENT_RUNS)),
            portal: Arc::new(tokio::sync::OnceCell::new()),
            schedule_check: None,
            catalog: Arc::default(),
        }
    }

    /// This host validates each script's `schedule` header with `check` (see [`ScheduleCheck`]).
    pub fn with_schedule_check(mut self, check: ScheduleCheck) -> Self {
        self.schedule_check = Some(check);
        self
    }

    /// The backend runs use.
    pub(super) fn backend(&self) -> &Arc<dyn TicketsBackend> {
        &self.backend
    }

    /// The state store runs are recorded in.
    pub(super) fn state(&self) -> &StateDb {
        &self.state
    }

    /// The portal id of a live backend, from `/account-info/v3/details` (asked once; a failure
    /// is logged and recorded as unknown, never fatal). Not asked for other backends, so a run
    /// against a test server makes no call it did not ask for.
    pub(super) async fn portal_id(&self) -> Option<u64> {
        if !self.backend.is_live() {
            return None;
        }
        *self
            .portal
            .get_or_init(|| async {
                match self.backend.account_details().await {
                    Ok(d) => Some(d.portal_id),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not read the portal id for the run record");
                        None
                    }
                }
            })
            .await
    }

    async fn start_record(
        &self,
        req: &RunRequest,
        compiled: Option<&CompiledScript>,
    ) -> RunRecording {
        let start = RunStart {
            script: script_name(&req.path),
            trigger: req.options.trigger.clone(),
            started_at: Utc::now(),
            dry_run: req.options.dry_run,
            backend: run_record::backend_record(self.backend.as_ref(), self.portal_id().await),
            script_path: req.path.display().to_string(),
            script_text: req.source.clone(),
            args: req.options.args.clone(),
            header: compiled.map_or_else(
                || serde_json::json!({}),
                |c| run_record::header_json(&c.header),
            ),
            user: run_record::user(),
            host: run_record::host(),
            undo_of: req.options.undo_of,
            claim: req.options.claim,
        };
        match self.state.start_run(&start) {
            Ok(id) => {
                if let Some(tell) = &req.on_start {
                    tell(id);
                }
                RunRecording {
                    id: Some(id),
                    error: None,
                }
            }
            Err(e) => RunRecording {
                id: None,
                error: Some(format!("cannot record the start of the run: {e}")),
            },
        }
    }

    /// Adds an embedder module, mounted as `name::` next to the ticket API. Call before the
    /// first check or run (the AST cache is cleared).
    pub fn with_module(mut self, name: &str, module: Module) -> Self {
        let mut shared = Shared::new();
        shared.extra = self.shared.extra.clone();
        shared.extra.push((name.to_string(), module.into()));
        self.shared = Arc::new(shared);
        self.cache = Arc::new(Mutex::new(HashMap::new()));
        self
    }

    fn settings(&self, name: String, trigger: String, cancel: CancellationToken) -> RunSettings {
        RunSettings {
            script: name,
            trigger,
            dry_run: false,
            plan_then_apply: false,
            args: BTreeMap::new(),
            timeout: None,
            max_writes: None,
            cancel,
            on_log: None,
            on_print: None,
            zone: chrono_tz::Tz::UTC,
            calendar: crate::calendar::BusinessCalendar::default(),
            http: crate::outbound::AllowList::default(),
            env: Vec::new(),
            event: None,
        }
    }

    /// An engine configured like a run's, bound to a context that never runs.
    pub(crate) fn reference_engine(&self) -> rhai::Engine {
        let s = self.settings("check".into(), "check".into(), CancellationToken::new());
        let ctx = Arc::new(RunCtx::new(
            self.backend.clone(),
            self.state.clone(),
            self.handle.clone(),
            s,
        ));
        engine::build(&self.shared, &ctx)
    }

    /// An interactive session with `options` (dry run, args, write cap; `timeout` is ignored:
    /// Ctrl-C cancels an input through the token given to [`super::ReplSession::eval`]).
    pub fn repl(&self, options: RunOptions) -> super::ReplSession {
        let mut settings = self.settings("repl".into(), "repl".into(), CancellationToken::new());
        settings.dry_run = options.dry_run;
        settings.args = options.args.clone();
        settings.max_writes = options.max_writes.or(self
            .backend
            .is_live()
            .then_some(limits::DEFAULT_LIVE_MAX_WRITES));
        let stats = Arc::new(CallStats::default());
        let counted = Arc::new(Counted::new(self.backend.clone(), stats.clone()));
        let recorder = super::repl_record::ReplRecorder {
            counted: counted.clone(),
            stats,
            state: self.state.clone(),
            backend: run_record::backend_record(
                self.backend.as_ref(),
                self.portal.get().copied().flatten(),
            ),
            args: options.args,
        };
        memory::set_limit(Some(options.memory.unwrap_or(memory::DEFAULT_MEMORY)));
        let ctx = Arc::new(RunCtx::new(
            counted,
            self.state.clone(),
            self.handle.clone(),
            settings,
        ));
        super::ReplSession {
            engine: engine::build(&self.shared, &ctx),
            scope: rhai::Scope::new(),
            ast: AST::empty(),
            ctx,
            plan: Plan::default(),
            recorder: Some(recorder),
            shown_properties: Vec::new(),
        }
    }

    /// Compiles `source` and parses its header; nothing runs. Errors render with a caret.
    pub fn check(&self, path: &Path, source: &str) -> Result<CompiledScript, ScriptError> {
        let file = path.display().to_string();
        if source.len() > limits::MAX_SCRIPT_BYTES {
            return Err(ScriptError::Limit(Box::new(Diagnostic::bare(
                file,
                format!(
                    "the script is {} bytes; the limit is {} bytes",
                    source.len(),
                    limits::MAX_SCRIPT_BYTES
                ),
            ))));
        }
        let (header, mut errors) = ScriptHeader::read(path, source);
        if let (Some(check), Some(expr)) = (&self.schedule_check, &header.schedule) {
            if let Err(message) = check(expr) {
                let line = ScriptHeader::line_of(source, "schedule").unwrap_or(1);
                errors.push(HeaderError {
                    file: file.clone(),
                    line,
                    message,
                });
                errors.sort_by_key(|e| e.line);
            }
        }
        if !errors.is_empty() {
            return Err(render::header_errors(source, errors));
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        file.hash(&mut h);
        source.hash(&mut h);
        let hash = h.finish();
        if let Some(c) = self
            .cache
            .lock()
            .expect("AST cache lock poisoned")
            .get(&hash)
        {
            return Ok(c.clone());
        }
        let mut ast = self
            .reference_engine()
            .compile(source)
            .map_err(|e| render::from_parse(&e, &file, source))?;
        ast.set_source(file.as_str());
        if let Some((pos, message)) = super::literal_urls::refused_literal_url(&ast, &header.http) {
            return Err(ScriptError::Header(Box::new(render::at(
                &file, source, pos, message,
            ))));
        }
        let catalog = self
            .catalog
            .get_or_init(|| super::api::functions(&self.reference_engine()));
        let mut bad = super::api_calls::bad_api_calls(&ast, catalog)
            .into_iter()
            .map(|(pos, message)| render::at(&file, source, pos, message));
        if let Some(mut first) = bad.next() {
            // A call that cannot succeed is refused before the run, like a syntax error.
            first.related = bad.collect();
            return Err(ScriptError::Syntax(Box::new(first)));
        }
        let compiled = CompiledScript {
            name: script_name(path),
            path: path.to_path_buf(),
            header,
            hash,
            ast: Arc::new(ast),
        };
        let mut cache = self.cache.lock().expect("AST cache lock poisoned");
        if cache.len() >= limits::AST_CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(hash, compiled.clone());
        Ok(compiled)
    }

    /// Runs a script on a blocking thread and records the run in `state.db`.
    pub async fn run(&self, req: RunRequest) -> RunOutcome {
        let started = Instant::now();
        let name = script_name(&req.path);
        let file = req.path.display().to_string();
        let dry_run = req.options.dry_run;
        let checked = self.check(&req.path, &req.source);
        let run_id = self.start_record(&req, checked.as_ref().ok()).await;
        let compiled = match checked {
            Ok(c) => c,
            Err(e) => {
                let summary = RunSummary {
                    duration: started.elapsed(),
                    dry_run,
                    ..RunSummary::default()
                };
                return self.finish(run_id, Ending::early(e, summary));
            }
        };
        let max_writes = req
            .options
            .max_writes
            .or(compiled.header.max_writes)
            .or(self
                .backend
                .is_live()
                .then_some(limits::DEFAULT_LIVE_MAX_WRITES));
        let mut settings = self.settings(name, req.options.trigger.clone(), req.cancel.clone());
        settings.dry_run = dry_run;
        settings.plan_then_apply = !dry_run && compiled.header.apply == ApplyMode::Plan;
        settings.args = req.options.args.clone();
        // `--timeout 0` (or `timeout = "0s"` in the header) means no wall-clock limit, as the
        // help says: the run ends when the script does or on Ctrl-C / SIGTERM.
        settings.timeout = Some(
            req.options
                .timeout
                .or(compiled.header.timeout)
                .unwrap_or(limits::DEFAULT_TIMEOUT),
        )
        .filter(|t| !t.is_zero());
        settings.max_writes = max_writes;
        settings.on_log = req.on_log.clone();
        settings.on_print = req.on_print.clone();
        settings.zone = compiled.header.zone();
        settings.calendar = compiled.header.business_calendar();
        settings.http = compiled.header.http.clone();
        settings.env = compiled.header.env.clone();
        settings.event = req.options.event.clone();
        let slot = tokio::select! {
            biased;
            () = req.cancel.cancelled() => None,
            s = self.slots.clone().acquire_owned() => s.ok(),
        };
        let Some(_slot) = slot else {
            let e = ScriptError::Cancelled(Box::new(Diagnostic::bare(
                file,
                "the run was cancelled before it started",
            )));
            let summary = RunSummary {
                duration: started.elapsed(),
                dry_run,
                ..RunSummary::default()
            };
            return self.finish(run_id, Ending::early(e, summary));
        };
        let stats = Arc::new(CallStats::default());
        let counted = Arc::new(Counted::new(self.backend.clone(), stats.clone()));
        let ctx = Arc::new(RunCtx::new(
            counted.clone(),
            self.state.clone(),
            self.handle.clone(),
            settings,
        ));
        let engine = engine::build(&self.shared, &ctx);
        let ast = compiled.ast.clone();
        // The drift check looks for tickets modified since the run started reading, with a
        // margin for the difference between this clock and HubSpot's.
        let reads_from = Utc::now() - chrono::Duration::seconds(DRIFT_CLOCK_MARGIN_SECS);
        memory::set_limit(Some(
            req.options
                .memory
                .or(compiled.header.memory)
                .unwrap_or(memory::DEFAULT_MEMORY),
        ));
        let joined = tokio::task::spawn_blocking(move || engine.run_ast(&ast)).await;
        // The budget bounds the script; recording how it ended (its log included) is
        // hubscript's own work and must not be cut short by it.
        memory::set_limit(None);
        let mut error = match joined {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(render::from_eval(
                &e,
                &file,
                &req.source,
                ctx.stop_reason().as_ref(),
            )),
            Err(e) => Some(ScriptError::Host(format!("the run's thread failed: {e}"))),
        };
        // A script that throws an answer echoing a secret does not print or record it.
        if let Some(e) = error.as_mut() {
            e.redact_with(|s| ctx.outbound.redact(s));
        }
        let plan = ctx.take_plan();
        let mut summary = RunSummary {
            reads: ctx.reads.load(Ordering::Relaxed),
            writes: ctx.writes_of(&plan),
            planned: plan.entries.len() as u64,
            dry_run,
            ..RunSummary::default()
        };
        let mut report = None;
        if ctx.settings.plan_then_apply && error.is_none() {
            let options = ApplyOptions {
                drift: Some(DriftCheck::ModifiedSince(reads_from)),
                properties: ctx.cached_properties(),
                cancel: req.cancel.clone(),
            };
            // Through the counting wrapper: the apply's calls are counted and its changes
            // recorded like any write.
            let r = apply::apply(counted.as_ref(), &plan, &options).await;
            error = self.after_apply(&ctx, &r, &file);
            outbound::send_deferred(&ctx, Some(r.applied_prefix())).await;
            summary.writes = r.tickets_applied();
            summary.applied = r.applied();
            summary.conflicts = r.conflicts();
            summary.failed = r.failed();
            report = Some(r);
        } else if ctx.settings.plan_then_apply {
            summary.writes = 0;
            outbound::send_deferred(&ctx, None).await;
        }
        let requests = ctx.outbound.records();
        summary.outbound_requests = requests.len() as u64;
        let mut changes = if dry_run {
            run_record::from_plan(&plan)
        } else {
            run_record::with_old_values(counted.take_landed(), &plan)
        };
        if run_record::needs_labels(&changes) {
            // stage labels make `runs show` readable; a run that read pipelines has them cached,
            // otherwise this is one more (counted) read
            let pipelines = match ctx.cached_pipelines() {
                Some(p) => Some(p),
                None => counted.pipelines().await.ok().map(Arc::new),
            };
            if let Some(p) = pipelines {
                run_record::add_labels(&mut changes, &p);
            }
        }
        // HTTP requests actually sent: every backend call (a chunk of a batch, a page of a
        // search is one) plus every repeated attempt (after a 429, a 5xx, a timeout).
        let calls = stats.snapshot();
        summary.api_calls = calls.calls() + calls.retries;
        summary.api_reads = calls.reads;
        summary.api_writes = calls.writes;
        summary.retries = calls.retries;
        summary.rate_limit_waits = calls.rate_limit_waits;
        summary.duration = started.elapsed();
        let ending = Ending {
            error,
            summary,
            plan,
            log: ctx.take_log(),
            changes,
            calls,
            requests,
        };
        let mut outcome = self.finish(run_id, ending);
        outcome.apply = report;
        outcome
    }

    /// After an apply: logs each change not applied, commits the `state::` writes made
    /// before the first such change, and returns the run's error when changes failed.
    fn after_apply(&self, ctx: &RunCtx, r: &ApplyReport, file: &str) -> Option<ScriptError> {
        for p in r.problems() {
            ctx.log("warn", p);
        }
        let writes = ctx.state_writes_up_to(r.applied_prefix());
        let total = ctx.state_writes_up_to(usize::MAX).len();
        let mut state_error = None;
        for (key, write) in &writes {
            let script = &ctx.settings.script;
            let done = match write {
                StateWrite::Set(v) => self.state.kv_set(script, key, v),
                StateWrite::Remove => self.state.kv_remove(script, key).map(|_| ()),
                StateWrite::Add(by) => self.state.kv_add(script, key, by).map(|_| ()),
            };
            if let Err(e) = done {
                state_error = Some(format!("state::{key} could not be saved: {e}"));
                break;
            }
        }
        if writes.len() < total {
            ctx.log(
                "warn",
                format!(
                    "state: kept {} of {total} state::set/add/remove (those made before the first change that was not applied)",
                    writes.len()
                ),
            );
        }
        if r.failed() > 0 {
            let first = r
                .problems()
                .into_iter()
                .find(|p| !p.contains(": conflict: "));
            return Some(ScriptError::Apply(format!(
                "{file}: {} of {} planned changes were not applied; first: {}",
                r.failed(),
                r.outcomes.len(),
                first.unwrap_or_default()
            )));
        }
        state_error.map(ScriptError::Host)
    }

    fn finish(&self, recording: RunRecording, ending: Ending) -> RunOutcome {
        let Ending {
            error,
            summary,
            plan,
            log,
            changes,
            calls,
            requests,
        } = ending;
        let status = match &error {
            None => RunStatus::Ok,
            Some(ScriptError::Timeout(_)) => RunStatus::TimedOut,
            Some(ScriptError::Cancelled(_)) => RunStatus::Cancelled,
            Some(_) => RunStatus::Failed,
        };
        let rendered = error.as_ref().map(ScriptError::render);
        let RunRecording {
            id: mut run_id,
            error: mut record_error,
        } = recording;
        if let Some(id) = run_id {
            let count = changes.len() as u64;
            let end = RunEnd {
                reads: summary.reads,
                writes: summary.writes,
                planned: if summary.dry_run {
                    count
                } else {
                    count.max(plan.entries.len() as u64)
                },
                applied: if summary.dry_run {
                    0
                } else if summary.planned > 0 {
                    summary.applied
                } else {
                    count
                },
                conflicts: summary.conflicts,
                failed: summary.failed,
                api_calls: summary.api_calls,
                api_reads: calls.reads,
                api_writes: calls.writes,
                retries: calls.retries,
                rate_limit_waits: calls.rate_limit_waits,
                changes: &changes,
                error: rendered.as_deref(),
                log: &log,
            };
            if let Err(e) = self.state.finish_run(id, status, Utc::now(), &end) {
                run_id = None;
                record_error = Some(format!("cannot record the end of run {id}: {e}"));
            }
        }
        RunOutcome {
            run_id,
            status,
            error,
            summary,
            plan,
            changes,
            apply: None,
            log,
            requests,
            record_error,
        }
    }
}
