//! Schema writes: the catalog swap, and a second process sharing the file seeing them.

use super::*;

#[tokio::test]
async fn a_schema_change_in_one_process_is_seen_by_another_at_its_next_call() {
    let (_dir, sb) = fresh(3);
    // A second, independent opening of the same file (as another process would have).
    let other = Sandbox::open(sb.path()).unwrap();
    assert!(other.property_group("escalation").await.is_err());
    sb.create_property_group(&PropertyGroupCreate {
        name: "escalation".into(),
        label: "Escalation".into(),
        display_order: None,
    })
    .await
    .unwrap();
    let seen = other.property_group("escalation").await.unwrap();
    assert_eq!(seen.label, "Escalation");
    // And a write in the other process judges against the new schema too.
    other
        .update_property_group(
            "escalation",
            &PropertyGroupUpdate {
                label: Some("Escalations".into()),
                display_order: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        sb.property_group("escalation").await.unwrap().label,
        "Escalations"
    );
}
