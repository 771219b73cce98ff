//! `hubscript daemon [DIR]`: run every scheduled script on its schedule until SIGTERM/Ctrl-C,
//! with one backend, one rate limiter and one state file shared by all of them; with
//! `--listen`, the metrics, health and status endpoints; with `--alert-webhook`, an alert when
//! a script starts failing and when it recovers.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::ops::{Metrics, Observed, ServiceState, Webhook};
use crate::triggers::{run_daemon, DaemonConfig};

use crate::cli::args::BackendArgs;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::runner::RunDefaults;
use crate::cli::signals;
use crate::script::memory::{format_size, DEFAULT_MEMORY};

/// The daemon's service face.
#[derive(Debug, Clone, Default)]
pub(super) struct Service {
    /// `--listen`: where `/metrics`, `/healthz`, `/status` are served.
    pub listen: Option<SocketAddr>,
    /// `--alert-webhook`.
    pub alert_webhook: Option<String>,
    /// `--lease`: of this daemon's claims in a shared state store.
    pub lease: Duration,
    /// `--replicas`: daemons sharing the portal's rate.
    pub replicas: usize,
}

/// Runs the daemon until shut down.
pub(super) async fn daemon(
    dir: Option<PathBuf>,
    grace: Duration,
    service: Service,
    max_concurrent: usize,
    memory: Option<u64>,
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
    let webhook = service
        .alert_webhook
        .as_deref()
        .map(Webhook::new)
        .transpose()
        .map_err(CliError::usage)?;
    let ctx = Context::open(&backend)?;
    ctx.announce();
    let budget = match memory {
        Some(m) => format_size(m),
        None => format!(
            "{} unless a header says otherwise",
            format_size(DEFAULT_MEMORY)
        ),
    };
    eprintln!(
        "hubscript: daemon on {}: at most {max_concurrent} runs at once, each in its own process with a memory budget of {budget} (SIGTERM or Ctrl-C to stop)",
        dir.display()
    );
    let shutdown = signals::shutdown_token();
    let metrics = Arc::new(Metrics::new());
    let ready = Arc::new(AtomicBool::new(false));
    if let Some(addr) = service.listen {
        let state = ServiceState {
            dir: dir.clone(),
            state: ctx.state.clone(),
            metrics: metrics.clone(),
            ready: ready.clone(),
        };
        let bound = crate::ops::start_service(addr, state, shutdown.clone())
            .await
            .map_err(|e| CliError::usage(format!("--listen {addr}: {e}")))?;
        eprintln!("hubscript: metrics, health and status on http://{bound}/ (/metrics, /healthz, /status)");
    }
    if webhook.is_some() {
        eprintln!(
            "hubscript: alerts go to the --alert-webhook when a script starts failing or recovers"
        );
    }
    let host = super::watch::trigger_runner(
        &ctx,
        &backend,
        RunDefaults {
            args: BTreeMap::default(),
            timeout: None,
            max_writes: None,
            memory,
            grace,
            slots: max_concurrent,
            replicas: service.replicas,
            plain_print: false,
        },
    )?;
    let runner = Arc::new(Observed {
        inner: host,
        state: ctx.state.clone(),
        metrics,
        webhook,
    });
    let config = DaemonConfig {
        max_concurrent,
        grace,
        ready: Some(ready),
        lease: service.lease,
        ..DaemonConfig::default()
    };
    run_daemon(dir, runner, ctx.state.clone(), config, shutdown)
        .await
        .map_err(CliError::failed)
}
