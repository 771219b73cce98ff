//! Batch inputs and responses (`/crm/v3/objects/tickets/batch/*`). A batch answers 200/201 when
//! every input succeeded and 207 with `numErrors` and `errors[]` when some failed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::association::AssociationInput;
use super::error::ErrorDetail;
use super::values::{null_as_default, scalar_string, InputProperties};

/// `{"inputs": [...]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct BatchInput<T> {
    /// The inputs, at most [`MAX_BATCH_INPUTS`](crate::model::MAX_BATCH_INPUTS).
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub inputs: Vec<T>,
}

impl<T> BatchInput<T> {
    /// Wraps a list of inputs.
    pub fn new(inputs: Vec<T>) -> Self {
        Self { inputs }
    }
}

/// `{"id": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdInput {
    /// The record id.
    #[serde(deserialize_with = "scalar_string::deserialize")]
    pub id: String,
}

impl IdInput {
    /// An id input.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into() }
    }
}

/// Body of `POST .../batch/read`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchReadInput {
    /// The ids to read.
    #[serde(default, deserialize_with = "null_as_default")]
    pub inputs: Vec<IdInput>,
    /// Properties to return; empty means the default set.
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: Vec<String>,
    /// Properties to return with history.
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties_with_history: Vec<String>,
    /// A unique property to look the ids up in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_property: Option<String>,
}

/// One input of `POST .../batch/create`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchCreateItem {
    /// The new ticket's properties.
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: InputProperties,
    /// Records to associate with it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub associations: Vec<AssociationInput>,
    /// A caller-chosen unique id; when every input has one, partial failures answer 207.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_write_trace_id: Option<String>,
}

/// One input of `POST .../batch/update` and `.../batch/upsert`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchUpdateItem {
    /// The record id, or the value of `idProperty`.
    #[serde(deserialize_with = "scalar_string::deserialize")]
    pub id: String,
    /// A unique property to look `id` up in (required for upsert).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_property: Option<String>,
    /// Properties to write.
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: InputProperties,
    /// A caller-chosen unique id, echoed in errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_write_trace_id: Option<String>,
}

/// A batch response; `numErrors` and `errors` are present in the 207 form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchResponse<T> {
    /// `COMPLETE` for synchronous batches.
    pub status: String,
    /// What succeeded.
    pub results: Vec<T>,
    /// How many inputs failed (207 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_errors: Option<u32>,
    /// What failed (207 only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<StandardError>,
    /// When the request arrived.
    #[serde(
        default,
        with = "super::time::iso_ms_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub requested_at: Option<DateTime<Utc>>,
    /// When processing started.
    #[serde(with = "super::time::iso_ms")]
    pub started_at: DateTime<Utc>,
    /// When processing ended.
    #[serde(with = "super::time::iso_ms")]
    pub completed_at: DateTime<Utc>,
    /// Related links.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub links: BTreeMap<String, String>,
}

impl<T> BatchResponse<T> {
    /// A complete response with no errors.
    pub fn complete(results: Vec<T>, started_at: DateTime<Utc>) -> Self {
        Self {
            status: "COMPLETE".into(),
            results,
            num_errors: None,
            errors: Vec::new(),
            requested_at: None,
            started_at,
            completed_at: Utc::now(),
            links: BTreeMap::new(),
        }
    }

    /// Adds per-input errors (turning the response into the 207 form).
    pub fn with_errors(mut self, errors: Vec<StandardError>) -> Self {
        if !errors.is_empty() {
            self.num_errors = Some(errors.len() as u32);
            self.errors = errors;
        }
        self
    }

    /// Whether some inputs failed (HTTP 207).
    pub fn is_partial(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// An error inside a batch response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StandardError {
    /// Always `error`.
    pub status: String,
    /// e.g. `VALIDATION_ERROR`, `OBJECT_NOT_FOUND`.
    pub category: String,
    /// What went wrong.
    pub message: String,
    /// Details.
    #[serde(default)]
    pub errors: Vec<ErrorDetail>,
    /// e.g. `{"ids": ["12"]}` or `{"objectWriteTraceId": ["t1"]}`.
    #[serde(default)]
    pub context: BTreeMap<String, Vec<String>>,
    /// Related links.
    #[serde(default)]
    pub links: BTreeMap<String, String>,
    /// Optional id of the failed input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Optional sub-category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_category: Option<serde_json::Value>,
}
