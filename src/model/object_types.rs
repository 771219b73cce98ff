//! The one table of the object types a ticket can be associated with and the HUBSPOT_DEFINED
//! association types from a ticket to each (TICKETS_API.md §10), used by the sandbox's
//! association endpoints, its search, and the server's v4 "default" PUT. Pure lookups: names
//! (plural, singular, case-insensitive), object type ids (`0-1`) and v3 legacy type names
//! (`ticket_to_contact`), as HubSpot's paths accept them.

use super::association::{AssociationCategory, AssociationSpec};

/// An object type a ticket can point at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectType {
    /// Plural name, used in responses and storage (`contacts`).
    pub plural: &'static str,
    /// Singular name (`contact`).
    pub singular: &'static str,
    /// Object type id (`0-1`).
    pub type_id: &'static str,
    /// Whether it is an activity that `hs_pinned_engagement_id` may name.
    pub pinnable: bool,
}

const OBJECTS: &[ObjectType] = &[
    ObjectType {
        plural: "tickets",
        singular: "ticket",
        type_id: "0-5",
        pinnable: false,
    },
    ObjectType {
        plural: "contacts",
        singular: "contact",
        type_id: "0-1",
        pinnable: false,
    },
    ObjectType {
        plural: "companies",
        singular: "company",
        type_id: "0-2",
        pinnable: false,
    },
    ObjectType {
        plural: "deals",
        singular: "deal",
        type_id: "0-3",
        pinnable: false,
    },
    ObjectType {
        plural: "notes",
        singular: "note",
        type_id: "0-46",
        pinnable: true,
    },
    ObjectType {
        plural: "meetings",
        singular: "meeting",
        type_id: "0-47",
        pinnable: true,
    },
    ObjectType {
        plural: "calls",
        singular: "call",
        type_id: "0-48",
        pinnable: true,
    },
    ObjectType {
        plural: "emails",
        singular: "email",
        type_id: "0-49",
        pinnable: true,
    },
    ObjectType {
        plural: "tasks",
        singular: "task",
        type_id: "0-27",
        pinnable: true,
    },
    ObjectType {
        plural: "communications",
        singular: "communication",
        type_id: "0-18",
        pinnable: false,
    },
];

/// A HUBSPOT_DEFINED association type from tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AssocType {
    /// The type id (16 for ticket to contact).
    pub id: i32,
    /// Plural name of the target type.
    pub to: &'static str,
    /// v3 name (`ticket_to_contact`).
    pub name: &'static str,
    /// Label (`Primary`), `None` for the unlabelled type.
    pub label: Option<&'static str>,
    /// For a labelled type, the unlabelled type always stored beside it.
    pub implies: Option<i32>,
}

const TYPES: &[AssocType] = &[
    AssocType {
        id: 452,
        to: "tickets",
        name: "ticket_to_ticket",
        label: None,
        implies: None,
    },
    AssocType {
        id: 16,
        to: "contacts",
        name: "ticket_to_contact",
        label: None,
        implies: None,
    },
    AssocType {
        id: 339,
        to: "companies",
        name: "ticket_to_company",
        label: None,
        implies: None,
    },
    AssocType {
        id: 26,
        to: "companies",
        name: "ticket_to_company_primary",
        label: Some("Primary"),
        implies: Some(339),
    },
    AssocType {
        id: 28,
        to: "deals",
        name: "ticket_to_deal",
        label: None,
        implies: None,
    },
    AssocType {
        id: 227,
        to: "notes",
        name: "ticket_to_note",
        label: None,
        implies: None,
    },
    AssocType {
        id: 225,
        to: "meetings",
        name: "ticket_to_meeting",
        label: None,
        implies: None,
    },
    AssocType {
        id: 219,
        to: "calls",
        name: "ticket_to_call",
        label: None,
        implies: None,
    },
    AssocType {
        id: 223,
        to: "emails",
        name: "ticket_to_email",
        label: None,
        implies: None,
    },
    AssocType {
        id: 229,
        to: "tasks",
        name: "ticket_to_task",
        label: None,
        implies: None,
    },
    AssocType {
        id: 84,
        to: "communications",
        name: "ticket_to_communication",
        label: None,
        implies: None,
    },
];

/// The HUBSPOT_DEFINED types from a record of another type to a ticket, as
/// `(from plural, type id, the ticket-side type stored)`: HubSpot numbers each direction.
const TO_TICKET: &[(&str, i32, i32)] = &[
    ("contacts", 15, 16),
    ("companies", 340, 339),
    ("companies", 25, 26),
    ("deals", 27, 28),
    ("notes", 228, 227),
    ("meetings", 226, 225),
    ("calls", 220, 219),
    ("emails", 224, 223),
    ("tasks", 230, 229),
    ("communications", 85, 84),
];

/// The ticket-side type of association type `type_id` from a record of type `from` (plural)
/// to a ticket (`228` from a note is `227`, ticket to note), when it is one.
pub fn ticket_side_type(from: &str, type_id: i32) -> Option<i32> {
    TO_TICKET
        .iter()
        .find(|(f, id, _)| *f == from && *id == type_id)
        .map(|(_, _, t)| *t)
}

/// The unlabelled type from a record of type `from` (plural) to a ticket (`228` for notes).
pub fn default_type_to_ticket(from: &str) -> Option<i32> {
    let forward = object_type(from).and_then(default_type)?.id;
    TO_TICKET
        .iter()
        .find(|(f, _, t)| *f == from && *t == forward)
        .map(|(_, id, _)| *id)
}

/// Resolves a plural or singular name or an object type id (case-insensitive names).
pub fn object_type(name: &str) -> Option<&'static ObjectType> {
    let n = name.trim().to_ascii_lowercase();
    OBJECTS
        .iter()
        .find(|o| o.plural == n || o.singular == n || o.type_id == n)
}

/// Every object type hubscript knows (tickets, the records, the activities, deals).
pub fn object_types() -> impl Iterator<Item = &'static ObjectType> {
    OBJECTS.iter()
}

/// The types besides tickets whose records hubscript reads and writes through the object
/// endpoints (`/crm/v3/objects/{type}`): the records a ticket rule needs.
pub const RECORD_TYPES: &[&str] = &["contacts", "companies", "notes", "tasks"];

/// Whether `plural` is one of [`RECORD_TYPES`].
pub fn has_records(plural: &str) -> bool {
    RECORD_TYPES.contains(&plural)
}

/// The activity types `hs_pinned_engagement_id` may name (notes, meetings, calls, emails, tasks).
pub fn pinnable_types() -> impl Iterator<Item = &'static ObjectType> {
    OBJECTS.iter().filter(|o| o.pinnable)
}

/// The object type an association type links a ticket to.
pub fn target_of(type_id: i32) -> Option<&'static ObjectType> {
    assoc_type(type_id).and_then(|t| object_type(t.to))
}

/// Like [`object_type`], with the message of HubSpot's 400 when unknown.
pub fn known_object_type(name: &str) -> Result<&'static ObjectType, String> {
    object_type(name).ok_or_else(|| {
        let known: Vec<&str> = OBJECTS.iter().map(|o| o.plural).collect();
        format!("Unknown object type {name}: use {}", known.join(", "))
    })
}

/// A type by id.
pub fn assoc_type(id: i32) -> Option<&'static AssocType> {
    TYPES.iter().find(|t| t.id == id)
}

/// Resolves a v3 type segment (numeric id or legacy name) for associations to `to`; the
/// message of HubSpot's 400 when it does not exist or does not fit the pair.
pub fn type_for(to: &ObjectType, segment: &str) -> Result<&'static AssocType, String> {
    let found = match segment.trim().parse::<i32>() {
        Ok(id) => assoc_type(id),
        Err(_) => {
            let s = segment.trim().to_ascii_lowercase();
            TYPES.iter().find(|t| t.name == s)
        }
    };
    match found {
        Some(t) if t.to == to.plural => Ok(t),
        Some(t) => Err(format!(
            "association type {} ({}) does not link tickets to {}",
            t.id, t.name, to.plural
        )),
        None => Err(format!(
            "unknown association type {segment} from tickets to {}",
            to.plural
        )),
    }
}

/// The spec of a type id kept without its category (a plan, a run record) for associations from
/// tickets to `to` (any name [`object_type`] resolves): HubSpot's own when the table has that
/// id for the pair, else a portal label (`USER_DEFINED`). HubSpot numbers the two kinds
/// separately, so a portal label whose id equals one of HubSpot's ticket types of the same pair
/// would be taken as HubSpot's: scripts name such a label by its text, which resolves to its
/// category before anything is planned, but the plan keeps only the id.
pub fn spec_by_id(to: &str, id: i32) -> AssociationSpec {
    let hubspot = object_type(to)
        .and_then(|o| assoc_type(id).filter(|t| t.to == o.plural))
        .is_some();
    AssociationSpec {
        association_category: if hubspot {
            AssociationCategory::HubspotDefined
        } else {
            AssociationCategory::UserDefined
        },
        association_type_id: id,
    }
}

/// HubSpot's types from tickets to `to` (plural name), unlabelled first.
pub fn types_from_tickets(to: &str) -> impl Iterator<Item = &'static AssocType> + '_ {
    TYPES.iter().filter(move |t| t.to == to)
}

/// The unlabelled default type to an object type.
pub fn default_type(to: &ObjectType) -> Option<&'static AssocType> {
    TYPES
        .iter()
        .find(|t| t.to == to.plural && t.label.is_none())
}

/// The default (unlabelled, HUBSPOT_DEFINED) association type id from a ticket to `to_type`
/// (plural, singular or object type id), if it is a known object type.
pub fn default_type_id(to_type: &str) -> Option<i32> {
    object_type(to_type).and_then(default_type).map(|t| t.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ids_and_plurals_resolve() {
        assert_eq!(object_type("contact").map(|o| o.plural), Some("contacts"));
        assert_eq!(object_type("0-2").map(|o| o.plural), Some("companies"));
        assert_eq!(object_type("Notes").map(|o| o.plural), Some("notes"));
        assert!(object_type("widgets").is_none());
    }

    #[test]
    fn type_must_fit_the_pair() {
        let contacts = object_type("contacts").unwrap();
        let companies = object_type("companies").unwrap();
        assert_eq!(type_for(contacts, "16").unwrap().id, 16);
        assert_eq!(type_for(contacts, "ticket_to_contact").unwrap().id, 16);
        assert!(type_for(companies, "16")
            .unwrap_err()
            .contains("does not link tickets to companies"));
        assert_eq!(type_for(companies, "26").unwrap().implies, Some(339));
        assert!(type_for(contacts, "999").is_err());
    }

    #[test]
    fn types_to_a_ticket_map_to_the_ticket_side() {
        assert_eq!(ticket_side_type("notes", 228), Some(227));
        assert_eq!(ticket_side_type("companies", 25), Some(26));
        assert_eq!(ticket_side_type("notes", 227), None);
        assert_eq!(default_type_to_ticket("companies"), Some(340));
        assert_eq!(default_type_to_ticket("tasks"), Some(230));
    }

    #[test]
    fn activities_are_pinnable() {
        let mut pinnable: Vec<&str> = pinnable_types().map(|o| o.plural).collect();
        pinnable.sort_unstable();
        assert_eq!(pinnable, ["calls", "emails", "meetings", "notes", "tasks"]);
        assert_eq!(target_of(227).map(|o| o.plural), Some("notes"));
        assert_eq!(target_of(16).map(|o| o.pinnable), Some(false));
        assert_eq!(target_of(9999), None);
    }

    #[test]
    fn default_types_by_name_singular_and_id() {
        assert_eq!(default_type_id("contacts"), Some(16));
        assert_eq!(default_type_id("Contact"), Some(16));
        assert_eq!(default_type_id("0-1"), Some(16));
        assert_eq!(default_type_id("companies"), Some(339));
        assert_eq!(default_type_id("tickets"), Some(452));
        assert_eq!(default_type_id("notes"), Some(227));
        assert_eq!(default_type_id("0-47"), Some(225));
        assert_eq!(default_type_id("communications"), Some(84));
        assert_eq!(default_type_id("widgets"), None);
    }
}
