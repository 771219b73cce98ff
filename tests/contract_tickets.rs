//! Contract: single-ticket endpoints (create, get, list, update, archive, merge), identical on
//! the in-process sandbox and over HTTP through the HubSpot client.

use hubscript::model::{
    CreateInput, GetParams, InputProperties, ListParams, MergeInput, UpdateInput,
};

use crate::util::{api_error, contract};

fn props(pairs: &[(&str, &str)]) -> InputProperties {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

fn create_input(pairs: &[(&str, &str)]) -> CreateInput {
    CreateInput {
        properties: props(pairs),
        associations: vec![],
    }
}

contract!(create_fills_hubspot_defaults, |b| async move {
    let t = b
        .create(&create_input(&[("subject", "Printer on fire")]))
        .await
        .unwrap();
    assert!(t.id.parse::<u64>().is_ok(), "numeric string id: {}", t.id);
    assert_eq!(t.prop("subject"), Some("Printer on fire"));
    assert_eq!(t.prop("hs_pipeline"), Some("0"));
    assert_eq!(t.prop("hs_pipeline_stage"), Some("1"));
    assert_eq!(t.prop("hs_object_id"), Some(t.id.as_str()));
    assert_eq!(t.prop("hs_ticket_id"), Some(t.id.as_str()));
    let created = t.prop("createdate").expect("createdate");
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    assert!(!t.archived);
    let json = serde_json::to_value(&t).unwrap();
    assert!(json["createdAt"].as_str().unwrap().ends_with('Z'));
});

contract!(numbers_and_booleans_are_stored_as_strings, |b| async move {
    let input: CreateInput = serde_json::from_value(serde_json::json!({
        "properties": {"subject": "n", "hs_ticket_priority": "LOW", "external_ticket_id": 12345}
    }))
    .unwrap();
    let t = b.create(&input).await.unwrap();
    let got = b
        .get(
            &t.id,
            &GetParams {
                properties: vec!["external_ticket_id".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(got.prop("external_ticket_id"), Some("12345"));
});

contract!(
    create_rejects_bad_properties_in_hubspot_shape,
    |b| async move {
        for (name, value, code) in [
            ("no_such_property", "x", "PROPERTY_DOESNT_EXIST"),
            ("hs_object_id", "5", "READ_ONLY_VALUE"),
            ("hs_ticket_priority", "SOMEDAY", "INVALID_OPTION"),
        ] {
            let err = api_error(
                b.create(&create_input(&[("subject", "s"), (name, value)]))
                    .await,
            );
            assert_eq!(err.http_status, 400, "{name}");
            assert_eq!(err.category, "VALIDATION_ERROR", "{name}");
            assert!(
                err.message.starts_with("Property values were not valid"),
                "{}",
                err.message
            );
            assert_eq!(err.errors[0].code.as_deref(), Some(code), "{name}");
            assert_eq!(
                err.errors[0].context["propertyName"],
                vec![name.to_string()]
            );
            assert!(!err.correlation_id.is_empty());
        }
        let err = api_error(
            b.create(&create_input(&[
                ("subject", "s"),
                ("hs_pipeline_stage", "99"),
            ]))
            .await,
        );
        assert_eq!(
            (err.http_status, err.category.as_str()),
            (400, "VALIDATION_ERROR")
        );
    }
);

contract!(get_unknown_is_404_object_not_found, |b| async move {
    let err = api_error(b.get("999999999", &GetParams::default()).await);
    assert_eq!(err.http_status, 404);
    assert_eq!(err.category, "OBJECT_NOT_FOUND");
});

contract!(
    get_returns_requested_and_default_properties,
    |b| async move {
        let t = b
            .create(&create_input(&[("subject", "props")]))
            .await
            .unwrap();
        let got = b.get(&t.id, &GetParams::default()).await.unwrap();
        for p in hubscript::model::DEFAULT_TICKET_PROPERTIES {
            assert!(got.properties.contains_key(*p), "default property {p}");
        }
        let got = b
            .get(
                &t.id,
                &GetParams {
                    properties: vec![
                        "subject".into(),
                        "hubspot_owner_id".into(),
                        "not_a_property".into(),
                    ],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            got.properties.get("hubspot_owner_id"),
            Some(&None),
            "defined but empty: null"
        );
        assert!(
            !got.properties.contains_key("not_a_property"),
            "undefined: left out"
        );
    }
);

contract!(update_overwrites_clears_and_keeps_history, |b| async move {
    let t = b
        .create(&create_input(&[
            ("subject", "v1"),
            ("hs_ticket_priority", "LOW"),
        ]))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let u = b
        .update(
            &t.id,
            &UpdateInput {
                properties: props(&[("subject", "v2"), ("hs_ticket_priority", "")]),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(u.prop("subject"), Some("v2"));
    assert!(u.updated_at > t.updated_at);
    let got = b
        .get(
            &t.id,
            &GetParams {
                properties: vec!["hs_ticket_priority".into()],
                properties_with_history: vec!["subject".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(got.properties.get("hs_ticket_priority"), Some(&None));
    let history = &got.properties_with_history.expect("history")["subject"];
    let values: Vec<&str> = history.iter().map(|h| h.value.as_str()).collect();
    assert_eq!(values, vec!["v2", "v1"], "newest first");
    let err = api_error(
        b.update(
            "999999999",
            &UpdateInput {
                properties: props(&[("subject", "x")]),
            },
            None,
        )
        .await,
    );
    assert_eq!(err.http_status, 404);
});

contract!(closed_date_follows_the_closed_stage, |b| async move {
    let t = b
        .create(&create_input(&[("subject", "close me")]))
        .await
        .unwrap();
    let upd = |stage: &str| UpdateInput {
        properties: props(&[("hs_pipeline_stage", stage)]),
    };
    let q = GetParams {
        properties: vec!["closed_date".into()],
        ..Default::default()
    };
    b.update(&t.id, &upd("4"), None).await.unwrap();
    let closed = b.get(&t.id, &q).await.unwrap();
    assert!(
        closed.prop("closed_date").is_some(),
        "set on entering Closed"
    );
    b.update(&t.id, &upd("2"), None).await.unwrap();
    let reopened = b.get(&t.id, &q).await.unwrap();
    assert_eq!(
        reopened.prop("closed_date"),
        None,
        "cleared on leaving Closed"
    );
});

contract!(
    archive_hides_and_archived_lists_only_archived,
    |b| async move {
        let t = b
            .create(&create_input(&[("subject", "bin me")]))
            .await
            .unwrap();
        b.archive(&t.id).await.unwrap();
        assert_eq!(
            api_error(b.get(&t.id, &GetParams::default()).await).http_status,
            404
        );
        let got = b
            .get(
                &t.id,
                &GetParams {
                    archived: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(got.archived && got.archived_at.is_some());
        let page = b
            .list(&ListParams {
                archived: true,
                limit: Some(100),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(page.results.iter().all(|t| t.archived));
        assert!(page.results.iter().any(|x| x.id == t.id));
        assert_eq!(api_error(b.archive("999999999").await).http_status, 404);
    }
);

contract!(list_pages_through_everything_once, |b| async move {
    let mut seen = std::collections::BTreeSet::new();
    let mut after = None;
    loop {
        let page = b
            .list(&ListParams {
                limit: Some(7),
                after: after.clone(),
                properties: vec!["subject".into()],
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(page.results.len() <= 7);
        for t in &page.results {
            assert!(seen.insert(t.id.clone()), "duplicate {}", t.id);
            assert!(t.properties.contains_key("subject"));
        }
        match page.next_after() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    assert_eq!(seen.len(), crate::util::SEED_TICKETS);
    let err = api_error(
        b.list(&ListParams {
            limit: Some(101),
            ..Default::default()
        })
        .await,
    );
    assert_eq!(err.http_status, 400);
});

contract!(merge_keeps_the_primary, |b| async move {
    let a = b
        .create(&create_input(&[("subject", "primary")]))
        .await
        .unwrap();
    let c = b
        .create(&create_input(&[
            ("subject", "dup"),
            ("hs_ticket_priority", "HIGH"),
        ]))
        .await
        .unwrap();
    let merged = b
        .merge(&MergeInput {
            primary_object_id: a.id.clone(),
            object_id_to_merge: c.id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(merged.id, a.id);
    assert_eq!(merged.prop("subject"), Some("primary"));
    let again = b.get(&c.id, &GetParams::default()).await.unwrap();
    assert_eq!(again.id, a.id, "a merged-away id resolves to the primary");
    let err = api_error(
        b.merge(&MergeInput {
            primary_object_id: a.id.clone(),
            object_id_to_merge: "999999999".into(),
        })
        .await,
    );
    assert_eq!(err.http_status, 404);
});
