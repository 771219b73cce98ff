//! Errors produced outside our handlers, in HubSpot's shape too: the 404 for unknown routes and a
//! safety net that rewrites any non-JSON error (axum's 405, tower-http's 413, path rejections)
//! into an `ApiError` body, keeping headers such as `Allow`.
//!
//! Category choices (HubSpot's behaviour is unconfirmed): an unknown route is 404
//! `OBJECT_NOT_FOUND`, the same category an unknown ticket id gets, because HubSpot documents no
//! generic "not found" category; other 4xx are `VALIDATION_ERROR` (the request itself is wrong),
//! 5xx `INTERNAL_ERROR`.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::{header, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::response::HttpError;
use crate::model::{ApiError, ErrorCategory};

/// Largest non-JSON error body read back to quote in the message.
const QUOTE_LIMIT: usize = 16 * 1024;

/// Router fallback: no route matches the path.
pub(crate) async fn not_found(method: Method, uri: Uri) -> HttpError {
    HttpError::new(
        StatusCode::NOT_FOUND,
        ErrorCategory::OBJECT_NOT_FOUND,
        format!("No such endpoint: {method} {}", uri.path()),
    )
}

/// The category an error status gets when nothing more specific is known.
pub(crate) fn category_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => ErrorCategory::OBJECT_NOT_FOUND,
        StatusCode::UNAUTHORIZED => ErrorCategory::INVALID_AUTHENTICATION,
        StatusCode::TOO_MANY_REQUESTS => ErrorCategory::RATE_LIMITS,
        s if s.is_server_error() => ErrorCategory::INTERNAL_ERROR,
        _ => ErrorCategory::VALIDATION_ERROR,
    }
}

/// Middleware: make every error response HubSpot-shaped JSON.
pub(crate) async fn hubspot_shaped_errors(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = to_bytes(body, QUOTE_LIMIT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = match status {
        StatusCode::METHOD_NOT_ALLOWED => format!("Method {method} is not allowed on {path}"),
        StatusCode::PAYLOAD_TOO_LARGE => {
            "The request body is larger than this server accepts".to_string()
        }
        _ if !text.is_empty() => text,
        _ => status.canonical_reason().unwrap_or("Error").to_string(),
    };
    let rebuilt = HttpError::from(ApiError::new(
        status.as_u16(),
        category_for(status),
        message,
    ))
    .into_response();
    let (new_parts, new_body) = rebuilt.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &new_parts.headers {
        parts.headers.insert(name, value.clone());
    }
    Response::from_parts(parts, new_body)
}
