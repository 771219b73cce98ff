//! The object types a ticket can be associated with and the HUBSPOT_DEFINED association types
//! between them (TICKETS_API.md §10). Pure lookups: names (plural, singular), object type ids
//! (`0-1`) and v3 legacy type names (`ticket_to_contact`).

use crate::model::ApiError;

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

/// Resolves a plural or singular name or an object type id (case-insensitive names).
pub fn object_type(name: &str) -> Option<&'static ObjectType> {
    let n = name.trim().to_ascii_lowercase();
    OBJECTS
        .iter()
        .find(|o| o.plural == n || o.singular == n || o.type_id == n)
}

/// Like [`object_type`], as a 400 when unknown.
pub fn object_type_or_400(name: &str) -> Result<&'static ObjectType, ApiError> {
    object_type(name).ok_or_else(|| {
        ApiError::validation(format!(
            "Unknown object type {name}: use contacts, companies, deals, tickets, notes, emails, calls, tasks, meetings or communications"
        ))
    })
}

/// A type by id.
pub fn assoc_type(id: i32) -> Option<&'static AssocType> {
    TYPES.iter().find(|t| t.id == id)
}

/// Resolves a v3 type segment (numeric id or legacy name) for associations to `to`, as a 400
/// when it does not exist or does not fit the pair.
pub fn type_for(to: &ObjectType, segment: &str) -> Result<&'static AssocType, ApiError> {
    let found = match segment.trim().parse::<i32>() {
        Ok(id) => assoc_type(id),
        Err(_) => {
            let s = segment.trim().to_ascii_lowercase();
            TYPES.iter().find(|t| t.name == s)
        }
    };
    match found {
        Some(t) if t.to == to.plural => Ok(t),
        Some(t) => Err(ApiError::validation(format!(
            "association type {} ({}) does not link tickets to {}",
            t.id, t.name, to.plural
        ))),
        None => Err(ApiError::validation(format!(
            "unknown association type {segment} from tickets to {}",
            to.plural
        ))),
    }
}

/// The unlabelled default type to an object type.
pub fn default_type(to: &ObjectType) -> Option<&'static AssocType> {
    TYPES
        .iter()
        .find(|t| t.to == to.plural && t.label.is_none())
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
        assert_eq!(type_for(companies, "16").unwrap_err().http_status, 400);
        assert_eq!(type_for(companies, "26").unwrap().implies, Some(339));
        assert!(type_for(contacts, "999").is_err());
    }
}
