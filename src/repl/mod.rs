//! `hubscript repl`: an interactive session over the script engine (issue 6).
//!
//! Entry point: [`run`] with a [`ReplConfig`]; it blocks (call it from `spawn_blocking`) and
//! owns the terminal until the user leaves. Evaluation itself is the script layer's
//! [`crate::script::ReplSession`]; this module reads lines (rustyline: history file, Ctrl-R,
//! completion and hints; a continuation prompt while a statement is unfinished), runs `:`
//! commands, renders results (long ones through a pager) and routes Ctrl-C to the running
//! input. It must not talk HTTP itself nor import clap.
//!
//! Live writes: every input has its own write count, capped by `max_writes`; when one input is
//! about to take its count past [`CONFIRM_ABOVE`] tickets, the write guard asks (y/N) before
//! that write is sent. A batch is asked about before any of it is sent; writes made one by one
//! in a loop are asked about before the 11th ticket (the first ten are already written).

mod command;
mod complete;
mod continuation;
mod driver;
mod helper;
mod history;
mod interrupt;
mod output;
mod pager;
#[cfg(test)]
mod session_tests;

use std::path::PathBuf;
use std::sync::Arc;

use crate::backend::TicketsBackend;
use crate::script::ScriptHost;

pub use history::default_history_path;

/// Above this many distinct tickets changed by one input on a live portal, the REPL asks.
pub const CONFIRM_ABOVE: u64 = 10;

/// Tickets of a lazy `search`/`list` result shown as a table before "... more".
pub const TABLE_ROWS: usize = 50;

/// What the REPL runs against and how.
pub struct ReplConfig {
    /// The script host (its backend is the one inputs reach).
    pub host: ScriptHost,
    /// The same backend, for the portal's property names and stage labels.
    pub backend: Arc<dyn TicketsBackend>,
    /// Start with writes planned instead of sent (`:dry-run` toggles it).
    pub dry_run: bool,
    /// Write cap per input.
    pub max_writes: Option<u64>,
    /// Whether writes reach a live HubSpot portal (then large writes ask first).
    pub live: bool,
    /// The history file; `None` = [`default_history_path`].
    pub history_path: Option<PathBuf>,
}

/// Why the REPL could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplError {
    /// The line editor failed (no terminal, a read error).
    #[error("line editor: {0}")]
    Editor(#[from] rustyline::error::ReadlineError),
    /// The Ctrl-C handler could not be installed.
    #[error("cannot install the Ctrl-C handler: {0}")]
    Signal(#[from] std::io::Error),
}

/// Runs the REPL until `:quit` or Ctrl-D. Blocking: call it from `spawn_blocking` (or a
/// plain thread) with a handle of a multi-thread runtime.
pub fn run(config: ReplConfig, handle: tokio::runtime::Handle) -> Result<(), ReplError> {
    driver::Driver::new(config, handle)?.run()
}
