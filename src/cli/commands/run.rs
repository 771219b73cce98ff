//! `hubscript run SCRIPT`: run one script once and report what it did; with `--plan-out FILE`,
//! plan only and save the plan for `hubscript apply`.

use std::path::PathBuf;

use crate::script::{script_name, RunOptions, RunRequest, SavedPlan, SAVED_PLAN_VERSION};
use crate::state::content_hash;

use crate::cli::args::{BackendArgs, RunArgs};
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::exit;
use crate::cli::{output, signals};

/// Runs `script`; the exit code follows the outcome (0, 1, 2 for a bad header, 130), and is 1
/// when the run could not be recorded in `state.db`.
pub(super) async fn run(
    script: PathBuf,
    run: RunArgs,
    json: bool,
    plan_out: Option<PathBuf>,
    backend: BackendArgs,
) -> CliResult {
    let source = super::read_script(&script)?;
    let ctx = Context::open(&backend)?;
    ctx.announce();
    let name = script_name(&script);
    let cancel = signals::shutdown_token();
    let args: std::collections::BTreeMap<String, String> = run.args.into_iter().collect();
    let created_at = chrono::Utc::now();
    let request = RunRequest {
        path: script.clone(),
        source: source.clone(),
        options: RunOptions {
            // --plan-out plans exactly as --dry-run does: nothing written, state not committed.
            dry_run: run.dry_run || plan_out.is_some(),
            args: args.clone(),
            timeout: run.timeout,
            max_writes: run.max_writes,
            trigger: "run".into(),
            undo_of: None,
            claim: None,
            memory: run.memory,
            event: None,
        },
        cancel,
        on_log: (!json).then(|| output::stderr_log(&name)),
        // With --json the lines are in the document's `log`; stdout holds only that document.
        on_print: (!json).then(output::stdout_print),
        on_start: None,
    };
    let outcome = ctx.host.run(request).await;
    output::print_outcome(&name, &outcome, json);
    if let Some(e) = &outcome.error {
        // A script that failed planned only part of its work: no plan is saved.
        if let Some(out) = &plan_out {
            eprintln!("no plan saved to {}: the run failed", out.display());
        }
        return Err(CliError::silent(e.exit_code()));
    }
    if let Some(out) = plan_out {
        let saved = SavedPlan {
            version: SAVED_PLAN_VERSION,
            script: name.clone(),
            script_path: script.display().to_string(),
            script_sha256: content_hash(&source),
            args,
            backend: ctx.host.backend_record().await,
            // When the run started: its reads are no older than this.
            created_at,
            plan: outcome.plan,
        };
        saved.save(&out).map_err(CliError::usage)?;
        eprintln!(
            "plan saved to {} ({} change(s)); apply it with `hubscript apply {}`",
            out.display(),
            saved.plan.entries.len(),
            out.display()
        );
    }
    if outcome.record_error.is_some() {
        // The script did its work but left no trace in the history: not a success to report.
        return Err(CliError::silent(exit::SCRIPT));
    }
    Ok(())
}
