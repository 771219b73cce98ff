//! `hubscript run SCRIPT`: run one script once and report what it did.

use std::path::PathBuf;

use crate::script::{script_name, RunOptions, RunRequest};

use crate::cli::args::{BackendArgs, RunArgs};
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::{output, signals};

/// Runs `script`; the exit code follows the outcome (0, 1, 2 for a bad header, 130).
pub(super) async fn run(
    script: PathBuf,
    run: RunArgs,
    json: bool,
    backend: BackendArgs,
) -> CliResult {
    let source = super::read_script(&script)?;
    let ctx = Context::open(&backend)?;
    ctx.announce();
    let name = script_name(&script);
    let cancel = signals::shutdown_token();
    let request = RunRequest {
        path: script.clone(),
        source,
        options: RunOptions {
            dry_run: run.dry_run,
            args: run.args.into_iter().collect(),
            timeout: run.timeout,
            max_writes: run.max_writes,
            trigger: "run".into(),
            undo_of: None,
        },
        cancel,
        on_log: (!json).then(|| output::stderr_log(&name)),
        // With --json the lines are in the document's `log`; stdout holds only that document.
        on_print: (!json).then(output::stdout_print),
    };
    let outcome = ctx.host.run(request).await;
    output::print_outcome(&name, &outcome, json);
    match &outcome.error {
        None => Ok(()),
        Some(e) => Err(CliError::silent(e.exit_code())),
    }
}
