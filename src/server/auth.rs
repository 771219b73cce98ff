//! Bearer-token check (`serve --token T`): every request must carry `Authorization: Bearer T`,
//! else HubSpot's 401 `INVALID_AUTHENTICATION`. The token is compared in constant time and is
//! never logged, echoed or shown in Debug output.

use std::fmt;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::response::HttpError;
use crate::model::ErrorCategory;

/// HubSpot's message for a missing or unusable token.
const MESSAGE: &str = "Authentication credentials not found. This API supports OAuth 2.0 \
authentication and you can find more details at \
https://developers.hubspot.com/docs/methods/auth/oauth-overview";

/// The expected token.
pub(crate) struct Auth {
    token: String,
}

impl Auth {
    pub(crate) fn new(token: &str) -> Self {
        Self {
            token: token.to_string(),
        }
    }

    /// Whether an `Authorization` header value carries the expected bearer token.
    fn accepts(&self, authorization: &[u8]) -> bool {
        let Some((scheme, presented)) = split_scheme(authorization) else {
            return false;
        };
        scheme.eq_ignore_ascii_case(b"bearer") && constant_time_eq(presented, self.token.as_bytes())
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Auth { token: <redacted> }")
    }
}

fn split_scheme(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = value.iter().position(|b| *b == b' ')?;
    let (scheme, rest) = value.split_at(space);
    let token = rest.trim_ascii();
    (!token.is_empty()).then_some((scheme, token))
}

/// Compares without an early exit, so timing does not reveal how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Middleware: refuse requests without the right token.
pub(crate) async fn require_token(
    State(auth): State<Arc<Auth>>,
    req: Request,
    next: Next,
) -> Response {
    let ok = req
        .headers()
        .get(header::AUTHORIZATION)
        .is_some_and(|v| auth.accepts(v.as_bytes()));
    if ok {
        next.run(req).await
    } else {
        HttpError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCategory::INVALID_AUTHENTICATION,
            MESSAGE,
        )
        .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_passes() {
        let a = Auth::new("s3cret");
        assert!(a.accepts(b"Bearer s3cret"));
        assert!(a.accepts(b"bearer  s3cret "));
        assert!(!a.accepts(b"Bearer s3cre"));
        assert!(!a.accepts(b"Bearer s3crets"));
        assert!(!a.accepts(b"Basic s3cret"));
        assert!(!a.accepts(b"Bearer"));
        assert!(!a.accepts(b"s3cret"));
        assert!(!format!("{a:?}").contains("s3cret"));
    }
}
