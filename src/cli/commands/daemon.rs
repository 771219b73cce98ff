//! `hubscript daemon [DIR]`: run every scheduled script on its schedule until SIGTERM/Ctrl-C,
//! with one backend, one rate limiter and one state file shared by all of them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::triggers::{run_daemon, DaemonConfig};

use crate::cli::args::BackendArgs;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::runner::HostRunner;
use crate::cli::signals;

/// Runs the daemon until shut down.
pub(super) async fn daemon(
    dir: Option<PathBuf>,
    grace: Duration,
    backend: BackendArgs,
) -> CliResult {
    let dir = dir.unwrap_or_else(|| PathBuf::from("scripts"));
    if !dir.exists() {
        return Err(CliError::usage(format!(
            "{}: no such directory",
            dir.display()
        )));
    }
    if !dir.is_dir() {
        return Err(CliError::usage(format!(
            "{}: not a directory",
            dir.display()
        )));
    }
    let ctx = Context::open(&backend)?;
    ctx.announce();
    eprintln!(
        "hubscript: daemon on {} (SIGTERM or Ctrl-C to stop)",
        dir.display()
    );
    let runner = Arc::new(HostRunner {
        host: ctx.host.clone(),
        args: Default::default(),
        timeout: None,
        max_writes: None,
        plain_print: false,
    });
    let config = DaemonConfig {
        grace,
        ..DaemonConfig::default()
    };
    run_daemon(
        dir,
        runner,
        ctx.state.clone(),
        config,
        signals::shutdown_token(),
    )
    .await
    .map_err(CliError::failed)
}
