//! `hubscript check SCRIPT...`: compile scripts and validate their headers (cron expression
//! included) without running anything, for CI and pre-commit hooks. With `--schema`, also
//! compare the scripts' literal arguments with the backend's schema, read once for all the
//! scripts (see [`crate::script::schema_check`]); without it no backend is opened.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::{OfflineBackend, TicketsBackend};
use crate::script::schema_check::{SchemaCheckable, SchemaFacts, SchemaWants, Severity};
use crate::script::ScriptHost;
use crate::state::StateDb;
use crate::triggers::ScheduledScript;

use crate::cli::args::BackendArgs;
use crate::cli::config::{choose_backend, token_from_env, BackendChoice};
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

/// A script that compiled: its summary line, and what the schema check needs.
struct Passed {
    summary: String,
    checkable: Option<SchemaCheckable>,
}

/// Checks every script; exit 0 when all are valid, else the worst exit code. `schema` is the
/// backend to read the schema from, with `--schema`.
pub(super) async fn check(scripts: Vec<PathBuf>, schema: Option<BackendArgs>) -> CliResult {
    let files = expand(&scripts)?;
    if files.is_empty() {
        return Err(CliError::usage("no .rhai scripts found"));
    }
    // Compiling never calls the backend, but the host wants one: an offline one, so `check`
    // never touches the project's sandbox, state file or a portal. The schema, when asked
    // for, is read separately, once.
    let state = StateDb::in_memory().map_err(CliError::failed)?;
    let host = ScriptHost::new(
        Arc::new(OfflineBackend),
        state,
        tokio::runtime::Handle::current(),
    )
    .with_schedule_check(crate::cli::context::schedule_check());
    let results: Vec<Result<Passed, (u8, String)>> = files
        .iter()
        .map(|file| check_one(&host, file, schema.is_some()))
        .collect();
    let facts = match &schema {
        Some(args) if results.iter().any(Result::is_ok) => {
            let wants = results
                .iter()
                .filter_map(|r| r.as_ref().ok()?.checkable.as_ref())
                .map(SchemaCheckable::wants)
                .fold(SchemaWants::default(), |a, w| SchemaWants {
                    companies: a.companies || w.companies,
                    contacts: a.contacts || w.contacts,
                });
            Some(read_schema(args, wants).await?)
        }
        _ => None,
    };
    let mut worst = 0u8;
    for (file, result) in files.iter().zip(results) {
        let passed = match result {
            Ok(p) => p,
            Err((code, message)) => {
                worst = worst.max(code);
                println!("FAILED  {}", file.display());
                eprintln!("{}", message.trim_end());
                continue;
            }
        };
        let findings = match (&facts, &passed.checkable) {
            (Some(facts), Some(c)) => c.judge(facts),
            _ => Vec::new(),
        };
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = findings.len() - errors;
        if errors > 0 {
            worst = worst.max(crate::exit_code::SCRIPT);
            println!("FAILED  {}", file.display());
        } else {
            let note = match warnings {
                0 => String::new(),
                1 => "  (1 warning)".to_string(),
                n => format!("  ({n} warnings)"),
            };
            println!("ok      {}{}{note}", file.display(), passed.summary);
        }
        for f in &findings {
            eprint!("{}", f.render());
        }
    }
    if worst == 0 {
        Ok(())
    } else {
        Err(CliError::silent(worst))
    }
}

fn check_one(host: &ScriptHost, file: &Path, schema: bool) -> Result<Passed, (u8, String)> {
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
    let checkable = if schema {
        Some(
            host.schema_checkable(file, &source)
                .map_err(|e| (e.exit_code(), e.render()))?,
        )
    } else {
        None
    };
    Ok(Passed { summary, checkable })
}

/// Opens the backend `run` would use and reads its schema. A sandbox file that does not
/// exist yet is refused rather than created (and seeded), so checking never writes.
async fn read_schema(args: &BackendArgs, wants: SchemaWants) -> Result<SchemaFacts, CliError> {
    if let Ok(BackendChoice::Sandbox(path)) = choose_backend(args, token_from_env()) {
        if !path.exists() {
            return Err(CliError::usage(format!(
                "check --schema: there is no sandbox at {} to read the schema from (checking \
                 never creates one): `hubscript sandbox reset` or a first `hubscript run` \
                 creates it; or use --api URL, --sandbox FILE or HUBSPOT_ACCESS_TOKEN",
                path.display()
            )));
        }
    }
    let backend: Arc<dyn TicketsBackend> = crate::cli::backend::open(args)?;
    eprintln!("hubscript: checking against {}", backend.describe());
    let facts = SchemaFacts::read(backend.as_ref(), wants)
        .await
        .map_err(|e| {
            let message = format!(
                "check --schema: could not read the schema from {}: {e}",
                backend.describe()
            );
            match e.http_status() {
                Some(401 | 403) => CliError::usage(message),
                _ => CliError::failed(message),
            }
        })?;
    for note in &facts.notes {
        eprintln!("note: {note}");
    }
    Ok(facts)
}
