//! `hubscript watch [PATH...]`: rerun scripts when they change. Against a live portal every
//! run is a dry run unless `--apply`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::triggers::{run_watch, WatchConfig};

use crate::cli::args::{BackendArgs, RunArgs};
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::runner::RunDefaults;
use crate::cli::signals;
use crate::triggers::Runner;

/// Watches until Ctrl-C.
pub(super) async fn watch(
    paths: Vec<PathBuf>,
    apply: bool,
    clear: bool,
    run_now: bool,
    run: RunArgs,
    backend: BackendArgs,
) -> CliResult {
    let ctx = Context::open(&backend)?;
    ctx.announce();
    let live = ctx.backend.is_live();
    let paths = if paths.is_empty() {
        vec![PathBuf::from("scripts")]
    } else {
        paths
    };
    for p in &paths {
        if !p.exists() {
            return Err(CliError::usage(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }
    if live && !apply {
        eprintln!("hubscript: live portal: runs are dry runs (plans only); pass --apply to write");
    }
    eprintln!(
        "hubscript: watching {} (Ctrl-C to stop)",
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let runner = trigger_runner(
        &ctx,
        &backend,
        RunDefaults {
            args: run.args.into_iter().collect(),
            timeout: run.timeout,
            max_writes: run.max_writes,
            memory: run.memory,
            grace: WatchConfig::default().grace,
            slots: WATCH_SLOTS,
            replicas: 1,
            plain_print: true,
        },
    )?;
    let config = WatchConfig {
        paths,
        // `--dry-run` forces plans even on the sandbox; otherwise plans only against a live
        // portal without --apply (the triggers layer plans when `live && !apply`).
        apply: apply && !run.dry_run,
        live: live || run.dry_run,
        clear,
        run_now,
        ..WatchConfig::default()
    };
    run_watch(config, runner, signals::shutdown_token())
        .await
        .map_err(CliError::failed)
}

/// Runs of `watch` at once (different files may run side by side).
const WATCH_SLOTS: usize = 4;

/// The runner of `daemon` and `watch`: each run in a child process on Unix, so a crash or an
/// exhausted memory budget ends that run only; in process elsewhere.
pub(crate) fn trigger_runner(
    ctx: &Context,
    backend: &BackendArgs,
    defaults: RunDefaults,
) -> Result<Arc<dyn Runner>, CliError> {
    #[cfg(unix)]
    {
        Ok(Arc::new(crate::cli::child_runner::ChildRunner::new(
            ctx, backend, defaults,
        )?))
    }
    #[cfg(not(unix))]
    {
        let _ = backend;
        Ok(Arc::new(crate::cli::runner::HostRunner {
            host: ctx.host.clone(),
            args: defaults.args,
            timeout: defaults.timeout,
            max_writes: defaults.max_writes,
            memory: defaults.memory,
        }))
    }
}
