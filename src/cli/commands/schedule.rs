//! `hubscript schedule [DIR]`: each scheduled script with its next fire times in its own time
//! zone, each script listening for ticket events with its events, and the scripts whose
//! headers are invalid.

use std::path::Path;

use crate::triggers::{format_fire_time, schedule_report, ScheduleEntry};

use crate::cli::error::{CliError, CliResult};

/// Prints the report; exits 2 when some header is invalid (so CI can use it).
pub(super) fn schedule(dir: &Path, count: usize) -> CliResult {
    let entries = schedule_report(dir, chrono::Utc::now(), count).map_err(CliError::usage)?;
    if entries.is_empty() {
        println!("no scheduled or event scripts in {}", dir.display());
        return Ok(());
    }
    let mut invalid = 0;
    for entry in &entries {
        match entry {
            ScheduleEntry::Scheduled {
                path,
                description,
                schedule,
                timezone,
                next,
                on,
            } => {
                println!("{}  \"{schedule}\" ({timezone})", path.display());
                if let Some(d) = description {
                    println!("  {d}");
                }
                if !on.is_empty() {
                    println!("  on: {}", on.join(" "));
                }
                if next.is_empty() {
                    println!("  no future fire time");
                }
                for t in next {
                    println!("  next: {}", format_fire_time(t));
                }
            }
            ScheduleEntry::OnEvents {
                path,
                description,
                on,
                reenroll,
            } => {
                println!("{}  on events", path.display());
                if let Some(d) = description {
                    println!("  {d}");
                }
                println!("  on: {}", on.join(" "));
                if *reenroll != "always" {
                    println!("  reenroll: {reenroll}");
                }
            }
            ScheduleEntry::Invalid { path, error } => {
                invalid += 1;
                println!("{}  INVALID", path.display());
                for line in error.lines() {
                    println!("  {line}");
                }
            }
        }
    }
    if invalid > 0 {
        return Err(CliError::usage(format!(
            "{invalid} script(s) with an invalid header"
        )));
    }
    Ok(())
}
