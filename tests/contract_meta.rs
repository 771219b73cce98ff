//! Contract: properties, pipelines and owners.

use crate::util::{api_error, contract};

contract!(
    properties_describe_the_default_ticket_properties,
    |b| async move {
        let all = b.properties().await.unwrap();
        for name in [
            "subject",
            "content",
            "hs_pipeline",
            "hs_pipeline_stage",
            "hs_ticket_priority",
            "hs_ticket_category",
            "hubspot_owner_id",
            "createdate",
            "source_type",
        ] {
            assert!(all.iter().any(|p| p.name == name), "missing {name}");
        }
        let priority = b.property("hs_ticket_priority").await.unwrap();
        assert_eq!(priority.kind, "enumeration");
        let values: Vec<_> = priority.options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(values, vec!["LOW", "MEDIUM", "HIGH", "URGENT"]);
        assert!(b.property("createdate").await.unwrap().is_read_only());
        let err = api_error(b.property("nope").await);
        assert_eq!(err.http_status, 404);
    }
);

contract!(default_pipeline_has_four_stages, |b| async move {
    let all = b.pipelines().await.unwrap();
    let p = all.iter().find(|p| p.id == "0").expect("pipeline 0");
    assert_eq!(p.label, "Support Pipeline");
    let labels: Vec<_> = p
        .stages
        .iter()
        .map(|s| (s.id.as_str(), s.label.as_str()))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("1", "New"),
            ("2", "Waiting on contact"),
            ("3", "Waiting on us"),
            ("4", "Closed")
        ]
    );
    assert!(p.stages[3].is_closed());
    assert!(!p.stages[2].is_closed());
    assert_eq!(b.pipeline("0").await.unwrap().id, "0");
    assert_eq!(b.pipeline_stages("0").await.unwrap().len(), 4);
    assert_eq!(api_error(b.pipeline("77").await).http_status, 404);
});

contract!(owners_page_filter_and_read_by_id, |b| async move {
    use hubscript::model::{OwnerIdProperty, OwnerQuery};
    let all = b.owners(&OwnerQuery::default()).await.unwrap();
    let ids: Vec<_> = all.results.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(
        ids,
        ["52550153", "52550154", "52550155", "52550156", "52550157"]
    );
    assert!(all.paging.is_none());
    let alice = &all.results[0];
    assert_eq!(alice.first_name.as_deref(), Some("Alice"));
    assert_eq!(alice.last_name.as_deref(), Some("Martin"));
    assert_eq!(alice.email.as_deref(), Some("alice.martin@example.com"));
    assert_eq!(alice.kind, "PERSON");
    assert!(alice.user_id.is_some());
    assert_eq!(alice.teams.len(), 1);
    assert!(alice.teams[0].primary);

    // Two pages of two, then the last one.
    let mut seen = Vec::new();
    let mut after = None;
    for _ in 0..5 {
        let page = b
            .owners(&OwnerQuery {
                limit: Some(2),
                after: after.clone(),
                ..OwnerQuery::default()
            })
            .await
            .unwrap();
        seen.extend(page.results.iter().map(|o| o.id.clone()));
        match page.next_after() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, ids);

    let by_email = b
        .owners(&OwnerQuery {
            email: Some("dana.okafor@example.com".into()),
            ..OwnerQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_email.results.len(), 1);
    assert_eq!(by_email.results[0].id, "52550156");
    let archived = b
        .owners(&OwnerQuery {
            archived: true,
            ..OwnerQuery::default()
        })
        .await
        .unwrap();
    assert!(archived.results.is_empty());

    let one = b
        .owner("52550155", OwnerIdProperty::Id, false)
        .await
        .unwrap();
    assert_eq!(one.last_name.as_deref(), Some("Wei"));
    let user = one.user_id.unwrap().to_string();
    let by_user = b
        .owner(&user, OwnerIdProperty::UserId, false)
        .await
        .unwrap();
    assert_eq!(by_user.id, "52550155");
    let missing = api_error(b.owner("1", OwnerIdProperty::Id, false).await);
    assert_eq!(missing.http_status, 404);
    let bad = api_error(
        b.owners(&OwnerQuery {
            limit: Some(501),
            ..OwnerQuery::default()
        })
        .await,
    );
    assert_eq!(bad.http_status, 400);

    // The owner property lists the owners as its options.
    let prop = b.property("hubspot_owner_id").await.unwrap();
    let values: Vec<_> = prop.options.iter().map(|o| o.value.as_str()).collect();
    assert_eq!(values, ids);
    assert_eq!(prop.options[0].label, "Alice Martin");
});
