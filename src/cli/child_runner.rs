//! Daemon and watch runs in child processes, the way cron and supercronic run jobs: each run is
//! `hubscript run-child` (this binary, a hidden subcommand) in a process of its own, so an
//! abort, a stack overflow or the out-of-memory killer ends that run only and the parent keeps
//! scheduling.
//!
//! The parent hands the child the source on stdin; the child records the run (the complete
//! record, as `run` does) and reports the run's id, its log lines and its end over a pipe (see
//! [`super::child_protocol`]). When the child ends without reporting its end, the parent
//! settles the run itself with the cause in words ("killed by signal 9 (out of memory?)") and
//! the log lines it collected. A child that dies before recording its start leaves no row:
//! the parent logs why. Cancellation (replace, shutdown) and a timeout the child failed to
//! keep are signals: SIGTERM (the child cancels its run cleanly), then SIGKILL after the grace
//! period. The child lives in its own process group (a Ctrl-C at the terminal reaches the
//! daemon only, which then shuts down with its grace period) and dies with the parent
//! (`PR_SET_PDEATHSIG` on Linux), so a killed daemon leaves no orphan runs behind.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::script::memory::{format_size, DEFAULT_MEMORY};
use crate::script::{limits, script_name, ScriptHost};
use crate::state::{LogLine, RunId, RunStatus, StateDb};
use crate::triggers::{Job, RunResult, Runner};

use super::args::BackendArgs;
use super::child_protocol::{self, End, Event, CHANNEL_FD};
use super::runner::RunDefaults;

/// Log lines of a child kept by the parent (for a child that dies before recording them).
const MAX_KEPT_LINES: usize = 2_000;
/// A child gets this long past its own timeout before the parent stops it.
const TIMEOUT_SLACK: Duration = Duration::from_secs(5);

/// Runs trigger jobs in child processes.
pub(crate) struct ChildRunner {
    /// This binary.
    pub(crate) exe: PathBuf,
    /// The state file the parent settles runs in.
    pub(crate) state: StateDb,
    /// Compiles scripts for hot reload (never runs them).
    pub(crate) host: ScriptHost,
    /// Arguments every child gets: backend choice, log format, `--arg` values.
    pub(crate) common_args: Vec<OsString>,
    /// `--timeout` override.
    pub(crate) timeout: Option<Duration>,
    /// `--max-writes` override.
    pub(crate) max_writes: Option<u64>,
    /// `--memory` override.
    pub(crate) memory: Option<u64>,
    /// SIGTERM to SIGKILL.
    pub(crate) grace: Duration,
    /// `print` lines plain on stdout (watch) or as labelled log lines (daemon).
    pub(crate) plain_print: bool,
}

/// Why the parent signalled the child.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stopping {
    Cancelled,
    TimedOut,
}

impl ChildRunner {
    fn args(&self, job: &Job, memory: u64) -> Vec<OsString> {
        let mut a: Vec<OsString> = vec!["run-child".into(), job.path.clone().into_os_string()];
        a.extend(["--trigger".into(), job.trigger.as_str().into()]);
        a.extend(["--memory".into(), memory.to_string().into()]);
        if job.dry_run {
            a.push("--dry-run".into());
        }
        if let Some(claim) = &job.claim {
            a.extend(["--claim".into(), claim.id().to_string().into()]);
        }
        if self.plain_print {
            a.push("--plain-print".into());
        }
        if let Some(event) = &job.event {
            // Bounded: one ticket's watched properties.
            if let Ok(text) = serde_json::to_string(&**event) {
                a.extend(["--event".into(), text.into()]);
            }
        }
        if let Some(t) = self.timeout.or(job.timeout) {
            a.extend(["--timeout".into(), format!("{}ms", t.as_millis()).into()]);
        }
        if let Some(n) = self.max_writes.or(job.max_writes) {
            a.extend(["--max-writes".into(), n.to_string().into()]);
        }
        a.extend(self.common_args.iter().cloned());
        a
    }

    /// Records the end of a run whose child did not.
    fn settle(&self, run_id: Option<RunId>, status: RunStatus, error: &str, log: &[LogLine]) {
        let Some(id) = run_id else { return };
        if let Err(e) = self.state.settle(id, status, Utc::now(), error, log) {
            tracing::error!(run = id, error = %e, "cannot record the end of the run");
        }
    }
}

#[async_trait]
impl Runner for ChildRunner {
    async fn run(&self, job: Job, cancel: CancellationToken) -> RunResult {
        let name = script_name(&job.path);
        let memory = self.memory.or(job.memory).unwrap_or(DEFAULT_MEMORY);
        let mut run_id: Option<RunId> = None;
        let mut child = match spawn(&self.exe, &self.args(&job, memory)) {
            Ok(c) => c,
            Err(e) => {
                let error = format!("cannot start the run's process: {e}");
                tracing::error!(script = %name, "{error}");
                return RunResult {
                    status: RunStatus::Failed,
                    error: Some(error),
                    run_id: None,
                };
            }
        };
        let pid = child.process.id();
        tracing::info!(script = %name, pid, "run started in process {}", pid.unwrap_or_default());
        if let Some(mut stdin) = child.process.stdin.take() {
            let source = job.source.clone();
            tokio::spawn(async move {
                let _ = stdin.write_all(source.as_bytes()).await;
            });
        }
        let timeout = self
            .timeout
            .or(job.timeout)
            .unwrap_or(limits::DEFAULT_TIMEOUT);
        let backstop = tokio::time::Instant::now() + timeout + TIMEOUT_SLACK;
        let mut stopping: Option<Stopping> = None;
        let mut kill_at: Option<tokio::time::Instant> = None;
        let mut log = Vec::new();
        let mut dropped = 0usize;
        let mut end: Option<End> = None;
        let mut events_open = true;
        let status = loop {
            tokio::select! {
                ev = child.events.recv(), if events_open => match ev {
                    Some(Event::Started(id)) => run_id = Some(id),
                    Some(Event::Log(line)) if log.len() < MAX_KEPT_LINES => log.push(line),
                    Some(Event::Log(_)) => dropped += 1,
                    Some(Event::End(e)) => end = Some(e),
                    None => events_open = false,
                },
                status = child.process.wait() => break status,
                () = cancel.cancelled(), if stopping.is_none() => {
                    signal(pid, Signal::Term);
                    stopping = Some(Stopping::Cancelled);
                    kill_at = Some(tokio::time::Instant::now() + self.grace);
                }
                () = tokio::time::sleep_until(backstop), if stopping.is_none() => {
                    tracing::warn!(script = %name, pid, "the run outlived its timeout of {}: stopping its process", humantime::format_duration(timeout));
                    signal(pid, Signal::Term);
                    stopping = Some(Stopping::TimedOut);
                    kill_at = Some(tokio::time::Instant::now() + self.grace);
                }
                () = sleep_until_opt(kill_at) => {
                    tracing::warn!(script = %name, pid, "the run's process did not stop within {}: killing it", humantime::format_duration(self.grace));
                    signal(pid, Signal::Kill);
                    kill_at = None;
                }
            }
        };
        // The channel closes when the child is gone: collect what is left.
        while let Some(ev) = child.events.recv().await {
            match ev {
                Event::Started(id) => run_id = Some(id),
                Event::Log(line) if log.len() < MAX_KEPT_LINES => log.push(line),
                Event::Log(_) => dropped += 1,
                Event::End(e) => end = Some(e),
            }
        }
        if let Some(end) = end {
            if let Some(e) = &end.record_error {
                tracing::error!(script = %name, run = ?run_id, "the run is missing from the run history: {e}");
            }
            tracing::debug!(script = %name, peak_rss = ?end.peak_rss.map(format_size), peak_heap = %format_size(end.peak_heap), "run's process ended");
            return RunResult {
                status: end.status,
                error: end.error,
                run_id,
            };
        }
        let (status, error) = match (status, stopping) {
            (Err(e), _) => (
                RunStatus::Failed,
                format!("lost track of the run's process: {e}"),
            ),
            (Ok(s), Some(Stopping::Cancelled)) => (
                RunStatus::Cancelled,
                format!(
                    "the run was cancelled; its process {}",
                    child_protocol::describe_exit(s, memory)
                ),
            ),
            (Ok(s), Some(Stopping::TimedOut)) => (
                RunStatus::TimedOut,
                format!(
                    "the run timed out after {} and did not stop by itself; its process was {}",
                    humantime::format_duration(timeout),
                    child_protocol::describe_exit(s, memory)
                ),
            ),
            (Ok(s), None) => (RunStatus::Failed, child_protocol::describe_exit(s, memory)),
        };
        if dropped > 0 {
            log.push(LogLine {
                at: Utc::now(),
                level: "warn".into(),
                message: format!("{dropped} more log lines were not kept"),
            });
        }
        if run_id.is_none() {
            tracing::error!(script = %name, "the run's process ended before recording the run");
        }
        self.settle(run_id, status, &error, &log);
        tracing::error!(script = %name, run = ?run_id, "run failed: {error}");
        RunResult {
            status,
            error: Some(error),
            run_id,
        }
    }

    fn check(&self, path: &Path, source: &str) -> Result<(), String> {
        self.host
            .check(path, source)
            .map(|_| ())
            .map_err(|e| e.render())
    }
}

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

enum Signal {
    Term,
    Kill,
}

fn signal(pid: Option<u32>, sig: Signal) {
    let Some(pid) = pid.and_then(|p| libc::pid_t::try_from(p).ok()) else {
        return;
    };
    let sig = match sig {
        Signal::Term => libc::SIGTERM,
        Signal::Kill => libc::SIGKILL,
    };
    // SAFETY: signals our own child, which has not been reaped yet (we still await it).
    unsafe {
        libc::kill(pid, sig);
    }
}

/// A started child and its event channel.
struct Spawned {
    process: tokio::process::Child,
    events: mpsc::UnboundedReceiver<Event>,
}

fn spawn(exe: &Path, args: &[OsString]) -> std::io::Result<Spawned> {
    let (read, write) = pipe()?;
    let mut cmd = tokio::process::Command::new(exe);
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .process_group(0);
    let write_fd = write.as_raw_fd();
    let parent = std::process::id();
    // SAFETY: the closure runs in the forked child before exec and only calls
    // async-signal-safe functions (dup2, prctl, getppid, _exit).
    unsafe {
        cmd.pre_exec(move || {
            if libc::dup2(write_fd, CHANNEL_FD) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            #[cfg(target_os = "linux")]
            {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                // The parent may have died before the line above: then nobody waits for us.
                if libc::getppid() as u32 != parent {
                    libc::_exit(1);
                }
            }
            let _ = parent;
            Ok(())
        });
    }
    // The run records into the parent's store. A PostgreSQL URL (maybe with a password) goes
    // by environment, never on the command line.
    match super::home::state_location() {
        crate::state::StateLocation::Postgres(url) => cmd.env(super::home::STATE_ENV, url),
        crate::state::StateLocation::File(path) => cmd.env(super::home::STATE_ENV, path),
    };
    let process = cmd.spawn()?;
    // Only the child writes; our copy must close so the channel ends when the child does.
    drop(write);
    let (tx, events) = mpsc::unbounded_channel();
    let file = std::fs::File::from(read);
    std::thread::Builder::new()
        .name("run-child-events".into())
        .spawn(move || {
            for line in BufReader::new(file).lines() {
                let Ok(line) = line else { break };
                if let Some(ev) = child_protocol::parse(&line) {
                    if tx.send(ev).is_err() {
                        break;
                    }
                }
            }
        })?;
    Ok(Spawned { process, events })
}

/// A pipe whose ends are closed on exec (the child gets its own copy through `dup2`).
fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe2 fills two valid descriptors on success.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    use std::os::fd::FromRawFd;
    // SAFETY: both descriptors are fresh and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

impl ChildRunner {
    /// A runner for `daemon` or `watch` over `ctx`, with the backend chosen by `backend`.
    pub(crate) fn new(
        ctx: &super::context::Context,
        backend: &BackendArgs,
        defaults: RunDefaults,
    ) -> Result<Self, super::error::CliError> {
        // The source goes to each child through a pipe: a child that dies before reading it
        // must not take this process with it through SIGPIPE (restored to its default action at
        // start for `hubscript runs | head`); a write error is enough.
        // SAFETY: changes the disposition of one signal; no handler runs.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        }
        let exe = std::env::current_exe().map_err(|e| {
            super::error::CliError::failed(format!("cannot find the hubscript binary: {e}"))
        })?;
        Ok(Self {
            exe,
            state: ctx.state.clone(),
            host: ctx.host.clone(),
            common_args: common_args(
                backend,
                &defaults.args,
                defaults.slots * defaults.replicas.max(1),
            ),
            timeout: defaults.timeout,
            max_writes: defaults.max_writes,
            memory: defaults.memory,
            grace: defaults.grace,
            plain_print: defaults.plain_print,
        })
    }
}

/// The arguments every child gets. Each process paces its own HubSpot calls, so the rate per
/// 10 seconds is split between the slots of every replica (`shares` = slots x `--replicas`):
/// together the runs of all daemons never exceed the portal's limit.
fn common_args(
    backend: &BackendArgs,
    args: &std::collections::BTreeMap<String, String>,
    shares: usize,
) -> Vec<OsString> {
    let mut a: Vec<OsString> = Vec::new();
    match (&backend.sandbox, &backend.api) {
        (Some(path), _) => a.extend(["--sandbox".into(), path.clone().into_os_string()]),
        (None, Some(url)) => a.extend(["--api".into(), url.into()]),
        (None, None) => {}
    }
    let share = (backend.rate_per_10s / u32::try_from(shares.max(1)).unwrap_or(u32::MAX)).max(1);
    a.extend(["--rate-per-10s".into(), share.to_string().into()]);
    let ms = |d: Duration| OsString::from(format!("{}ms", d.as_millis()));
    a.extend(["--connect-timeout".into(), ms(backend.connect_timeout)]);
    a.extend(["--request-timeout".into(), ms(backend.request_timeout)]);
    if let Some(lag) = backend.search_lag {
        a.extend(["--search-lag".into(), ms(lag)]);
    }
    for (k, v) in args {
        a.extend(["--arg".into(), format!("{k}={v}").into()]);
    }
    let style = super::logging::script_log_style();
    if style.format == super::args::LogFormat::Json {
        a.extend(["--log-format".into(), "json".into()]);
    }
    if style.quiet {
        a.push("-q".into());
    }
    if style.verbose {
        a.push("-v".into());
    }
    a
}
