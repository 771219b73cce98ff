//! The request body read timeout: a middleware that reads the whole body (already capped by the
//! body-size limit outside it) within [`super::ServerConfig::body_timeout`], so a client that
//! sends its headers and then trickles or stops its body cannot hold a connection and a handler
//! forever. A body that does not arrive in time is answered 408 in HubSpot's shape and the
//! connection closed; a body over the size limit keeps its 413.
//!
//! Buffering costs nothing extra here: every route parses the whole JSON body anyway.

use std::error::Error as _;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::LengthLimitError;

use super::response::HttpError;
use crate::model::ErrorCategory;

/// Middleware: the body is complete within the timeout, or the request ends here.
pub(crate) async fn read_body_in_time(
    State(timeout): State<Duration>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(timeout, to_bytes(body, usize::MAX)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(e)) if is_length_limit(&e) => HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCategory::VALIDATION_ERROR,
            "The request body is larger than this server accepts",
        )
        .into_response(),
        Ok(Err(e)) => closing(HttpError::new(
            StatusCode::BAD_REQUEST,
            ErrorCategory::VALIDATION_ERROR,
            format!("The request body could not be read: {e}"),
        )),
        Err(_) => closing(HttpError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCategory::VALIDATION_ERROR,
            format!(
                "The request body did not arrive within {}s",
                timeout.as_secs_f64()
            ),
        )),
    }
}

/// The error with `connection: close`: the rest of the body may still be on its way, so the
/// connection cannot carry another request.
fn closing(e: HttpError) -> Response {
    let mut r = e.into_response();
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(s) = source {
        if s.is::<LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}
