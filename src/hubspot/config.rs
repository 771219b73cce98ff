//! How a [`super::HubspotClient`] is configured: where it sends requests, with which token, its
//! timeouts, retry bound and rate budget. Plain data with defaults taken from HubSpot's
//! published limits; nothing here performs I/O. The token type lives here too, because the
//! one rule about it (never printed) is a property of the type.

use std::fmt;
use std::time::Duration;

use crate::model::limits;

/// HubSpot's public API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.hubapi.com";

/// A HubSpot private-app, service-key or OAuth access token.
///
/// Its `Debug` and `Display` print `AccessToken(***)`: the secret only leaves this type through
/// `AccessToken::bearer_value`, which the client turns into a header marked sensitive.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token (surrounding whitespace is trimmed: tokens pasted from a file often carry
    /// a newline).
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into().trim().to_string())
    }

    /// Whether the token is empty (treated as "no token" by callers).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Bearer <token>`, for the Authorization header only.
    pub(crate) fn bearer_value(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

/// The request budget the process keeps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateConfig {
    /// Requests per rolling 10-second window (search excluded): 100 for Free/Starter private
    /// apps, 190 for Professional/Enterprise, 250 with the API Limit Increase add-on. The
    /// client adopts `X-HubSpot-RateLimit-Max` when HubSpot reports a different figure.
    pub per_10s: u32,
    /// Search requests per second (HubSpot: 5 per account).
    pub search_per_sec: u32,
}

impl Default for RateConfig {
    fn default() -> Self {
        Self {
            per_10s: limits::BURST_REQUESTS,
            search_per_sec: limits::SEARCH_REQUESTS,
        }
    }
}

/// Everything [`super::HubspotClient::new`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Base URL, e.g. `https://api.hubapi.com` or `http://127.0.0.1:8080` (a trailing slash is
    /// ignored).
    pub base_url: String,
    /// Sent as `Authorization: Bearer ...` when present.
    pub token: Option<AccessToken>,
    /// Limit on establishing a connection (default 10 s).
    pub connect_timeout: Duration,
    /// Limit on a whole request, response body included (default 30 s).
    pub request_timeout: Duration,
    /// How many times one call is retried after its first attempt (default 5).
    pub max_retries: u32,
    /// First backoff delay for 5xx, timeouts and connection failures; doubled per retry, with
    /// jitter (default 500 ms).
    pub backoff_base: Duration,
    /// Ceiling of one backoff delay (default 30 s).
    pub backoff_max: Duration,
    /// Minimum wait after a 423 Locked: HubSpot's record locks last 2 s (default 2 s).
    pub locked_wait: Duration,
    /// Longest `Retry-After` the client is willing to sleep; a longer one ends the call with
    /// the error instead (default 5 min).
    pub max_retry_after: Duration,
    /// Wait after a 429 that carries no `Retry-After` while the local window still has room
    /// (the budget is then used up by someone else sharing the app): every caller pauses at
    /// least this long (default 1 s). When the local window is full the wait lasts until it
    /// frees instead.
    pub rate_limited_wait: Duration,
    /// The request budget.
    pub rate: RateConfig,
    /// Whether this is a live portal, stated by the user (`--live`/`--not-live`); `None` applies
    /// the rule: live exactly when the base URL's host is `api.hubapi.com` or ends in
    /// `.hubapi.com`. Live means the write cap defaults on, `watch` only plans unless
    /// `--apply`, the REPL asks before large writes, and the run record asks the portal id.
    pub live: Option<bool>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_string(),
            token: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_retries: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            locked_wait: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(300),
            rate_limited_wait: Duration::from_secs(1),
            rate: RateConfig::default(),
            live: None,
        }
    }
}

impl ClientConfig {
    /// Defaults, pointed at `base_url`.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            ..Self::default()
        }
    }

    /// Builder-style: sets the token.
    pub fn with_token(mut self, token: AccessToken) -> Self {
        self.token = if token.is_empty() { None } else { Some(token) };
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_hidden_in_debug_and_display() {
        let t = AccessToken::new(" pat-na1-secret-123\n");
        let cfg = ClientConfig::default().with_token(t.clone());
        for text in [format!("{t:?}"), format!("{t}"), format!("{cfg:?}")] {
            assert!(!text.contains("secret"), "{text}");
        }
        assert!(format!("{cfg:?}").contains("AccessToken(***)"));
        assert_eq!(t.bearer_value(), "Bearer pat-na1-secret-123");
    }

    #[test]
    fn empty_token_means_none() {
        let cfg = ClientConfig::default().with_token(AccessToken::new("  "));
        assert!(cfg.token.is_none());
    }
}
