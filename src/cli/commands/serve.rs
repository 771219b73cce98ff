//! `hubscript serve`: the sandbox over HubSpot's HTTP API until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::sandbox::Sandbox;
use crate::server::{bind, serve_on, FaultSpec, RateLimitSpec, ServerConfig};

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
    serve_on(listener, Arc::new(sandbox), &config, async move {
        shutdown.cancelled().await;
    })
    .await
    .map_err(CliError::failed)?;
    tracing::info!("server stopped");
    Ok(())
}
