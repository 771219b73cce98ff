//! One file per subcommand; [`dispatch`] maps the parsed command to it.

mod apply;
mod check;
mod daemon;
mod pull;
mod run;
#[cfg(unix)]
mod run_child;
mod runs;
mod sandbox;
mod schedule;
mod serve;
mod status;
mod undo;
mod watch;

use std::path::{Path, PathBuf};

use super::args::{Command, RunsCommand, SandboxCommand};
use super::error::{CliError, CliResult};

/// Reads a script file, with a clear error when it is missing.
pub(crate) fn read_script(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read script {}: {e}", path.display())))
}

/// `hubscript repl`: the interactive session on its own blocking thread. It installs its own
/// Ctrl-C handling (Ctrl-C cancels the running input, Ctrl-D exits), so no shutdown token here.
async fn repl(
    dry_run: bool,
    max_writes: Option<u64>,
    backend: super::args::BackendArgs,
) -> CliResult {
    let ctx = super::context::Context::open(&backend)?;
    ctx.announce();
    let config = crate::repl::ReplConfig {
        live: ctx.backend.is_live(),
        backend: ctx.backend.clone(),
        host: ctx.host,
        dry_run,
        max_writes,
        history_path: None,
    };
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || crate::repl::run(config, handle))
        .await
        .map_err(CliError::failed)?
        .map_err(CliError::failed)
}

/// Runs one command.
pub(super) async fn dispatch(command: Command) -> CliResult {
    match command {
        Command::Run {
            script,
            run: args,
            json,
            plan_out,
            backend,
        } => run::run(script, args, json, plan_out, backend).await,
        Command::Apply {
            plan,
            yes,
            max_age,
            json,
            backend,
        } => apply::apply(&plan, yes, max_age, json, backend).await,
        Command::Check {
            scripts,
            schema,
            backend,
        } => check::check(scripts, schema.then_some(backend)).await,
        Command::Watch {
            paths,
            apply,
            clear,
            run_now,
            run,
            backend,
        } => watch::watch(paths, apply, clear, run_now, run, backend).await,
        Command::Daemon {
            dir,
            grace,
            listen,
            alert_webhook,
            max_concurrent,
            memory,
            lease,
            replicas,
            events,
            backend,
        } => {
            let service = daemon::Service {
                events,
                listen,
                alert_webhook,
                lease,
                replicas: usize::from(replicas),
            };
            daemon::daemon(
                dir,
                grace,
                service,
                usize::from(max_concurrent),
                memory,
                backend,
            )
            .await
        }
        Command::Status { dir, json } => status::status(
            &dir.unwrap_or_else(|| PathBuf::from("scripts")),
            &super::home::state_location(),
            json,
        ),
        Command::Undo {
            run,
            dry_run,
            json,
            backend,
        } => undo::undo(run, dry_run, json, backend).await,
        Command::RunChild {
            script,
            trigger,
            plain_print,
            claim,
            event,
            run,
            backend,
        } => {
            #[cfg(unix)]
            {
                run_child::run_child(script, trigger, plain_print, claim, event, run, backend).await
            }
            #[cfg(not(unix))]
            {
                let _ = (script, trigger, plain_print, claim, event, run, backend);
                Err(CliError::usage("run-child needs a Unix system"))
            }
        }
        Command::Schedule { dir, count } => {
            schedule::schedule(&dir.unwrap_or_else(|| PathBuf::from("scripts")), count)
        }
        Command::Runs {
            show: Some(RunsCommand::Show { id, json }),
            ..
        } => runs::show(id, json),
        Command::Runs {
            show: None,
            filter,
            json,
        } => runs::list(&filter, json),
        Command::Repl {
            dry_run,
            max_writes,
            backend,
        } => repl(dry_run, max_writes, backend).await,
        Command::Serve {
            addr,
            sandbox,
            token,
            rate_limit,
            daily_limit,
            faults,
            seed,
            webhook_url,
            webhook_secret_env,
            search_lag,
        } => {
            serve::serve(serve::ServeOptions {
                addr,
                sandbox,
                token,
                rate_limit,
                daily_limit,
                faults,
                seed,
                webhook_url,
                webhook_secret_env,
                search_lag,
            })
            .await
        }
        Command::Sandbox { action } => match action {
            SandboxCommand::Reset {
                tickets,
                seed,
                sandbox,
                force,
            } => sandbox::reset(sandbox, tickets, seed, force),
            SandboxCommand::Seed {
                tickets,
                seed,
                sandbox,
            } => sandbox::seed(sandbox, tickets, seed).await,
            SandboxCommand::Pull {
                from,
                tickets,
                anonymize,
                sandbox,
                rate_per_10s,
            } => sandbox::pull(from, tickets, anonymize, sandbox, rate_per_10s).await,
        },
    }
}
