//! [`HubspotClient`]: the handle scripts and triggers share. It owns the reqwest connection
//! pool, the base URL and the process's [`RateLimiter`], all behind one `Arc`, so cloning is a
//! reference-count increment and every clone paces against the same budget. The endpoints are
//! in `tickets.rs`, the request loop in `transport.rs`.

use std::fmt;
use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::Url;

use super::config::ClientConfig;
use super::error::HubspotError;
use super::limiter::RateLimiter;

/// An HTTP client for HubSpot's Tickets API (or any server speaking it, such as
/// `hubscript serve`). Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct HubspotClient {
    pub(super) inner: Arc<Inner>,
}

/// The shared state behind every clone.
pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) base: Url,
    /// The base URL as shown to users (no trailing slash, never credentials).
    pub(super) base_display: String,
    pub(super) live: bool,
    /// Whether the base URL is HubSpot's own API (the record's backend kind `hubspot`).
    pub(super) hubspot: bool,
    /// The configuration, with the token removed (it lives only in the reqwest default
    /// headers, marked sensitive).
    pub(super) config: ClientConfig,
    pub(super) limiter: Arc<RateLimiter>,
}

/// THE live rule's default: a base URL is HubSpot's own API when its host is `api.hubapi.com`
/// or ends in `.hubapi.com`.
fn is_hubspot_host(base: &Url) -> bool {
    base.host_str()
        .is_some_and(|h| h == "api.hubapi.com" || h.ends_with(".hubapi.com"))
}

impl HubspotClient {
    /// Builds a client with its own rate limiter. Build one per process and clone it; or share
    /// a limiter between clients with [`HubspotClient::with_limiter`].
    pub fn new(config: ClientConfig) -> Result<Self, HubspotError> {
        let limiter = Arc::new(RateLimiter::new(&config.rate));
        Self::with_limiter(config, limiter)
    }

    /// Builds a client that paces against an existing limiter.
    pub fn with_limiter(
        mut config: ClientConfig,
        limiter: Arc<RateLimiter>,
    ) -> Result<Self, HubspotError> {
        let trimmed = config.base_url.trim().trim_end_matches('/').to_string();
        let base = Url::parse(&trimmed).map_err(|e| HubspotError::InvalidBaseUrl {
            url: trimmed.clone(),
            reason: e.to_string(),
        })?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(HubspotError::InvalidBaseUrl {
                url: trimmed,
                reason: "expected http:// or https:// with a host".into(),
            });
        }
        if !base.username().is_empty() || base.password().is_some() {
            return Err(HubspotError::InvalidBaseUrl {
                url: base.host_str().unwrap_or_default().to_string(),
                reason: "credentials in the URL are not supported; use the access token".into(),
            });
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(HubspotError::InvalidBaseUrl {
                url: trimmed,
                reason: "the base URL must not have a query or fragment".into(),
            });
        }
        let hubspot = is_hubspot_host(&base);
        let live = config.live.unwrap_or(hubspot);

        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("hubscript/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(token) = config.token.take() {
            let mut value = HeaderValue::from_str(&token.bearer_value())
                .map_err(|_| HubspotError::InvalidToken)?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| HubspotError::Init(e.to_string()))?;
        config.base_url = trimmed.clone();
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base,
                base_display: trimmed,
                live,
                hubspot,
                config,
                limiter,
            }),
        })
    }

    /// The limiter this client (and its clones) pace against.
    pub fn limiter(&self) -> &Arc<RateLimiter> {
        &self.inner.limiter
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_display
    }

    /// The effective configuration (its `token` is always `None`: the token is kept only in
    /// the sensitive Authorization header).
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }
}

impl fmt::Debug for HubspotClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HubspotClient")
            .field("base_url", &self.inner.base_display)
            .field("live", &self.inner.live)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hubspot::AccessToken;

    #[test]
    fn base_url_is_trimmed_and_live_detected() {
        let c = HubspotClient::new(ClientConfig::default()).unwrap();
        assert!(c.inner.live);
        assert_eq!(c.base_url(), "https://api.hubapi.com");
        let c = HubspotClient::new(ClientConfig::new("http://127.0.0.1:8080/")).unwrap();
        assert!(!c.inner.live);
        assert_eq!(c.base_url(), "http://127.0.0.1:8080");
    }

    #[test]
    fn the_user_can_state_liveness_either_way() {
        let mut proxy = ClientConfig::new("http://127.0.0.1:8080");
        proxy.live = Some(true);
        let c = HubspotClient::new(proxy).unwrap();
        assert!(c.inner.live && !c.inner.hubspot);
        let test_portal = ClientConfig {
            live: Some(false),
            ..ClientConfig::default()
        };
        let c = HubspotClient::new(test_portal).unwrap();
        assert!(!c.inner.live && c.inner.hubspot);
    }

    #[test]
    fn bad_urls_and_tokens_are_refused_without_echoing_the_token() {
        for url in [
            "not a url",
            "ftp://x",
            "http://user:pw@host",
            "http://h/?q=1",
        ] {
            let e = HubspotClient::new(ClientConfig::new(url)).unwrap_err();
            assert!(!e.to_string().contains("pw"), "{e}");
        }
        let cfg = ClientConfig::default().with_token(AccessToken::new("bad\u{7}secret"));
        let e = HubspotClient::new(cfg).unwrap_err();
        assert!(matches!(e, HubspotError::InvalidToken));
        assert!(!format!("{e:?} {e}").contains("secret"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let cfg = ClientConfig::default().with_token(AccessToken::new("pat-na1-topsecret"));
        let c = HubspotClient::new(cfg).unwrap();
        let text = format!("{c:?} {:?}", c.config());
        assert!(!text.contains("topsecret"), "{text}");
    }

    #[test]
    fn client_is_cheap_to_share() {
        fn assert_traits<T: Clone + Send + Sync + 'static>() {}
        assert_traits::<HubspotClient>();
        let a = HubspotClient::new(ClientConfig::default()).unwrap();
        let b = a.clone();
        assert!(Arc::ptr_eq(a.limiter(), b.limiter()));
    }
}
