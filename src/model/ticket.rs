//! A ticket as HubSpot returns it (`SimplePublicObjectWithAssociations`), the inputs that
//! create, update and merge tickets, and the page envelope of list endpoints.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::association::{AssociatedIdPage, AssociationInput};
use super::values::{null_as_default, InputProperties, PropertyMap};

/// A ticket record. `associations` is present only when the read asked for associations, and
/// `propertiesWithHistory` only when it asked for history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    /// The record id (`hs_object_id`), numeric in practice but always a string.
    pub id: String,
    /// Property values; `null` for a requested property without a value.
    pub properties: PropertyMap,
    /// Past values of the properties asked for with `propertiesWithHistory`, newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties_with_history: Option<BTreeMap<String, Vec<ValueWithTimestamp>>>,
    /// When the record was created.
    #[serde(with = "super::time::iso_ms")]
    pub created_at: DateTime<Utc>,
    /// When the record last changed.
    #[serde(with = "super::time::iso_ms")]
    pub updated_at: DateTime<Utc>,
    /// Whether the record is in the recycle bin.
    #[serde(default)]
    pub archived: bool,
    /// When the record was archived.
    #[serde(
        default,
        with = "super::time::iso_ms_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub archived_at: Option<DateTime<Utc>>,
    /// Associated records by plural object type name (`contacts`, `companies`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub associations: Option<BTreeMap<String, AssociatedIdPage>>,
}

impl Ticket {
    /// The value of one property, `None` when absent or null.
    pub fn prop(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(|v| v.as_deref())
    }
}

/// One past value of a property.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValueWithTimestamp {
    /// The value that was set (empty when it was cleared).
    pub value: String,
    /// When it was set.
    #[serde(with = "super::time::iso_ms")]
    pub timestamp: DateTime<Utc>,
    /// Who set it: `API`, `CALCULATED`, ...
    pub source_type: String,
    /// Optional detail of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Optional label of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_label: Option<String>,
    /// The user who set it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by_user_id: Option<i64>,
}

/// Body of `POST /crm/v3/objects/tickets`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateInput {
    /// The new ticket's properties.
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: InputProperties,
    /// Records to associate with the new ticket.
    #[serde(default, deserialize_with = "null_as_default")]
    pub associations: Vec<AssociationInput>,
}

/// Body of `PATCH /crm/v3/objects/tickets/{ticketId}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInput {
    /// Properties to overwrite; `""` clears a value.
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: InputProperties,
}

/// Body of `POST /crm/v3/objects/tickets/merge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeInput {
    /// The ticket that survives.
    #[serde(deserialize_with = "super::values::scalar_string::deserialize")]
    pub primary_object_id: String,
    /// The ticket merged into it (archived afterwards).
    #[serde(deserialize_with = "super::values::scalar_string::deserialize")]
    pub object_id_to_merge: String,
}

/// A batch upsert result: the ticket and whether it was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpsertResult {
    /// The ticket after the upsert.
    #[serde(flatten)]
    pub ticket: Ticket,
    /// `true` when the record was created, `false` when updated.
    pub new: bool,
}

/// A page of a list endpoint (`results` plus `paging` when more remain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The records of this page.
    pub results: Vec<T>,
    /// Present when another page follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

impl<T> Page<T> {
    /// The cursor of the next page, if any.
    pub fn next_after(&self) -> Option<&str> {
        self.paging
            .as_ref()
            .and_then(|p| p.next.as_ref())
            .map(|n| n.after.as_str())
    }
}

/// HubSpot's paging block.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    /// The next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<NextPage>,
}

/// The cursor of the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextPage {
    /// Opaque cursor to pass as `after`.
    #[serde(deserialize_with = "super::values::scalar_string::deserialize")]
    pub after: String,
    /// A ready URL for the next page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

impl Paging {
    /// A paging block pointing at `after`.
    pub fn next(after: impl Into<String>) -> Self {
        Self {
            next: Some(NextPage {
                after: after.into(),
                link: None,
            }),
        }
    }
}
