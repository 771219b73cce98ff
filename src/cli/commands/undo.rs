//! `hubscript undo RUN_ID [--dry-run] [--json]`: puts back what a recorded run changed, on the
//! same backend, with the drift check of plan/apply (a ticket changed since the run is left
//! alone and listed as a conflict), and records the undo as a run that can be undone too.

use serde_json::json;

use crate::script::apply::ChangeStatus;
use crate::script::UndoOutcome;

use crate::cli::args::BackendArgs;
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::signals;

fn print_text(run: i64, o: &UndoOutcome, dry_run: bool) {
    println!(
        "{} of run {run}:",
        if dry_run {
            "undo plan (dry run, nothing was written)"
        } else {
            "undo"
        }
    );
    print!(
        "{}",
        o.plan
            .render_table_fit(crate::cli::output::terminal_width())
    );
    if !o.not_undoable.is_empty() {
        println!("cannot be undone ({}):", o.not_undoable.len());
        for n in &o.not_undoable {
            println!("  ticket {}: {}: {}", n.ticket, n.change, n.reason);
        }
    }
    if let Some(report) = &o.report {
        for out in &report.outcomes {
            let ticket = out.id.as_deref().unwrap_or(&out.ticket);
            match &out.status {
                ChangeStatus::Conflict {
                    property,
                    read,
                    found,
                } => println!(
                    "  conflict: ticket {ticket} changed since the run ({property}: the run left {}, now {}): left alone",
                    read.as_deref().unwrap_or("(empty)"),
                    found.as_deref().unwrap_or("(empty)")
                ),
                ChangeStatus::Failed { message } | ChangeStatus::Uncertain { message } => {
                    println!("  failed: ticket {ticket}: {message}");
                }
                _ => {}
            }
        }
    }
}

/// Undoes run `id`.
pub(super) async fn undo(id: i64, dry_run: bool, json: bool, backend: BackendArgs) -> CliResult {
    let ctx = Context::open(&backend)?;
    ctx.announce();
    let run = ctx
        .state
        .run(id)
        .map_err(CliError::failed)?
        .ok_or_else(|| CliError::usage(format!("no run with id {id} (see `hubscript runs`)")))?;
    let outcome = ctx
        .host
        .undo(&run, dry_run, signals::shutdown_token())
        .await
        .map_err(CliError::usage)?;
    let applied = outcome.report.as_ref().map_or(0, |r| r.applied());
    if json {
        let v = json!({
            "run_id": outcome.run_id,
            "undo_of": id,
            "dry_run": dry_run,
            "plan": outcome.plan,
            "not_undoable": outcome.not_undoable,
            "outcomes": outcome.report.as_ref().map(|r| &r.outcomes),
            "applied": applied,
            "conflicts": outcome.conflicts(),
            "failed": outcome.failed(),
            "changes": outcome.changes,
        });
        println!("{v}");
    } else {
        print_text(id, &outcome, dry_run);
    }
    let recorded = outcome
        .run_id
        .map_or_else(|| " (NOT recorded)".into(), |r| format!(" (run {r})"));
    eprintln!(
        "undo of run {id}: {} {}, {} conflict(s), {} failed, {} cannot be undone{recorded}",
        if dry_run {
            outcome.plan.entries.len() as u64
        } else {
            applied
        },
        if dry_run {
            "would be put back"
        } else {
            "put back"
        },
        outcome.conflicts(),
        outcome.failed(),
        outcome.not_undoable.len(),
    );
    if outcome.failed() > 0 {
        return Err(CliError::failed(format!(
            "{} change(s) of the undo failed",
            outcome.failed()
        )));
    }
    Ok(())
}
