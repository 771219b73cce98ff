//! `hubscript serve`: HubSpot's tickets HTTP API over any [`TicketsBackend`] (in production the
//! SQLite sandbox), faithful enough that HubSpot's official clients and our own HTTP client
//! cannot tell it from api.hubapi.com.
//!
//! This module owns the HTTP layer only: routes and their statuses, query and body parsing,
//! HubSpot-shaped errors for everything (including unknown routes, 405, 413, 415), bearer auth,
//! rate-limit and fault emulation, request logging and graceful shutdown. It holds no business
//! rules (validation, limits, defaults): those come back from the backend as `ApiError`s. It
//! never imports Rhai.
//!
//! Connections (`connections.rs`): header read timeout, a connection cap that evicts the
//! longest idle connection, HubSpot-shaped bodies for hyper's own 400/414/431.
//!
//! Middleware order, outermost first: request log → error shaping → auth → rate limit → faults
//! → body limit → body read timeout → routes. So a 401 never spends rate-limit budget, a request refused with 429 or
//! faulted never reaches the backend (a faulted one still spends budget, as a failed request
//! does on HubSpot), and every error whatever its source is HubSpot-shaped.
//!
//! Starting it from the CLI, learning the real port first:
//!
//! ```no_run
//! # async fn demo(
//! #     backend: std::sync::Arc<dyn hubscript::backend::TicketsBackend>,
//! # ) -> Result<(), Box<dyn std::error::Error>> {
//! use hubscript::server::{bind, serve_on, ServerConfig};
//!
//! let config = ServerConfig {
//!     rate_limit: Some("100/10s".parse()?),
//!     faults: Some("429=0.1,500=0.05,timeout=0.02,latency=20ms".parse()?),
//!     ..ServerConfig::default()
//! };
//! let (listener, addr) = bind(&config).await?;
//! println!("serving HubSpot's tickets API on http://{addr}");
//! let shutdown = async {
//!     let _ = tokio::signal::ctrl_c().await;
//! };
//! serve_on(listener, backend, &config, shutdown).await?;
//! # Ok(())
//! # }
//! ```

mod auth;
mod body_timeout;
mod config;
mod connections;
mod duration;
mod error;
mod fallback;
mod fault_spec;
mod faults;
mod json_body;
mod limiter;
mod protocol_errors;
mod query;
mod rate_limit;
mod rate_limit_spec;
mod request_log;
mod response;
mod routes;
mod spec_error;
#[cfg(test)]
mod tests;
mod webhook_emitter;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::limit::RequestBodyLimitLayer;

pub use config::ServerConfig;
pub use error::ServerError;
pub use fault_spec::FaultSpec;
pub use rate_limit_spec::RateLimitSpec;
pub use spec_error::SpecError;
pub use webhook_emitter::{EmittingBackend, WebhookTarget};

use crate::backend::TicketsBackend;

/// The complete application: routes plus middleware, for `backend` under `config`.
///
/// Requests held by a `timeout` fault are released only by [`serve_on`]'s shutdown; a router
/// built here and served some other way holds them for up to ten minutes.
pub fn router(backend: Arc<dyn TicketsBackend>, config: &ServerConfig) -> Router {
    build(
        backend,
        config,
        CancellationToken::new(),
        RateLimitSpec::SEARCH,
    )
}

/// [`router`] with the shutdown token and the search limit made explicit (tests shorten or
/// lengthen the latter to stay independent of the machine's speed).
pub(crate) fn build(
    backend: Arc<dyn TicketsBackend>,
    config: &ServerConfig,
    shutdown: CancellationToken,
    search_limit: RateLimitSpec,
) -> Router {
    let mut app = routes::routes()
        .fallback(fallback::not_found)
        .with_state(routes::AppState { backend })
        .layer(from_fn_with_state(
            config.body_timeout,
            body_timeout::read_body_in_time,
        ))
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(RequestBodyLimitLayer::new(config.body_limit_bytes));
    if let Some(spec) = config.faults {
        let injector = faults::FaultInjector::new(spec, config.seed, shutdown);
        app = app.layer(from_fn_with_state(
            Arc::new(injector),
            faults::inject_faults,
        ));
    }
    let limiter = limiter::Limiter::new(config.rate_limit, search_limit, config.daily_limit);
    if limiter.is_active() {
        app = app.layer(from_fn_with_state(
            Arc::new(limiter),
            rate_limit::rate_limit,
        ));
    }
    if let Some(token) = config.token.as_deref() {
        app = app.layer(from_fn_with_state(
            Arc::new(auth::Auth::new(token)),
            auth::require_token,
        ));
    }
    app.layer(from_fn(fallback::hubspot_shaped_errors))
        .layer(from_fn(request_log::log_request))
}

/// Binds `config.addr`, returning the listener and the address actually bound (so a caller that
/// asked for port 0 learns the port).
pub async fn bind(config: &ServerConfig) -> Result<(TcpListener, SocketAddr), ServerError> {
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(ServerError::LocalAddr)?;
    Ok((listener, addr))
}

/// Serves on an already bound listener until `shutdown` completes; then stops accepting, lets
/// in-flight requests finish (held fault requests are released) and returns.
pub async fn serve_on(
    listener: TcpListener,
    backend: Arc<dyn TicketsBackend>,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    serve_with(listener, backend, config, shutdown, RateLimitSpec::SEARCH).await
}

/// Binds `config.addr` and serves until `shutdown` completes (see [`serve_on`]).
pub async fn serve(
    backend: Arc<dyn TicketsBackend>,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let (listener, _) = bind(config).await?;
    serve_on(listener, backend, config, shutdown).await
}

pub(crate) async fn serve_with(
    listener: TcpListener,
    backend: Arc<dyn TicketsBackend>,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
    search_limit: RateLimitSpec,
) -> Result<(), ServerError> {
    let token = CancellationToken::new();
    let app = build(backend, config, token.clone(), search_limit);
    if let Ok(addr) = listener.local_addr() {
        let show = |v: Option<String>| v.unwrap_or_else(|| "off".to_string());
        tracing::info!(
            target: "hubscript::server",
            %addr,
            auth = if config.token.is_some() { "bearer token" } else { "none" },
            rate_limit = %show(config.rate_limit.map(|r| r.to_string())),
            daily_limit = %show(config.daily_limit.map(|d| d.to_string())),
            faults = %show(config.faults.map(|f| f.to_string())),
            "listening"
        );
        if !addr.ip().is_loopback() && config.token.is_none() {
            tracing::warn!(
                target: "hubscript::server",
                %addr,
                "listening beyond this machine without a token: anyone who can reach it can \
                 read and change tickets (set a token)"
            );
        }
    }
    let signal = token.clone();
    let _release = tokio::spawn(async move {
        shutdown.await;
        signal.cancel();
    });
    connections::serve_connections(listener, app, config, token).await;
    Ok(())
}
