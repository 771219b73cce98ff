//! hubscript: an embedded scripting host and automation runtime for the HubSpot CRM Tickets API.
//!
//! Layers run one way: [`cli`] → [`triggers`] → [`script`] → [`backend`], whose two
//! implementations are the HTTP client in [`hubspot`] and the local SQLite store in [`sandbox`].
//! [`server`] exposes any backend over HubSpot's HTTP API (`hubscript serve`). [`model`] holds
//! HubSpot's wire types and rules, shared by all of them; [`exit_code`] the binary's exit codes. The client, the sandbox and the server never
//! touch Rhai; the script layer never touches clap. [`state`] is `.hubscript/state.db`: script
//! memory, run history and the daemon's last fire times.

pub mod backend;
pub mod calendar;
pub mod cli;
pub mod exit_code;
pub mod hubspot;
pub mod model;
pub mod ops;
pub mod outbound;
pub mod repl;
pub mod sandbox;
pub mod script;
pub mod server;
pub mod state;
pub mod suggest;
pub mod terminal;
#[cfg(test)]
mod test_support;
pub mod triggers;
