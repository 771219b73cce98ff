//! Scripts that shape the portal (issue 12): a setup script creates a custom property and a
//! second pipeline, then a rule sets the property, moves a ticket to a custom stage and assigns
//! an owner found by e-mail; on the sandbox and, unchanged, through `serve`. A dry run of the
//! same script plans the ticket change against the planned schema and writes nothing.

use hubscript::backend::TicketsBackend;
use hubscript::model::{GetParams, Ticket};
use hubscript::sandbox::Sandbox;

use crate::util::bin::{stderr, stdout, Project};

const SETUP: &str = r#"
properties::create(#{
    name: "escalation_level", label: "Escalation level",
    type: "enumeration", options: ["tier1", "tier2", "tier3"],
});
let p = pipelines::create(#{ label: "Tier 2", stages: [
    #{ label: "Triage", ticketState: "OPEN" },
    #{ label: "Escalated", ticketState: "OPEN" },
    #{ label: "Resolved", ticketState: "CLOSED" },
]});
print(`pipeline ${p.id}`);
"#;

const RULE: &str = r#"
let owner = owners::by_email("Chen.Wei@example.com");
if owner == () { throw "no owner chen.wei"; }
let t = tickets::get("1");
tickets::update(t.id, #{
    escalation_level: "tier2",
    hs_pipeline: pipelines::get("Tier 2").id,
    hs_pipeline_stage: pipelines::stage_id("Tier 2", "Escalated"),
    hubspot_owner_id: owner.id,
});
"#;

async fn ticket_one(p: &Project) -> (Ticket, String, String) {
    let sb = Sandbox::open(&p.path().join("s.db")).unwrap();
    let t = sb
        .get(
            "1",
            &GetParams {
                properties: vec![
                    "escalation_level".into(),
                    "hs_pipeline".into(),
                    "hs_pipeline_stage".into(),
                    "hubspot_owner_id".into(),
                ],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    let pipeline = sb
        .pipelines()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.label == "Tier 2")
        .expect("the Tier 2 pipeline");
    let escalated = pipeline
        .stages
        .iter()
        .find(|s| s.label == "Escalated")
        .unwrap()
        .id
        .clone();
    (t, pipeline.id, escalated)
}

fn assert_end_state(t: &Ticket, pipeline: &str, escalated: &str) {
    assert_eq!(t.prop("escalation_level"), Some("tier2"));
    assert_eq!(t.prop("hs_pipeline"), Some(pipeline));
    assert_eq!(t.prop("hs_pipeline_stage"), Some(escalated));
    assert_eq!(t.prop("hubspot_owner_id"), Some("52550155"));
}

fn ok(out: &std::process::Output) {
    assert!(out.status.success(), "{}\n{}", stdout(out), stderr(out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_then_rule_on_the_sandbox() {
    let p = Project::new();
    p.reset_sandbox(5);
    p.file("setup.rhai", SETUP);
    p.file("rule.rhai", RULE);
    let setup = p.run(&["run", "setup.rhai", "--sandbox", "s.db"]);
    ok(&setup);
    assert!(
        stderr(&setup).contains("created property escalation_level"),
        "{}",
        stderr(&setup)
    );
    ok(&p.run(&["run", "rule.rhai", "--sandbox", "s.db"]));
    let (t, pipeline, escalated) = ticket_one(&p).await;
    assert_end_state(&t, &pipeline, &escalated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn setup_then_rule_through_serve_unchanged() {
    let p = Project::new();
    p.reset_sandbox(5);
    p.file("setup.rhai", SETUP);
    p.file("rule.rhai", RULE);
    let (server, url) = p.serve(&[]);
    ok(&p.run(&["run", "setup.rhai", "--api", &url]));
    ok(&p.run(&["run", "rule.rhai", "--api", &url]));
    drop(server);
    let (t, pipeline, escalated) = ticket_one(&p).await;
    assert_end_state(&t, &pipeline, &escalated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_plans_against_the_planned_schema_and_writes_nothing() {
    let p = Project::new();
    p.reset_sandbox(5);
    p.file("all.rhai", &format!("{SETUP}\n{RULE}"));
    let dry = p.run(&["run", "all.rhai", "--sandbox", "s.db", "--dry-run"]);
    ok(&dry);
    let err = stderr(&dry);
    assert!(
        err.contains("would create property escalation_level (dry run: not sent)"),
        "{err}"
    );
    assert!(err.contains("would create pipeline Tier 2"), "{err}");
    assert!(err.contains("escalation_level"), "{err}");
    let sb = Sandbox::open(&p.path().join("s.db")).unwrap();
    assert!(
        sb.property("escalation_level").await.is_err(),
        "a dry run created the property"
    );
    assert!(!sb
        .pipelines()
        .await
        .unwrap()
        .iter()
        .any(|p| p.label == "Tier 2"));
    drop(sb);

    // A value the planned definition refuses is refused by the dry run too.
    p.file(
        "bad.rhai",
        &format!("{SETUP}\ntickets::update(\"1\", #{{ escalation_level: \"tier9\" }});"),
    );
    let bad = p.run(&["run", "bad.rhai", "--sandbox", "s.db", "--dry-run"]);
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("tier9"), "{}", stderr(&bad));

    // The real run of the same script: the schema is sent when called, the ticket change applied.
    ok(&p.run(&["run", "all.rhai", "--sandbox", "s.db"]));
    let (t, pipeline, escalated) = ticket_one(&p).await;
    assert_end_state(&t, &pipeline, &escalated);
}
