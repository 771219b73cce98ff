//! The triggers' [`Runner`] implemented over the script host: runs a job's source (the last
//! good version), prints its log, plan and summary as `run` does, and lets the host record it in
//! the run history under the trigger's name.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::script::{script_name, RunOptions, RunRequest, ScriptHost};
use crate::triggers::{Job, RunResult, Runner};

use super::output;

/// Runs trigger jobs on a [`ScriptHost`].
#[cfg_attr(unix, allow(dead_code))] // the in-process fallback where runs cannot be child processes
pub(super) struct HostRunner {
    /// The host (backend, state, engine).
    pub host: ScriptHost,
    /// `--arg` values for every run.
    pub args: std::collections::BTreeMap<String, String>,
    /// `--timeout` override.
    pub timeout: Option<Duration>,
    /// `--max-writes` override.
    pub max_writes: Option<u64>,
    /// `print` lines as plain lines on stdout (`watch`: one script, a person watching) rather
    /// than labelled log lines (`daemon`: several scripts in one stream).
    pub plain_print: bool,
    /// `--memory` override.
    pub memory: Option<u64>,
}

/// What `daemon` and `watch` pass to every run.
pub(super) struct RunDefaults {
    /// `--arg` values.
    pub args: std::collections::BTreeMap<String, String>,
    /// `--timeout` override.
    pub timeout: Option<Duration>,
    /// `--max-writes` override.
    pub max_writes: Option<u64>,
    /// `--memory` override.
    pub memory: Option<u64>,
    /// SIGTERM to SIGKILL.
    pub grace: Duration,
    /// How many runs may go at once (the HubSpot rate is shared between them).
    pub slots: usize,
    /// How many daemons share the portal (`--replicas`): each takes this share of the rate.
    pub replicas: usize,
    /// `print` lines as plain lines on stdout (`watch`) rather than labelled log lines
    /// (`daemon`).
    pub plain_print: bool,
}

#[async_trait]
impl Runner for HostRunner {
    async fn run(&self, job: Job, cancel: CancellationToken) -> RunResult {
        let name = script_name(&job.path);
        let request = RunRequest {
            path: job.path.clone(),
            source: job.source.to_string(),
            options: RunOptions {
                dry_run: job.dry_run,
                args: self.args.clone(),
                timeout: self.timeout.or(job.timeout),
                max_writes: self.max_writes.or(job.max_writes),
                trigger: job.trigger.as_str().to_string(),
                undo_of: None,
                claim: None,
                memory: self.memory.or(job.memory),
                event: job.event.clone(),
            },
            cancel,
            on_log: Some(output::stderr_log(&name)),
            on_print: Some(if self.plain_print {
                output::stdout_print()
            } else {
                output::print_as_log(&name)
            }),
            on_start: None,
        };
        let outcome = self.host.run(request).await;
        output::print_outcome(&name, &outcome, false);
        RunResult {
            status: outcome.status,
            error: outcome.error.as_ref().map(|e| e.render()),
            run_id: outcome.run_id,
        }
    }

    fn check(&self, path: &Path, source: &str) -> Result<(), String> {
        self.host
            .check(path, source)
            .map(|_| ())
            .map_err(|e| e.render())
    }
}
