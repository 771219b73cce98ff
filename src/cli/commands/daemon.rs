//! `hubscript daemon [DIR]`: run every scheduled script on its schedule until SIGTERM/Ctrl-C,
//! with one backend, one rate limiter and one state file shared by all of them; with
//! `--listen`, the metrics, health and status endpoints; with `--alert-webhook`, an alert when
//! a script starts failing and when it recovers; with `--webhooks`, HubSpot's signed webhook
//! batches for the scripts listening for ticket events (beside the change feed, unless
//! `--no-feed`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::ops::{Metrics, Observed, ServiceState, Webhook};
use crate::triggers::{run_daemon, DaemonConfig};

use crate::cli::args::{BackendArgs, EventArgs};
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::runner::RunDefaults;
use crate::cli::signals;
use crate::script::memory::{format_size, DEFAULT_MEMORY};
use crate::triggers::events::{start_webhook_receiver, EventSetup, EventStats};

/// The daemon's service face.
#[derive(Debug, Clone)]
pub(super) struct Service {
    /// Ticket events: feed, webhooks.
    pub events: EventArgs,
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
    let ev = &service.events;
    let stats = Arc::new(EventStats::default());
    metrics.attach_events(stats.clone());
    let webhooks = match ev.webhooks {
        Some(addr) => {
            let secret = std::env::var(&ev.webhook_secret_env).ok().filter(|s| !s.is_empty()).ok_or_else(|| {
                CliError::usage(format!(
                    "--webhooks needs the app's client secret in the environment variable {} (--webhook-secret-env names another)",
                    ev.webhook_secret_env
                ))
            })?;
            let receiver = start_webhook_receiver(
                addr,
                secret.into_bytes(),
                ctx.state.clone(),
                stats.clone(),
                shutdown.clone(),
            )
            .await
            .map_err(|e| CliError::usage(format!("--webhooks {addr}: {e}")))?;
            eprintln!("hubscript: receiving HubSpot webhooks on http://{}/ (v3 signatures, secret from {})", receiver.addr, ev.webhook_secret_env);
            Some(receiver.queue)
        }
        None => None,
    };
    let feed_interval = (!ev.no_feed).then_some(ev.feed_interval);
    if feed_interval.is_none() && webhooks.is_none() {
        return Err(CliError::usage(
            "--no-feed needs --webhooks: scripts with `on` would never run",
        ));
    }
    if let Some(i) = feed_interval {
        if i < Duration::from_millis(100) {
            return Err(CliError::usage("--feed-interval must be at least 100ms"));
        }
    }
    let events = EventSetup {
        backend: ctx.backend.clone(),
        feed_interval,
        horizon: ev.event_horizon,
        max_rounds: ev.event_rounds,
        webhooks,
        stats,
    };
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
        events: Some(events),
        ..DaemonConfig::default()
    };
    run_daemon(dir, runner, ctx.state.clone(), config, shutdown)
        .await
        .map_err(CliError::failed)
}
