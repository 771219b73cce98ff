//! The binary's exit codes, in one table: the CLI exits with them, and the script layer says
//! which one a failed run means ([`crate::script::ScriptError::exit_code`]). README's command
//! table documents the same four.

/// Success.
pub const OK: u8 = 0;
/// A script error or a HubSpot error.
pub const SCRIPT: u8 = 1;
/// Bad usage or configuration (including a bad script header).
pub const USAGE: u8 = 2;
/// Interrupted (Ctrl-C, or a run cancelled), as shells report SIGINT (128 + 2).
pub const INTERRUPTED: u8 = 130;
