//! `hubscript serve`: the sandbox over HubSpot's HTTP API until Ctrl-C or SIGTERM.

use std::path::PathBuf;
use std::sync::Arc;

use crate::sandbox::{Sandbox, DEFAULT_SANDBOX_PATH};
use crate::server::{bind, serve_on, FaultSpec, RateLimitSpec, ServerConfig};

use crate::cli::error::{CliError, CliResult};
use crate::cli::signals;

/// Options of `serve`, as parsed.
pub struct ServeOptions {
    /// Listen address.
    pub addr: String,
    /// Sandbox file.
    pub sandbox: Option<PathBuf>,
    /// Required bearer token.
    pub token: Option<String>,
    /// Rate-limit emulation.
    pub rate_limit: Option<String>,
    /// Daily quota emulation.
    pub daily_limit: Option<u64>,
    /// Fault injection.
    pub faults: Option<String>,
    /// Fault seed.
    pub seed: u64,
}

/// Runs the server until interrupted.
pub async fn serve(opts: ServeOptions) -> CliResult {
    let addr = opts.addr.parse().map_err(|e| {
        CliError::usage(format!(
            "--addr {}: {e} (write e.g. 127.0.0.1:8080)",
            opts.addr
        ))
    })?;
    let rate_limit = opts
        .rate_limit
        .as_deref()
        .map(str::parse::<RateLimitSpec>)
        .transpose()
        .map_err(|e| CliError::usage(format!("--rate-limit: {e}")))?;
    let faults = opts
        .faults
        .as_deref()
        .map(str::parse::<FaultSpec>)
        .transpose()
        .map_err(|e| CliError::usage(format!("--faults: {e}")))?;
    let path = opts
        .sandbox
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SANDBOX_PATH));
    let sandbox = Sandbox::open(&path).map_err(CliError::usage)?;
    let config = ServerConfig {
        addr,
        token: opts.token,
        rate_limit,
        daily_limit: opts.daily_limit,
        faults,
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
        shutdown.cancelled().await
    })
    .await
    .map_err(CliError::failed)?;
    tracing::info!("server stopped");
    Ok(())
}
