//! The Rhai host: engine construction, the script API, running scripts safely.
//!
//! Entry point: [`ScriptHost`] (`check` compiles and validates the header, `run` runs on a
//! blocking thread and records the run). Scripts reach HubSpot only through the
//! [`crate::backend::TicketsBackend`] trait, over one bridge that honours cancellation and the
//! run's deadline. This layer never imports clap and never prints.

pub mod api;
mod bridge;
mod context;
mod convert;
mod engine;
pub mod error;
mod guard;
pub mod header;
mod host;
pub mod limits;
mod paging;
pub mod plan;
mod render;
mod repl;
pub mod search_form;

#[cfg(test)]
mod tests;

pub use api::api_reference_markdown;
pub use context::LogSink;
pub use error::{Diagnostic, Frame, ScriptError};
pub use host::{script_name, CompiledScript, RunOptions, RunOutcome, RunRequest, ScriptHost};
pub use paging::TicketQuery;
pub use plan::{Plan, PlanChange, PlanEntry, RunSummary};
pub use repl::{ReplSession, REPL_SOURCE};
