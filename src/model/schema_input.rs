//! The request bodies of the schema writes: property groups, properties, pipelines and their
//! stages, as the official clients send them (`PropertyGroupCreate`, `PropertyCreate`,
//! `PipelineInput`, ...). The rules they must pass are in [`super::schema_rules`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `POST /crm/v3/properties/tickets/groups`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyGroupCreate {
    /// Internal name.
    pub name: String,
    /// Label shown in the UI.
    pub label: String,
    /// Position among groups (default: after the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i32>,
}

/// `PATCH /crm/v3/properties/tickets/groups/{groupName}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyGroupUpdate {
    /// New label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// New position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i32>,
}

/// One option of a property write (`OptionInput`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionInput {
    /// Label shown in the UI.
    pub label: String,
    /// Stored value.
    pub value: String,
    /// Hidden in the UI.
    #[serde(default)]
    pub hidden: bool,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Position (default: its place in the list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i32>,
}

/// `POST /crm/v3/properties/tickets` (and each input of `batch/create`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyCreate {
    /// Internal name: lowercase letters, digits and underscores, starting with a letter.
    pub name: String,
    /// Label shown in the UI.
    pub label: String,
    /// `string`, `number`, `date`, `datetime`, `enumeration` or `bool`.
    #[serde(rename = "type")]
    pub kind: String,
    /// How it is edited: `text`, `textarea`, `number`, `date`, `select`, `radio`,
    /// `checkbox`, `booleancheckbox`, `phonenumber`, `html`, `file`, `calculation_equation`.
    pub field_type: String,
    /// The group it is shown in (must exist).
    pub group_name: String,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Options of an enumeration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<OptionInput>,
    /// Position in its group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i32>,
    /// Whether values must be unique (usable as `idProperty`).
    #[serde(default)]
    pub has_unique_value: bool,
    /// Hidden in the UI.
    #[serde(default)]
    pub hidden: bool,
    /// Usable in forms.
    #[serde(default)]
    pub form_field: bool,
    /// Whether options come from elsewhere.
    #[serde(default)]
    pub external_options: bool,
    /// The object a reference property points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced_object_type: Option<String>,
    /// A calculation formula (not evaluated by the sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation_formula: Option<String>,
}

/// `PATCH /crm/v3/properties/tickets/{propertyName}`: only what is sent changes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyUpdate {
    /// New label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// New type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// New field type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_type: Option<String>,
    /// New group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// New description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The new options, replacing all the old ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<OptionInput>>,
    /// New position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i32>,
    /// Hidden in the UI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Usable in forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_field: Option<bool>,
    /// A calculation formula.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation_formula: Option<String>,
}

/// A property named in a batch read or archive (`PropertyName`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyName {
    /// The property's internal name.
    pub name: String,
}

/// `POST /crm/v3/properties/tickets/batch/read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PropertyBatchRead {
    /// Read archived properties instead of active ones.
    #[serde(default)]
    pub archived: bool,
    /// The properties to read.
    pub inputs: Vec<PropertyName>,
}

/// A stage of a pipeline write (`PipelineStageInput`, and the patch form with every field
/// optional, `PipelineStagePatchInput`, through [`StagePatch`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageInput {
    /// Its label.
    pub label: String,
    /// Its position in the pipeline.
    pub display_order: i32,
    /// For tickets, `ticketState` (`OPEN` or `CLOSED`) is required.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// `POST /crm/v3/pipelines/tickets` and `PUT .../{pipelineId}` (`PipelineInput`): the
/// pipeline with all its stages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineInput {
    /// Its label (unique among the pipelines).
    pub label: String,
    /// Its position among pipelines.
    pub display_order: i32,
    /// Its stages (at least one).
    pub stages: Vec<StageInput>,
}

/// `PATCH /crm/v3/pipelines/tickets/{pipelineId}` (`PipelinePatchInput`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelinePatch {
    /// New label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// New position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i32>,
    /// `false` restores an archived pipeline; `true` is refused (use DELETE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

/// `PATCH /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}`
/// (`PipelineStagePatchInput`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StagePatch {
    /// New label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// New position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_order: Option<i32>,
    /// Metadata keys to set (others stay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<BTreeMap<String, String>>,
    /// `false` restores; `true` is refused (use DELETE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

impl From<StageInput> for StagePatch {
    /// A full stage (a `PUT`) as the patch that sets every field.
    fn from(s: StageInput) -> Self {
        StagePatch {
            label: Some(s.label),
            display_order: Some(s.display_order),
            metadata: Some(s.metadata),
            archived: None,
        }
    }
}
