//! Query parameters of the list and read endpoints. Array parameters are kept as lists here;
//! on the wire HubSpot accepts them comma-separated or repeated, and the official clients repeat
//! them.

use serde::{Deserialize, Serialize};

/// Parameters of `GET /crm/v3/objects/tickets`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    /// Page size: default 10, at most 100 (50 with `propertiesWithHistory`).
    pub limit: Option<u32>,
    /// Cursor from the previous page's `paging.next.after`.
    pub after: Option<String>,
    /// Properties to return; empty means the default ticket set.
    pub properties: Vec<String>,
    /// Properties to return with their history.
    pub properties_with_history: Vec<String>,
    /// Object types whose associated ids to include.
    pub associations: Vec<String>,
    /// `true` returns only archived tickets.
    pub archived: bool,
}

/// Parameters of `GET /crm/v3/objects/tickets/{ticketId}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetParams {
    /// Properties to return; empty means the default ticket set.
    pub properties: Vec<String>,
    /// Properties to return with their history.
    pub properties_with_history: Vec<String>,
    /// Object types whose associated ids to include.
    pub associations: Vec<String>,
    /// `true` reads an archived ticket.
    pub archived: bool,
    /// A unique property to look the id up in, instead of `hs_object_id`.
    pub id_property: Option<String>,
}

/// The properties a ticket read returns when none are asked for [Spec info table; captures add
/// the three system properties].
pub const DEFAULT_TICKET_PROPERTIES: &[&str] = &[
    "content",
    "createdate",
    "hs_lastmodifieddate",
    "hs_object_id",
    "hs_pipeline",
    "hs_pipeline_stage",
    "hs_ticket_category",
    "hs_ticket_priority",
    "subject",
];
