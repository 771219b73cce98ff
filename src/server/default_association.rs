//! The one table of HubSpot's default (`HUBSPOT_DEFINED`, unlabelled) association types from a
//! ticket to each standard object (TICKETS_API.md section 10), used by the v4 "default" PUT.
//! Object types may be named by plural, singular or object type id (`contacts`, `contact`,
//! `0-1`), case-insensitively, as HubSpot's paths accept.

/// `(plural, singular, object type id, ticket→type default association type id)`.
const DEFAULT_TYPES: &[(&str, &str, &str, i32)] = &[
    ("contacts", "contact", "0-1", 16),
    ("companies", "company", "0-2", 339),
    ("deals", "deal", "0-3", 28),
    ("tickets", "ticket", "0-5", 452),
    ("notes", "note", "0-46", 227),
    ("emails", "email", "0-49", 223),
    ("calls", "call", "0-48", 219),
    ("tasks", "task", "0-27", 229),
    ("meetings", "meeting", "0-47", 225),
];

/// The default association type id from a ticket to `to_type`, if it is a standard object.
pub(crate) fn default_type_id(to_type: &str) -> Option<i32> {
    let t = to_type.trim().to_ascii_lowercase();
    DEFAULT_TYPES
        .iter()
        .find(|(plural, singular, id, _)| t == *plural || t == *singular || t == *id)
        .map(|(.., type_id)| *type_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_singulars_and_ids() {
        assert_eq!(default_type_id("contacts"), Some(16));
        assert_eq!(default_type_id("Contact"), Some(16));
        assert_eq!(default_type_id("0-1"), Some(16));
        assert_eq!(default_type_id("companies"), Some(339));
        assert_eq!(default_type_id("tickets"), Some(452));
        assert_eq!(default_type_id("notes"), Some(227));
        assert_eq!(default_type_id("0-47"), Some(225));
        assert_eq!(default_type_id("widgets"), None);
    }
}
