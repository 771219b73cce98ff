//! Operating hubscript: what an ops engineer needs around the daemon. `status` (each scheduled
//! script's next and last run and failure streak, for `hubscript status` and `/status`),
//! `metrics` (Prometheus), `service` (the `--listen` endpoint: `/metrics`, `/healthz`,
//! `/status`), `alerts` (a webhook message when a script starts failing and when it recovers)
//! and `observer` (the runner wrapper that feeds metrics and alerts from each run's record).
//! It reads the state store and the scripts' headers; it never runs a script itself.

mod alerts;
mod metrics;
mod observer;
mod service;
mod status;

pub use alerts::{message, transition, Transition, Webhook};
pub use metrics::Metrics;
pub use observer::Observed;
pub use service::{start as start_service, ServiceState};
pub use status::{failure_streak, short_span, status_report, ScriptStatus, StatusError};
