//! Reading HubSpot's answers: error bodies (parsed leniently: HubSpot's docs advise treating
//! every field as optional, and proxies answer with HTML) and the rate-limit headers. Pure
//! functions over status, headers and bytes; no I/O.

use std::time::Duration;

use reqwest::header::HeaderMap;

use super::limiter::RateHeaders;
use super::retry::parse_retry_after;
use crate::model::{ApiError, ErrorCategory};

/// How much of a non-JSON body goes into an error message.
const SNIPPET_CHARS: usize = 300;

/// The first few hundred characters of a body, for error messages.
pub(super) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let mut out: String = text.chars().take(SNIPPET_CHARS).collect();
    if text.chars().count() > SNIPPET_CHARS {
        out.push('…');
    }
    out
}

/// The category used when the body carries none.
fn category_for_status(status: u16) -> &'static str {
    match status {
        400 => ErrorCategory::VALIDATION_ERROR,
        401 => ErrorCategory::INVALID_AUTHENTICATION,
        404 => ErrorCategory::OBJECT_NOT_FOUND,
        409 => ErrorCategory::CONFLICT,
        429 => ErrorCategory::RATE_LIMITS,
        403 => "FORBIDDEN",
        423 => "LOCKED",
        s if s >= 500 => "SERVER_ERROR",
        _ => "HTTP_ERROR",
    }
}

/// Builds the [`ApiError`] of an error response. A JSON body is parsed with every field
/// optional; anything else becomes an error with the status and a snippet of the text. The
/// correlation id falls back to the `x-hubspot-correlation-id` header.
pub(super) fn api_error(status: u16, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let header_correlation = header_str(headers, "x-hubspot-correlation-id").unwrap_or_default();
    let parsed = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .filter(serde_json::Value::is_object)
        .and_then(|v| serde_json::from_value::<ApiError>(v).ok());
    let mut err = match parsed {
        Some(mut e) => {
            e.http_status = status;
            e
        }
        None => {
            let text = snippet(body);
            let mut e = ApiError::new(status, category_for_status(status), text);
            if e.message.is_empty() {
                e.message = format!("HTTP {status} with an empty body");
            }
            e.correlation_id = String::new();
            e
        }
    };
    if err.category.is_empty() {
        err.category = category_for_status(status).to_string();
    }
    if err.correlation_id.is_empty() {
        err.correlation_id = header_correlation;
    }
    err
}

fn header_str(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    header_str(headers, name).and_then(|s| s.parse().ok())
}

/// The `X-HubSpot-RateLimit-*` headers of a response (absent on search responses).
pub(super) fn rate_headers(headers: &HeaderMap) -> RateHeaders {
    let to_u32 = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    RateHeaders {
        max: header_u64(headers, "x-hubspot-ratelimit-max").map(to_u32),
        remaining: header_u64(headers, "x-hubspot-ratelimit-remaining").map(to_u32),
        interval: header_u64(headers, "x-hubspot-ratelimit-interval-milliseconds")
            .map(Duration::from_millis),
    }
}

/// `Retry-After` in seconds, when present.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_str(headers, "retry-after").and_then(|s| parse_retry_after(&s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn hubspot_body_is_parsed_with_status() {
        let body = br#"{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"c-1","policyName":"DAILY","requestId":"r"}"#;
        let e = api_error(429, &HeaderMap::new(), body);
        assert_eq!(e.http_status, 429);
        assert_eq!(e.correlation_id, "c-1");
        assert_eq!(e.category, "RATE_LIMITS");
        assert!(e.is_daily_limit());
    }

    #[test]
    fn non_json_body_keeps_status_and_snippet() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-hubspot-correlation-id",
            HeaderValue::from_static("hdr-id"),
        );
        let e = api_error(502, &h, b"<html>Bad gateway</html>");
        assert_eq!(e.http_status, 502);
        assert_eq!(e.message, "<html>Bad gateway</html>");
        assert_eq!(e.correlation_id, "hdr-id");
        assert_eq!(e.category, "SERVER_ERROR");
        let e = api_error(404, &HeaderMap::new(), b"");
        assert_eq!(e.category, "OBJECT_NOT_FOUND");
        assert!(e.message.contains("404"));
        // JSON that is not an object (or has wrong types) also falls back
        let e = api_error(400, &HeaderMap::new(), br#"{"message": 5}"#);
        assert_eq!(e.http_status, 400);
        assert!(e.message.contains("\"message\": 5"));
    }

    #[test]
    fn long_bodies_are_cut() {
        let body = "x".repeat(1000);
        let s = snippet(body.as_bytes());
        assert_eq!(s.chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn rate_headers_are_read() {
        let mut h = HeaderMap::new();
        h.insert("X-HubSpot-RateLimit-Max", HeaderValue::from_static("190"));
        h.insert(
            "X-HubSpot-RateLimit-Remaining",
            HeaderValue::from_static("7"),
        );
        h.insert(
            "X-HubSpot-RateLimit-Interval-Milliseconds",
            HeaderValue::from_static("10000"),
        );
        h.insert("Retry-After", HeaderValue::from_static("2"));
        let r = rate_headers(&h);
        assert_eq!(r.max, Some(190));
        assert_eq!(r.remaining, Some(7));
        assert_eq!(r.interval, Some(Duration::from_secs(10)));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        assert_eq!(rate_headers(&HeaderMap::new()), RateHeaders::default());
    }
}
