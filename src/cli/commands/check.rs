//! `hubscript check SCRIPT...`: compile scripts and validate their headers (cron expression
//! included) without running anything, for CI and pre-commit hooks.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::OfflineBackend;
use crate::script::ScriptHost;
use crate::state::StateDb;
use crate::triggers::ScheduledScript;

use crate::cli::error::{CliError, CliResult};

/// Expands directories to their `.rhai` files.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| CliError::usage(format!("{}: {e}", p.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "rhai"))
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Checks every script; exit 0 when all are valid, else the worst exit code.
pub(super) async fn check(scripts: Vec<PathBuf>) -> CliResult {
    let files = expand(&scripts)?;
    if files.is_empty() {
        return Err(CliError::usage("no .rhai scripts found"));
    }
    // Compiling never calls the backend, but the host wants one: an offline one, so `check`
    // never touches the project's sandbox, state file or a portal.
    let state = StateDb::in_memory().map_err(CliError::failed)?;
    let host = ScriptHost::new(
        Arc::new(OfflineBackend),
        state,
        tokio::runtime::Handle::current(),
    )
    .with_schedule_check(crate::cli::context::schedule_check());
    let mut worst = 0u8;
    for file in &files {
        match check_one(&host, file) {
            Ok(summary) => println!("ok      {}{summary}", file.display()),
            Err((code, message)) => {
                worst = worst.max(code);
                println!("FAILED  {}", file.display());
                eprintln!("{}", message.trim_end());
            }
        }
    }
    if worst == 0 {
        Ok(())
    } else {
        Err(CliError::silent(worst))
    }
}

fn check_one(host: &ScriptHost, file: &Path) -> Result<String, (u8, String)> {
    let source = std::fs::read_to_string(file)
        .map_err(|e| (2, format!("{}: cannot read: {e}", file.display())))?;
    let compiled = host
        .check(file, &source)
        .map_err(|e| (e.exit_code(), e.render()))?;
    // The header's schedule, timezone and the rest, as the daemon would read them.
    let scheduled = ScheduledScript::load(file, &source).map_err(|e| (2, e))?;
    let mut summary = String::new();
    if let Some(d) = &compiled.header.description {
        summary.push_str(&format!("  — {d}"));
    }
    if let Some(s) = scheduled {
        summary.push_str(&format!("  [{} {}]", s.schedule.source(), s.tz));
    }
    Ok(summary)
}
