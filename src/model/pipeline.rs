//! Ticket pipelines and their stages (`/crm/v3/pipelines/tickets`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The pipeline or stage `key` names, as the script API and `check --schema` look them up: by
/// id first, then by label, then by label ignoring case.
pub fn by_id_or_label<'a, T>(
    items: &'a [T],
    key: &str,
    id: impl Fn(&T) -> &str,
    label: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    items
        .iter()
        .find(|x| id(x) == key)
        .or_else(|| items.iter().find(|x| label(x) == key))
        .or_else(|| items.iter().find(|x| label(x).eq_ignore_ascii_case(key)))
}

/// A pipeline with its stages in display order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pipeline {
    /// The pipeline id (`"0"` for the default support pipeline).
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its position among pipelines.
    pub display_order: i32,
    /// Its stages.
    pub stages: Vec<PipelineStage>,
    /// Whether it is archived.
    pub archived: bool,
    /// Creation time (epoch 0 for default pipelines).
    #[serde(with = "super::time::iso_ms")]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(with = "super::time::iso_ms")]
    pub updated_at: DateTime<Utc>,
}

impl Pipeline {
    /// The stage with this id.
    pub fn stage(&self, id: &str) -> Option<&PipelineStage> {
        self.stages.iter().find(|s| s.id == id)
    }

    /// The stage a ticket starts in when no stage is given: the lowest display order.
    pub fn first_stage(&self) -> Option<&PipelineStage> {
        self.stages.iter().min_by_key(|s| s.display_order)
    }
}

/// A pipeline stage. `metadata.ticketState` is `OPEN` or `CLOSED`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineStage {
    /// The stage id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Its position in the pipeline.
    pub display_order: i32,
    /// `ticketState` (`OPEN`/`CLOSED`) and `isClosed`.
    pub metadata: BTreeMap<String, String>,
    /// Whether it is archived.
    pub archived: bool,
    /// Creation time.
    #[serde(with = "super::time::iso_ms")]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(with = "super::time::iso_ms")]
    pub updated_at: DateTime<Utc>,
    /// Write permissions, when HubSpot reports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub write_permissions: Option<String>,
}

impl PipelineStage {
    /// Whether tickets in this stage count as closed.
    pub fn is_closed(&self) -> bool {
        self.metadata.get("ticketState").map(String::as_str) == Some("CLOSED")
    }
}
