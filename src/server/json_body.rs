//! `JsonBody<T>`: reads a JSON request body the way HubSpot answers about it. Unlike axum's
//! `Json`, every failure is a HubSpot-shaped error: a missing or foreign content type is 415, an
//! oversized body 413, and malformed JSON or wrong types 400 `VALIDATION_ERROR` with serde's
//! message (which carries the line and column).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;

use super::response::HttpError;
use crate::model::ErrorCategory;

/// A deserialised JSON body.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        check_content_type(req.headers())?;
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            let status = rejection.status();
            let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
                "The request body is larger than this server accepts".to_string()
            } else {
                format!("Could not read the request body: {}", rejection.body_text())
            };
            // 413 and unreadable bodies are client-side input problems like malformed JSON.
            HttpError::new(status, ErrorCategory::VALIDATION_ERROR, message)
        })?;
        parse(&bytes).map(JsonBody)
    }
}

/// Parses a body, mapping serde's error to HubSpot's 400.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, HttpError> {
    serde_json::from_slice(bytes)
        .map_err(|e| HttpError::validation(format!("Invalid input JSON: {e}")))
}

/// Accepts `application/json` and `application/*+json`, with any parameters.
///
/// HubSpot's behaviour for a missing content type is unconfirmed; 415 (Unsupported Media Type)
/// in HubSpot's error shape with category `VALIDATION_ERROR` is the most plausible answer and
/// tells the client exactly what to fix. The official clients always send `application/json`.
fn check_content_type(headers: &HeaderMap) -> Result<(), HttpError> {
    let value = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if is_json {
        Ok(())
    } else {
        let shown = if value.is_empty() { "none" } else { value };
        Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCategory::VALIDATION_ERROR,
            format!("Content-Type must be application/json (got {shown})"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        h
    }

    #[test]
    fn json_content_types_are_accepted() {
        for ct in [
            "application/json",
            "application/json; charset=UTF-8",
            "Application/JSON",
            "application/merge-patch+json",
        ] {
            assert!(check_content_type(&headers(ct)).is_ok(), "{ct}");
        }
    }

    #[test]
    fn other_or_missing_content_types_are_415() {
        let e = check_content_type(&headers("text/plain")).unwrap_err();
        assert_eq!(e.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(e.0.message.contains("text/plain"));
        let e = check_content_type(&HeaderMap::new()).unwrap_err();
        assert!(e.0.message.contains("none"));
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let e = parse::<serde_json::Value>(b"{\n  \"a\": }").unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert!(e.0.message.contains("line 2 column"), "{}", e.0.message);
    }
}
