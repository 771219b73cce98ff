//! The seed definitions of a new sandbox: the default ticket properties of TICKETS_API.md §8
//! (plus one unique custom property) in their one group, the default support pipeline of §9 and
//! the demo owners with their teams. Pure data; the store persists these as JSON at creation
//! and reads them back on open (and the schema APIs change them from there).

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};

use crate::model::{
    ModificationMetadata, Owner, OwnerTeam, Pipeline, PipelineStage, Property, PropertyGroup,
    PropertyOption,
};

/// The group every default ticket property belongs to.
pub(crate) const TICKET_GROUP: &str = "ticketinformation";

/// The custom property with `hasUniqueValue: true`, usable as `idProperty` and for upserts.
pub const UNIQUE_PROPERTY: &str = "external_ticket_id";

/// A demo HubSpot owner (user) that `hubspot_owner_id` may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOwner {
    /// The owner id, the value stored in `hubspot_owner_id`.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// E-mail address.
    pub email: &'static str,
    /// The HubSpot user id behind the owner.
    pub user_id: i64,
    /// The owner's (primary) team: `(id, name)`.
    pub team: (&'static str, &'static str),
}

const TIER1: (&str, &str) = ("6001", "Tier 1 Support");
const TIER2: (&str, &str) = ("6002", "Tier 2 Support");

const OWNERS: &[DemoOwner] = &[
    DemoOwner {
        id: "52550153",
        name: "Alice Martin",
        email: "alice.martin@example.com",
        user_id: 9001,
        team: TIER1,
    },
    DemoOwner {
        id: "52550154",
        name: "Bruno Costa",
        email: "bruno.costa@example.com",
        user_id: 9002,
        team: TIER1,
    },
    DemoOwner {
        id: "52550155",
        name: "Chen Wei",
        email: "chen.wei@example.com",
        user_id: 9003,
        team: TIER1,
    },
    DemoOwner {
        id: "52550156",
        name: "Dana Okafor",
        email: "dana.okafor@example.com",
        user_id: 9004,
        team: TIER2,
    },
    DemoOwner {
        id: "52550157",
        name: "Elif Yilmaz",
        email: "elif.yilmaz@example.com",
        user_id: 9005,
        team: TIER2,
    },
];

/// The owners of a new sandbox: the only values `hubspot_owner_id` accepts there (until a
/// `sandbox pull` brings a portal's own). Scripts that assign round-robin cycle through these
/// ids in this order.
pub fn demo_owners() -> &'static [DemoOwner] {
    OWNERS
}

impl DemoOwner {
    /// The owner record `GET /crm/v3/owners` answers: the name split at its first space into
    /// first and last name, created at epoch 0 like the default pipeline.
    pub fn record(&self) -> Owner {
        let epoch = Utc.timestamp_millis_opt(0).single().unwrap_or_default();
        let (first, last) = self.name.split_once(' ').unwrap_or((self.name, ""));
        Owner {
            id: self.id.to_string(),
            email: Some(self.email.to_string()),
            kind: "PERSON".to_string(),
            first_name: Some(first.to_string()),
            last_name: Some(last.to_string()),
            user_id: Some(self.user_id),
            user_id_including_inactive: Some(self.user_id),
            created_at: epoch,
            updated_at: epoch,
            archived: false,
            teams: vec![OwnerTeam {
                id: self.team.0.to_string(),
                name: self.team.1.to_string(),
                primary: true,
            }],
        }
    }
}

/// The property group every default ticket property is in.
pub(super) fn default_group() -> PropertyGroup {
    PropertyGroup {
        name: TICKET_GROUP.to_string(),
        label: "Ticket information".to_string(),
        display_order: -1,
        archived: false,
    }
}

fn opts(values: &[(&str, &str)]) -> Vec<PropertyOption> {
    values
        .iter()
        .enumerate()
        .map(|(i, (value, label))| PropertyOption {
            label: (*label).to_string(),
            value: (*value).to_string(),
            hidden: false,
            description: None,
            display_order: i as i32,
        })
        .collect()
}

/// `(name, label, type, fieldType, read-only value, calculated)`.
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    bool,
);

const ROWS: &[Row] = &[
    ("subject", "Ticket name", "string", "text", false, false),
    (
        "content",
        "Ticket description",
        "string",
        "textarea",
        false,
        false,
    ),
    (
        "hs_pipeline",
        "Pipeline",
        "enumeration",
        "select",
        false,
        false,
    ),
    (
        "hs_pipeline_stage",
        "Ticket status",
        "enumeration",
        "select",
        false,
        false,
    ),
    (
        "hs_ticket_priority",
        "Priority",
        "enumeration",
        "select",
        false,
        false,
    ),
    (
        "hs_ticket_category",
        "Category",
        "enumeration",
        "checkbox",
        false,
        false,
    ),
    (
        "hs_resolution",
        "Resolution",
        "enumeration",
        "select",
        false,
        false,
    ),
    (
        "hubspot_owner_id",
        "Ticket owner",
        "enumeration",
        "select",
        false,
        false,
    ),
    (
        "hubspot_team_id",
        "HubSpot team",
        "enumeration",
        "select",
        false,
        false,
    ),
    (
        "source_type",
        "Source",
        "enumeration",
        "select",
        false,
        false,
    ),
    ("createdate", "Create date", "datetime", "date", true, false),
    (
        "hs_lastmodifieddate",
        "Last modified date",
        "datetime",
        "date",
        true,
        false,
    ),
    ("closed_date", "Close date", "datetime", "date", false, true),
    (
        "hs_is_closed",
        "Is closed",
        "bool",
        "booleancheckbox",
        true,
        true,
    ),
    (
        "hs_pinned_engagement_id",
        "Pinned activity",
        "number",
        "number",
        false,
        false,
    ),
    ("hs_object_id", "Record ID", "number", "number", true, false),
    ("hs_ticket_id", "Ticket ID", "number", "number", true, false),
    (
        "hs_object_source",
        "Record source",
        "string",
        "text",
        true,
        false,
    ),
    (
        "hs_object_source_label",
        "Record source label",
        "string",
        "text",
        true,
        false,
    ),
    (
        "hs_merged_object_ids",
        "Merged ticket IDs",
        "string",
        "text",
        true,
        true,
    ),
    (
        "time_to_close",
        "Time to close",
        "number",
        "number",
        true,
        true,
    ),
    (
        "time_to_first_agent_reply",
        "Time to first agent reply",
        "number",
        "number",
        true,
        true,
    ),
    (
        "first_agent_reply_date",
        "First agent reply date",
        "datetime",
        "date",
        true,
        true,
    ),
    (
        UNIQUE_PROPERTY,
        "External ticket ID",
        "string",
        "text",
        false,
        false,
    ),
];

/// The property definitions of a new sandbox, in display order.
pub(super) fn default_properties() -> Vec<Property> {
    let pipeline = default_pipeline();
    ROWS.iter()
        .enumerate()
        .map(
            |(i, &(name, label, kind, field_type, read_only, calculated))| {
                let custom = name == UNIQUE_PROPERTY;
                let options = match name {
                    "hs_pipeline" => opts(&[("0", "Support Pipeline")]),
                    "hs_pipeline_stage" => pipeline
                        .stages
                        .iter()
                        .map(|s| PropertyOption {
                            label: s.label.clone(),
                            value: s.id.clone(),
                            hidden: false,
                            description: None,
                            display_order: s.display_order,
                        })
                        .collect(),
                    "hs_ticket_priority" => opts(&[
                        ("LOW", "Low"),
                        ("MEDIUM", "Medium"),
                        ("HIGH", "High"),
                        ("URGENT", "Urgent"),
                    ]),
                    "hs_ticket_category" => opts(&[
                        ("PRODUCT_ISSUE", "Product issue"),
                        ("BILLING_ISSUE", "Billing issue"),
                        ("FEATURE_REQUEST", "Feature request"),
                        ("GENERAL_INQUIRY", "General inquiry"),
                    ]),
                    "hs_resolution" => opts(&[
                        ("ISSUE_FIXED", "Issue fixed"),
                        ("ANSWERED", "Question answered"),
                        ("DUPLICATE", "Duplicate"),
                        ("WONT_FIX", "Won't fix"),
                        ("NO_RESPONSE", "No response from contact"),
                    ]),
                    "source_type" => opts(&[
                        ("CHAT", "Chat"),
                        ("EMAIL", "Email"),
                        ("FORM", "Form"),
                        ("PHONE", "Phone"),
                    ]),
                    // HubSpot lists owners through its owners API (externalOptions), not as
                    // options. The sandbox serves that API too, and its catalog replaces these
                    // options with the owners it stores (catalog.rs); these are the demo owners
                    // a new sandbox starts with. On a real portal the list is simply empty.
                    "hubspot_owner_id" => demo_owners()
                        .iter()
                        .enumerate()
                        .map(|(i, o)| PropertyOption {
                            label: o.name.to_string(),
                            value: o.id.to_string(),
                            hidden: false,
                            description: Some(o.email.to_string()),
                            display_order: i as i32,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                DefaultProperty {
                    name,
                    label,
                    kind,
                    field_type,
                    group: TICKET_GROUP,
                    options,
                    display_order: i as i32,
                    calculated,
                    external_options: matches!(name, "hubspot_owner_id" | "hubspot_team_id"),
                    has_unique_value: custom,
                    custom,
                    read_only,
                }
                .build()
            },
        )
        .collect()
}

/// One default definition as both catalogs (tickets here, the other objects in
/// `object_defs.rs`) build it: HubSpot's own properties, or a demo custom one (`custom`).
pub(super) struct DefaultProperty<'a> {
    pub(super) name: &'a str,
    pub(super) label: &'a str,
    pub(super) kind: &'a str,
    pub(super) field_type: &'a str,
    pub(super) group: &'a str,
    pub(super) options: Vec<PropertyOption>,
    pub(super) display_order: i32,
    pub(super) calculated: bool,
    pub(super) external_options: bool,
    pub(super) has_unique_value: bool,
    /// Defined by the portal, not HubSpot: archivable, its definition editable.
    pub(super) custom: bool,
    /// Its value is set by HubSpot only.
    pub(super) read_only: bool,
}

impl DefaultProperty<'_> {
    /// The definition, as `GET /crm/v3/properties/{objectType}` answers it.
    pub(super) fn build(self) -> Property {
        let (custom, read_only) = (self.custom, self.read_only);
        Property {
            name: self.name.to_string(),
            label: self.label.to_string(),
            kind: self.kind.to_string(),
            field_type: self.field_type.to_string(),
            group_name: self.group.to_string(),
            description: String::new(),
            options: self.options,
            display_order: self.display_order,
            calculated: self.calculated,
            external_options: self.external_options,
            has_unique_value: self.has_unique_value,
            hidden: false,
            hubspot_defined: !custom,
            form_field: !read_only,
            referenced_object_type: (self.name == "hubspot_owner_id").then(|| "OWNER".to_string()),
            modification_metadata: Some(ModificationMetadata {
                archivable: custom,
                read_only_definition: !custom,
                read_only_value: read_only,
                read_only_options: Some(!custom),
            }),
            archived: false,
            created_at: None,
            updated_at: None,
            archived_at: None,
            calculation_formula: None,
        }
    }
}

/// The default "Support Pipeline" (id `0`, created at epoch 0) with its four stages.
pub(super) fn default_pipeline() -> Pipeline {
    let epoch = Utc.timestamp_millis_opt(0).single().unwrap_or_default();
    let stage = |id: &str, label: &str, order: i32, closed: bool| {
        let mut metadata = BTreeMap::new();
        metadata.insert(
            "ticketState".to_string(),
            if closed { "CLOSED" } else { "OPEN" }.to_string(),
        );
        metadata.insert("isClosed".to_string(), closed.to_string());
        PipelineStage {
            id: id.to_string(),
            label: label.to_string(),
            display_order: order,
            metadata,
            archived: false,
            created_at: epoch,
            updated_at: epoch,
            write_permissions: Some("CRM_PERMISSIONS_ENFORCEMENT".to_string()),
        }
    };
    Pipeline {
        id: "0".to_string(),
        label: "Support Pipeline".to_string(),
        display_order: 0,
        stages: vec![
            stage("1", "New", 0, false),
            stage("2", "Waiting on contact", 1, false),
            stage("3", "Waiting on us", 2, false),
            stage("4", "Closed", 3, true),
        ],
        archived: false,
        created_at: epoch,
        updated_at: epoch,
    }
}
