//! How every answer of the server is rendered: JSON bodies with HubSpot's content type, empty
//! 204s, and errors in HubSpot's shape (`ApiError` as the body, its `correlationId` repeated in
//! `x-hubspot-correlation-id`). Backend failures are mapped to statuses here and nowhere else.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::backend::BackendError;
use crate::model::{ApiError, ErrorCategory};

/// The content type of every body (HubSpot's exact spelling).
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json;charset=utf-8";

/// Header repeating the error body's `correlationId`.
pub(crate) const CORRELATION_HEADER: &str = "x-hubspot-correlation-id";

/// A JSON response with HubSpot's content type.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(JSON_CONTENT_TYPE),
            )],
            bytes,
        )
            .into_response(),
        Err(e) => HttpError::from(ApiError::internal(format!(
            "could not serialise the response: {e}"
        )))
        .into_response(),
    }
}

/// `204 No Content`: no body and no content type.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// A request that ends in a HubSpot-shaped error (boxed: error bodies are large and rare).
#[derive(Debug)]
pub(crate) struct HttpError(pub(crate) Box<ApiError>);

/// What handlers return.
pub(crate) type HttpResult = Result<Response, HttpError>;

impl HttpError {
    /// 400 `VALIDATION_ERROR`.
    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::from(ApiError::validation(message))
    }

    /// Any status with a category.
    pub(crate) fn new(status: StatusCode, category: &str, message: impl Into<String>) -> Self {
        Self::from(ApiError::new(status.as_u16(), category, message))
    }

    /// The status the error is sent with. A backend that forgot to set one (or set a non-error
    /// status) gets 500: an error body must never travel with a 2xx.
    pub(crate) fn status(&self) -> StatusCode {
        match StatusCode::from_u16(self.0.http_status) {
            Ok(s) if s.is_client_error() || s.is_server_error() => s,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<ApiError> for HttpError {
    fn from(e: ApiError) -> Self {
        Self(Box::new(e))
    }
}

impl From<BackendError> for HttpError {
    fn from(e: BackendError) -> Self {
        let (status, e) = match e {
            BackendError::Api(api) | BackendError::DailyLimit(api) => return Self(api),
            e @ BackendError::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, e),
            e @ (BackendError::Transport { .. } | BackendError::Decode { .. }) => {
                (StatusCode::BAD_GATEWAY, e)
            }
            e => (StatusCode::INTERNAL_SERVER_ERROR, e),
        };
        // BackendError's messages never carry the token (its contract), so they may be shown.
        Self::new(status, ErrorCategory::INTERNAL_ERROR, e.to_string())
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut body = *self.0;
        if body.correlation_id.is_empty() {
            body.correlation_id = uuid::Uuid::new_v4().to_string();
        }
        let mut response = json(status, &body);
        if let Ok(v) = HeaderValue::from_str(&body.correlation_id) {
            response.headers_mut().insert(CORRELATION_HEADER, v);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_errors_map_to_gateway_statuses() {
        let e = HttpError::from(BackendError::Timeout {
            url: "http://x".into(),
            timeout: std::time::Duration::from_secs(1),
        });
        assert_eq!(e.status(), StatusCode::GATEWAY_TIMEOUT);
        let e = HttpError::from(BackendError::Transport {
            url: "http://x".into(),
            message: "refused".into(),
        });
        assert_eq!(e.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(
            HttpError::from(BackendError::Cancelled).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let api = ApiError::not_found("nope");
        assert_eq!(
            HttpError::from(BackendError::from(api)).status(),
            StatusCode::NOT_FOUND
        );
    }

    #[test]
    fn an_error_without_status_is_a_500() {
        let mut api = ApiError::validation("x");
        api.http_status = 200;
        assert_eq!(
            HttpError::from(api).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn error_response_repeats_the_correlation_id() {
        let api = ApiError::validation("bad");
        let id = api.correlation_id.clone();
        let r = HttpError::from(api).into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.headers()[CORRELATION_HEADER], id.as_str());
        assert_eq!(r.headers()[header::CONTENT_TYPE], JSON_CONTENT_TYPE);
    }
}
