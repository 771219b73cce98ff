//! Contract: v3 and v4 associations, inline associations on create, and pinning.

use hubscript::model::{
    AssociationInput, AssociationSpec, CreateInput, GetParams, InputProperties, ObjectIdRef,
    UpdateInput,
};

use crate::util::{api_error, contract, record};

contract!(v3_associate_list_and_dissociate, |b| async move {
    let t = b
        .create(&CreateInput {
            properties: InputProperties::new().with("subject", "assoc"),
            associations: vec![],
        })
        .await
        .unwrap();
    let contact = record(b.as_ref(), "contacts", &[("firstname", "Ann")]).await;
    let with = b
        .associate(&t.id, "contacts", &contact, "16")
        .await
        .unwrap();
    assert_eq!(with.id, t.id);
    let listed = b.associations(&t.id, "contacts", None, None).await.unwrap();
    assert_eq!(listed.results.len(), 1);
    assert_eq!(listed.results[0].id, contact);
    let got = b
        .get(
            &t.id,
            &GetParams {
                associations: vec!["contacts".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        got.associations.expect("associations")["contacts"].results[0].id,
        contact
    );
    b.dissociate(&t.id, "contacts", &contact, "16")
        .await
        .unwrap();
    assert!(b
        .associations(&t.id, "contacts", None, None)
        .await
        .unwrap()
        .results
        .is_empty());
    let err = api_error(b.associate(&t.id, "tickets", "999999999", "452").await);
    assert_eq!(err.http_status, 404, "ticket targets must exist");
    let err = api_error(b.associate(&t.id, "contacts", "999999999", "16").await);
    assert_eq!(err.http_status, 404, "contact targets must exist");
});

contract!(v4_labelled_associations, |b| async move {
    let t = b
        .create(&CreateInput {
            properties: InputProperties::new().with("subject", "v4"),
            associations: vec![],
        })
        .await
        .unwrap();
    let company = record(b.as_ref(), "companies", &[("name", "Acme")]).await;
    let pair = b
        .associate_v4(
            &t.id,
            "companies",
            &company,
            &[AssociationSpec::hubspot(339)],
        )
        .await
        .unwrap();
    assert_eq!(pair.from_object_id, t.id);
    assert_eq!(pair.to_object_id, company);
    let listed = b
        .associations_v4(&t.id, "companies", None, None)
        .await
        .unwrap();
    assert_eq!(listed.results[0].to_object_id, company);
    assert_eq!(listed.results[0].association_types[0].type_id, 339);
    b.dissociate_v4(&t.id, "companies", &company).await.unwrap();
    assert!(b
        .associations_v4(&t.id, "companies", None, None)
        .await
        .unwrap()
        .results
        .is_empty());
});

contract!(inline_associations_and_pinning, |b| async move {
    let note_id = record(b.as_ref(), "notes", &[("hs_note_body", "pinned")]).await;
    let note = AssociationInput {
        to: ObjectIdRef {
            id: note_id.clone(),
        },
        types: vec![AssociationSpec::hubspot(227)],
    };
    let t = b
        .create(&CreateInput {
            properties: InputProperties::new()
                .with("subject", "pinned")
                .with("hs_pinned_engagement_id", note_id.as_str()),
            associations: vec![note],
        })
        .await
        .unwrap();
    assert_eq!(t.prop("hs_pinned_engagement_id"), Some(note_id.as_str()));
    let err = api_error(
        b.update(
            &t.id,
            &UpdateInput {
                properties: InputProperties::new().with("hs_pinned_engagement_id", "555"),
            },
            None,
        )
        .await,
    );
    assert_eq!(
        (err.http_status, err.category.as_str()),
        (400, "VALIDATION_ERROR")
    );
});

contract!(v4_batch_associate_and_remove_labels, |b| async move {
    use hubscript::model::{AssociationBatchItem, BatchInput};
    let mut ids = Vec::new();
    for n in 0..3 {
        let t = b
            .create(&CreateInput {
                properties: InputProperties::new().with("subject", format!("batch assoc {n}")),
                associations: vec![],
            })
            .await
            .unwrap();
        ids.push(t.id);
    }
    let contact = vec![AssociationSpec::hubspot(16)];
    let person = record(b.as_ref(), "contacts", &[("firstname", "Ann")]).await;
    let mut inputs: Vec<AssociationBatchItem> = ids
        .iter()
        .map(|id| AssociationBatchItem::new(id.clone(), person.as_str(), contact.clone()))
        .collect();
    // One input that cannot work: a ticket that does not exist.
    inputs.push(AssociationBatchItem::new(
        "999999999",
        person.as_str(),
        contact.clone(),
    ));
    let answer = b
        .batch_associate_v4("contacts", &BatchInput::new(inputs))
        .await
        .unwrap();
    assert_eq!(answer.results.len(), 3, "{answer:?}");
    assert_eq!(
        answer.errors.len(),
        1,
        "the unknown ticket is a per-input error"
    );
    assert!(answer.is_partial());
    for id in &ids {
        let listed = b.associations(id, "contacts", None, None).await.unwrap();
        assert_eq!(listed.results.len(), 1, "ticket {id}");
        assert_eq!(listed.results[0].id, person);
    }
    let remove = ids[..2]
        .iter()
        .map(|id| AssociationBatchItem::new(id.clone(), person.as_str(), contact.clone()))
        .collect();
    b.batch_dissociate_v4("contacts", &BatchInput::new(remove))
        .await
        .unwrap();
    for (n, id) in ids.iter().enumerate() {
        let left = b.associations(id, "contacts", None, None).await.unwrap();
        assert_eq!(left.results.len(), usize::from(n == 2), "ticket {id}");
    }
    let err = api_error(
        b.batch_dissociate_v4(
            "contacts",
            &BatchInput::new(vec![AssociationBatchItem::new(
                "999999999",
                person.as_str(),
                contact.clone(),
            )]),
        )
        .await,
    );
    assert_eq!(err.http_status, 404);
});
