//! Errors at the edge of the binary: anything a command can fail with, already worded for the
//! user, with the exit code it maps to. Lower layers keep their typed errors; this is where they
//! meet (anyhow-style) and become one line on stderr plus an exit code.

use crate::exit_code as exit;

/// A command failure: the message to print and the exit code.
#[derive(Debug)]
pub(super) struct CliError {
    /// What to print after `error: `.
    pub message: String,
    /// The exit code.
    pub code: u8,
}

impl CliError {
    /// A usage or configuration error (exit 2).
    pub(super) fn usage(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: exit::USAGE,
        }
    }

    /// A runtime failure (exit 1).
    pub(super) fn failed(message: impl std::fmt::Display) -> Self {
        Self {
            message: message.to_string(),
            code: exit::SCRIPT,
        }
    }

    /// An already-printed failure: exit with `code`, print nothing more.
    pub(super) fn silent(code: u8) -> Self {
        Self {
            message: String::new(),
            code,
        }
    }
}

/// Result of a command: the exit code on success paths that are not 0 (e.g. a failed script
/// whose diagnostic was already printed) travels as a silent `CliError`.
pub(super) type CliResult = Result<(), CliError>;
