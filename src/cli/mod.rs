//! The command line: parse ([`args`]), validate ([`config`]), dispatch (`commands`), and map
//! the result to an exit code: 0 success, 1 script or HubSpot error, 2 usage or configuration
//! error, 130 interrupted. Errors are printed here, once. This is the only layer that knows
//! clap; it wires the backend, the script host and the triggers together.

pub mod args;
mod backend;
#[cfg(unix)]
mod child_protocol;
#[cfg(unix)]
mod child_runner;
mod commands;
pub mod config;
mod context;
mod error;
pub mod home;
pub mod logging;
mod output;
mod runner;
mod signals;

use std::process::ExitCode;

use clap::Parser;

use self::args::Cli;
use crate::exit_code as exit;

/// Rust ignores SIGPIPE, so printing to a closed pipe (`hubscript runs | head -3`) panics;
/// command-line tools are expected to end quietly instead, as the default action does.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any other thread exists; setting the
    // default disposition of SIGPIPE has no other effect on this process.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    restore_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    logging::init(cli.log_format, cli.verbose, cli.quiet);
    home::init(cli.home.clone(), cli.state.clone());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("hubscript")
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::SCRIPT);
        }
    };
    let result = runtime.block_on(commands::dispatch(cli.command));
    // Do not wait for stray blocking tasks (e.g. a cancelled script's thread) forever.
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            if !e.message.is_empty() {
                eprintln!("error: {}", e.message);
            }
            ExitCode::from(e.code)
        }
    }
}
