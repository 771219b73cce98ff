//! The batch endpoints: size limit, trace-id partial success, 207 forms, upsert.

use super::*;

#[tokio::test]
async fn batches_follow_hubspot_rules() {
    let (_d, sb) = fresh(0);
    let item = |p: &[(&str, &str)], trace: Option<&str>| BatchCreateItem {
        properties: props(p),
        associations: vec![],
        object_write_trace_id: trace.map(str::to_string),
    };
    // Without trace ids one bad input fails everything.
    let e = sb
        .batch_create(&BatchInput::new(vec![
            item(&[("subject", "ok")], None),
            item(&[("nope", "x")], None),
        ]))
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
    assert_eq!(sb.search(&SearchRequest::default()).await.unwrap().total, 0);
    // With trace ids: partial success.
    let r = sb
        .batch_create(&BatchInput::new(vec![
            item(&[("subject", "ok")], Some("t1")),
            item(&[("nope", "x")], Some("t2")),
        ]))
        .await
        .unwrap();
    assert!(r.is_partial());
    assert_eq!(r.results.len(), 1);
    assert_eq!(r.errors[0].context["objectWriteTraceId"], ["t2"]);
    let id = r.results[0].id.clone();
    // Batch read with a missing id.
    let rr = sb
        .batch_read(
            &BatchReadInput {
                inputs: vec![IdInput::new(id.clone()), IdInput::new("99999")],
                ..BatchReadInput::default()
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(rr.results.len(), 1);
    assert_eq!(rr.errors[0].category, "OBJECT_NOT_FOUND");
    assert_eq!(rr.errors[0].context["ids"], ["99999"]);
    // Too many inputs.
    let many = BatchInput::new((0..101).map(|i| IdInput::new(i.to_string())).collect());
    assert_eq!(status(sb.batch_archive(&many).await.unwrap_err()), 400);
    // Update with an unknown id: 207.
    let upd = |id: &str, p: &[(&str, &str)]| BatchUpdateItem {
        id: id.into(),
        id_property: None,
        properties: props(p),
        object_write_trace_id: None,
    };
    let u = sb
        .batch_update(&BatchInput::new(vec![
            upd(&id, &[("subject", "new")]),
            upd("88888", &[]),
        ]))
        .await
        .unwrap();
    assert_eq!(u.results[0].prop("subject"), Some("new"));
    assert_eq!(u.errors[0].context["ids"], ["88888"]);
    // Upsert creates then updates.
    let ups = |v: &str| BatchUpdateItem {
        id: "EXT-9".into(),
        id_property: Some(UNIQUE_PROPERTY.into()),
        properties: props(&[("subject", v)]),
        object_write_trace_id: None,
    };
    let a = sb
        .batch_upsert(&BatchInput::new(vec![ups("one")]))
        .await
        .unwrap();
    assert!(a.results[0].new);
    let b = sb
        .batch_upsert(&BatchInput::new(vec![ups("two")]))
        .await
        .unwrap();
    assert!(!b.results[0].new);
    assert_eq!(a.results[0].ticket.id, b.results[0].ticket.id);
    let mut no_idp = ups("x");
    no_idp.id_property = None;
    assert_eq!(
        status(
            sb.batch_upsert(&BatchInput::new(vec![no_idp]))
                .await
                .unwrap_err()
        ),
        400
    );
}

#[tokio::test]
async fn invalid_batch_update_writes_nothing_unless_trace_ids() {
    let (_d, sb) = fresh(0);
    let a = create(&sb, &[("subject", "a")]).await;
    let b = create(&sb, &[("subject", "b")]).await;
    let item = |id: &str, p: &[(&str, &str)], trace: Option<&str>| BatchUpdateItem {
        id: id.into(),
        id_property: None,
        properties: props(p),
        object_write_trace_id: trace.map(str::to_string),
    };
    let e = sb
        .batch_update(&BatchInput::new(vec![
            item(&a.id, &[("subject", "changed")], None),
            item(&b.id, &[("hs_ticket_priority", "nope")], None),
        ]))
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
    let still = sb.get(&a.id, &GetParams::default()).await.unwrap();
    assert_eq!(still.prop("subject"), Some("a"));
    let r = sb
        .batch_update(&BatchInput::new(vec![
            item(&a.id, &[("subject", "changed")], Some("x")),
            item(&b.id, &[("hs_ticket_priority", "nope")], Some("y")),
        ]))
        .await
        .unwrap();
    assert_eq!(r.results.len(), 1);
    assert_eq!(r.errors[0].context["objectWriteTraceId"], ["y"]);
    assert_eq!(
        r.errors[0].errors[0].code.as_deref(),
        Some("INVALID_OPTION")
    );
    // Duplicate trace ids do not enable multi-status mode.
    let e = sb
        .batch_create(&BatchInput::new(vec![
            BatchCreateItem {
                properties: props(&[("subject", "x")]),
                associations: vec![],
                object_write_trace_id: Some("same".into()),
            },
            BatchCreateItem {
                properties: props(&[("nope", "x")]),
                associations: vec![],
                object_write_trace_id: Some("same".into()),
            },
        ]))
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
}
