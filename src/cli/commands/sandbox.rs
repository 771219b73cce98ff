//! `hubscript sandbox reset|seed`: recreate the sandbox file or add demo tickets.

use std::path::PathBuf;

use crate::backend::TicketsBackend;
use crate::model::SearchRequest;
use crate::sandbox::{Sandbox, SeedOptions};

use crate::cli::error::{CliError, CliResult};

fn path_or_default(p: Option<PathBuf>) -> PathBuf {
    p.unwrap_or_else(crate::cli::home::default_sandbox)
}

/// Recreates the file with `tickets` demo tickets (with `force`, also over a damaged file).
pub(super) fn reset(sandbox: Option<PathBuf>, tickets: usize, seed: u64, force: bool) -> CliResult {
    let path = path_or_default(sandbox);
    let started = std::time::Instant::now();
    Sandbox::reset(&path, &SeedOptions { tickets, seed }, force).map_err(CliError::failed)?;
    println!(
        "sandbox {} recreated with {tickets} demo tickets (seed {seed}) in {:.1}s",
        path.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Adds `tickets` demo tickets.
pub(super) async fn seed(sandbox: Option<PathBuf>, tickets: usize, seed: Option<u64>) -> CliResult {
    let path = path_or_default(sandbox);
    let sb = Sandbox::open(&path).map_err(CliError::usage)?;
    let seed = match seed {
        Some(s) => s,
        None => {
            let all = SearchRequest {
                limit: Some(1),
                ..Default::default()
            };
            sb.search(&all).await.map_err(CliError::failed)?.total as u64
        }
    };
    let added = sb.seed_more(tickets, seed).map_err(CliError::failed)?;
    println!("sandbox {}: added {added} demo tickets", path.display());
    Ok(())
}
