//! `hubscript apply PLAN [--yes] [--max-age 1h] [--json]`: shows a plan saved by
//! `run --plan-out`, asks for confirmation on a terminal, and applies exactly it with the drift
//! check (a ticket changed since the plan was made is skipped as a conflict), recording the
//! apply as a run with trigger `apply`.
//!
//! Choices: without `--yes`, a stdin that is not a terminal is refused (exit 2) rather than
//! read, so a cron job never applies a plan nobody confirmed; answering anything but `y`/`yes`
//! applies nothing and exits 1 (the plan was not applied, as `terraform apply` does); an empty
//! plan applies nothing, records nothing and exits 0.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::script::apply::ChangeStatus;
use crate::script::{AppliedPlan, SavedPlan};

use crate::cli::args::BackendArgs;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::signals;

/// Shows the plan on stderr (the same table as a dry run) with what it was made from.
fn show(path: &Path, saved: &SavedPlan) {
    let args = if saved.args.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = saved.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!(", args {}", list.join(" "))
    };
    eprintln!(
        "plan {} of {} ({}{args}), made at {} on {}:",
        path.display(),
        saved.script,
        saved.script_path,
        saved
            .created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        saved.backend.label(),
    );
    eprint!(
        "{}",
        saved
            .plan
            .render_table_fit(crate::cli::output::terminal_width())
    );
}

/// Asks y/N on the terminal; anything but `y`/`yes` is no.
fn confirm(changes: usize) -> Result<bool, CliError> {
    eprint!("apply these {changes} change(s)? [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(CliError::failed)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn print_problems(applied: &AppliedPlan) {
    for out in &applied.report.outcomes {
        let ticket = out.id.as_deref().unwrap_or(&out.ticket);
        let line = out.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        match &out.status {
            ChangeStatus::Conflict {
                property,
                read,
                found,
            } => eprintln!(
                "  conflict: ticket {ticket} changed since the plan was made ({property}: read {}, now {}): left alone",
                read.as_deref().unwrap_or("(empty)"),
                found.as_deref().unwrap_or("(empty)")
            ),
            ChangeStatus::Failed { message } | ChangeStatus::Uncertain { message } => {
                eprintln!("  failed: ticket {ticket}{line}: {message}");
            }
            ChangeStatus::Pending => eprintln!("  failed: ticket {ticket}{line}: not sent"),
            ChangeStatus::Applied => {}
        }
    }
}

/// Applies the plan saved in `path`.
pub(super) async fn apply(
    path: &Path,
    yes: bool,
    max_age: Duration,
    json: bool,
    backend: BackendArgs,
) -> CliResult {
    let saved = SavedPlan::load(path).map_err(CliError::usage)?;
    let ctx = Context::open(&backend)?;
    ctx.announce();
    // Refuse a stale or foreign plan before asking anyone about it.
    ctx.host
        .check_saved(path, &saved, max_age)
        .await
        .map_err(CliError::usage)?;
    show(path, &saved);
    if saved.plan.is_empty() {
        eprintln!("nothing to apply");
        return Ok(());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::usage(format!(
                "not applying {}: confirmation needed and stdin is not a terminal; pass --yes to apply without asking",
                path.display()
            )));
        }
        if !confirm(saved.plan.entries.len())? {
            return Err(CliError::failed("not applied: the answer was not yes"));
        }
    }
    let applied = ctx
        .host
        .apply_saved(path, &saved, max_age, signals::shutdown_token())
        .await
        .map_err(CliError::usage)?;
    let r = &applied.report;
    let (done, conflicts, failed) = (r.applied(), r.conflicts(), r.failed());
    if json {
        let v = json!({
            "run_id": applied.run_id,
            "plan_file": path.display().to_string(),
            "script": saved.script,
            "planned": saved.plan.entries.len(),
            "applied": done,
            "conflicts": conflicts,
            "failed": failed,
            "api_reads": r.read_calls,
            "api_writes": r.write_calls,
            "outcomes": r.outcomes,
            "created": r.created,
            "changes": applied.changes,
        });
        println!("{v}");
    }
    print_problems(&applied);
    let recorded = applied
        .run_id
        .map_or_else(|| " (NOT recorded)".into(), |id| format!(" (run {id})"));
    eprintln!(
        "apply of {} ({}): {} planned, {done} applied, {conflicts} conflict(s), {failed} failed{recorded}",
        path.display(),
        saved.script,
        saved.plan.entries.len(),
    );
    if failed > 0 {
        return Err(CliError::failed(format!(
            "{failed} change(s) of the plan failed"
        )));
    }
    Ok(())
}
