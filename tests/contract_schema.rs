//! Contract: the schema writes (property groups, properties, pipelines and stages), on the
//! sandbox and through `serve`.

use crate::util::{api_error, contract};
use hubscript::model::{PropertyGroupCreate, PropertyGroupUpdate};

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
