//! Activities logged on a ticket (notes, tasks): HubSpot's fixed values of task properties
//! (`hs_task_status`, `hs_task_priority`, `hs_task_type`), which the sandbox offers as options
//! and `tasks::create` checks before planning, so both refuse the same values; and the create
//! request of an activity associated with its ticket, which a script's immediate write and the
//! apply of a plan both send.

use std::collections::BTreeMap;

use super::object_types::default_type_to_ticket;
use super::{AssociationInput, AssociationSpec, CreateInput, InputProperties, ObjectIdRef};

/// `hs_task_status` values.
pub const TASK_STATUSES: &[&str] = &[
    "NOT_STARTED",
    "IN_PROGRESS",
    "WAITING",
    "COMPLETED",
    "DEFERRED",
];

/// `hs_task_priority` values.
pub const TASK_PRIORITIES: &[&str] = &["NONE", "LOW", "MEDIUM", "HIGH"];

/// `hs_task_type` values.
pub const TASK_TYPES: &[&str] = &["TODO", "EMAIL", "CALL"];

/// The create request of a record of `object_type` (`notes`, `tasks`) logged on `ticket`: its
/// properties and the association to the ticket (note to ticket 228, task to ticket 230).
pub fn logged_on_ticket(
    object_type: &str,
    ticket: &str,
    properties: BTreeMap<String, String>,
) -> CreateInput {
    let types = default_type_to_ticket(object_type)
        .map(|id| vec![AssociationSpec::hubspot(id)])
        .unwrap_or_default();
    CreateInput {
        properties: InputProperties(properties),
        associations: vec![AssociationInput {
            to: ObjectIdRef {
                id: ticket.to_string(),
            },
            types,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logged_activity_is_created_with_its_association_to_the_ticket() {
        let note = logged_on_ticket("notes", "7", BTreeMap::new());
        assert_eq!(note.associations[0].to.id, "7");
        assert_eq!(note.associations[0].types[0].association_type_id, 228);
        let task = logged_on_ticket("tasks", "7", BTreeMap::new());
        assert_eq!(task.associations[0].types[0].association_type_id, 230);
    }
}
