//! `hubscript runs [--script NAME] [--failed] [--status S] [--since WHEN] [--backend B]
//! [--limit N] [--json]` and `hubscript runs show ID [--json]`: the run history kept in
//! `.hubscript/state.db`. The JSON forms are stable and documented in docs/run-record.md.

use chrono::{DateTime, NaiveDate, Utc};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

use crate::model::{ChangeAction, TicketChange};
use crate::state::{RunFilter, RunRecord, RunStatus, StateDb, StateLocation};

use crate::cli::args::RunsFilterArgs;
use crate::cli::error::{CliError, CliResult};

/// Opens the home's state file; reading the history must not create a second home, so a
/// missing file is an empty history, said with its path.
fn open_state() -> Result<StateDb, CliError> {
    let location = crate::cli::home::state_location();
    let StateLocation::File(path) = &location else {
        return StateDb::open_location(&location).map_err(CliError::usage);
    };
    let path = path.clone();
    if !path.exists() {
        return Err(CliError::usage(format!(
            "no run history at {} (nothing ran with this home yet; --home or HUBSCRIPT_HOME choose another)",
            std::path::absolute(&path).unwrap_or(path).display()
        )));
    }
    StateDb::open(&path).map_err(CliError::usage)
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
pub(crate) fn error_cause(rendered: &str) -> String {
    let cause = rendered
        .lines()
        .find_map(|l| l.split_once("^ ").map(|(_, msg)| msg.trim()))
        .or_else(|| rendered.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("");
    cause.chars().take(60).collect()
}

/// `--since`: a duration back from `now` (`24h`, `7d`), a date (midnight UTC) or an RFC 3339
/// time.
fn parse_since(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc());
    }
    let d = humantime::parse_duration(s).map_err(|_| {
        format!("--since: `{s}` is neither a duration (24h, 7d), a date (2026-12-01) nor an RFC 3339 time")
    })?;
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| now.checked_sub_signed(d))
        .ok_or_else(|| format!("--since: `{s}` reaches too far back"))
}

fn filter(args: &RunsFilterArgs) -> Result<RunFilter, CliError> {
    let status = match &args.status {
        Some(s) => Some(RunStatus::from_name(s).ok_or_else(|| {
            CliError::usage(format!(
                "--status: unknown status `{s}` (ok, failed, timed_out, cancelled, running)"
            ))
        })?),
        None => None,
    };
    let since = match &args.since {
        Some(s) => Some(parse_since(s, Utc::now()).map_err(CliError::usage)?),
        None => None,
    };
    Ok(RunFilter {
        script: args.script.clone(),
        failed: args.failed,
        status,
        since,
        backend: args.backend.clone(),
        limit: args.limit,
    })
}

/// The JSON of a listed run: the record without its log and changes (which `runs show` has).
fn listed_json(r: &RunRecord) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        o.remove("log");
        o.remove("changes");
    }
    v
}

/// Lists runs, newest first.
pub(super) fn list(args: &RunsFilterArgs, json: bool) -> CliResult {
    let filter = filter(args)?;
    let db = open_state()?;
    let runs = db.runs(&filter).map_err(CliError::failed)?;
    if json {
        let all: Vec<_> = runs.iter().map(listed_json).collect();
        println!("{}", serde_json::Value::Array(all));
        return Ok(());
    }
    if runs.is_empty() {
        println!("no runs recorded");
        return Ok(());
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "id",
        "script",
        "trigger",
        "backend",
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
            r.backend.label(),
            r.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            duration(r),
            r.status.as_str().to_string(),
            r.reads.to_string(),
            // A dry run wrote nothing: its count is what it would have written.
            if r.dry_run {
                format!("0 (would {})", r.writes)
            } else {
                r.writes.to_string()
            },
            error,
        ]);
    }
    println!("{table}");
    Ok(())
}

/// A value with its label: `4 (Closed)`; `(empty)` for nothing.
fn shown(value: &Option<String>, label: &Option<String>) -> String {
    match (value.as_deref(), label) {
        (None | Some(""), _) => "(empty)".into(),
        (Some(v), Some(l)) => format!("{l} ({v})"),
        (Some(v), None) => v.to_string(),
    }
}

/// The changes as a table: ticket, change, property, old, new.
fn changes_table(changes: &[TicketChange]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(["ticket", "change", "property", "old", "new"]);
    for c in changes {
        let other = || {
            format!(
                "{} {}{}",
                c.to_type.as_deref().unwrap_or("?"),
                c.to_id.as_deref().unwrap_or("?"),
                c.type_id
                    .as_deref()
                    .map_or_else(|| " (all types)".into(), |t| format!(" (type {t})"))
            )
        };
        let row: [String; 5] = match c.action {
            ChangeAction::Set => [
                c.ticket.clone(),
                "set".into(),
                c.property.clone().unwrap_or_default(),
                if c.old_known {
                    shown(&c.old, &c.old_label)
                } else {
                    "(not read)".into()
                },
                shown(&c.new, &c.new_label),
            ],
            ChangeAction::Create => [
                c.ticket.clone(),
                "create".into(),
                String::new(),
                String::new(),
                c.properties
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            ],
            ChangeAction::Archive => [
                c.ticket.clone(),
                "archive".into(),
                String::new(),
                String::new(),
                String::new(),
            ],
            ChangeAction::Merge => [
                c.ticket.clone(),
                "merge".into(),
                String::new(),
                String::new(),
                format!("into {}", c.into.as_deref().unwrap_or("?")),
            ],
            ChangeAction::Associate => [
                c.ticket.clone(),
                "associate".into(),
                String::new(),
                String::new(),
                other(),
            ],
            ChangeAction::Dissociate => [
                c.ticket.clone(),
                "dissociate".into(),
                String::new(),
                other(),
                String::new(),
            ],
            ChangeAction::Log => [
                c.ticket.clone(),
                "log".into(),
                String::new(),
                String::new(),
                other(),
            ],
            ChangeAction::Unlog => [
                c.ticket.clone(),
                "unlog".into(),
                String::new(),
                other(),
                String::new(),
            ],
        };
        t.add_row(row.to_vec());
    }
    t
}

/// Prints one run with its changes and log.
pub(super) fn show(id: i64, json: bool) -> CliResult {
    let db = open_state()?;
    let r = db
        .run(id)
        .map_err(CliError::failed)?
        .ok_or_else(|| CliError::usage(format!("no run with id {id} (see `hubscript runs`)")))?;
    if json {
        let mut v = serde_json::to_value(&r).map_err(CliError::failed)?;
        let text = db.script_text(&r.script_hash).map_err(CliError::failed)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("script_text".into(), text.into());
        }
        println!("{v}");
        return Ok(());
    }
    println!(
        "run {} of {} ({}{})",
        r.id,
        r.script,
        r.trigger,
        if r.dry_run { ", dry run" } else { "" }
    );
    if let Some(of) = r.undo_of {
        println!("undoes   run {of}");
    }
    println!("backend  {}", r.backend.label());
    if !r.script_path.is_empty() {
        let short: String = r.script_hash.chars().take(12).collect();
        println!("script   {} (sha256 {short})", r.script_path);
    }
    if !r.args.is_empty() {
        let args: Vec<String> = r.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("args     {}", args.join(" "));
    }
    if !r.user.is_empty() {
        println!("by       {}@{}", r.user, r.host);
    }
    println!("started  {}", r.started_at.to_rfc3339());
    if let Some(end) = r.ended_at {
        println!("ended    {} ({})", end.to_rfc3339(), duration(&r));
    }
    println!("status   {}", r.status.as_str());
    let written = if r.dry_run {
        format!("would write {} (dry run: nothing written)", r.writes)
    } else {
        format!("{} written", r.writes)
    };
    println!(
        "tickets  {} read, {written}; changes {} planned, {} applied, {} conflicts, {} failed",
        r.reads, r.planned, r.applied, r.conflicts, r.failed
    );
    println!(
        "API      {} calls ({} reads, {} writes), {} retries, {} rate-limit waits",
        r.api_calls, r.api_reads, r.api_writes, r.retries, r.rate_limit_waits
    );
    if r.changes.is_empty() {
        println!("changes: none");
    } else {
        println!(
            "{} ({}):\n{}",
            if r.dry_run {
                "planned changes"
            } else {
                "changes"
            },
            r.changes.len(),
            changes_table(&r.changes)
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_durations_dates_and_times() {
        let now = DateTime::parse_from_rfc3339("2026-12-06T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_since("24h", now).unwrap().to_rfc3339(),
            "2026-12-05T12:00:00+00:00"
        );
        assert_eq!(
            parse_since("7d", now).unwrap().to_rfc3339(),
            "2026-11-29T12:00:00+00:00"
        );
        assert_eq!(
            parse_since("2026-12-01", now).unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2026-12-01T08:00:00+01:00", now)
                .unwrap()
                .to_rfc3339(),
            "2026-12-01T07:00:00+00:00"
        );
        let e = parse_since("last tuesday", now).unwrap_err();
        assert!(e.contains("`last tuesday`"), "{e}");
    }

    #[test]
    fn stage_changes_show_labels_and_unread_old_values_say_so() {
        let mut c = TicketChange::set("7", "hs_pipeline_stage", "4");
        c.new_label = Some("Closed".into());
        let t = changes_table(&[c]).to_string();
        assert!(t.contains("Closed (4)"), "{t}");
        assert!(t.contains("(not read)"), "{t}");
    }
}
