//! Why a [`super::HubspotClient`] could not be built. Errors of the calls themselves are the
//! backend's [`crate::backend::BackendError`], shared with the sandbox. Nothing here ever holds
//! the access token.

/// A client construction failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HubspotError {
    /// The base URL does not parse or is not an http(s) URL with a host.
    #[error("invalid HubSpot API URL `{url}`: {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The access token contains characters that cannot go in an HTTP header (the token
    /// itself is not shown).
    #[error("the HubSpot access token contains characters not allowed in an HTTP header")]
    InvalidToken,
    /// The HTTP stack could not be initialised (TLS roots, resolver).
    #[error("could not initialise the HTTP client: {0}")]
    Init(String),
}
