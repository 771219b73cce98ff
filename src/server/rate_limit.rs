//! Rate-limit emulation over HTTP: asks the [`Limiter`] about each request, answers refused
//! ones with HubSpot's 429 bodies (never processing them), and adds HubSpot's
//! `X-HubSpot-RateLimit-*` headers to every non-search response. Search responses carry no
//! rate-limit headers, as on HubSpot.
//!
//! `Retry-After` (seconds until the window frees, rounded up) is our addition: HubSpot does not
//! document it for REST 429s, so clients must not depend on it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::time::Instant;

use super::limiter::{retry_after_secs, Admission, Limiter, RateHeaders, Refusal};
use super::response::HttpError;
use crate::model::{ApiError, ErrorCategory};

/// The one path HubSpot limits per second instead of per window.
pub(crate) const SEARCH_PATH: &str = "/crm/v3/objects/tickets/search";

/// The 429 body of a full burst window (also used by fault injection).
pub(crate) fn refusal_error(reason: Refusal) -> ApiError {
    let (message, policy) = match reason {
        Refusal::TenSecondly => (
            "You have reached your ten_secondly_rolling limit.",
            Some("TEN_SECONDLY_ROLLING"),
        ),
        Refusal::Daily => ("You have reached your daily limit.", Some("DAILY")),
        // The Node client keys its search retry on this exact message; HubSpot sends no
        // policyName with it.
        Refusal::Secondly => ("You have reached your secondly limit.", None),
    };
    let mut e = ApiError::new(429, ErrorCategory::RATE_LIMITS, message);
    e.error_type = Some("RATE_LIMIT".to_string());
    e.policy_name = policy.map(str::to_string);
    e
}

/// Middleware: admit, refuse or annotate.
pub(crate) async fn rate_limit(
    State(limiter): State<Arc<Limiter>>,
    req: Request,
    next: Next,
) -> Response {
    let is_search = req.method() == Method::POST && req.uri().path() == SEARCH_PATH;
    match limiter.admit(is_search, Instant::now(), chrono::Utc::now()) {
        Admission::Allowed(headers) => {
            let mut response = next.run(req).await;
            add_headers(response.headers_mut(), headers);
            response
        }
        Admission::Refused {
            reason,
            retry_after,
            headers,
        } => {
            let mut response = HttpError::from(refusal_error(reason)).into_response();
            let h = response.headers_mut();
            add_headers(h, headers);
            h.insert(
                axum::http::header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs(retry_after)),
            );
            response
        }
    }
}

fn add_headers(h: &mut HeaderMap, headers: RateHeaders) {
    let mut set = |name: &'static str, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(HeaderName::from_static(name), v);
        }
    };
    if let Some((max, remaining, interval_ms)) = headers.window {
        set("x-hubspot-ratelimit-max", max.to_string());
        set("x-hubspot-ratelimit-remaining", remaining.to_string());
        set(
            "x-hubspot-ratelimit-interval-milliseconds",
            interval_ms.to_string(),
        );
    }
    if let Some((daily, remaining)) = headers.daily {
        set("x-hubspot-ratelimit-daily", daily.to_string());
        set("x-hubspot-ratelimit-daily-remaining", remaining.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_bodies_match_hubspot() {
        let v = serde_json::to_value(refusal_error(Refusal::TenSecondly)).unwrap();
        assert_eq!(v["policyName"], "TEN_SECONDLY_ROLLING");
        assert_eq!(v["errorType"], "RATE_LIMIT");
        assert_eq!(v["category"], "RATE_LIMITS");
        assert_eq!(v["status"], "error");
        let v = serde_json::to_value(refusal_error(Refusal::Secondly)).unwrap();
        assert_eq!(v["message"], "You have reached your secondly limit.");
        assert!(v.get("policyName").is_none());
        let v = serde_json::to_value(refusal_error(Refusal::Daily)).unwrap();
        assert_eq!(v["policyName"], "DAILY");
        assert_eq!(v["message"], "You have reached your daily limit.");
    }
}
