//! How the binary shows a run: log lines on stderr as they happen (script name, level), then
//! the error diagnostic, the dry-run plan and a one-line summary; or, with `--json`, one JSON
//! document on stdout.

use std::io::Write;
use std::sync::Arc;

use super::args::LogFormat;
use super::logging;
use crate::script::{LogSink, RunOutcome};
use crate::state::LogLine;

/// A log sink printing a script's lines on stderr like hubscript's own logs: `HH:MM:SS LEVEL
/// script: message`, or one JSON object per line with `--log-format json`; `-q` keeps only
/// warnings and errors, debug lines need `-v`.
pub fn stderr_log(script: &str) -> LogSink {
    let script = script.to_string();
    let style = logging::script_log_style();
    Arc::new(move |line: &LogLine| {
        let level = line.level.to_lowercase();
        let shown = match level.as_str() {
            "debug" | "trace" => style.verbose && !style.quiet,
            "info" => !style.quiet,
            _ => true,
        };
        if !shown {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = match style.format {
            LogFormat::Human => writeln!(
                err,
                "{} {:5} {script}: {}",
                line.at.format("%H:%M:%S"),
                level.to_uppercase(),
                line.message
            ),
            LogFormat::Json => writeln!(
                err,
                "{}",
                serde_json::json!({
                    "timestamp": crate::model::time::format_iso(line.at),
                    "level": level.to_uppercase(),
                    "script": script,
                    "message": line.message,
                })
            ),
        };
    })
}

/// Prints what a run did: the error (stderr), the plan when writes were planned, the summary.
pub fn print_outcome(script: &str, outcome: &RunOutcome, json: bool) {
    if json {
        match serde_json::to_string_pretty(outcome) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("error: cannot render the outcome as JSON: {e}"),
        }
        return;
    }
    if let Some(e) = &outcome.error {
        eprintln!("{}", e.render().trim_end());
    }
    // A script that did not compile never ran: no plan to show.
    let compiled = !matches!(
        outcome.error,
        Some(crate::script::ScriptError::Syntax(_) | crate::script::ScriptError::Header(_))
    );
    if outcome.summary.dry_run && compiled {
        println!("plan for {script} (dry run, nothing was written):");
        print!("{}", outcome.plan.render_table());
    }
    let id = outcome
        .run_id
        .map(|id| format!(" (run {id})"))
        .unwrap_or_default();
    println!(
        "{script}: {} — {}{id}",
        outcome.status.as_str(),
        outcome.summary.render()
    );
}
