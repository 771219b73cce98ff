//! `hubscript runs [--script NAME] [--failed] [--limit N]` and `hubscript runs show ID`: the run
//! history kept in `.hubscript/state.db`.

use std::path::Path;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use crate::state::{RunFilter, RunRecord, StateDb, DEFAULT_STATE_PATH};

use crate::cli::error::{CliError, CliResult};

fn open_state() -> Result<StateDb, CliError> {
    StateDb::open(Path::new(DEFAULT_STATE_PATH)).map_err(CliError::usage)
}

fn duration(r: &RunRecord) -> String {
    match r.ended_at {
        Some(end) => {
            let ms = (end - r.started_at).num_milliseconds();
            if ms < 1000 {
                format!("{ms}ms")
            } else {
                format!("{:.1}s", ms as f64 / 1000.0)
            }
        }
        None => "-".into(),
    }
}

/// The cause of a rendered error, for one table cell: the message after the caret (or the
/// first line when there is no caret), cut to 60 characters.
fn error_cause(rendered: &str) -> String {
    let cause = rendered
        .lines()
        .find_map(|l| l.split_once("^ ").map(|(_, msg)| msg.trim()))
        .or_else(|| rendered.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("");
    cause.chars().take(60).collect()
}

/// Lists runs, newest first.
pub fn list(script: Option<String>, failed: bool, limit: usize) -> CliResult {
    let db = open_state()?;
    let runs = db
        .runs(&RunFilter {
            script,
            failed,
            limit,
        })
        .map_err(CliError::failed)?;
    if runs.is_empty() {
        println!("no runs recorded");
        return Ok(());
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "id",
        "script",
        "trigger",
        "started (UTC)",
        "took",
        "status",
        "read",
        "written",
        "error",
    ]);
    for r in &runs {
        let error: String = r.error.as_deref().map(error_cause).unwrap_or_default();
        table.add_row([
            r.id.to_string(),
            r.script.clone(),
            format!("{}{}", r.trigger, if r.dry_run { " (dry)" } else { "" }),
            r.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            duration(r),
            r.status.as_str().to_string(),
            r.reads.to_string(),
            r.writes.to_string(),
            error,
        ]);
    }
    println!("{table}");
    Ok(())
}

/// Prints one run with its log.
pub fn show(id: i64) -> CliResult {
    let db = open_state()?;
    let r = db
        .run(id)
        .map_err(CliError::failed)?
        .ok_or_else(|| CliError::usage(format!("no run with id {id} (see `hubscript runs`)")))?;
    println!(
        "run {} of {} ({}{})",
        r.id,
        r.script,
        r.trigger,
        if r.dry_run { ", dry run" } else { "" }
    );
    println!("started  {}", r.started_at.to_rfc3339());
    if let Some(end) = r.ended_at {
        println!("ended    {} ({})", end.to_rfc3339(), duration(&r));
    }
    println!("status   {}", r.status.as_str());
    println!(
        "tickets  {} read, {} written; {} API calls",
        r.reads, r.writes, r.api_calls
    );
    if !r.log.is_empty() {
        println!("log:");
        for line in &r.log {
            println!(
                "  {} {:5} {}",
                line.at.format("%H:%M:%S%.3f"),
                line.level,
                line.message
            );
        }
    }
    if let Some(e) = &r.error {
        println!("error:\n{e}");
    }
    Ok(())
}
