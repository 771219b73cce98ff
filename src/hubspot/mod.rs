//! The HTTP client for HubSpot's CRM Tickets API (v3), and for any server that speaks it, such
//! as `hubscript serve`: [`HubspotClient`] implements [`crate::backend::TicketsBackend`] for
//! every endpoint (tickets, batch, search, merge, v3 and v4 associations, properties,
//! property groups, pipelines, association labels, owners).
//!
//! It paces itself with one shared [`RateLimiter`] (HubSpot's rolling 10-second budget and 5
//! searches per second, adapted to the `X-HubSpot-RateLimit-*` headers), retries transient
//! failures with backoff while never repeating a create that may have reached HubSpot, and
//! keeps the access token out of every Debug output, log line and error. It knows nothing about
//! Rhai, clap or the sandbox.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use hubscript::backend::TicketsBackend;
//! use hubscript::hubspot::{AccessToken, ClientConfig, HubspotClient};
//!
//! let config = ClientConfig::new("http://127.0.0.1:8080").with_token(AccessToken::new("pat-..."));
//! let client = HubspotClient::new(config)?; // build once, clone freely: clones share the limiter
//! let ticket = client.get("123", &Default::default()).await?;
//! println!("{}", ticket.prop("subject").unwrap_or("(no subject)"));
//! # Ok(()) }
//! ```

mod client;
mod config;
mod error;
mod limiter;
mod objects;
mod properties;
mod response;
mod retry;
mod schema;
mod tickets;
mod transport;

#[cfg(test)]
mod mock_server;
#[cfg(test)]
mod mock_server_tests;

pub use client::HubspotClient;
pub use config::{AccessToken, ClientConfig, RateConfig, DEFAULT_BASE_URL};
pub use error::HubspotError;
pub use limiter::{Bucket, RateHeaders, RateLimiter};
pub use retry::Idempotency;
