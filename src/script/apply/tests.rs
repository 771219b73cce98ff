//! Applying plans to a real sandbox: batching, drift conflicts, created ids, per-item failures.

use std::collections::BTreeMap;

use super::*;
use crate::backend::TicketsBackend;
use crate::model::{GetParams, InputProperties, UpdateInput};
use crate::sandbox::{Sandbox, SeedOptions, UNIQUE_PROPERTY};
use crate::script::plan::PlanChange;

fn sandbox(n: usize) -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::create(
        &dir.path().join("s.db"),
        &SeedOptions {
            tickets: n,
            seed: 3,
        },
    )
    .unwrap();
    (dir, sb)
}

async fn prop(b: &Sandbox, id: &str, name: &str) -> Option<String> {
    let params = GetParams {
        properties: vec![name.to_string()],
        ..GetParams::default()
    };
    b.get(id, &params)
        .await
        .unwrap()
        .prop(name)
        .map(str::to_string)
}

fn set(ticket: &str, property: &str, old: Option<&str>, new: &str) -> PlanChange {
    let _ = ticket;
    PlanChange::Set {
        property: property.into(),
        old: old.map(str::to_string),
        new: new.into(),
    }
}

async fn subject_plan(b: &Sandbox, ids: &[u64]) -> Plan {
    let mut plan = Plan::default();
    for id in ids {
        let id = id.to_string();
        let old = prop(b, &id, "subject").await;
        plan.push_at(
            Some(7),
            &id,
            set(&id, "subject", old.as_deref(), &format!("renamed {id}")),
        );
    }
    plan
}

#[tokio::test]
async fn updates_go_100_per_call_and_a_concurrent_edit_is_a_conflict() {
    let (_d, b) = sandbox(250);
    let ids: Vec<u64> = (1..=250).collect();
    let plan = subject_plan(&b, &ids).await;
    // Someone edits ticket 5 after the plan read it.
    b.update(
        "5",
        &UpdateInput {
            properties: InputProperties::new().with("subject", "edited by a person"),
        },
        None,
    )
    .await
    .unwrap();
    let report = apply(&b, &plan, &ApplyOptions::default()).await;
    assert_eq!(report.applied(), 249);
    assert_eq!(report.conflicts(), 1);
    assert_eq!(report.failed(), 0);
    assert_eq!(report.read_calls, 3, "one batch read per 100 tickets");
    assert_eq!(report.write_calls, 3, "one batch update per 100 tickets");
    assert_eq!(
        prop(&b, "5", "subject").await.as_deref(),
        Some("edited by a person")
    );
    assert_eq!(prop(&b, "6", "subject").await.as_deref(), Some("renamed 6"));
    let problems = report.problems();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].starts_with("line 7: ticket 5: conflict: subject was"),
        "{problems:?}"
    );
}

#[tokio::test]
async fn the_modified_since_check_sees_the_same_conflict_with_one_search() {
    let (_d, b) = sandbox(150);
    let since = chrono::Utc::now() - chrono::Duration::seconds(1);
    let ids: Vec<u64> = (1..=150).collect();
    let plan = subject_plan(&b, &ids).await;
    b.update(
        "9",
        &UpdateInput {
            properties: InputProperties::new().with("subject", "edited"),
        },
        None,
    )
    .await
    .unwrap();
    let options = ApplyOptions {
        drift: Some(DriftCheck::ModifiedSince(since)),
        ..ApplyOptions::default()
    };
    let report = apply(&b, &plan, &options).await;
    assert_eq!((report.applied(), report.conflicts()), (149, 1));
    assert_eq!(
        report.read_calls, 1,
        "one search page finds the edited ticket"
    );
    assert_eq!(prop(&b, "9", "subject").await.as_deref(), Some("edited"));
}

#[tokio::test]
async fn a_created_ticket_gets_its_real_id_in_later_changes() {
    let (_d, b) = sandbox(5);
    let contact = b
        .object_create("contacts", &crate::model::CreateInput::default())
        .await
        .unwrap()
        .id;
    let mut plan = Plan::default();
    let mut props = BTreeMap::new();
    props.insert("subject".to_string(), "new one".to_string());
    props.insert("hs_pipeline".to_string(), "0".to_string());
    props.insert("hs_pipeline_stage".to_string(), "1".to_string());
    plan.push_at(
        Some(1),
        "new-1",
        PlanChange::Created {
            properties: props,
            associations: Vec::new(),
        },
    );
    plan.push_at(
        Some(2),
        "new-1",
        set("new-1", "hs_ticket_priority", None, "HIGH"),
    );
    plan.push_at(
        Some(3),
        "new-1",
        PlanChange::Associated {
            to_type: "contacts".into(),
            to_id: contact.clone(),
            type_id: "16".into(),
        },
    );
    // An existing ticket points at the new one through a property value.
    let old2 = prop(&b, "2", "subject").await;
    plan.push_at(Some(4), "2", set("2", "subject", old2.as_deref(), "new-1"));
    let report = apply(&b, &plan, &ApplyOptions::default()).await;
    assert!(report.is_complete(), "{:?}", report.problems());
    let id = report.created["new-1"].clone();
    assert_ne!(id, "new-1");
    assert_eq!(
        prop(&b, &id, "hs_ticket_priority").await.as_deref(),
        Some("HIGH")
    );
    let assoc = b.associations(&id, "contacts", None, None).await.unwrap();
    assert_eq!(assoc.results[0].id, contact);
    assert_eq!(report.outcomes[2].id.as_deref(), Some(id.as_str()));
    assert_eq!(prop(&b, "2", "subject").await.as_deref(), Some(id.as_str()));
    // create (update folded in) + update of ticket 2 + one association batch
    assert_eq!(report.write_calls, 3);
}

#[tokio::test]
async fn a_refused_change_fails_alone_with_its_script_line() {
    let (_d, b) = sandbox(3);
    let mut plan = Plan::default();
    let old1 = prop(&b, "1", "hs_ticket_priority").await;
    let old2 = prop(&b, "2", "hs_ticket_priority").await;
    plan.push_at(
        Some(10),
        "1",
        set("1", "hs_ticket_priority", old1.as_deref(), "NOT_A_PRIORITY"),
    );
    plan.push_at(
        Some(11),
        "2",
        set("2", "hs_ticket_priority", old2.as_deref(), "URGENT"),
    );
    plan.push_at(Some(12), "3", PlanChange::Archived);
    let report = apply(&b, &plan, &ApplyOptions::default()).await;
    assert_eq!((report.applied(), report.failed()), (2, 1), "{report:?}");
    let p = report.problems();
    assert!(p[0].starts_with("line 10: ticket 1: failed:"), "{p:?}");
    assert_eq!(
        prop(&b, "2", "hs_ticket_priority").await.as_deref(),
        Some("URGENT")
    );
    assert!(b.get("3", &GetParams::default()).await.is_err(), "archived");
    assert_eq!(report.applied_prefix(), 0);
}

#[tokio::test]
async fn a_create_with_a_unique_value_goes_through_upsert_and_lands_once() {
    let (_d, b) = sandbox(1);
    let mut props = BTreeMap::new();
    props.insert("subject".to_string(), "exactly once".to_string());
    props.insert(UNIQUE_PROPERTY.to_string(), "EXT-1".to_string());
    let mut plan = Plan::default();
    plan.push_at(
        Some(1),
        "new-1",
        PlanChange::Created {
            properties: props,
            associations: Vec::new(),
        },
    );
    let first = apply(&b, &plan, &ApplyOptions::default()).await;
    assert!(first.is_complete(), "{:?}", first.problems());
    // Applying the same plan again (as after a lost answer) finds the same ticket.
    let again = apply(&b, &plan, &ApplyOptions::default()).await;
    assert!(again.is_complete(), "{:?}", again.problems());
    assert_eq!(first.created["new-1"], again.created["new-1"]);
}
