//! Contract: batch endpoints (limits, all-or-nothing writes, 207 per-item errors, upsert).

use hubscript::model::{
    BatchCreateItem, BatchInput, BatchReadInput, BatchUpdateItem, IdInput, InputProperties,
    SearchRequest,
};

use crate::util::{api_error, contract};

fn item(subject: &str, trace: Option<&str>) -> BatchCreateItem {
    BatchCreateItem {
        properties: InputProperties::new().with("subject", subject),
        associations: vec![],
        object_write_trace_id: trace.map(String::from),
    }
}

async fn total(b: &dyn hubscript::backend::TicketsBackend) -> i64 {
    b.search(&SearchRequest::default()).await.unwrap().total
}

contract!(batch_create_and_read, |b| async move {
    let created = b
        .batch_create(&BatchInput::new(vec![item("one", None), item("two", None)]))
        .await
        .unwrap();
    assert_eq!(created.status, "COMPLETE");
    assert_eq!(created.results.len(), 2);
    assert!(!created.is_partial());
    let mut ids: Vec<IdInput> = created
        .results
        .iter()
        .map(|t| IdInput::new(&t.id))
        .collect();
    ids.push(IdInput::new("999999999"));
    let read = b
        .batch_read(
            &BatchReadInput {
                inputs: ids,
                properties: vec!["subject".into()],
                ..Default::default()
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(read.results.len(), 2);
    assert!(read.is_partial());
    assert_eq!(read.num_errors, Some(1));
    assert_eq!(read.errors[0].category, "OBJECT_NOT_FOUND");
    assert_eq!(read.errors[0].context["ids"], vec!["999999999".to_string()]);
});

contract!(batch_over_100_inputs_is_400, |b| async move {
    let many: Vec<_> = (0..101).map(|i| item(&format!("t{i}"), None)).collect();
    let err = api_error(b.batch_create(&BatchInput::new(many)).await);
    assert_eq!(
        (err.http_status, err.category.as_str()),
        (400, "VALIDATION_ERROR")
    );
    let ids: Vec<_> = (0..101).map(|i| IdInput::new(i.to_string())).collect();
    assert_eq!(
        api_error(b.batch_archive(&BatchInput::new(ids)).await).http_status,
        400
    );
});

contract!(a_failing_batch_writes_nothing, |b| async move {
    let before = total(&*b).await;
    let mut bad = item("bad", None);
    bad.properties
        .insert("hs_ticket_priority".into(), "NOPE".into());
    let err = api_error(
        b.batch_create(&BatchInput::new(vec![item("good", None), bad]))
            .await,
    );
    assert_eq!(err.http_status, 400);
    assert_eq!(total(&*b).await, before, "nothing half written");
});

contract!(trace_ids_turn_failures_into_207_items, |b| async move {
    let before = total(&*b).await;
    let mut bad = item("bad", Some("t-bad"));
    bad.properties
        .insert("hs_ticket_priority".into(), "NOPE".into());
    let res = b
        .batch_create(&BatchInput::new(vec![item("good", Some("t-good")), bad]))
        .await
        .unwrap();
    assert!(res.is_partial());
    assert_eq!(res.results.len(), 1);
    assert_eq!(res.errors[0].category, "VALIDATION_ERROR");
    assert_eq!(
        res.errors[0].context["objectWriteTraceId"],
        vec!["t-bad".to_string()]
    );
    assert_eq!(total(&*b).await, before + 1);
});

contract!(batch_update_upsert_and_archive, |b| async move {
    let created = b
        .batch_create(&BatchInput::new(vec![item("u1", None), item("u2", None)]))
        .await
        .unwrap();
    let updates: Vec<_> = created
        .results
        .iter()
        .map(|t| BatchUpdateItem {
            id: t.id.clone(),
            properties: InputProperties::new().with("hs_ticket_priority", "URGENT"),
            ..Default::default()
        })
        .collect();
    let res = b.batch_update(&BatchInput::new(updates)).await.unwrap();
    assert_eq!(res.results.len(), 2);
    assert!(res
        .results
        .iter()
        .all(|t| t.prop("hs_ticket_priority") == Some("URGENT")));

    let upsert = |subject: &str| BatchUpdateItem {
        id: "EXT-77".into(),
        id_property: Some("external_ticket_id".into()),
        properties: InputProperties::new().with("subject", subject),
        object_write_trace_id: None,
    };
    let first = b
        .batch_upsert(&BatchInput::new(vec![upsert("first")]))
        .await
        .unwrap();
    assert!(first.results[0].new);
    let second = b
        .batch_upsert(&BatchInput::new(vec![upsert("second")]))
        .await
        .unwrap();
    assert!(!second.results[0].new);
    assert_eq!(first.results[0].ticket.id, second.results[0].ticket.id);
    assert_eq!(second.results[0].ticket.prop("subject"), Some("second"));

    let ids: Vec<_> = created
        .results
        .iter()
        .map(|t| IdInput::new(&t.id))
        .collect();
    b.batch_archive(&BatchInput::new(ids)).await.unwrap();
    let read = b
        .batch_read(
            &BatchReadInput {
                inputs: vec![IdInput::new(&created.results[0].id)],
                ..Default::default()
            },
            false,
        )
        .await
        .unwrap();
    assert!(read.results.is_empty(), "archived tickets are not read");
});

// Issue 9: the same id twice in one update or upsert batch is refused whole, as HubSpot does.
contract!(
    duplicate_ids_are_refused_and_nothing_is_written,
    |b| async move {
        let created = b
            .batch_create(&BatchInput::new(vec![
                item("dup-a", None),
                item("dup-b", None),
            ]))
            .await
            .unwrap();
        let (a, other) = (&created.results[0].id, &created.results[1].id);
        let set = |id: &str, subject: &str| BatchUpdateItem {
            id: id.to_string(),
            properties: InputProperties::new().with("subject", subject),
            ..Default::default()
        };
        let err = api_error(
            b.batch_update(&BatchInput::new(vec![
                set(other, "changed"),
                set(a, "first"),
                set(a, "second"),
            ]))
            .await,
        );
        assert_eq!(err.http_status, 400);
        assert_eq!(err.category, "VALIDATION_ERROR");
        assert!(
            err.message
                .starts_with("Duplicate IDs found in batch input"),
            "{}",
            err.message
        );
        assert_eq!(err.context["ids"], vec![a.clone()]);
        let read = b
            .batch_read(
                &BatchReadInput {
                    inputs: vec![IdInput::new(a), IdInput::new(other)],
                    properties: vec!["subject".into()],
                    ..Default::default()
                },
                false,
            )
            .await
            .unwrap();
        let mut subjects: Vec<_> = read
            .results
            .iter()
            .map(|t| t.prop("subject").unwrap_or_default().to_string())
            .collect();
        subjects.sort();
        assert_eq!(subjects, ["dup-a", "dup-b"], "nothing was written");

        let before = total(&*b).await;
        let upsert = |subject: &str| BatchUpdateItem {
            id: "EXT-DUP".into(),
            id_property: Some("external_ticket_id".into()),
            properties: InputProperties::new().with("subject", subject),
            object_write_trace_id: None,
        };
        let err = api_error(
            b.batch_upsert(&BatchInput::new(vec![upsert("one"), upsert("two")]))
                .await,
        );
        assert_eq!(err.http_status, 400);
        assert!(err.message.contains("EXT-DUP"), "{}", err.message);
        assert_eq!(total(&*b).await, before, "no record was created");
    }
);
