//! `hubscript serve`: the sandbox over HubSpot's HTTP API until Ctrl-C or SIGTERM; with
//! `--webhook-url`, signed webhook batches for every write it serves.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::backend::TicketsBackend;
use crate::sandbox::Sandbox;
use crate::server::{
    bind, serve_on, EmittingBackend, FaultSpec, RateLimitSpec, ServerConfig, WebhookTarget,
};

use crate::cli::error::{CliError, CliResult};
use crate::cli::signals;

/// Options of `serve`, as parsed.
pub(super) struct ServeOptions {
    /// Listen address.
    pub addr: SocketAddr,
    /// Sandbox file.
    pub sandbox: Option<PathBuf>,
    /// Required bearer token (`--token` or `HUBSCRIPT_SERVE_TOKEN`).
    pub token: Option<String>,
    /// Rate-limit emulation.
    pub rate_limit: Option<RateLimitSpec>,
    /// Daily quota emulation.
    pub daily_limit: Option<u64>,
    /// Fault injection.
    pub faults: Option<FaultSpec>,
    /// Fault seed.
    pub seed: u64,
    /// `--webhook-url`.
    pub webhook_url: Option<String>,
    /// `--webhook-secret-env`.
    pub webhook_secret_env: String,
    /// `--search-lag`.
    pub search_lag: Option<std::time::Duration>,
}

/// Runs the server until interrupted.
pub(super) async fn serve(opts: ServeOptions) -> CliResult {
    if opts.token.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(CliError::usage(
            "the serve token (--token or HUBSCRIPT_SERVE_TOKEN) is empty; unset it to serve \
             without a token",
        ));
    }
    let path = opts
        .sandbox
        .unwrap_or_else(crate::cli::home::default_sandbox);
    let sandbox = Sandbox::open(&path).map_err(CliError::usage)?;
    if let Some(lag) = opts.search_lag {
        sandbox.set_search_lag(lag).map_err(CliError::usage)?;
    }
    let target = match &opts.webhook_url {
        None => None,
        Some(url) => {
            let url = reqwest::Url::parse(url)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    CliError::usage(format!("--webhook-url {url}: not an http(s) URL"))
                })?;
            let secret = std::env::var(&opts.webhook_secret_env)
                .ok()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    CliError::usage(format!(
                        "--webhook-url needs the signing secret in the environment variable {} (--webhook-secret-env names another)",
                        opts.webhook_secret_env
                    ))
                })?;
            Some(WebhookTarget {
                url,
                secret: Arc::new(secret.into_bytes()),
            })
        }
    };
    let config = ServerConfig {
        addr: opts.addr,
        token: opts.token,
        rate_limit: opts.rate_limit,
        daily_limit: opts.daily_limit,
        faults: opts.faults,
        seed: opts.seed,
        ..ServerConfig::default()
    };
    let (listener, local) = bind(&config).await.map_err(CliError::usage)?;
    // The one line scripts and tests wait for: the real address (port 0 picks a free one).
    println!(
        "hubscript serve: listening on http://{local} (sandbox {})",
        path.display()
    );
    let shutdown = signals::shutdown_token();
    let backend: Arc<dyn TicketsBackend> = match target {
        Some(target) => {
            println!(
                "hubscript serve: sending webhooks for every write to {}",
                target.url
            );
            Arc::new(EmittingBackend::new(Arc::new(sandbox), target))
        }
        None => Arc::new(sandbox),
    };
    serve_on(listener, backend, &config, async move {
        shutdown.cancelled().await;
    })
    .await
    .map_err(CliError::failed)?;
    tracing::info!("server stopped");
    Ok(())
}
