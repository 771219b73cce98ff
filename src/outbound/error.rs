//! What can go wrong with an outbound request. Messages name the host and the URL as shown
//! (secrets replaced), never a secret's value.

/// An outbound request that was refused or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutboundError {
    /// The host is not in the header's `http` list.
    #[error("host `{host}` is not allowed: the script header's `http` list is [{}]; add it there to call it", allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(", "))]
    NotAllowed {
        /// The refused host.
        host: String,
        /// The list, as written.
        allowed: Vec<String>,
    },
    /// The URL cannot be used.
    #[error("invalid URL `{url}`: {why}")]
    BadUrl {
        /// The URL as shown.
        url: String,
        /// What is wrong.
        why: String,
    },
    /// The variable is not in the header's `env` list.
    #[error("environment variable `{name}` is not declared: add it to the script header's `env` list (now [{}])", declared.join(", "))]
    EnvNotDeclared {
        /// The variable.
        name: String,
        /// The header's list.
        declared: Vec<String>,
    },
    /// The declared variable is not set (or empty).
    #[error("environment variable `{name}` is not set")]
    EnvUnset {
        /// The variable.
        name: String,
    },
    /// The per-run cap on requests or messages was reached.
    #[error("{what}: the cap of {limit} per run is reached (a loop sending too much?)")]
    RateCap {
        /// What was capped (`http requests`, `Slack messages`).
        what: &'static str,
        /// The cap.
        limit: u32,
    },
    /// No answer within the timeout.
    #[error("{method} {url}: no answer within {secs}s")]
    Timeout {
        /// The method.
        method: String,
        /// The URL as shown.
        url: String,
        /// The timeout.
        secs: u64,
    },
    /// The answer was larger than the cap.
    #[error("{method} {url}: the response is larger than {limit} bytes")]
    TooLarge {
        /// The method.
        method: String,
        /// The URL as shown.
        url: String,
        /// The cap.
        limit: usize,
    },
    /// The request failed on the way (connection refused, TLS, reset).
    #[error("{method} {url}: {why}")]
    Transport {
        /// The method.
        method: String,
        /// The URL as shown.
        url: String,
        /// What happened (redacted).
        why: String,
    },
}
