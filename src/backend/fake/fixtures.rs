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

/// The portal's properties: the ones the fake's tickets carry (subject, priority with its
/// options, pipeline, stage, owner, content, external_ticket_id) plus the read-only
/// `createdate` and `hs_object_id`, so dry-run validation sees a realistic catalog.
pub(crate) fn properties() -> Vec<Property> {
    let opts = |values: &[&str]| -> Vec<serde_json::Value> {
        values
            .iter()
            .map(|v| json!({"label": v, "value": v, "hidden": false, "displayOrder": 0}))
            .collect()
    };
    let read_only = json!({"archivable": false, "readOnlyDefinition": true, "readOnlyValue": true});
    [
        json!({"name": "subject", "label": "Ticket name", "type": "string", "fieldType": "text"}),
        json!({"name": "content", "label": "Ticket description", "type": "string", "fieldType": "textarea"}),
        json!({"name": "hs_ticket_priority", "label": "Priority", "type": "enumeration",
               "fieldType": "select", "options": opts(&["LOW", "MEDIUM", "HIGH", "URGENT"])}),
        json!({"name": "hs_pipeline", "label": "Pipeline", "type": "enumeration", "fieldType": "select"}),
        json!({"name": "hs_pipeline_stage", "label": "Ticket status", "type": "enumeration", "fieldType": "select"}),
        json!({"name": "hubspot_owner_id", "label": "Ticket owner", "type": "enumeration",
               "fieldType": "select", "externalOptions": true}),
        json!({"name": "hs_pinned_engagement_id", "label": "Pinned activity", "type": "number", "fieldType": "number"}),
        json!({"name": "external_ticket_id", "label": "External id", "type": "string",
               "fieldType": "text", "hasUniqueValue": true}),
        json!({"name": "createdate", "label": "Create date", "type": "datetime",
               "fieldType": "date", "modificationMetadata": read_only.clone()}),
        json!({"name": "hs_object_id", "label": "Record ID", "type": "number",
               "fieldType": "number", "modificationMetadata": read_only}),
    ]
    .into_iter()
    .map(|mut p| {
        p["groupName"] = json!("ticketinformation");
        serde_json::from_value(p).expect("a valid property literal")
    })
    .collect()
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
