//! HubSpot's error body (`{"status":"error","message":...,"correlationId":...,"category":...,
//! "errors":[...]}`) together with the HTTP status it came with. The sandbox produces these, the
//! client parses them, and the script layer turns them into catchable Rhai errors.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The categories hubscript produces or reacts to. HubSpot's list is open, so the body keeps
/// the category as a string; these are the well-known values.
pub struct ErrorCategory;

impl ErrorCategory {
    /// 400: bad input.
    pub const VALIDATION_ERROR: &'static str = "VALIDATION_ERROR";
    /// 404: unknown record.
    pub const OBJECT_NOT_FOUND: &'static str = "OBJECT_NOT_FOUND";
    /// 401: missing or wrong token.
    pub const INVALID_AUTHENTICATION: &'static str = "INVALID_AUTHENTICATION";
    /// 429: rate limited.
    pub const RATE_LIMITS: &'static str = "RATE_LIMITS";
    /// 409: conflict.
    pub const CONFLICT: &'static str = "CONFLICT";
    /// 5xx from the sandbox.
    pub const INTERNAL_ERROR: &'static str = "INTERNAL_ERROR";
}

/// A HubSpot error: the HTTP status plus the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiError {
    /// The HTTP status (not part of the body).
    #[serde(skip, default)]
    pub http_status: u16,
    /// Always `error`.
    #[serde(default = "error_str")]
    pub status: String,
    /// Human-readable message.
    #[serde(default)]
    pub message: String,
    /// Request id to quote to HubSpot support.
    #[serde(default)]
    pub correlation_id: String,
    /// e.g. `VALIDATION_ERROR`.
    #[serde(default)]
    pub category: String,
    /// Optional sub-category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_category: Option<serde_json::Value>,
    /// Details, e.g. one per invalid property.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorDetail>,
    /// Extra context.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Vec<String>>,
    /// Related links.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<String, String>,
    /// Rate-limit bodies: `RATE_LIMIT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// Rate-limit bodies: `TEN_SECONDLY_ROLLING` or `DAILY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_name: Option<String>,
}

fn error_str() -> String {
    "error".into()
}

/// One detail of an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetail {
    /// What is wrong.
    pub message: String,
    /// e.g. `PROPERTY_DOESNT_EXIST`, `READ_ONLY_VALUE`, `INVALID_OPTION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Where (e.g. a property name).
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Optional sub-category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_category: Option<serde_json::Value>,
    /// e.g. `{"propertyName": ["subject"]}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, Vec<String>>,
}

impl ErrorDetail {
    /// A detail with a code and a `propertyName` context.
    pub fn property(code: &str, property: &str, message: impl Into<String>) -> Self {
        let mut context = BTreeMap::new();
        context.insert("propertyName".to_string(), vec![property.to_string()]);
        Self {
            message: message.into(),
            code: Some(code.to_string()),
            location: None,
            sub_category: None,
            context,
        }
    }
}

impl ApiError {
    /// An error with a fresh correlation id.
    pub fn new(http_status: u16, category: &str, message: impl Into<String>) -> Self {
        Self {
            http_status,
            status: error_str(),
            message: message.into(),
            correlation_id: uuid::Uuid::new_v4().to_string(),
            category: category.to_string(),
            sub_category: None,
            errors: Vec::new(),
            context: BTreeMap::new(),
            links: BTreeMap::new(),
            error_type: None,
            policy_name: None,
        }
    }

    /// 400 `VALIDATION_ERROR`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, ErrorCategory::VALIDATION_ERROR, message)
    }

    /// 400 `VALIDATION_ERROR` for invalid property values, in HubSpot's
    /// "Property values were not valid: [...]" format with one detail per property.
    pub fn invalid_properties(details: Vec<ErrorDetail>) -> Self {
        let items: Vec<serde_json::Value> = details
            .iter()
            .map(|d| {
                let name = d
                    .context
                    .get("propertyName")
                    .and_then(|v| v.first())
                    .cloned()
                    .unwrap_or_default();
                serde_json::json!({
                    "isValid": false,
                    "message": d.message,
                    "error": d.code,
                    "name": name,
                    "localizedErrorMessage": d.message,
                })
            })
            .collect();
        let message = format!(
            "Property values were not valid: {}",
            serde_json::Value::Array(items)
        );
        let mut e = Self::validation(message);
        e.errors = details;
        e
    }

    /// 404 `OBJECT_NOT_FOUND`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, ErrorCategory::OBJECT_NOT_FOUND, message)
    }

    /// 500 from the sandbox itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, ErrorCategory::INTERNAL_ERROR, message)
    }

    /// Adds a context entry.
    pub fn with_context(mut self, key: &str, values: Vec<String>) -> Self {
        self.context.insert(key.to_string(), values);
        self
    }

    /// Whether HubSpot's daily quota is exhausted (never worth retrying today).
    pub fn is_daily_limit(&self) -> bool {
        self.http_status == 429 && self.policy_name.as_deref() == Some("DAILY")
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HubSpot {} {}", self.http_status, self.category)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if !self.correlation_id.is_empty() {
            write!(f, " (correlationId {})", self.correlation_id)?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_round_trips_in_hubspot_shape() {
        let e = ApiError::invalid_properties(vec![ErrorDetail::property(
            "PROPERTY_DOESNT_EXIST",
            "nope",
            "Property \"nope\" does not exist",
        )]);
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["status"], "error");
        assert_eq!(v["category"], "VALIDATION_ERROR");
        assert_eq!(v["errors"][0]["code"], "PROPERTY_DOESNT_EXIST");
        assert_eq!(v["errors"][0]["context"]["propertyName"][0], "nope");
        assert!(v["message"]
            .as_str()
            .unwrap()
            .starts_with("Property values were not valid: [{"));
        assert!(v.get("httpStatus").is_none());
    }
}
