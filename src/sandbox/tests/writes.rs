//! Create, get, update, archive and list: validation, defaults, projections, history.

use super::*;

#[tokio::test]
async fn create_fills_system_properties_and_get_projects() {
    let (_d, sb) = fresh(0);
    let t = create(
        &sb,
        &[
            ("subject", "Printer on fire"),
            ("hs_ticket_priority", "HIGH"),
        ],
    )
    .await;
    assert_eq!(t.prop("hs_pipeline"), Some("0"));
    assert_eq!(t.prop("hs_pipeline_stage"), Some("1"));
    assert_eq!(t.prop("hs_object_id"), Some(t.id.as_str()));
    assert_eq!(t.prop("hs_ticket_id"), Some(t.id.as_str()));
    assert_eq!(t.prop("hs_object_source"), Some("API"));
    assert_eq!(
        t.prop("hs_object_source_label"),
        Some("INTERNAL_PROCESSING")
    );
    assert_eq!(
        t.prop("createdate"),
        Some(time::format_iso(t.created_at).as_str())
    );
    let got = sb.get(&t.id, &GetParams::default()).await.unwrap();
    assert_eq!(got.properties.len(), DEFAULT_TICKET_PROPERTIES.len());
    assert_eq!(got.properties["content"], None);
    let got = sb
        .get(
            &t.id,
            &GetParams {
                properties: vec!["subject".into(), "nope".into()],
                properties_with_history: vec!["hs_ticket_priority".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(got.properties.len(), 1);
    let h = &got.properties_with_history.unwrap()["hs_ticket_priority"];
    assert_eq!(h[0].value, "HIGH");
    assert_eq!(
        status(sb.get("999999", &GetParams::default()).await.unwrap_err()),
        404
    );
}

#[tokio::test]
async fn create_collects_every_error_and_writes_nothing() {
    let (_d, sb) = fresh(0);
    let e = sb
        .create(&CreateInput {
            properties: props(&[
                ("nope", "x"),
                ("hs_lastmodifieddate", "1"),
                ("hs_ticket_priority", "SOON"),
                ("hs_pipeline_stage", "9"),
            ]),
            associations: vec![],
        })
        .await
        .unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.http_status, 400);
    assert_eq!(api.category, "VALIDATION_ERROR");
    let mut codes: Vec<_> = api.errors.iter().filter_map(|d| d.code.clone()).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "INVALID_OPTION",
            "INVALID_OPTION",
            "PROPERTY_DOESNT_EXIST",
            "READ_ONLY_VALUE"
        ]
    );
    assert_eq!(sb.search(&SearchRequest::default()).await.unwrap().total, 0);
}

#[tokio::test]
async fn update_clears_closes_reopens_and_keeps_history() {
    let (_d, sb) = fresh(0);
    let t = create(&sb, &[("subject", "A"), ("content", "body")]).await;
    let up = |p: &[(&str, &str)]| UpdateInput {
        properties: props(p),
    };
    let u = sb
        .update(
            &t.id,
            &up(&[("content", ""), ("hs_pipeline_stage", "4")]),
            None,
        )
        .await
        .unwrap();
    assert_eq!(u.properties["content"], None);
    assert_eq!(u.prop("hs_is_closed"), Some("true"));
    assert!(u.prop("closed_date").is_some());
    assert!(u.updated_at >= t.updated_at);
    let u = sb
        .update(&t.id, &up(&[("hs_pipeline_stage", "2")]), None)
        .await
        .unwrap();
    assert_eq!(u.properties["closed_date"], None);
    let g = sb
        .get(
            &t.id,
            &GetParams {
                properties_with_history: vec!["hs_pipeline_stage".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    let h: Vec<_> = g.properties_with_history.unwrap()["hs_pipeline_stage"]
        .iter()
        .map(|v| v.value.clone())
        .collect();
    assert_eq!(h, ["2", "4", "1"]);
    let e = sb
        .update(&t.id, &up(&[("hs_pipeline_stage", "77")]), None)
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
    assert_eq!(
        status(
            sb.update("424242", &up(&[("subject", "x")]), None)
                .await
                .unwrap_err()
        ),
        404
    );
}

#[tokio::test]
async fn id_property_unique_values_and_archive() {
    let (_d, sb) = fresh(0);
    let t = create(&sb, &[("subject", "A"), (UNIQUE_PROPERTY, "EXT-1")]).await;
    let by = GetParams {
        id_property: Some(UNIQUE_PROPERTY.into()),
        ..GetParams::default()
    };
    assert_eq!(sb.get("EXT-1", &by).await.unwrap().id, t.id);
    let bad = GetParams {
        id_property: Some("subject".into()),
        ..GetParams::default()
    };
    assert_eq!(status(sb.get("A", &bad).await.unwrap_err()), 400);
    let dup = sb
        .create(&CreateInput {
            properties: props(&[(UNIQUE_PROPERTY, "EXT-1")]),
            associations: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!(status(dup), 409);
    sb.archive(&t.id).await.unwrap();
    assert_eq!(
        status(sb.get(&t.id, &GetParams::default()).await.unwrap_err()),
        404
    );
    let archived = GetParams {
        archived: true,
        ..GetParams::default()
    };
    assert!(sb.get(&t.id, &archived).await.unwrap().archived);
    assert_eq!(status(sb.archive(&t.id).await.unwrap_err()), 404);
    let list = sb
        .list(&ListParams {
            archived: true,
            ..ListParams::default()
        })
        .await
        .unwrap();
    assert_eq!(list.results.len(), 1);
}

#[tokio::test]
async fn list_limits_and_cursor() {
    let (_d, sb) = fresh(25);
    let p = |limit, after: Option<String>| ListParams {
        limit: Some(limit),
        after,
        ..ListParams::default()
    };
    let first = sb.list(&p(20, None)).await.unwrap();
    let second = sb
        .list(&p(20, first.next_after().map(str::to_string)))
        .await
        .unwrap();
    assert_eq!(second.results.len(), 5);
    assert!(second.paging.is_none());
    assert!(
        second.results[0].id.parse::<i64>().unwrap() > first.results[19].id.parse::<i64>().unwrap()
    );
    assert_eq!(status(sb.list(&p(101, None)).await.unwrap_err()), 400);
    let hist = ListParams {
        limit: Some(51),
        properties_with_history: vec!["subject".into()],
        ..ListParams::default()
    };
    assert_eq!(status(sb.list(&hist).await.unwrap_err()), 400);
}

#[tokio::test]
async fn patch_by_id_property_and_unknown_association_types_are_ignored_on_read() {
    let (_d, sb) = fresh(0);
    let t = create(&sb, &[("subject", "A"), (UNIQUE_PROPERTY, "EXT-7")]).await;
    let up = UpdateInput {
        properties: props(&[("hs_ticket_priority", "URGENT")]),
    };
    let u = sb
        .update("EXT-7", &up, Some(UNIQUE_PROPERTY))
        .await
        .unwrap();
    assert_eq!(u.id, t.id);
    assert_eq!(u.prop("hs_ticket_priority"), Some("URGENT"));
    assert_eq!(
        status(sb.update("EXT-7", &up, Some("subject")).await.unwrap_err()),
        400
    );
    assert_eq!(
        status(
            sb.update("EXT-8", &up, Some(UNIQUE_PROPERTY))
                .await
                .unwrap_err()
        ),
        404
    );
    let contact = record(&sb, "contacts", &[("firstname", "Ann")]).await;
    sb.associate(&t.id, "contacts", &contact.id, "16")
        .await
        .unwrap();
    let g = sb
        .get(
            &t.id,
            &GetParams {
                associations: vec!["widgets".into(), "contacts".into(), "0-2".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    let a = g.associations.unwrap();
    assert_eq!(a.keys().collect::<Vec<_>>(), ["contacts"]);
    assert_eq!(a["contacts"].results[0].kind, "ticket_to_contact");
    let active_only = sb.list(&ListParams::default()).await.unwrap();
    assert_eq!(active_only.results.len(), 1);
    let archived = sb
        .list(&ListParams {
            archived: true,
            ..ListParams::default()
        })
        .await
        .unwrap();
    assert!(archived.results.is_empty());
}
