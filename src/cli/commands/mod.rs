//! One file per subcommand; [`dispatch`] maps the parsed command to it.

mod check;
mod daemon;
mod run;
mod runs;
mod sandbox;
mod schedule;
mod serve;
mod watch;

use std::path::{Path, PathBuf};

use super::args::{Command, RunsCommand, SandboxCommand};
use super::error::{CliError, CliResult};

/// Reads a script file, with a clear error when it is missing.
pub(crate) fn read_script(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read script {}: {e}", path.display())))
}

/// Runs one command.
pub async fn dispatch(command: Command) -> CliResult {
    match command {
        Command::Run {
            script,
            run: args,
            json,
            backend,
        } => run::run(script, args, json, backend).await,
        Command::Check { scripts } => check::check(scripts).await,
        Command::Watch {
            paths,
            apply,
            clear,
            run,
            backend,
        } => watch::watch(paths, apply, clear, run, backend).await,
        Command::Daemon {
            dir,
            grace,
            backend,
        } => daemon::daemon(dir, grace, backend).await,
        Command::Schedule { dir, count } => {
            schedule::schedule(&dir.unwrap_or_else(|| PathBuf::from("scripts")), count)
        }
        Command::Runs {
            show: Some(RunsCommand::Show { id }),
            ..
        } => runs::show(id),
        Command::Runs {
            show: None,
            script,
            failed,
            limit,
        } => runs::list(script, failed, limit),
        Command::Repl { .. } => Err(CliError::usage("the REPL is not wired yet")),
        Command::Serve {
            addr,
            sandbox,
            token,
            rate_limit,
            daily_limit,
            faults,
            seed,
        } => {
            serve::serve(serve::ServeOptions {
                addr,
                sandbox,
                token,
                rate_limit,
                daily_limit,
                faults,
                seed,
            })
            .await
        }
        Command::Sandbox { action } => match action {
            SandboxCommand::Reset {
                tickets,
                seed,
                sandbox,
            } => sandbox::reset(sandbox, tickets, seed),
            SandboxCommand::Seed {
                tickets,
                seed,
                sandbox,
            } => sandbox::seed(sandbox, tickets, seed).await,
        },
    }
}
