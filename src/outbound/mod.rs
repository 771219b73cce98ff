//! Outbound HTTP for scripts, allow-listed: the host allow-list a script header declares
//! ([`AllowList`]), the secrets it may use from the environment ([`Secrets`], with redaction),
//! one request and its record ([`OutboundRequest`], [`RequestRecord`]), sending with a timeout
//! and a size cap ([`HttpLimits`]), the per-run session that admits, plans or sends and
//! records every request ([`OutboundSession`]), and Slack webhooks ([`slack`]).
//!
//! No Rhai here: the script layer registers `http::` and `notify::` on top of it. This module
//! never follows redirects, never sends plain http beyond loopback, and never puts a secret's
//! value in an error, a record or a log line.

mod allow;
mod client;
mod error;
mod request;
mod secrets;
mod session;
pub mod slack;

pub use allow::{check_url, is_loopback, AllowList};
pub use client::HttpLimits;
pub use error::OutboundError;
pub use request::{Method, OutboundRequest, RequestRecord, Response, Sensitive, BODY_PREVIEW};
pub use secrets::{valid_env_name, Secrets, PLACEHOLDER_OPEN};
pub use session::{Destination, OutboundSession, RateCap, MAX_REQUESTS_PER_RUN};
