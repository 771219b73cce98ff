//! Issue 12's done-when rule, end to end: a setup script creates a custom property and a
//! second pipeline; the rule then sets the property, moves a ticket to a custom stage of that
//! pipeline, assigns an owner found by e-mail, reads the ticket's company tier and logs a note
//! saying so. On the sandbox and, unchanged, through `serve`; the end state is asserted.

use hubscript::backend::TicketsBackend;
use hubscript::model::GetParams;
use hubscript::sandbox::Sandbox;

use crate::util::bin::{stderr, stdout, Project};

const SETUP: &str = r#"
properties::create(#{
    name: "escalation_level", label: "Escalation level",
    type: "enumeration", options: ["tier1", "tier2", "tier3"],
});
pipelines::create(#{ label: "Tier 2", stages: [
    #{ label: "Triage", ticketState: "OPEN" },
    #{ label: "Escalated", ticketState: "OPEN" },
    #{ label: "Resolved", ticketState: "CLOSED" },
]});
"#;

const RULE: &str = r#"
let owner = owners::by_email("chen.wei@example.com");
let t = tickets::search(#{ "associations.company": #{ has: true } }, #{ limit: 1 }).to_array()[0];
let company = tickets::company(t.id, #{ properties: ["tier"] });
tickets::update(t.id, #{
    escalation_level: "tier2",
    hs_pipeline: pipelines::get("Tier 2").id,
    hs_pipeline_stage: pipelines::stage_id("Tier 2", "Escalated"),
    hubspot_owner_id: owner.id,
});
notes::create(t.id, `Escalated to tier 2: ${company.properties.tier} customer`);
print(`ticket=${t.id}`);
print(`tier=${company.properties.tier}`);
"#;

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}\n{}", stdout(out), stderr(out));
    stdout(out)
}

fn value(out: &str, key: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in {out}"))
        .trim()
        .to_string()
}

async fn assert_end_state(p: &Project, ticket: &str, tier: &str) {
    let sb = Sandbox::open(&p.path().join("s.db")).unwrap();
    let props = [
        "escalation_level",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hubspot_owner_id",
    ];
    let t = sb
        .get(
            ticket,
            &GetParams {
                properties: props.iter().map(|s| s.to_string()).collect(),
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
        .unwrap();
    assert_eq!(t.prop("escalation_level"), Some("tier2"));
    assert_eq!(t.prop("hs_pipeline"), Some(pipeline.id.as_str()));
    assert_eq!(t.prop("hs_pipeline_stage"), Some(escalated.id.as_str()));
    assert_eq!(t.prop("hubspot_owner_id"), Some("52550155"));
    let company = sb
        .associations(ticket, "companies", None, None)
        .await
        .unwrap();
    let real_tier = sb
        .object_get(
            "companies",
            &company.results[0].id,
            &GetParams {
                properties: vec!["tier".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(real_tier.prop("tier"), Some(tier));
    let mut bodies = Vec::new();
    for n in sb
        .associations(ticket, "notes", None, None)
        .await
        .unwrap()
        .results
    {
        let note = sb
            .object_get(
                "notes",
                &n.id,
                &GetParams {
                    properties: vec!["hs_note_body".into()],
                    ..GetParams::default()
                },
            )
            .await
            .unwrap();
        bodies.push(note.prop("hs_note_body").unwrap_or_default().to_string());
    }
    let want = format!("Escalated to tier 2: {tier} customer");
    assert_eq!(
        bodies.iter().filter(|b| **b == want).count(),
        1,
        "{bodies:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issue_12_rule_on_the_sandbox() {
    let p = Project::new();
    p.reset_sandbox(20);
    p.file("setup.rhai", SETUP);
    p.file("rule.rhai", RULE);
    ok(&p.run(&["run", "setup.rhai", "--sandbox", "s.db"]));
    let out = ok(&p.run(&["run", "rule.rhai", "--sandbox", "s.db"]));
    assert_end_state(&p, &value(&out, "ticket"), &value(&out, "tier")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issue_12_rule_through_serve_unchanged() {
    let p = Project::new();
    p.reset_sandbox(20);
    p.file("setup.rhai", SETUP);
    p.file("rule.rhai", RULE);
    let (server, url) = p.serve(&[]);
    ok(&p.run(&["run", "setup.rhai", "--api", &url]));
    let out = ok(&p.run(&["run", "rule.rhai", "--api", &url]));
    drop(server);
    assert_end_state(&p, &value(&out, "ticket"), &value(&out, "tier")).await;
}
