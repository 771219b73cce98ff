//! Contract: the schema writes (property groups, properties, pipelines and stages), on the
//! sandbox and through `serve`.

use crate::util::{api_error, contract};
use hubscript::backend::TicketsBackend;
use hubscript::model::{
    BatchInput, CreateInput, Filter, FilterGroup, GetParams, InputProperties, Operator,
    OptionInput, PipelineInput, PipelinePatch, PropertyBatchRead, PropertyCreate,
    PropertyGroupCreate, PropertyGroupUpdate, PropertyName, PropertyUpdate, SearchRequest,
    StageInput, StagePatch, Ticket, UpdateInput,
};

contract!(property_groups_create_update_archive, |b| async move {
    let groups = b.property_groups().await.unwrap();
    assert!(groups.iter().any(|g| g.name == "ticketinformation"));
    let created = b
        .create_property_group(&PropertyGroupCreate {
            name: "escalation".into(),
            label: "Escalation".into(),
            display_order: None,
        })
        .await
        .unwrap();
    assert_eq!(created.name, "escalation");
    assert!(!created.archived);
    let again = api_error(
        b.create_property_group(&PropertyGroupCreate {
            name: "escalation".into(),
            label: "Again".into(),
            display_order: None,
        })
        .await,
    );
    assert_eq!(again.http_status, 409);
    let bad = api_error(
        b.create_property_group(&PropertyGroupCreate {
            name: "Not Valid".into(),
            label: "x".into(),
            display_order: None,
        })
        .await,
    );
    assert_eq!(bad.http_status, 400);
    assert!(bad.message.contains("lowercase"), "{}", bad.message);
    let renamed = b
        .update_property_group(
            "escalation",
            &PropertyGroupUpdate {
                label: Some("Escalations".into()),
                display_order: Some(7),
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.label, "Escalations");
    assert_eq!(
        b.property_group("escalation").await.unwrap().display_order,
        7
    );
    b.archive_property_group("escalation").await.unwrap();
    assert_eq!(
        api_error(b.property_group("escalation").await).http_status,
        404
    );
    assert!(!b
        .property_groups()
        .await
        .unwrap()
        .iter()
        .any(|g| g.name == "escalation"));
    assert_eq!(
        api_error(b.archive_property_group("ticketinformation").await).http_status,
        400
    );
});

fn prop(name: &str, kind: &str, field_type: &str, options: &[&str]) -> PropertyCreate {
    PropertyCreate {
        name: name.into(),
        label: name.replace('_', " "),
        kind: kind.into(),
        field_type: field_type.into(),
        group_name: "ticketinformation".into(),
        description: None,
        options: options
            .iter()
            .map(|v| OptionInput {
                label: v.to_uppercase(),
                value: (*v).into(),
                hidden: false,
                description: None,
                display_order: None,
            })
            .collect(),
        display_order: None,
        has_unique_value: false,
        hidden: false,
        form_field: true,
        external_options: false,
        referenced_object_type: None,
        calculation_formula: None,
    }
}

fn input(pairs: &[(&str, &str)]) -> InputProperties {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

async fn create_ticket(
    b: &std::sync::Arc<dyn TicketsBackend>,
    pairs: &[(&str, &str)],
) -> Result<Ticket, hubscript::backend::BackendError> {
    b.create(&CreateInput {
        properties: input(pairs),
        associations: Vec::new(),
    })
    .await
}

contract!(
    custom_properties_are_writable_at_once_and_validated,
    |b| async move {
        let level = b
            .create_property(&prop(
                "escalation_level",
                "enumeration",
                "select",
                &["tier1", "tier2"],
            ))
            .await
            .unwrap();
        assert_eq!(level.kind, "enumeration");
        assert!(!level.hubspot_defined);
        assert!(level.created_at.is_some());
        b.create_property(&prop("sla_breached_at", "datetime", "date", &[]))
            .await
            .unwrap();
        b.create_property(&prop("reopen_count", "number", "number", &[]))
            .await
            .unwrap();
        let mut unique = prop("crm_ref", "string", "text", &[]);
        unique.has_unique_value = true;
        b.create_property(&unique).await.unwrap();

        let t = create_ticket(
            &b,
            &[
                ("subject", "Printer"),
                ("escalation_level", "tier2"),
                ("sla_breached_at", "2026-01-02T03:04:05Z"),
                ("reopen_count", "3"),
                ("crm_ref", "R-1"),
            ],
        )
        .await
        .unwrap();
        let got = b
            .get(
                &t.id,
                &GetParams {
                    properties: vec!["escalation_level".into(), "sla_breached_at".into()],
                    ..GetParams::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(got.prop("escalation_level"), Some("tier2"));
        assert_eq!(
            got.prop("sla_breached_at"),
            Some("2026-01-02T03:04:05.000Z")
        );

        // The model's write rules judge the new definitions.
        let bad =
            api_error(create_ticket(&b, &[("subject", "x"), ("escalation_level", "tier9")]).await);
        assert_eq!(bad.http_status, 400);
        assert!(
            bad.message.contains("INVALID_OPTION")
                || bad
                    .errors
                    .iter()
                    .any(|e| e.code.as_deref() == Some("INVALID_OPTION")),
            "{bad:?}"
        );
        let bad = api_error(create_ticket(&b, &[("subject", "x"), ("reopen_count", "many")]).await);
        assert_eq!(bad.http_status, 400);
        let dup = api_error(create_ticket(&b, &[("subject", "x"), ("crm_ref", "R-1")]).await);
        assert_eq!(dup.http_status, 409, "{dup:?}");

        // Searchable at once.
        let found = b
            .search(&SearchRequest {
                filter_groups: vec![FilterGroup {
                    filters: vec![Filter::new("escalation_level", Operator::Eq, "tier2")],
                }],
                ..SearchRequest::default()
            })
            .await
            .unwrap();
        assert_eq!(found.total, 1);

        // Definition rules, conflicts and HubSpot's own properties.
        assert_eq!(
            api_error(
                b.create_property(&prop("escalation_level", "string", "text", &[]))
                    .await
            )
            .http_status,
            409
        );
        assert_eq!(
            api_error(
                b.create_property(&prop("bad_pair", "string", "select", &[]))
                    .await
            )
            .http_status,
            400
        );
        let mut no_group = prop("lost", "string", "text", &[]);
        no_group.group_name = "nope".into();
        assert_eq!(
            api_error(b.create_property(&no_group).await).http_status,
            400
        );
        assert_eq!(
            api_error(b.archive_property("subject").await).http_status,
            400
        );

        // Update: a new option, then a label.
        let updated = b
            .update_property(
                "escalation_level",
                &PropertyUpdate {
                    label: Some("Escalation level".into()),
                    options: Some(
                        ["tier1", "tier2", "tier3"]
                            .iter()
                            .map(|v| OptionInput {
                                label: v.to_uppercase(),
                                value: (*v).into(),
                                hidden: false,
                                description: None,
                                display_order: None,
                            })
                            .collect(),
                    ),
                    ..PropertyUpdate::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(updated.options.len(), 3);
        b.update(
            &t.id,
            &UpdateInput {
                properties: input(&[("escalation_level", "tier3")]),
            },
            None,
        )
        .await
        .unwrap();
        // A type change is refused while tickets hold values.
        let change = api_error(
            b.update_property(
                "reopen_count",
                &PropertyUpdate {
                    kind: Some("string".into()),
                    field_type: Some("text".into()),
                    ..PropertyUpdate::default()
                },
            )
            .await,
        );
        assert_eq!(change.http_status, 400);

        // Batch read: found and missing.
        let read = b
            .batch_read_properties(&PropertyBatchRead {
                archived: false,
                inputs: vec![
                    PropertyName {
                        name: "escalation_level".into(),
                    },
                    PropertyName {
                        name: "nope".into(),
                    },
                ],
            })
            .await
            .unwrap();
        assert_eq!(read.results.len(), 1);
        assert_eq!(read.errors.len(), 1);

        // Archive: gone from lists and writes, kept in the archived list.
        b.archive_property("escalation_level").await.unwrap();
        assert_eq!(
            api_error(b.property("escalation_level").await).http_status,
            404
        );
        assert!(b
            .archived_properties()
            .await
            .unwrap()
            .iter()
            .any(|p| p.name == "escalation_level" && p.archived));
        let gone =
            api_error(create_ticket(&b, &[("subject", "x"), ("escalation_level", "tier1")]).await);
        assert_eq!(gone.http_status, 400);
    }
);

contract!(properties_batch_create_is_all_or_nothing, |b| async move {
    let ok = b
        .batch_create_properties(&BatchInput {
            inputs: vec![
                prop("vip", "bool", "booleancheckbox", &[]),
                prop("region", "enumeration", "radio", &["eu", "us"]),
            ],
        })
        .await
        .unwrap();
    assert_eq!(ok.results.len(), 2);
    assert_eq!(ok.results[0].options.len(), 2, "a bool gets true/false");
    let failed = api_error(
        b.batch_create_properties(&BatchInput {
            inputs: vec![
                prop("first_new", "string", "text", &[]),
                prop("region", "string", "text", &[]),
            ],
        })
        .await,
    );
    assert_eq!(failed.http_status, 409);
    assert_eq!(api_error(b.property("first_new").await).http_status, 404);
    b.batch_archive_properties(&BatchInput {
        inputs: vec![PropertyName { name: "vip".into() }],
    })
    .await
    .unwrap();
    assert_eq!(api_error(b.property("vip").await).http_status, 404);
    assert!(b.property("region").await.is_ok());
});

fn stage(label: &str, state: &str, order: i32) -> StageInput {
    StageInput {
        label: label.into(),
        display_order: order,
        metadata: [("ticketState".to_string(), state.to_string())].into(),
    }
}

contract!(pipelines_and_stages_with_in_use_checks, |b| async move {
    let p = b
        .create_pipeline(&PipelineInput {
            label: "Tier 2".into(),
            display_order: 1,
            stages: vec![
                stage("Triage", "OPEN", 0),
                stage("Escalated", "OPEN", 1),
                stage("Resolved", "CLOSED", 2),
            ],
        })
        .await
        .unwrap();
    assert_eq!(p.stages.len(), 3);
    assert_eq!(p.stages[2].metadata["isClosed"], "true");
    assert!(b.pipelines().await.unwrap().iter().any(|x| x.id == p.id));
    let options = b.property("hs_pipeline").await.unwrap().options;
    assert!(options
        .iter()
        .any(|o| o.value == p.id && o.label == "Tier 2"));

    let (escalated, resolved) = (p.stages[1].id.clone(), p.stages[2].id.clone());
    let t = create_ticket(&b, &[("subject", "Escalate me"), ("hs_pipeline", &p.id)])
        .await
        .unwrap();
    assert_eq!(t.prop("hs_pipeline_stage"), Some(p.stages[0].id.as_str()));
    let moved = b
        .update(
            &t.id,
            &UpdateInput {
                properties: input(&[("hs_pipeline_stage", &resolved)]),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(moved.prop("hs_is_closed"), Some("true"));

    // In use: the stage and the pipeline cannot be deleted.
    let e = api_error(b.delete_stage(&p.id, &resolved).await);
    assert_eq!(e.http_status, 400);
    assert!(e.message.contains("1 tickets"), "{}", e.message);
    assert_eq!(api_error(b.delete_pipeline(&p.id).await).http_status, 400);
    assert_eq!(api_error(b.delete_pipeline("0").await).http_status, 400);
    // Nor can the state of a stage holding tickets change.
    let state = api_error(
        b.update_stage(
            &p.id,
            &resolved,
            &StagePatch {
                metadata: Some([("ticketState".to_string(), "OPEN".to_string())].into()),
                ..StagePatch::default()
            },
        )
        .await,
    );
    assert_eq!(state.http_status, 400);

    // Rules: ticketState required, labels unique.
    let missing = api_error(
        b.create_stage(
            &p.id,
            &StageInput {
                label: "No state".into(),
                display_order: 3,
                metadata: Default::default(),
            },
        )
        .await,
    );
    assert_eq!(missing.http_status, 400);
    assert!(
        missing.message.contains("ticketState"),
        "{}",
        missing.message
    );
    let dup = api_error(
        b.create_pipeline(&PipelineInput {
            label: "Tier 2".into(),
            display_order: 2,
            stages: vec![stage("New", "OPEN", 0)],
        })
        .await,
    );
    assert_eq!(dup.http_status, 409);

    // Stage create, rename, delete while empty.
    let waiting = b
        .create_stage(&p.id, &stage("Waiting on vendor", "OPEN", 3))
        .await
        .unwrap();
    let renamed = b
        .update_stage(
            &p.id,
            &waiting.id,
            &StagePatch {
                label: Some("Waiting on supplier".into()),
                ..StagePatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(renamed.label, "Waiting on supplier");
    assert_eq!(renamed.metadata["ticketState"], "OPEN");
    b.delete_stage(&p.id, &escalated).await.unwrap();
    assert_eq!(b.pipeline_stages(&p.id).await.unwrap().len(), 3);
    let patched = b
        .update_pipeline(
            &p.id,
            &PipelinePatch {
                label: Some("Tier 2 support".into()),
                ..PipelinePatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(patched.label, "Tier 2 support");

    // Replace keeps stage ids by label.
    let replaced = b
        .replace_pipeline(
            &p.id,
            &PipelineInput {
                label: "Tier 2".into(),
                display_order: 1,
                stages: vec![stage("Triage", "OPEN", 0), stage("Resolved", "CLOSED", 1)],
            },
        )
        .await
        .unwrap();
    assert_eq!(replaced.stage(&resolved).unwrap().label, "Resolved");
    assert!(replaced.stage(&waiting.id).is_none());

    // Once the ticket is archived, the pipeline can go.
    b.archive(&t.id).await.unwrap();
    b.delete_pipeline(&p.id).await.unwrap();
    assert_eq!(api_error(b.pipeline(&p.id).await).http_status, 404);
});

contract!(
    association_labels_create_list_update_delete,
    |b| async move {
        use hubscript::model::{
            AssociationCategory, AssociationLabelCreate, AssociationLabelUpdate,
        };
        let before = b.association_labels("tickets", "companies").await.unwrap();
        assert!(before
            .iter()
            .any(|s| s.type_id == 26 && s.label.as_deref() == Some("Primary")));
        let created = b
            .create_association_label(
                "tickets",
                "companies",
                &AssociationLabelCreate {
                    name: "billing_account".into(),
                    label: "Billing account".into(),
                    inverse_label: Some("Billed ticket".into()),
                },
            )
            .await
            .unwrap();
        assert_eq!(created.len(), 2);
        assert!(created
            .iter()
            .all(|s| s.category == AssociationCategory::UserDefined));
        let forward = created[0].type_id;
        let listed = b.association_labels("tickets", "companies").await.unwrap();
        assert!(listed
            .iter()
            .any(|s| s.type_id == forward && s.label.as_deref() == Some("Billing account")));
        let inverse = b.association_labels("companies", "tickets").await.unwrap();
        assert_eq!(inverse.len(), 1);
        assert_eq!(inverse[0].label.as_deref(), Some("Billed ticket"));
        let dup = api_error(
            b.create_association_label(
                "tickets",
                "companies",
                &AssociationLabelCreate {
                    name: "billing_account".into(),
                    label: "Again".into(),
                    inverse_label: None,
                },
            )
            .await,
        );
        assert_eq!(dup.http_status, 409);
        b.update_association_label(
            "tickets",
            "companies",
            &AssociationLabelUpdate {
                association_type_id: forward,
                label: "Billing".into(),
                inverse_label: None,
            },
        )
        .await
        .unwrap();
        assert!(b
            .association_labels("tickets", "companies")
            .await
            .unwrap()
            .iter()
            .any(|s| s.type_id == forward && s.label.as_deref() == Some("Billing")));
        assert_eq!(
            api_error(b.association_labels("tickets", "planets").await).http_status,
            400
        );
        b.delete_association_label("tickets", "companies", forward)
            .await
            .unwrap();
        assert!(b
            .association_labels("companies", "tickets")
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            api_error(
                b.delete_association_label("tickets", "companies", forward)
                    .await
            )
            .http_status,
            404
        );
    }
);
