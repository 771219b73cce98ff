//! Contract (issue 12): the portal's USER_DEFINED association labels used on associations, on
//! the sandbox and through `serve` with hubscript's HubSpot client: v4 PUT and batch create
//! store the label beside the unlabelled type, listings (v4, batch read, v3, the other side)
//! show every type, `labels/archive` removes just the label, an unknown label is a 400, and a
//! label deleted while in use leaves the records associated.

use hubscript::backend::TicketsBackend;
use hubscript::model::{
    AssociationBatchItem, AssociationCategory, AssociationLabelCreate, AssociationSpec,
    AssociationSpecWithLabel, BatchInput, CreateInput, GetParams, IdInput, InputProperties,
};

use crate::util::{api_error, contract, record};

fn label(type_id: i32) -> AssociationSpec {
    AssociationSpec {
        association_category: AssociationCategory::UserDefined,
        association_type_id: type_id,
    }
}

fn hubspot(type_id: i32, text: Option<&str>) -> AssociationSpecWithLabel {
    AssociationSpecWithLabel {
        category: AssociationCategory::HubspotDefined,
        type_id,
        label: text.map(str::to_string),
    }
}

fn user(type_id: i32, text: &str) -> AssociationSpecWithLabel {
    AssociationSpecWithLabel {
        category: AssociationCategory::UserDefined,
        type_id,
        label: Some(text.to_string()),
    }
}

/// A label between two object types: its (forward, inverse) type ids.
async fn new_label(
    b: &dyn TicketsBackend,
    from: &str,
    to: &str,
    name: &str,
    text: &str,
    inverse: &str,
) -> (i32, i32) {
    let created = b
        .create_association_label(
            from,
            to,
            &AssociationLabelCreate {
                name: name.into(),
                label: text.into(),
                inverse_label: Some(inverse.into()),
            },
        )
        .await
        .unwrap();
    (created[0].type_id, created[1].type_id)
}

async fn ticket(b: &dyn TicketsBackend) -> String {
    b.create(&CreateInput {
        properties: InputProperties::new().with("subject", "labelled"),
        associations: vec![],
    })
    .await
    .unwrap()
    .id
}

/// The v4 types between a ticket and one record.
async fn types(
    b: &dyn TicketsBackend,
    ticket: &str,
    to_type: &str,
    to: &str,
) -> Vec<AssociationSpecWithLabel> {
    b.associations_v4(ticket, to_type, None, None)
        .await
        .unwrap()
        .results
        .into_iter()
        .find(|r| r.to_object_id == to)
        .map(|r| r.association_types)
        .unwrap_or_default()
}

contract!(user_defined_labels_on_associations, |b| async move {
    let b = b.as_ref();
    let (billing, billed) = new_label(
        b,
        "tickets",
        "companies",
        "billing_account",
        "Billing account",
        "Billed ticket",
    )
    .await;
    let t = ticket(b).await;
    let company = record(b, "companies", &[("name", "Acme")]).await;

    // v4 PUT: the label, stored with the unlabelled type.
    let pair = b
        .associate_v4(&t, "companies", &company, &[label(billing)])
        .await
        .unwrap();
    assert_eq!(pair.labels, ["Billing account"]);
    let both = types(b, &t, "companies", &company).await;
    assert!(both.contains(&hubspot(339, None)), "{both:?}");
    assert!(both.contains(&user(billing, "Billing account")), "{both:?}");
    assert_eq!(both.len(), 2, "{both:?}");

    // Several labels on one pair: HubSpot's Primary beside the portal's.
    let pair = b
        .associate_v4(&t, "companies", &company, &[AssociationSpec::hubspot(26)])
        .await
        .unwrap();
    let mut labels = pair.labels.clone();
    labels.sort();
    assert_eq!(labels, ["Billing account", "Primary"]);
    assert_eq!(types(b, &t, "companies", &company).await.len(), 3);

    // v3 listing: one entry per type, the label by its text.
    let v3 = b.associations(&t, "companies", None, None).await.unwrap();
    let mut kinds: Vec<&str> = v3.results.iter().map(|a| a.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "Billing account",
            "ticket_to_company",
            "ticket_to_company_primary"
        ]
    );

    // The other side: the company lists the ticket with the label's inverse.
    let seen = b
        .object_get(
            "companies",
            &company,
            &GetParams {
                associations: vec!["tickets".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    let mut back: Vec<(String, String)> = seen.associations.expect("associations")["tickets"]
        .results
        .iter()
        .map(|a| (a.id.clone(), a.kind.clone()))
        .collect();
    back.sort();
    assert_eq!(
        back,
        [
            (t.clone(), "Billed ticket".to_string()),
            (t.clone(), "company_to_ticket".to_string())
        ]
    );

    // A USER_DEFINED type that is not a label from tickets to companies: HubSpot's 400.
    let err = api_error(
        b.associate_v4(&t, "companies", &company, &[label(billed)])
            .await,
    );
    assert_eq!(err.http_status, 400, "{err:?}");
    assert_eq!(err.category, "VALIDATION_ERROR");
    assert!(
        err.message.contains(&billed.to_string()) && err.message.contains("USER_DEFINED"),
        "{}",
        err.message
    );
    let contact = record(b, "contacts", &[("firstname", "Ann")]).await;
    let err = api_error(
        b.associate_v4(&t, "contacts", &contact, &[label(billing)])
            .await,
    );
    assert_eq!(err.http_status, 400, "a label of another pair: {err:?}");

    // Batch read returns every type.
    let read = b
        .batch_read_associations_v4(
            "companies",
            &BatchInput::new(vec![IdInput { id: t.clone() }]),
        )
        .await
        .unwrap();
    let read_types = &read.results[0].to[0].association_types;
    assert!(
        read_types.contains(&user(billing, "Billing account")),
        "{read_types:?}"
    );

    // labels/archive removes just the label.
    let item = |specs: Vec<AssociationSpec>| {
        BatchInput::new(vec![AssociationBatchItem::new(
            t.clone(),
            company.clone(),
            specs,
        )])
    };
    b.batch_dissociate_v4("companies", &item(vec![label(billing)]))
        .await
        .unwrap();
    let left = types(b, &t, "companies", &company).await;
    assert!(!left.iter().any(|s| s.type_id == billing), "{left:?}");
    assert!(left.contains(&hubspot(339, None)) && left.contains(&hubspot(26, Some("Primary"))));

    // Batch create with the label; an unknown label is that input's error.
    let made = b
        .batch_associate_v4("companies", &item(vec![label(billing)]))
        .await
        .unwrap();
    assert_eq!(made.num_errors.unwrap_or(0), 0, "{made:?}");
    assert!(made.results[0]
        .labels
        .contains(&"Billing account".to_string()));
    let refused = b
        .batch_associate_v4("companies", &item(vec![label(987_654)]))
        .await
        .unwrap();
    assert_eq!(refused.errors.len(), 1, "{refused:?}");
    assert!(refused.results.is_empty());

    // Deleting the label while in use: it leaves every association, the records stay
    // associated.
    b.delete_association_label("tickets", "companies", billing)
        .await
        .unwrap();
    let after = types(b, &t, "companies", &company).await;
    assert!(
        !after
            .iter()
            .any(|s| s.category == AssociationCategory::UserDefined),
        "{after:?}"
    );
    assert!(after.contains(&hubspot(339, None)), "{after:?}");
});

contract!(
    a_ticket_label_is_seen_inverted_from_the_other_ticket,
    |b| async move {
        let b = b.as_ref();
        let (parent, child) =
            new_label(b, "tickets", "tickets", "parent_of", "Parent", "Child").await;
        let (t1, t2) = (ticket(b).await, ticket(b).await);
        b.associate_v4(&t1, "tickets", &t2, &[label(parent)])
            .await
            .unwrap();
        let from_one = types(b, &t1, "tickets", &t2).await;
        assert!(from_one.contains(&user(parent, "Parent")), "{from_one:?}");
        assert!(from_one.contains(&hubspot(452, None)), "{from_one:?}");
        let from_two = types(b, &t2, "tickets", &t1).await;
        assert!(from_two.contains(&user(child, "Child")), "{from_two:?}");
        assert!(from_two.contains(&hubspot(452, None)), "{from_two:?}");
        // The inverse label is a label from tickets to tickets too: it can be sent from either side.
        b.batch_dissociate_v4(
            "tickets",
            &BatchInput::new(vec![AssociationBatchItem::new(
                t1.clone(),
                t2.clone(),
                vec![label(parent)],
            )]),
        )
        .await
        .unwrap();
        assert_eq!(types(b, &t1, "tickets", &t2).await, [hubspot(452, None)]);
        assert_eq!(types(b, &t2, "tickets", &t1).await, [hubspot(452, None)]);
    }
);
