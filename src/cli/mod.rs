//! The command line: parse, validate, dispatch, map to an exit code (being built).

pub mod args;
pub mod config;
pub mod logging;

/// Entry point of the binary.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
