//! `hubscript watch`: reruns scripts when their files change. Watches directories (so that
//! saves through a temporary file and a rename are seen), debounces bursts, runs each changed
//! `.rhai` script once per burst; a change that arrives while the script runs queues ONE
//! rerun. Against a live portal runs are plans (dry run) unless `apply` is set. Output is the
//! [`Runner`]'s job; this module only clears the screen when asked.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::daemon::{FireOutcome, RunGroup, RunSlot};
use super::error::TriggerError;
use super::fswatch::{is_script, next_batch, watch_dirs};
use super::runner::{Job, RunResult, Runner, Trigger};
use crate::script::header::{Overlap, ScriptHeader};

/// ANSI: clear the screen and move the cursor home.
pub const CLEAR_SCREEN: &str = "\x1b[2J\x1b[H";

/// A burst of file events is cut after this long.
const MAX_BURST: Duration = Duration::from_secs(1);

/// Settings of `watch`.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// Directories (watched recursively) or single script files (default `scripts/`).
    pub paths: Vec<PathBuf>,
    /// Write for real against a live portal.
    pub apply: bool,
    /// The backend is a live HubSpot portal (not the sandbox).
    pub live: bool,
    /// Clear the screen before each run.
    pub clear: bool,
    /// Run every watched script once at start (`--run-now`).
    pub run_now: bool,
    /// Quiet time that ends a burst of events (default 50 ms).
    pub debounce: Duration,
    /// How long a running script may take to finish at shutdown (default 10 s).
    pub grace: Duration,
}

impl Default for WatchConfig {
    fn default() -> Self {
        Self {
            paths: vec![PathBuf::from("scripts")],
            apply: false,
            live: false,
            clear: false,
            run_now: false,
            debounce: Duration::from_millis(50),
            grace: Duration::from_secs(10),
        }
    }
}

impl WatchConfig {
    /// Runs only plan unless `apply`, when the portal is live.
    pub fn dry_run(&self) -> bool {
        self.live && !self.apply
    }
}

/// Watches `cfg.paths` until `shutdown`, then lets a running script finish (grace period).
pub async fn run_watch(
    cfg: WatchConfig,
    runner: Arc<dyn Runner>,
    shutdown: CancellationToken,
) -> Result<(), TriggerError> {
    let targets = WatchTargets::resolve(&cfg.paths)?;
    let mut fs = watch_dirs(&targets.watches())?;
    let runner: Arc<dyn Runner> = if cfg.clear {
        Arc::new(ClearingRunner::new(runner, Box::new(std::io::stdout())))
    } else {
        runner
    };
    let mut session = WatchSession::new(cfg.clone(), runner, targets, &shutdown);
    tracing::info!(paths = ?cfg.paths, dry_run = cfg.dry_run(), "watching for changes");
    if cfg.run_now {
        // After the watcher is set up, so a change made during these runs is not missed.
        session.on_batch(&targets_scripts(&session.targets)).await;
    }
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            batch = next_batch(&mut fs.rx, cfg.debounce, MAX_BURST) => {
                let Some(batch) = batch else { break };
                session.on_batch(&batch).await;
            }
        }
    }
    session.group.shutdown(cfg.grace).await;
    Ok(())
}

/// What is watched: directories (recursively) and single files (through their directory).
#[derive(Debug, Clone, Default)]
pub(crate) struct WatchTargets {
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

impl WatchTargets {
    /// Resolves the paths given on the command line (absolute, symlinks resolved).
    pub(crate) fn resolve(paths: &[PathBuf]) -> Result<Self, TriggerError> {
        let mut t = Self::default();
        for p in paths {
            let abs = p.canonicalize().map_err(|e| TriggerError::WatchInit {
                path: p.clone(),
                message: format!("{e} (give a directory of scripts or a .rhai file)"),
            })?;
            if abs.is_dir() {
                t.dirs.push(abs);
            } else {
                t.files.push(abs);
            }
        }
        Ok(t)
    }

    fn watches(&self) -> Vec<(PathBuf, bool)> {
        let mut w: Vec<(PathBuf, bool)> = self.dirs.iter().map(|d| (d.clone(), true)).collect();
        for f in &self.files {
            if let Some(parent) = f.parent() {
                if !w.iter().any(|(d, _)| d == parent) {
                    w.push((parent.to_path_buf(), false));
                }
            }
        }
        w
    }

    /// True if a change of `path` concerns a watched script.
    pub(crate) fn wants(&self, path: &Path) -> bool {
        is_script(path)
            && (self.files.iter().any(|f| f == path)
                || self.dirs.iter().any(|d| path.starts_with(d)))
    }
}

/// Every script the targets name: the single files, and the `.rhai` files under the
/// directories (recursively), for `--run-now`.
fn targets_scripts(t: &WatchTargets) -> BTreeSet<PathBuf> {
    fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if is_script(&p) {
                out.insert(p);
            }
        }
    }
    let mut out: BTreeSet<PathBuf> = t.files.iter().cloned().collect();
    for d in &t.dirs {
        walk(d, &mut out);
    }
    out
}

/// The runs of one watch session: one slot per script, queue-one-rerun policy.
pub(crate) struct WatchSession {
    cfg: WatchConfig,
    runner: Arc<dyn Runner>,
    targets: WatchTargets,
    group: RunGroup,
    slots: HashMap<PathBuf, Arc<RunSlot>>,
}

impl WatchSession {
    pub(crate) fn new(
        cfg: WatchConfig,
        runner: Arc<dyn Runner>,
        targets: WatchTargets,
        shutdown: &CancellationToken,
    ) -> Self {
        Self {
            cfg,
            runner,
            targets,
            // One script at a time per file; different files may run side by side.
            group: RunGroup::new(4, shutdown.child_token()),
            slots: HashMap::new(),
        }
    }

    /// Runs each changed script of a burst once (or queues one rerun if it is running).
    pub(crate) async fn on_batch(
        &mut self,
        batch: &BTreeSet<PathBuf>,
    ) -> Vec<(PathBuf, FireOutcome)> {
        let mut out = Vec::new();
        for path in batch.iter().filter(|p| self.targets.wants(p)) {
            let source = match std::fs::read_to_string(path) {
                Ok(s) => s,
                // Deleted, or the temporary name of a rename-save: nothing to run.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "cannot read the changed script");
                    continue;
                }
            };
            // Header errors are reported by the run itself; here they only mean no limits.
            let header = ScriptHeader::parse(path, &source).unwrap_or_default();
            let job = Job {
                path: path.clone(),
                source: source.into(),
                dry_run: self.cfg.dry_run(),
                trigger: Trigger::Watch,
                timeout: header.timeout,
                max_writes: header.max_writes,
                memory: header.memory,
                claim: None,
                event: None,
            };
            let slot = self
                .slots
                .entry(path.clone())
                .or_insert_with(|| {
                    RunSlot::new(
                        path.display().to_string(),
                        self.runner.clone(),
                        self.group.clone(),
                    )
                })
                .clone();
            let outcome = slot.fire(job, Overlap::Queue).await;
            out.push((path.clone(), outcome));
        }
        out
    }
}

/// Clears the screen before each run, then runs it with the inner runner.
pub(crate) struct ClearingRunner {
    inner: Arc<dyn Runner>,
    out: Mutex<Box<dyn Write + Send>>,
}

impl ClearingRunner {
    pub(crate) fn new(inner: Arc<dyn Runner>, out: Box<dyn Write + Send>) -> Self {
        Self {
            inner,
            out: Mutex::new(out),
        }
    }
}

#[async_trait]
impl Runner for ClearingRunner {
    async fn run(&self, job: Job, cancel: CancellationToken) -> RunResult {
        {
            let mut out = self.out.lock().expect("screen lock poisoned");
            // A terminal that cannot be cleared is no reason to skip the run.
            let _ = out.write_all(CLEAR_SCREEN.as_bytes());
            let _ = out.flush();
        }
        self.inner.run(job, cancel).await
    }

    fn check(&self, path: &Path, source: &str) -> Result<(), String> {
        self.inner.check(path, source)
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
