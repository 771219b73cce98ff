//! `hubscript status [DIR] [--json]`: each scheduled or event script (`on`, shown in the
//! schedule column) with NEXT, LEFT, LAST, its last status and its failure streak, like `systemctl list-timers`. The JSON form is the same as
//! the daemon's `/status`.

use std::path::Path;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use crate::ops::{short_span, status_report};
use crate::state::{StateDb, StateLocation};

use crate::cli::error::{CliError, CliResult};

/// Prints the status of the scheduled scripts of `dir`.
pub(super) fn status(dir: &Path, state: &StateLocation, json: bool) -> CliResult {
    if !dir.is_dir() {
        return Err(CliError::usage(format!(
            "{}: not a directory",
            dir.display()
        )));
    }
    let db = StateDb::open_location(state).map_err(CliError::usage)?;
    let now = chrono::Utc::now();
    let report = status_report(dir, &db, now).map_err(CliError::failed)?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(CliError::failed)?
        );
        return Ok(());
    }
    if report.is_empty() {
        println!("no scheduled or event scripts in {}", dir.display());
        return Ok(());
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header([
        "script",
        "schedule",
        "NEXT (UTC)",
        "LEFT",
        "LAST (UTC)",
        "status",
        "failing",
    ]);
    let time = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.map_or_else(|| "-".into(), |d| d.format("%Y-%m-%d %H:%M:%S").to_string())
    };
    for r in &report {
        if let Some(error) = &r.invalid {
            let first = error.lines().next().unwrap_or("").to_string();
            t.add_row([
                r.script.clone(),
                "INVALID".into(),
                "-".into(),
                "-".into(),
                time(r.last),
                "-".into(),
                first,
            ]);
            continue;
        }
        let when = match (r.schedule.is_empty(), r.on.is_empty()) {
            (true, _) => format!("on {}", r.on.join(" ")),
            (false, true) => format!("{} ({})", r.schedule, r.timezone),
            (false, false) => format!("{} ({}); on {}", r.schedule, r.timezone, r.on.join(" ")),
        };
        t.add_row([
            r.script.clone(),
            when,
            time(r.next),
            r.left_secs.map_or_else(|| "-".into(), short_span),
            time(r.last),
            r.last_status
                .map_or_else(|| "never ran".into(), |s| s.as_str().to_string()),
            if r.failure_streak == 0 {
                String::new()
            } else {
                format!("{} in a row", r.failure_streak)
            },
        ]);
    }
    println!("{t}");
    Ok(())
}
