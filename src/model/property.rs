//! Ticket property definitions (`/crm/v3/properties/tickets`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A property definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Property {
    /// Internal name, e.g. `hs_ticket_priority`.
    pub name: String,
    /// Label shown in the UI.
    pub label: String,
    /// `string`, `number`, `date`, `datetime`, `enumeration`, `bool` or `phone_number`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `text`, `textarea`, `select`, `checkbox`, ...
    pub field_type: String,
    /// Property group, e.g. `ticketinformation`.
    pub group_name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Options of an enumeration.
    #[serde(default)]
    pub options: Vec<PropertyOption>,
    /// Position in its group.
    #[serde(default)]
    pub display_order: i32,
    /// Whether HubSpot calculates the value.
    #[serde(default)]
    pub calculated: bool,
    /// Whether options come from elsewhere (owners).
    #[serde(default)]
    pub external_options: bool,
    /// Whether values are unique (usable as `idProperty`).
    #[serde(default)]
    pub has_unique_value: bool,
    /// Hidden in the UI.
    #[serde(default)]
    pub hidden: bool,
    /// Defined by HubSpot rather than the portal.
    #[serde(default)]
    pub hubspot_defined: bool,
    /// Usable in forms.
    #[serde(default)]
    pub form_field: bool,
    /// `OWNER` for owner properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced_object_type: Option<String>,
    /// What may be changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modification_metadata: Option<ModificationMetadata>,
    /// Whether it is archived.
    #[serde(default)]
    pub archived: bool,
    /// When it was created (absent on HubSpot's own properties).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::time::iso_ms_opt"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// When its definition last changed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::time::iso_ms_opt"
    )]
    pub updated_at: Option<DateTime<Utc>>,
    /// When it was archived.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::time::iso_ms_opt"
    )]
    pub archived_at: Option<DateTime<Utc>>,
    /// The formula of a calculated property (kept, not evaluated, by the sandbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculation_formula: Option<String>,
}

impl Property {
    /// Whether API writes to this property are refused.
    pub fn is_read_only(&self) -> bool {
        self.modification_metadata
            .as_ref()
            .is_some_and(|m| m.read_only_value)
    }

    /// Whether this property holds an instant (compared as epoch milliseconds in searches).
    pub fn is_datetime(&self) -> bool {
        self.kind == "datetime" || self.kind == "date"
    }
}

/// One option of an enumeration property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyOption {
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
    /// Position.
    #[serde(default)]
    pub display_order: i32,
}

/// What may be changed about a property and its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModificationMetadata {
    /// Whether the property can be archived.
    pub archivable: bool,
    /// Whether the definition is read-only.
    pub read_only_definition: bool,
    /// Whether values are read-only (API writes refused).
    pub read_only_value: bool,
    /// Whether the options are read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_options: Option<bool>,
}

/// A property group (`/crm/v3/properties/tickets/groups`): where a property is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyGroup {
    /// Internal name, e.g. `ticketinformation`.
    pub name: String,
    /// Label shown in the UI.
    pub label: String,
    /// Position among groups (`-1` for HubSpot's own, which come first).
    #[serde(default)]
    pub display_order: i32,
    /// Whether it is archived.
    #[serde(default)]
    pub archived: bool,
}
