//! The daemon's HTTP face on `--listen ADDR`: `/metrics` (Prometheus text), `/healthz` (200 once
//! the schedules are loaded and while the state store is writable; 503 otherwise, with the
//! reason) and `/status` (what `hubscript status` prints, as JSON). Read-only: nothing here
//! can change a schedule or a ticket. Meant for a loopback or cluster-internal address.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio_util::sync::CancellationToken;

use crate::state::StateDb;

use super::metrics::{Metrics, CONTENT_TYPE};
use super::status::status_report;

/// What the endpoints read.
#[derive(Clone)]
pub struct ServiceState {
    /// The daemon's scripts directory.
    pub dir: PathBuf,
    /// The state store.
    pub state: StateDb,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// Set once the daemon has loaded its schedules.
    pub ready: Arc<AtomicBool>,
}

async fn metrics(State(s): State<ServiceState>) -> Response {
    if let Ok(report) = status_report(&s.dir, &s.state, chrono::Utc::now()) {
        s.metrics
            .set_scheduled(report.iter().filter(|r| r.invalid.is_none()).count());
    }
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], s.metrics.encode()).into_response()
}

async fn healthz(State(s): State<ServiceState>) -> Response {
    if !s.ready.load(Ordering::Acquire) {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: schedules not loaded yet\n",
        )
            .into_response();
    }
    let state = s.state.clone();
    let writable = tokio::task::spawn_blocking(move || state.check_writable()).await;
    match writable {
        Ok(Ok(())) => (StatusCode::OK, "ok\n").into_response(),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("state store not writable: {e}\n"),
        )
            .into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("health check failed: {e}\n"),
        )
            .into_response(),
    }
}

async fn status(State(s): State<ServiceState>) -> Response {
    match status_report(&s.dir, &s.state, chrono::Utc::now()) {
        Ok(report) => axum::Json(report).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, format!("{e}\n")).into_response(),
    }
}

/// Binds `addr` and serves until `shutdown`; returns the bound address once listening.
pub async fn start(
    addr: SocketAddr,
    state: ServiceState,
    shutdown: CancellationToken,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/status", get(status))
        .with_state(state);
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the metrics and health endpoint stopped");
        }
    });
    Ok(bound)
}
