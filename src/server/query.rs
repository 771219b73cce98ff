//! The raw query string, read the way HubSpot reads it: array parameters both comma-separated
//! (`properties=a,b`, as the spec describes) and repeated (`properties=a&properties=b`, as the
//! official clients send them), booleans `true`/`false`, integers checked with a 400 that names
//! the parameter. axum's `Query` (serde_urlencoded) cannot read repeated keys, hence this.
//! Only parsing: which values are acceptable (limits, cursors) is the backend's business.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::response::HttpError;
use crate::model::{ApiError, ErrorDetail, GetParams, ListParams};

/// The decoded `key=value` pairs of a request's query string, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Decodes a raw query string (`+` and `%xx` as in HTML forms).
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = raw
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Self { pairs }
    }

    /// Every value of an array parameter: all occurrences, each split on commas, trimmed, empty
    /// items and repeats dropped, first-seen order kept.
    pub(crate) fn list(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (_, value) in self.pairs.iter().filter(|(k, _)| k == name) {
            for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                if !out.iter().any(|seen| seen == item) {
                    out.push(item.to_string());
                }
            }
        }
        out
    }

    /// A scalar parameter: its last non-empty occurrence (an empty value counts as absent).
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// A non-negative integer parameter.
    pub(crate) fn u32(&self, name: &str) -> Result<Option<u32>, HttpError> {
        self.value(name)
            .map(|v| {
                v.trim()
                    .parse::<u32>()
                    .map_err(|_| bad_param(name, v, "INVALID_INTEGER", "a non-negative integer"))
            })
            .transpose()
    }

    /// A boolean parameter: `true` or `false` (any case: some clients print `True`).
    pub(crate) fn bool(&self, name: &str) -> Result<Option<bool>, HttpError> {
        self.value(name)
            .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(bad_param(name, v, "INVALID_BOOLEAN", "true or false")),
            })
            .transpose()
    }

    /// The parameters of the list endpoint.
    pub(crate) fn list_params(&self) -> Result<ListParams, HttpError> {
        Ok(ListParams {
            limit: self.u32("limit")?,
            after: self.value("after").map(str::to_string),
            properties: self.list("properties"),
            properties_with_history: self.list("propertiesWithHistory"),
            associations: self.list("associations"),
            archived: self.bool("archived")?.unwrap_or(false),
        })
    }

    /// The parameters of the read-one endpoint.
    pub(crate) fn get_params(&self) -> Result<GetParams, HttpError> {
        Ok(GetParams {
            properties: self.list("properties"),
            properties_with_history: self.list("propertiesWithHistory"),
            associations: self.list("associations"),
            archived: self.bool("archived")?.unwrap_or(false),
            id_property: self.value("idProperty").map(str::to_string),
        })
    }
}

fn bad_param(name: &str, value: &str, code: &str, expected: &str) -> HttpError {
    let message = format!("Invalid query parameter `{name}`: `{value}` is not {expected}");
    let mut e = ApiError::validation(message.clone());
    e.errors.push(ErrorDetail {
        message,
        code: Some(code.to_string()),
        location: Some(name.to_string()),
        sub_category: None,
        context: [("parameter".to_string(), vec![name.to_string()])].into(),
    });
    HttpError::from(e)
}

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::parse(parts.uri.query()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_and_repeated_forms_are_identical() {
        let comma = QueryParams::parse(Some("properties=subject,content&associations=contacts"));
        let repeated = QueryParams::parse(Some(
            "properties=subject&properties=content&associations=contacts",
        ));
        assert_eq!(
            comma.list_params().unwrap(),
            repeated.list_params().unwrap()
        );
        assert_eq!(comma.list("properties"), ["subject", "content"]);
    }

    #[test]
    fn mixed_forms_with_encoding_and_repeats() {
        let q = QueryParams::parse(Some(
            "properties=a%2Cb&properties=b,%20c,&properties=&propertiesWithHistory=hs_pipeline_stage",
        ));
        assert_eq!(q.list("properties"), ["a", "b", "c"]);
        let p = q.get_params().unwrap();
        assert_eq!(p.properties_with_history, ["hs_pipeline_stage"]);
        assert!(!p.archived);
    }

    #[test]
    fn scalars_and_defaults() {
        let q = QueryParams::parse(Some("limit=5&after=abc&archived=True&idProperty=ext"));
        let l = q.list_params().unwrap();
        assert_eq!(l.limit, Some(5));
        assert_eq!(l.after.as_deref(), Some("abc"));
        assert!(l.archived);
        assert_eq!(q.get_params().unwrap().id_property.as_deref(), Some("ext"));
        let empty = QueryParams::parse(None).list_params().unwrap();
        assert_eq!(empty, ListParams::default());
        let blank = QueryParams::parse(Some("limit=&after="))
            .list_params()
            .unwrap();
        assert_eq!(blank, ListParams::default());
    }

    #[test]
    fn bad_integer_and_boolean_name_the_parameter() {
        let e = QueryParams::parse(Some("limit=ten"))
            .list_params()
            .unwrap_err();
        assert_eq!(e.0.http_status, 400);
        assert_eq!(e.0.category, "VALIDATION_ERROR");
        assert!(e.0.message.contains("`limit`"), "{}", e.0.message);
        let e = QueryParams::parse(Some("limit=-1"))
            .list_params()
            .unwrap_err();
        assert_eq!(e.0.errors[0].code.as_deref(), Some("INVALID_INTEGER"));
        let e = QueryParams::parse(Some("archived=yes"))
            .get_params()
            .unwrap_err();
        assert!(e.0.message.contains("`archived`"), "{}", e.0.message);
        assert_eq!(e.0.errors[0].location.as_deref(), Some("archived"));
    }
}
