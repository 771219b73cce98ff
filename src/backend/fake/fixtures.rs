//! The fixed data the shared fake answers with: tickets built from property pairs, the one
//! property and the one pipeline, and HubSpot-shaped "not found" bodies (test builds only).

use std::collections::BTreeMap;

use chrono::Utc;
use serde_json::json;

use crate::model::{ApiError, Pipeline, Property, StandardError, Ticket};

/// A ticket with `id`, the given properties and `hs_object_id`.
pub(crate) fn ticket(id: u64, props: &[(&str, &str)]) -> Ticket {
    ticket_with_id(&id.to_string(), props)
}

/// Like [`ticket`], for ids that are not numbers (the server's `slow`).
pub(crate) fn ticket_with_id(id: &str, props: &[(&str, &str)]) -> Ticket {
    let now = Utc::now();
    let mut properties: BTreeMap<String, Option<String>> = props
        .iter()
        .map(|(k, v)| ((*k).to_string(), Some((*v).to_string())))
        .collect();
    properties.insert("hs_object_id".into(), Some(id.to_string()));
    Ticket {
        id: id.to_string(),
        properties,
        properties_with_history: None,
        created_at: now,
        updated_at: now,
        archived: false,
        archived_at: None,
        associations: None,
    }
}

/// HubSpot's 404 for one object.
pub(crate) fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Object not found. objectId are usually numeric. id={id}"
    ))
}

/// One per-input error of a batch answer.
pub(crate) fn missing(id: &str) -> StandardError {
    StandardError {
        status: "error".into(),
        category: "OBJECT_NOT_FOUND".into(),
        message: format!("ticket {id} not found"),
        errors: Vec::new(),
        context: BTreeMap::from([("ids".to_string(), vec![id.to_string()])]),
        links: BTreeMap::new(),
        id: None,
        sub_category: None,
    }
}

/// The portal's only property: `subject`.
pub(crate) fn properties() -> Vec<Property> {
    vec![serde_json::from_value(json!({
        "name": "subject", "label": "Ticket name", "type": "string",
        "fieldType": "text", "groupName": "ticketinformation"
    }))
    .expect("a valid property literal")]
}

/// The portal's only pipeline, "0" "Support Pipeline": stages 1 New, 3 Waiting on us (both
/// open) and 4 Closed.
pub(crate) fn pipeline() -> Pipeline {
    let stage = |id: &str, label: &str, order: i32, state: &str| {
        json!({"id": id, "label": label, "displayOrder": order, "archived": false,
               "metadata": {"ticketState": state},
               "createdAt": "1970-01-01T00:00:00.000Z", "updatedAt": "1970-01-01T00:00:00.000Z"})
    };
    serde_json::from_value(json!({
        "id": "0", "label": "Support Pipeline", "displayOrder": 0, "archived": false,
        "createdAt": "1970-01-01T00:00:00.000Z", "updatedAt": "1970-01-01T00:00:00.000Z",
        "stages": [
            stage("1", "New", 0, "OPEN"),
            stage("3", "Waiting on us", 2, "OPEN"),
            stage("4", "Closed", 3, "CLOSED"),
        ]
    }))
    .expect("a valid pipeline literal")
}
