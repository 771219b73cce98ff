//! The records tickets point at that the sandbox stores (contacts, companies, notes and tasks):
//! for each, its table, the properties it is created with (HubSpot's defaults for the object,
//! plus a custom `tier` enumeration on companies for demo rules), which of them a read returns
//! when none are asked for, which ones `query` searches, and which are required on create.
//! Pure data. Migration 6 created the tables from these definitions; a default added later
//! needs its own migration, as for tickets. A portal's own properties (created through
//! `/crm/v3/properties/{objectType}`) are not here: they are stored in
//! `object_property_defs` and merged in by `schema::object_catalogs`.
//!
//! Choices where HubSpot is silent or where the sandbox is smaller than HubSpot:
//! - each type keeps only the handful of properties a ticket rule needs; HubSpot has hundreds;
//! - `email` on contacts is unique (HubSpot's rule: usable as `idProperty`, 409 on a duplicate);
//! - notes and tasks need `hs_timestamp` on create (HubSpot documents it as required);
//! - `hubspot_owner_id` of notes and tasks takes the ticket property's definition (the same
//!   owners), so the owner rules stay in one place.

use super::definitions::DefaultProperty;
use crate::model::{Property, PropertyGroup, PropertyOption};

/// One stored object type besides tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ObjectMeta {
    /// Plural name: the table name and the path segment (`companies`).
    pub table: &'static str,
    /// Singular name, for messages (`company`).
    pub singular: &'static str,
    /// HubSpot's upper-case name in batch error messages (`COMPANY`).
    pub upper: &'static str,
    /// The property holding the creation time (`createdAt`).
    pub created: &'static str,
    /// The property holding the last change (`updatedAt`).
    pub modified: &'static str,
    /// What a read returns when no `properties` are asked for.
    pub defaults: &'static [&'static str],
    /// The text properties `query` searches (with the id).
    pub query: &'static [&'static str],
    /// Properties a create must set.
    pub required: &'static [&'static str],
}

/// Tickets, described the same way (their catalog, rules and full-text index live elsewhere).
pub(crate) const TICKETS: ObjectMeta = ObjectMeta {
    table: "tickets",
    singular: "ticket",
    upper: "TICKET",
    created: "createdate",
    modified: "hs_lastmodifieddate",
    defaults: crate::model::DEFAULT_TICKET_PROPERTIES,
    query: &[
        "subject",
        "content",
        "hs_pipeline_stage",
        "hs_ticket_category",
    ],
    required: &[],
};

/// The stored object types besides tickets, in migration order.
pub(crate) const OBJECTS: &[ObjectMeta] = &[
    ObjectMeta {
        table: "contacts",
        singular: "contact",
        upper: "CONTACT",
        created: "createdate",
        modified: "lastmodifieddate",
        defaults: &[
            "createdate",
            "email",
            "firstname",
            "hs_object_id",
            "lastmodifieddate",
            "lastname",
        ],
        query: &["firstname", "lastname", "email", "phone", "company"],
        required: &[],
    },
    ObjectMeta {
        table: "companies",
        singular: "company",
        upper: "COMPANY",
        created: "createdate",
        modified: "hs_lastmodifieddate",
        defaults: &[
            "createdate",
            "domain",
            "hs_lastmodifieddate",
            "hs_object_id",
            "name",
        ],
        query: &["name", "domain", "phone", "website"],
        required: &[],
    },
    ObjectMeta {
        table: "notes",
        singular: "note",
        upper: "NOTE",
        created: "hs_createdate",
        modified: "hs_lastmodifieddate",
        defaults: &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
        query: &["hs_note_body"],
        required: &["hs_timestamp"],
    },
    ObjectMeta {
        table: "tasks",
        singular: "task",
        upper: "TASK",
        created: "hs_createdate",
        modified: "hs_lastmodifieddate",
        defaults: &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
        query: &["hs_task_subject", "hs_task_body"],
        required: &["hs_timestamp"],
    },
];

/// The stored object type named `name` (plural, singular or type id), tickets excluded.
pub(crate) fn stored_object(name: &str) -> Option<&'static ObjectMeta> {
    let obj = crate::model::object_types::object_type(name)?;
    OBJECTS.iter().find(|m| m.table == obj.plural)
}

/// The `tier` options of companies (a custom property of the demo portal).
pub(crate) const TIERS: &[(&str, &str)] = &[
    ("platinum", "Platinum"),
    ("gold", "Gold"),
    ("silver", "Silver"),
    ("standard", "Standard"),
];

/// `(name, label, type, fieldType, read-only value, options)`.
type Def = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, &'static str)],
);

const NONE: &[(&str, &str)] = &[];

const CONTACT: &[Def] = &[
    ("firstname", "First Name", "string", "text", false, NONE),
    ("lastname", "Last Name", "string", "text", false, NONE),
    ("email", "Email", "string", "text", false, NONE),
    (
        "phone",
        "Phone Number",
        "string",
        "phonenumber",
        false,
        NONE,
    ),
    ("jobtitle", "Job Title", "string", "text", false, NONE),
    ("company", "Company Name", "string", "text", false, NONE),
    ("createdate", "Create Date", "datetime", "date", true, NONE),
    (
        "lastmodifieddate",
        "Last Modified Date",
        "datetime",
        "date",
        true,
        NONE,
    ),
    ("hs_object_id", "Record ID", "number", "number", true, NONE),
];

const COMPANY: &[Def] = &[
    ("name", "Company name", "string", "text", false, NONE),
    (
        "domain",
        "Company Domain Name",
        "string",
        "text",
        false,
        NONE,
    ),
    ("website", "Website URL", "string", "text", false, NONE),
    (
        "phone",
        "Phone Number",
        "string",
        "phonenumber",
        false,
        NONE,
    ),
    ("city", "City", "string", "text", false, NONE),
    ("country", "Country/Region", "string", "text", false, NONE),
    ("tier", "Tier", "enumeration", "select", false, TIERS),
    ("createdate", "Create Date", "datetime", "date", true, NONE),
    (
        "hs_lastmodifieddate",
        "Last Modified Date",
        "datetime",
        "date",
        true,
        NONE,
    ),
    ("hs_object_id", "Record ID", "number", "number", true, NONE),
];

const NOTE: &[Def] = &[
    ("hs_note_body", "Note body", "string", "html", false, NONE),
    (
        "hs_timestamp",
        "Activity date",
        "datetime",
        "date",
        false,
        NONE,
    ),
    (
        "hubspot_owner_id",
        "Activity assigned to",
        "enumeration",
        "select",
        false,
        NONE,
    ),
    (
        "hs_createdate",
        "Created at",
        "datetime",
        "date",
        true,
        NONE,
    ),
    (
        "hs_lastmodifieddate",
        "Last Modified Date",
        "datetime",
        "date",
        true,
        NONE,
    ),
    ("hs_object_id", "Record ID", "number", "number", true, NONE),
];

const TASK: &[Def] = &[
    (
        "hs_task_subject",
        "Task Title",
        "string",
        "text",
        false,
        NONE,
    ),
    ("hs_task_body", "Notes", "string", "html", false, NONE),
    (
        "hs_task_status",
        "Task Status",
        "enumeration",
        "select",
        false,
        &[
            ("NOT_STARTED", "Not started"),
            ("IN_PROGRESS", "In progress"),
            ("WAITING", "Waiting"),
            ("COMPLETED", "Completed"),
            ("DEFERRED", "Deferred"),
        ],
    ),
    (
        "hs_task_priority",
        "Priority",
        "enumeration",
        "select",
        false,
        &[
            ("NONE", "None"),
            ("LOW", "Low"),
            ("MEDIUM", "Medium"),
            ("HIGH", "High"),
        ],
    ),
    (
        "hs_task_type",
        "Task Type",
        "enumeration",
        "select",
        false,
        &[("TODO", "To-do"), ("EMAIL", "Email"), ("CALL", "Call")],
    ),
    ("hs_timestamp", "Due date", "datetime", "date", false, NONE),
    (
        "hubspot_owner_id",
        "Assigned to",
        "enumeration",
        "select",
        false,
        NONE,
    ),
    (
        "hs_createdate",
        "Created at",
        "datetime",
        "date",
        true,
        NONE,
    ),
    (
        "hs_lastmodifieddate",
        "Last Modified Date",
        "datetime",
        "date",
        true,
        NONE,
    ),
    ("hs_object_id", "Record ID", "number", "number", true, NONE),
];

/// HubSpot's own property group of an object type (the one its default properties are in).
pub(crate) fn group(table: &str) -> &'static str {
    match table {
        "tickets" => super::definitions::TICKET_GROUP,
        "contacts" => "contactinformation",
        "companies" => "companyinformation",
        "notes" => "note",
        _ => "task",
    }
}

/// [`group`] as a definition (HubSpot's own groups come first: display order -1).
pub(crate) fn default_group(table: &str) -> PropertyGroup {
    let label = match table {
        "contacts" => "Contact information",
        "companies" => "Company information",
        "notes" => "Note information",
        _ => "Task information",
    };
    PropertyGroup {
        name: group(table).to_string(),
        label: label.to_string(),
        display_order: -1,
        archived: false,
    }
}

/// The names of the properties [`object_properties`] defines for `table`.
pub(crate) fn default_names(table: &str) -> Vec<&'static str> {
    let defs = match table {
        "contacts" => CONTACT,
        "companies" => COMPANY,
        "notes" => NOTE,
        "tasks" => TASK,
        _ => return Vec::new(),
    };
    defs.iter().map(|d| d.0).collect()
}

/// The property definitions of a stored object type, in display order. `owner` is the
/// ticket catalog's `hubspot_owner_id` definition, whose options (the owners) notes and tasks
/// share.
pub(crate) fn object_properties(table: &str, owner: Option<&Property>) -> Vec<Property> {
    let defs = match table {
        "contacts" => CONTACT,
        "companies" => COMPANY,
        "notes" => NOTE,
        "tasks" => TASK,
        _ => return Vec::new(),
    };
    defs.iter()
        .enumerate()
        .map(
            |(i, &(name, label, kind, field_type, read_only, options))| {
                if let (Some(o), "hubspot_owner_id") = (owner, name) {
                    let mut p = o.clone();
                    p.label = label.to_string();
                    p.group_name = group(table).to_string();
                    p.display_order = i as i32;
                    return p;
                }
                let custom = name == "tier";
                DefaultProperty {
                    name,
                    label,
                    kind,
                    field_type,
                    group: group(table),
                    options: options
                        .iter()
                        .enumerate()
                        .map(|(k, (value, label))| PropertyOption {
                            label: (*label).to_string(),
                            value: (*value).to_string(),
                            hidden: false,
                            description: None,
                            display_order: k as i32,
                        })
                        .collect(),
                    display_order: i as i32,
                    calculated: false,
                    external_options: name == "hubspot_owner_id",
                    has_unique_value: table == "contacts" && name == "email",
                    custom,
                    read_only,
                }
                .build()
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_object_names_properties_it_defines() {
        for m in OBJECTS {
            let props = object_properties(m.table, None);
            let has = |n: &str| props.iter().any(|p| p.name == n);
            for n in m
                .defaults
                .iter()
                .chain(m.query)
                .chain(m.required)
                .chain([&m.created, &m.modified])
            {
                assert!(has(n), "{} lacks {n}", m.table);
            }
        }
    }

    #[test]
    fn task_options_are_hubspots_values() {
        let props = object_properties("tasks", None);
        let values = |name: &str| -> Vec<String> {
            let p = props.iter().find(|p| p.name == name).unwrap();
            p.options.iter().map(|o| o.value.clone()).collect()
        };
        use crate::model::activity::{TASK_PRIORITIES, TASK_STATUSES, TASK_TYPES};
        assert_eq!(values("hs_task_status"), TASK_STATUSES);
        assert_eq!(values("hs_task_priority"), TASK_PRIORITIES);
        assert_eq!(values("hs_task_type"), TASK_TYPES);
    }

    #[test]
    fn the_stored_types_are_the_models_record_types() {
        let tables: Vec<&str> = OBJECTS.iter().map(|m| m.table).collect();
        assert_eq!(tables, crate::model::object_types::RECORD_TYPES);
    }

    #[test]
    fn names_resolve_by_plural_singular_and_type_id() {
        assert_eq!(stored_object("companies").unwrap().table, "companies");
        assert_eq!(stored_object("contact").unwrap().table, "contacts");
        assert_eq!(stored_object("0-46").unwrap().table, "notes");
        assert!(stored_object("tickets").is_none());
        assert!(stored_object("deals").is_none());
    }
}
