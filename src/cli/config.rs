//! Turns parsed arguments and the environment into validated settings: which backend to use,
//! and the exit codes of the binary. The access token is read from `HUBSPOT_ACCESS_TOKEN` only
//! (never a flag, so it stays out of `ps` and shell history) and never printed.

use std::path::PathBuf;

use super::args::BackendArgs;

/// HubSpot's production API.
pub const HUBSPOT_API_URL: &str = "https://api.hubapi.com";

/// The environment variable holding the access token.
pub const TOKEN_ENV: &str = "HUBSPOT_ACCESS_TOKEN";

/// Where ticket calls go.
#[derive(Clone, PartialEq, Eq)]
pub enum BackendChoice {
    /// The local SQLite sandbox, in process.
    Sandbox(PathBuf),
    /// A HubSpot-compatible HTTP API.
    Http {
        /// Base URL without a trailing slash.
        base_url: String,
        /// Bearer token, if any.
        token: Option<String>,
    },
}

impl std::fmt::Debug for BackendChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sandbox(p) => f.debug_tuple("Sandbox").field(p).finish(),
            Self::Http { base_url, token } => f
                .debug_struct("Http")
                .field("base_url", base_url)
                .field("token", &token.as_ref().map(|_| "***"))
                .finish(),
        }
    }
}

/// Chooses the backend: `--sandbox PATH` means that file; `--api URL` (or HUBSPOT_API_URL)
/// means that server, with the token if one is set; a token alone means HubSpot itself;
/// nothing means the default sandbox file.
pub fn choose_backend(args: &BackendArgs, token: Option<String>) -> Result<BackendChoice, String> {
    let token = token.filter(|t| !t.trim().is_empty());
    if let Some(path) = &args.sandbox {
        return Ok(BackendChoice::Sandbox(path.clone()));
    }
    if let Some(url) = &args.api {
        let url = url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "--api must be an http:// or https:// URL, got `{url}`"
            ));
        }
        return Ok(BackendChoice::Http {
            base_url: url,
            token,
        });
    }
    match token {
        Some(token) => Ok(BackendChoice::Http {
            base_url: HUBSPOT_API_URL.to_string(),
            token: Some(token),
        }),
        None => Ok(BackendChoice::Sandbox(super::home::sandbox_path())),
    }
}

/// Reads the token from the environment.
pub fn token_from_env() -> Option<String> {
    std::env::var(TOKEN_ENV)
        .ok()
        .filter(|t| !t.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(api: Option<&str>, sandbox: Option<&str>) -> BackendArgs {
        BackendArgs {
            api: api.map(String::from),
            sandbox: sandbox.map(PathBuf::from),
            ..Default::default()
        }
    }

    #[test]
    fn nothing_means_the_default_sandbox() {
        assert_eq!(
            choose_backend(&args(None, None), None).unwrap(),
            BackendChoice::Sandbox(PathBuf::from(".hubscript/sandbox.db"))
        );
        assert_eq!(
            choose_backend(&args(None, None), Some("  ".into())).unwrap(),
            BackendChoice::Sandbox(PathBuf::from(".hubscript/sandbox.db"))
        );
    }

    #[test]
    fn a_token_means_hubspot() {
        let c = choose_backend(&args(None, None), Some("pat-1".into())).unwrap();
        assert_eq!(
            c,
            BackendChoice::Http {
                base_url: HUBSPOT_API_URL.into(),
                token: Some("pat-1".into())
            }
        );
        assert!(!format!("{c:?}").contains("pat-1"));
    }

    #[test]
    fn api_and_sandbox_flags_win() {
        let c = choose_backend(&args(Some("http://127.0.0.1:9/"), None), None).unwrap();
        assert_eq!(
            c,
            BackendChoice::Http {
                base_url: "http://127.0.0.1:9".into(),
                token: None
            }
        );
        let c = choose_backend(&args(None, Some("x.db")), Some("t".into())).unwrap();
        assert_eq!(c, BackendChoice::Sandbox(PathBuf::from("x.db")));
        assert!(choose_backend(&args(Some("ftp://x"), None), None).is_err());
    }
}
