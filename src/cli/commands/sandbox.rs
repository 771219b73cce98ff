//! `hubscript sandbox reset|seed|pull`: recreate the sandbox file, add demo tickets, or copy a
//! portal into it (`pull`, in `pull.rs`).

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

/// `hubscript sandbox pull`: reads `--from URL` (with the token when set) or HubSpot itself.
pub(super) async fn pull(
    from: Option<String>,
    tickets: usize,
    anonymize: bool,
    sandbox: Option<PathBuf>,
    rate_per_10s: u32,
) -> CliResult {
    use crate::hubspot::{AccessToken, ClientConfig, HubspotClient};
    let token = crate::cli::config::token_from_env();
    let base = match (from, &token) {
        (Some(url), _) => url,
        (None, Some(_)) => crate::cli::config::HUBSPOT_API_URL.to_string(),
        (None, None) => {
            return Err(CliError::usage(
                "sandbox pull needs a source: --from URL, or HUBSPOT_ACCESS_TOKEN for HubSpot",
            ))
        }
    };
    let mut config = ClientConfig::new(&base);
    config.token = token.map(AccessToken::new);
    config.rate.per_10s = rate_per_10s;
    let client = HubspotClient::new(config).map_err(CliError::usage)?;
    super::pull::pull(
        std::sync::Arc::new(client),
        path_or_default(sandbox),
        tickets,
        anonymize,
    )
    .await
}
