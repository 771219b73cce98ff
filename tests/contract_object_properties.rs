//! Contract: `/crm/v3/properties/{objectType}` for the records tickets point at (issue 12):
//! the same property and group endpoints as for tickets, judged by the same rules, on the
//! sandbox in process and through `serve` with the client. A custom company property is
//! writable and searchable on companies.

use hubscript::backend::{PropertyAnswer, PropertyCall, TicketsBackend};
use hubscript::model::{
    BatchInput, CreateInput, Filter, GetParams, InputProperties, Operator, Property,
    PropertyBatchRead, PropertyCreate, PropertyGroupCreate, PropertyName, PropertyUpdate,
    SearchRequest, UpdateInput,
};

use crate::util::{api_error, contract, record};

fn create_input(json: serde_json::Value) -> PropertyCreate {
    serde_json::from_value(json).unwrap()
}

async fn call(b: &dyn TicketsBackend, ty: &str, c: PropertyCall) -> PropertyAnswer {
    b.object_property_call(ty, c).await.unwrap()
}

async fn one(b: &dyn TicketsBackend, ty: &str, c: PropertyCall) -> Property {
    match call(b, ty, c).await {
        PropertyAnswer::Property(p) => p,
        other => panic!("expected a property, got {other:?}"),
    }
}

async fn names(b: &dyn TicketsBackend, ty: &str, archived: bool) -> Vec<String> {
    match call(b, ty, PropertyCall::List { archived }).await {
        PropertyAnswer::Properties(ps) => ps.into_iter().map(|p| p.name).collect(),
        other => panic!("expected properties, got {other:?}"),
    }
}

contract!(
    a_custom_company_property_is_writable_and_searchable,
    |b| async move {
        let b: &dyn TicketsBackend = b.as_ref();
        let before = names(b, "companies", false).await;
        assert!(before.contains(&"name".to_string()) && before.contains(&"tier".to_string()));
        assert!(
            !before.contains(&"subject".to_string()),
            "tickets' properties are not companies'"
        );
        let region = one(
        b,
        "companies",
        PropertyCall::Create(create_input(serde_json::json!({
            "name": "sales_region", "label": "Sales region", "type": "enumeration",
            "fieldType": "select", "groupName": "companyinformation",
            "options": [{"label": "EMEA", "value": "emea"}, {"label": "Americas", "value": "amer"}],
        }))),
    )
    .await;
        assert_eq!(region.name, "sales_region");
        assert_eq!(region.group_name, "companyinformation");
        assert!(names(b, "companies", false)
            .await
            .contains(&"sales_region".to_string()));
        // It belongs to companies only.
        assert_eq!(
            api_error(
                b.object_property_call(
                    "contacts",
                    PropertyCall::Get {
                        name: "sales_region".into(),
                        archived: false
                    }
                )
                .await
            )
            .http_status,
            404
        );
        assert!(!names(b, "tickets", false)
            .await
            .contains(&"sales_region".to_string()));

        // Writable (with its options judged) and searchable on companies.
        let id = record(
            b,
            "companies",
            &[("name", "Regional Co"), ("sales_region", "emea")],
        )
        .await;
        let bad = api_error(
            b.object_update(
                "companies",
                &id,
                &UpdateInput {
                    properties: InputProperties::new().with("sales_region", "mars"),
                },
                None,
            )
            .await,
        );
        assert_eq!(bad.http_status, 400, "{}", bad.message);
        let got = b
            .object_get(
                "companies",
                &id,
                &GetParams {
                    properties: vec!["sales_region".into()],
                    ..GetParams::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(got.prop("sales_region"), Some("emea"));
        let found = b
            .object_search(
                "companies",
                &SearchRequest {
                    filter_groups: vec![hubscript::model::FilterGroup {
                        filters: vec![Filter::new("sales_region", Operator::Eq, "emea")],
                    }],
                    properties: vec!["sales_region".into()],
                    ..SearchRequest::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.results[0].id, id);

        // Update, batch read, archive: as for tickets.
        let relabelled = one(
            b,
            "companies",
            PropertyCall::Update {
                name: "sales_region".into(),
                input: serde_json::from_value::<PropertyUpdate>(
                    serde_json::json!({"label": "Region"}),
                )
                .unwrap(),
            },
        )
        .await;
        assert_eq!(relabelled.label, "Region");
        match call(
            b,
            "companies",
            PropertyCall::BatchRead(PropertyBatchRead {
                inputs: vec![
                    PropertyName {
                        name: "sales_region".into(),
                    },
                    PropertyName {
                        name: "nope".into(),
                    },
                ],
                archived: false,
            }),
        )
        .await
        {
            PropertyAnswer::Batch(r) => {
                assert_eq!(r.results.len(), 1);
                assert_eq!(r.num_errors, Some(1));
            }
            other => panic!("{other:?}"),
        }
        call(
            b,
            "companies",
            PropertyCall::Archive {
                name: "sales_region".into(),
            },
        )
        .await;
        assert!(names(b, "companies", true)
            .await
            .contains(&"sales_region".to_string()));
        let gone = api_error(
            b.object_create(
                "companies",
                &CreateInput {
                    properties: InputProperties::new()
                        .with("name", "Late")
                        .with("sales_region", "emea"),
                    associations: vec![],
                },
            )
            .await,
        );
        assert_eq!(gone.http_status, 400, "{}", gone.message);
        // HubSpot's own properties cannot be archived, on companies as on tickets.
        assert_eq!(
            api_error(
                b.object_property_call(
                    "companies",
                    PropertyCall::Archive {
                        name: "name".into()
                    }
                )
                .await
            )
            .http_status,
            400
        );
    }
);

contract!(
    groups_batch_create_and_unique_values_on_contacts,
    |b| async move {
        let b: &dyn TicketsBackend = b.as_ref();
        match call(b, "contacts", PropertyCall::Groups).await {
            PropertyAnswer::Groups(gs) => {
                assert!(gs.iter().any(|g| g.name == "contactinformation"));
            }
            other => panic!("{other:?}"),
        }
        call(
            b,
            "contacts",
            PropertyCall::CreateGroup(PropertyGroupCreate {
                name: "vip".into(),
                label: "VIP".into(),
                display_order: None,
            }),
        )
        .await;
        match call(
            b,
            "contacts",
            PropertyCall::BatchCreate(BatchInput {
                inputs: vec![
                    create_input(serde_json::json!({
                        "name": "vip_level", "label": "VIP level", "type": "number",
                        "fieldType": "number", "groupName": "vip",
                    })),
                    create_input(serde_json::json!({
                        "name": "crm_ref", "label": "CRM reference", "type": "string",
                        "fieldType": "text", "groupName": "vip", "hasUniqueValue": true,
                    })),
                ],
            }),
        )
        .await
        {
            PropertyAnswer::Batch(r) => assert_eq!(r.results.len(), 2),
            other => panic!("{other:?}"),
        }
        // The group's properties keep it from being archived; a group of tickets is not one of
        // contacts.
        assert_eq!(
            api_error(
                b.object_property_call(
                    "contacts",
                    PropertyCall::ArchiveGroup { name: "vip".into() }
                )
                .await
            )
            .http_status,
            400
        );
        assert_eq!(api_error(b.property_group("vip").await).http_status, 404);
        record(
            b,
            "contacts",
            &[("firstname", "Una"), ("crm_ref", "R-1"), ("vip_level", "3")],
        )
        .await;
        let dup = api_error(
            b.object_create(
                "contacts",
                &CreateInput {
                    properties: InputProperties::new()
                        .with("firstname", "Dos")
                        .with("crm_ref", "R-1"),
                    associations: vec![],
                },
            )
            .await,
        );
        assert_eq!(dup.http_status, 409, "{}", dup.message);
        // An unknown object type is HubSpot's 400.
        assert_eq!(
            api_error(
                b.object_property_call("spaceships", PropertyCall::List { archived: false })
                    .await
            )
            .http_status,
            400
        );
    }
);
