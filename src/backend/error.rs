//! What a backend call can fail with: HubSpot (or the sandbox) answered with an error body, or
//! the call never got a usable answer. Messages never contain the access token.

use std::time::Duration;

use crate::model::ApiError;

/// A failed backend call.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// HubSpot answered with an error status and body (boxed: the body is large, and every
    /// `BackendResult` would otherwise carry its size).
    #[error("{0}")]
    Api(Box<ApiError>),
    /// HubSpot's daily request quota is used up; retrying today is pointless.
    #[error("HubSpot's daily API limit is reached ({0}); no retry until the quota resets")]
    DailyLimit(Box<ApiError>),
    /// The connection failed or broke (after retries).
    #[error("could not reach {url}: {message}")]
    Transport {
        /// The base URL (never with credentials).
        url: String,
        /// What failed.
        message: String,
    },
    /// No answer within the request timeout (after retries).
    #[error("no answer from {url} within {timeout:?}")]
    Timeout {
        /// The base URL.
        url: String,
        /// The timeout that elapsed.
        timeout: Duration,
    },
    /// A 2xx answer whose body did not parse.
    #[error("unexpected response from {url}: {message}")]
    Decode {
        /// The base URL.
        url: String,
        /// What did not parse.
        message: String,
    },
    /// The call was cancelled (Ctrl-C, timeout of the run, replaced run).
    #[error("cancelled")]
    Cancelled,
}

impl BackendError {
    /// The HubSpot error body, when the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) | Self::DailyLimit(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn http_status(&self) -> Option<u16> {
        self.api().map(|e| e.http_status)
    }
}

impl From<ApiError> for BackendError {
    fn from(e: ApiError) -> Self {
        if e.is_daily_limit() {
            Self::DailyLimit(Box::new(e))
        } else {
            Self::Api(Box::new(e))
        }
    }
}

impl From<crate::model::schema_rules::Invalid> for BackendError {
    fn from(e: crate::model::schema_rules::Invalid) -> Self {
        Self::from(ApiError::from(e))
    }
}

impl From<crate::model::schema_rules::Refused> for BackendError {
    fn from(e: crate::model::schema_rules::Refused) -> Self {
        Self::from(ApiError::from(e))
    }
}
