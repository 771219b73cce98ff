//! How the binary shows a run: the script's `print` lines on stdout, plain; log lines on stderr
//! as they happen (script name, level), then the error diagnostic, the dry-run plan and a
//! one-line summary, also on stderr; or, with `--json`, one JSON document on stdout.

use std::io::Write;
use std::sync::Arc;

use super::args::LogFormat;
use super::logging;
use crate::script::{LogSink, RunOutcome};
use crate::state::LogLine;

/// A log sink printing a script's lines on stderr like hubscript's own logs: `HH:MM:SS LEVEL
/// script: message`, or one JSON object per line with `--log-format json`; `-q` keeps only
/// warnings and errors, debug lines need `-v`.
pub(super) fn stderr_log(script: &str) -> LogSink {
    log_sink(script, false)
}

/// A sink for a script's `print` lines under the daemon: the log line format, labelled with the
/// script (several scripts interleave in one stream), never hidden by `-q` (`-q` silences
/// hubscript's logs, not what a script prints).
pub(super) fn print_as_log(script: &str) -> LogSink {
    log_sink(script, true)
}

/// A sink for a script's `print` lines under `run` and `watch`: plain lines on stdout, so
/// `hubscript run report.rhai > report.txt` holds the report and nothing else. A closed pipe
/// (`| head`) is not an error.
pub(super) fn stdout_print() -> LogSink {
    Arc::new(|line: &LogLine| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", line.message).and_then(|()| out.flush());
    })
}

fn log_sink(script: &str, always: bool) -> LogSink {
    let script = script.to_string();
    let style = logging::script_log_style();
    Arc::new(move |line: &LogLine| {
        let level = line.level.to_lowercase();
        // RUST_LOG, -q and -v filter a script's lines like hubscript's own (target `script`).
        let shown = always || logging::script_line_enabled(&level);
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

/// Prints what a run did: the error, the plan when writes were planned, the summary, all on
/// stderr (stdout carries only what the script printed); with `--json`, one document on stdout.
pub(super) fn print_outcome(script: &str, outcome: &RunOutcome, json: bool) {
    if let Some(e) = &outcome.record_error {
        eprintln!("error: {script}: this run is missing from the run history: {e}");
    }
    if json {
        match serde_json::to_string_pretty(outcome) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("error: cannot render the outcome as JSON: {e}"),
        }
        return;
    }
    if let Some(e) = &outcome.error {
        eprintln!("{}", e.render().trim_end());
        if let crate::script::ScriptError::HubSpot { status: 401, .. } = e {
            eprintln!("{}", token_hint());
        }
    }
    // A script that did not compile never ran: no plan to show.
    let compiled = !matches!(
        outcome.error,
        Some(crate::script::ScriptError::Syntax(_) | crate::script::ScriptError::Header(_))
    );
    if outcome.summary.dry_run && compiled {
        eprintln!("plan for {script} (dry run, nothing was written):");
        eprint!("{}", outcome.plan.render_table_fit(terminal_width()));
        if !outcome.requests.is_empty() {
            eprintln!("requests planned (dry run, nothing was sent):");
            for r in &outcome.requests {
                eprintln!("  {} {}", r.method.as_str(), r.url);
                if let Some(body) = &r.body {
                    eprintln!("    {body}");
                }
            }
        }
    }
    let id = outcome
        .run_id
        .map(|id| format!(" (run {id})"))
        .unwrap_or_default();
    eprintln!(
        "{script}: {} — {}{id}",
        outcome.status.as_str(),
        outcome.summary.render()
    );
}

/// The width tables are fitted to: `COLUMNS` when set, else the terminal's when stderr is one;
/// none for a pipe or a file (values are then cut only at their length limit).
pub(super) fn terminal_width() -> Option<usize> {
    use std::io::IsTerminal;
    if let Some(c) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
    {
        return Some(c);
    }
    if !std::io::stderr().is_terminal() {
        return None;
    }
    crate::terminal::width(2)
}

/// What to check after a 401: whether a token was sent at all, and from which variable (never
/// the token itself).
fn token_hint() -> String {
    let var = super::config::TOKEN_ENV;
    match std::env::var(var) {
        Ok(t) if !t.trim().is_empty() => format!(
            "hint: the server refused the access token from {var} (401, authentication \
             failed); check that {var} holds the current access token of a private app in \
             this portal with the tickets scope"
        ),
        _ => format!(
            "hint: no access token was sent ({var} is not set) and the server requires one \
             (401); set {var} to your private app's access token"
        ),
    }
}
