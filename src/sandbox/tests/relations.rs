//! Merge, associations (v3 and v4), pinning, and search through the backend.

use super::*;

#[tokio::test]
async fn merge_keeps_primary_and_resolves_old_id() {
    let (_d, sb) = fresh(0);
    let a = create(&sb, &[("subject", "Primary")]).await;
    let b = create(
        &sb,
        &[
            ("subject", "Other"),
            ("content", "details"),
            ("hs_ticket_priority", "LOW"),
        ],
    )
    .await;
    let contact = record(&sb, "contacts", &[("firstname", "Ann")]).await;
    sb.associate(&b.id, "contacts", &contact.id, "16")
        .await
        .unwrap();
    let m = sb
        .merge(&MergeInput {
            primary_object_id: a.id.clone(),
            object_id_to_merge: b.id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(m.id, a.id);
    assert_eq!(m.prop("subject"), Some("Primary"));
    assert_eq!(m.prop("content"), Some("details"));
    let g = sb
        .get(
            &b.id,
            &GetParams {
                properties: vec!["hs_merged_object_ids".into()],
                associations: vec!["contact".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(g.id, a.id);
    assert_eq!(g.prop("hs_merged_object_ids"), Some(b.id.as_str()));
    assert_eq!(
        g.associations.unwrap()["contacts"].results[0].id,
        contact.id
    );
    let self_merge = MergeInput {
        primary_object_id: a.id.clone(),
        object_id_to_merge: a.id.clone(),
    };
    assert_eq!(status(sb.merge(&self_merge).await.unwrap_err()), 400);
    let again = MergeInput {
        primary_object_id: a.id.clone(),
        object_id_to_merge: b.id.clone(),
    };
    assert_eq!(status(sb.merge(&again).await.unwrap_err()), 400);
    let unknown = MergeInput {
        primary_object_id: a.id.clone(),
        object_id_to_merge: "5555".into(),
    };
    assert_eq!(status(sb.merge(&unknown).await.unwrap_err()), 404);
}

#[tokio::test]
async fn associations_v3_v4_and_pinning() {
    let (_d, sb) = fresh(0);
    let a = create(&sb, &[("subject", "A")]).await;
    let b = create(&sb, &[("subject", "B")]).await;
    let company = record(&sb, "companies", &[("name", "Acme")]).await.id;
    let (note, note2) = (
        record(&sb, "notes", &[("hs_note_body", "one")]).await.id,
        record(&sb, "notes", &[("hs_note_body", "two")]).await.id,
    );
    sb.associate(&a.id, "companies", &company, "26")
        .await
        .unwrap();
    assert_eq!(
        status(
            sb.associate(&a.id, "companies", &company, "16")
                .await
                .unwrap_err()
        ),
        400
    );
    assert_eq!(
        status(
            sb.associate(&a.id, "tickets", "98765", "452")
                .await
                .unwrap_err()
        ),
        404
    );
    sb.associate(&a.id, "0-5", &b.id, "ticket_to_ticket")
        .await
        .unwrap();
    let back = sb.associations(&b.id, "tickets", None, None).await.unwrap();
    assert_eq!(back.results[0].id, a.id);
    assert_eq!(back.results[0].kind, "ticket_to_ticket");
    let v4 = sb
        .associations_v4(&a.id, "company", None, None)
        .await
        .unwrap();
    assert_eq!(v4.results.len(), 1);
    let labels: Vec<_> = v4.results[0]
        .association_types
        .iter()
        .map(|t| t.label.clone())
        .collect();
    assert!(labels.contains(&Some("Primary".into())) && labels.contains(&None));
    let pair = sb
        .associate_v4(&a.id, "notes", &note, &[AssociationSpec::hubspot(227)])
        .await
        .unwrap();
    assert_eq!(pair.to_object_type_id, "0-46");
    assert_eq!(
        status(
            sb.associations_v4(&a.id, "notes", None, Some(501))
                .await
                .unwrap_err()
        ),
        400
    );
    // Pinning must name an associated activity.
    let pin = |v: &str| UpdateInput {
        properties: props(&[("hs_pinned_engagement_id", v)]),
    };
    assert_eq!(
        status(sb.update(&a.id, &pin("999"), None).await.unwrap_err()),
        400
    );
    sb.update(&a.id, &pin(&note), None).await.unwrap();
    let created = sb
        .create(&CreateInput {
            properties: props(&[("hs_pinned_engagement_id", &note2)]),
            associations: vec![AssociationInput {
                to: ObjectIdRef { id: note2.clone() },
                types: vec![AssociationSpec::hubspot(227)],
            }],
        })
        .await
        .unwrap();
    let listed = sb
        .associations(&created.id, "notes", None, None)
        .await
        .unwrap();
    assert_eq!(listed.results[0].id, note2);
    sb.dissociate_v4(&a.id, "companies", &company)
        .await
        .unwrap();
    assert!(sb
        .associations(&a.id, "companies", None, None)
        .await
        .unwrap()
        .results
        .is_empty());
}

#[tokio::test]
async fn search_end_to_end() {
    let (_d, sb) = fresh(0);
    let a = create(
        &sb,
        &[
            ("subject", "Refund not received"),
            ("hs_ticket_priority", "HIGH"),
        ],
    )
    .await;
    let b = create(
        &sb,
        &[("subject", "Login fails"), ("hs_ticket_priority", "LOW")],
    )
    .await;
    let c = create(
        &sb,
        &[("subject", "refund twice"), ("hs_ticket_priority", "HIGH")],
    )
    .await;
    sb.archive(&c.id).await.unwrap();
    let ids = |p: SearchPage| p.results.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let r = sb
        .search(&search_req(vec![Filter::new(
            "subject",
            Operator::ContainsToken,
            "REFUND",
        )]))
        .await
        .unwrap();
    assert_eq!(ids(r), [a.id.as_str()]);
    let mut two = SearchRequest {
        filter_groups: vec![
            FilterGroup {
                filters: vec![Filter::new("hs_ticket_priority", Operator::Eq, "HIGH")],
            },
            FilterGroup {
                filters: vec![Filter::new("subject", Operator::Eq, "login FAILS")],
            },
        ],
        sorts: vec![Sort {
            property_name: "hs_ticket_priority".into(),
            direction: SortDirection::Descending,
        }],
        ..SearchRequest::default()
    };
    let r = sb.search(&two).await.unwrap();
    assert_eq!(r.total, 2);
    assert_eq!(ids(r), [b.id.clone(), a.id.clone()]);
    two.limit = Some(1);
    let r = sb.search(&two).await.unwrap();
    assert_eq!(ids(r.clone()), [b.id.as_str()]);
    // The cursor (opaque, issue 18) and the offset HubSpot documents lead to the same page.
    for after in [r.paging.unwrap().next.unwrap().after, "1".to_string()] {
        two.after = Some(after);
        let next = sb.search(&two).await.unwrap();
        assert_eq!(ids(next), [a.id.as_str()]);
    }
    two.after = None;
    let q = SearchRequest {
        query: Some("logi".into()),
        ..SearchRequest::default()
    };
    assert_eq!(ids(sb.search(&q).await.unwrap()), [b.id.as_str()]);
    let bad = search_req(vec![Filter::new("nope", Operator::Eq, "x")]);
    assert_eq!(status(sb.search(&bad).await.unwrap_err()), 400);
}

#[tokio::test]
async fn association_paths_validate_types_and_targets() {
    let (_d, sb) = fresh(0);
    let a = create(&sb, &[("subject", "A")]).await;
    assert_eq!(
        status(sb.associate(&a.id, "widgets", "1", "16").await.unwrap_err()),
        400
    );
    assert_eq!(
        status(
            sb.associate(&a.id, "contacts", "abc", "16")
                .await
                .unwrap_err()
        ),
        400
    );
    assert_eq!(
        status(
            sb.associate(&a.id, "tickets", &a.id, "452")
                .await
                .unwrap_err()
        ),
        400
    );
    assert_eq!(
        status(
            sb.associate("777", "contacts", "1", "16")
                .await
                .unwrap_err()
        ),
        404
    );
    let mut contacts = Vec::new();
    for name in ["Ann", "Bob", "Cid"] {
        let c = record(&sb, "contacts", &[("firstname", name)]).await.id;
        sb.associate(&a.id, "contact", &c, "16").await.unwrap();
        contacts.push(c);
    }
    let p1 = sb
        .associations(&a.id, "contacts", None, Some(2))
        .await
        .unwrap();
    assert_eq!(p1.results.len(), 2);
    let after = p1.paging.unwrap().next.unwrap().after;
    let p2 = sb
        .associations(&a.id, "contacts", Some(&after), Some(2))
        .await
        .unwrap();
    assert_eq!(p2.results.len(), 1);
    assert!(p2.paging.is_none());
    sb.dissociate(&a.id, "contacts", &contacts[1], "ticket_to_contact")
        .await
        .unwrap();
    let left: Vec<_> = sb
        .associations_v4(&a.id, "0-1", None, None)
        .await
        .unwrap()
        .results
        .into_iter()
        .map(|r| r.to_object_id)
        .collect();
    assert_eq!(left, [contacts[0].clone(), contacts[2].clone()]);
    let bad_inline = sb
        .create(&CreateInput {
            properties: props(&[("subject", "x")]),
            associations: vec![AssociationInput {
                to: ObjectIdRef { id: "5".into() },
                types: vec![AssociationSpec::hubspot(9999)],
            }],
        })
        .await
        .unwrap_err();
    assert_eq!(status(bad_inline), 400);
}

#[tokio::test]
async fn query_follows_updates_and_matches_ids() {
    let (_d, sb) = fresh(0);
    let t = create(
        &sb,
        &[("subject", "Alpha widget"), ("content", "naïve café")],
    )
    .await;
    let q = |s: &str| SearchRequest {
        query: Some(s.into()),
        ..SearchRequest::default()
    };
    assert_eq!(sb.search(&q("alp")).await.unwrap().total, 1);
    let up = UpdateInput {
        properties: props(&[("subject", "Beta gadget")]),
    };
    sb.update(&t.id, &up, None).await.unwrap();
    assert_eq!(sb.search(&q("alpha")).await.unwrap().total, 0);
    assert_eq!(sb.search(&q("GADG")).await.unwrap().total, 1);
    assert_eq!(sb.search(&q(&t.id)).await.unwrap().total, 1);
    assert_eq!(sb.search(&q("CAFÉ")).await.unwrap().total, 1);
    assert_eq!(sb.search(&q("beta nothing")).await.unwrap().total, 0);
}
