//! Builds the backend a command talks to from the validated [`BackendChoice`], and says which
//! one it is (never the token).

use std::sync::Arc;

use crate::backend::TicketsBackend;
use crate::hubspot::{AccessToken, ClientConfig, HubspotClient};
use crate::sandbox::Sandbox;

use super::args::BackendArgs;
use super::config::{choose_backend, token_from_env, BackendChoice};
use super::error::CliError;

/// Opens the backend selected by `args` and the environment.
pub(super) fn open(args: &BackendArgs) -> Result<Arc<dyn TicketsBackend>, CliError> {
    let choice = choose_backend(args, token_from_env()).map_err(CliError::usage)?;
    if let (Some(_), BackendChoice::Http { .. }) = (args.search_lag, &choice) {
        return Err(CliError::usage(
            "--search-lag (or HUBSCRIPT_SEARCH_LAG) applies to the sandbox; a server's search \
             lags as that server does (start it with `hubscript serve --search-lag`)",
        ));
    }
    match choice {
        BackendChoice::Sandbox(_) if args.live => Err(CliError::usage(
            "--live applies to an --api server or HubSpot; the sandbox is never a live portal",
        )),
        BackendChoice::Sandbox(path) => {
            let sandbox = Sandbox::open(&path).map_err(CliError::usage)?;
            if let Some(lag) = args.search_lag {
                sandbox.set_search_lag(lag).map_err(CliError::usage)?;
            }
            Ok(Arc::new(sandbox))
        }
        BackendChoice::Http { base_url, token } => {
            let mut config = ClientConfig::new(&base_url);
            config.token = token.map(AccessToken::new);
            config.connect_timeout = args.connect_timeout;
            config.request_timeout = args.request_timeout;
            config.rate.per_10s = args.rate_per_10s;
            config.live = args.live_override();
            let client = HubspotClient::new(config).map_err(CliError::usage)?;
            Ok(Arc::new(client))
        }
    }
}
