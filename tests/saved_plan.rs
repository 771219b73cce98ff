//! Saved plans (issue 10, item 6): `hubscript run --plan-out` plans without writing and saves
//! the plan; `hubscript apply` applies exactly it with the drift check, so a ticket edited in
//! between is skipped as a conflict while the rest lands; stale, foreign, damaged and
//! unknown-version plans are refused with the reason.

use std::path::Path;

use hubscript::backend::TicketsBackend;
use hubscript::model::{GetParams, Ticket};
use serde_json::Value;

use crate::run_record::json_of;
use crate::util::bin::{stderr, Project};

const PLAN_SCRIPT: &str = r#"
for id in ["1", "2", "3"] {
    tickets::update(id, #{ subject: `planned ${id}`, hs_ticket_priority: "HIGH" });
}
"#;

/// Reads ticket `id` of the project's sandbox `s.db` with the properties the tests compare.
fn ticket(p: &Project, id: &str) -> Ticket {
    let sandbox = hubscript::sandbox::Sandbox::open(&p.path().join("s.db")).unwrap();
    let params = GetParams {
        properties: vec![
            "subject".into(),
            "hs_ticket_priority".into(),
            "hs_pipeline_stage".into(),
        ],
        ..GetParams::default()
    };
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(sandbox.get(id, &params))
        .unwrap()
}

fn prop(t: &Ticket, name: &str) -> Option<String> {
    t.properties.get(name).cloned().flatten()
}

/// A project with 20 tickets, whose ticket 1-3 priorities are LOW (so the plan changes them),
/// and a plan saved to `plan.json`.
fn planned() -> Project {
    let p = Project::new();
    p.reset_sandbox(20);
    let low = p.file(
        "low.rhai",
        r#"for id in ["1", "2", "3"] { tickets::update(id, #{ hs_ticket_priority: "LOW" }); }"#,
    );
    let o = p.run(&["run", low.to_str().unwrap(), "--sandbox", "s.db"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = p.file("raise.rhai", PLAN_SCRIPT);
    let o = p.run(&[
        "run",
        script.to_str().unwrap(),
        "--sandbox",
        "s.db",
        "--arg",
        "who=ops",
        "--plan-out",
        "plan.json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("plan saved to plan.json"),
        "{}",
        stderr(&o)
    );
    p
}

fn read_plan(p: &Project) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p.path().join("plan.json")).unwrap()).unwrap()
}

fn write_plan(p: &Project, v: &Value) {
    std::fs::write(p.path().join("plan.json"), v.to_string()).unwrap();
}

#[test]
fn a_saved_plan_applied_after_a_concurrent_edit_skips_that_ticket_and_applies_the_rest() {
    let p = planned();
    let before: Vec<Ticket> = ["1", "2", "3"].iter().map(|id| ticket(&p, id)).collect();
    for t in &before {
        assert_eq!(
            prop(t, "hs_ticket_priority").as_deref(),
            Some("LOW"),
            "planning wrote"
        );
        assert!(!prop(t, "subject")
            .unwrap_or_default()
            .starts_with("planned"));
    }
    let plan = read_plan(&p);
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["script"], "raise");
    assert_eq!(plan["args"]["who"], "ops");
    assert_eq!(plan["backend"]["kind"], "sandbox");
    assert_eq!(plan["script_sha256"].as_str().unwrap().len(), 64);
    let entries = plan["plan"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 6, "{plan}");
    let priority = entries
        .iter()
        .find(|e| e["ticket"] == "2" && e["property"] == "hs_ticket_priority")
        .unwrap();
    assert_eq!(priority["action"], "set");
    assert_eq!(priority["old"], "LOW", "the plan holds the value it read");
    assert_eq!(priority["new"], "HIGH");
    assert!(!plan.to_string().contains("token"), "{plan}");

    // Someone edits ticket 2 between planning and applying.
    let edit = p.file(
        "edit.rhai",
        r#"tickets::update("2", #{ subject: "edited by a person" });"#,
    );
    let o = p.run(&["run", edit.to_str().unwrap(), "--sandbox", "s.db"]);
    assert!(o.status.success(), "{}", stderr(&o));

    // Without a terminal and without --yes nothing is applied.
    let o = p.run(&["apply", "plan.json", "--sandbox", "s.db"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("pass --yes"), "{}", stderr(&o));
    assert_eq!(
        prop(&ticket(&p, "1"), "hs_ticket_priority").as_deref(),
        Some("LOW")
    );

    let out = json_of(
        &p,
        &["apply", "plan.json", "--yes", "--json", "--sandbox", "s.db"],
    );
    assert_eq!(out["applied"], 4, "{out}");
    assert_eq!(out["conflicts"], 2, "{out}");
    assert_eq!(out["failed"], 0, "{out}");

    for (id, t0) in [("1", &before[0]), ("3", &before[2])] {
        let t = ticket(&p, id);
        assert_eq!(prop(&t, "subject"), Some(format!("planned {id}")));
        assert_eq!(prop(&t, "hs_ticket_priority").as_deref(), Some("HIGH"));
        assert_eq!(prop(&t, "hs_pipeline_stage"), prop(t0, "hs_pipeline_stage"));
    }
    let t2 = ticket(&p, "2");
    assert_eq!(prop(&t2, "subject").as_deref(), Some("edited by a person"));
    assert_eq!(prop(&t2, "hs_ticket_priority").as_deref(), Some("LOW"));
    assert_eq!(
        prop(&t2, "hs_pipeline_stage"),
        prop(&before[1], "hs_pipeline_stage")
    );

    let id = out["run_id"].as_i64().unwrap().to_string();
    let run = json_of(&p, &["runs", "show", &id, "--json"]);
    assert_eq!(run["trigger"], "apply", "{run}");
    assert_eq!(run["script"], "raise");
    assert_eq!(run["dry_run"], false);
    assert_eq!(run["conflicts"], 2, "{run}");
    assert_eq!(run["applied"], 4, "{run}");
    assert_eq!(run["args"]["who"], "ops");
    let changed: Vec<&str> = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["ticket"].as_str().unwrap())
        .collect();
    assert!(!changed.contains(&"2"), "{run}");
}

#[test]
fn stale_and_foreign_plans_are_refused_with_the_reason() {
    let p = planned();
    let mut plan = read_plan(&p);
    let old = chrono::Utc::now() - chrono::Duration::hours(2);
    plan["created_at"] = Value::String(old.to_rfc3339());
    write_plan(&p, &plan);
    let o = p.run(&["apply", "plan.json", "--yes", "--sandbox", "s.db"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("older than the limit of 1h"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        prop(&ticket(&p, "1"), "hs_ticket_priority").as_deref(),
        Some("LOW")
    );

    std::fs::copy(p.path().join("s.db"), p.path().join("other.db")).unwrap();
    let o = p.run(&[
        "apply",
        "plan.json",
        "--yes",
        "--max-age",
        "3h",
        "--sandbox",
        "other.db",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("point apply at the same backend"),
        "{}",
        stderr(&o)
    );

    // A larger limit on the plan's own backend applies it.
    let o = p.run(&[
        "apply",
        "plan.json",
        "--yes",
        "--max-age",
        "3h",
        "--sandbox",
        "s.db",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        prop(&ticket(&p, "1"), "hs_ticket_priority").as_deref(),
        Some("HIGH")
    );
}

#[test]
fn damaged_and_unknown_version_plan_files_are_clear_errors_naming_the_file() {
    let p = planned();
    let text = std::fs::read_to_string(p.path().join("plan.json")).unwrap();
    std::fs::write(p.path().join("cut.json"), &text[..text.len() / 2]).unwrap();
    let o = p.run(&["apply", "cut.json", "--yes", "--sandbox", "s.db"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("plan file cut.json is not a valid hubscript plan"),
        "{}",
        stderr(&o)
    );

    let mut plan = read_plan(&p);
    plan["version"] = Value::from(7);
    write_plan(&p, &plan);
    let o = p.run(&["apply", "plan.json", "--yes", "--sandbox", "s.db"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("plan file plan.json has format version 7"),
        "{}",
        stderr(&o)
    );

    let o = p.run(&["apply", "missing.json", "--yes", "--sandbox", "s.db"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("plan file missing.json"),
        "{}",
        stderr(&o)
    );
    assert!(Path::new(&p.path().join("s.db")).exists());
    assert_eq!(
        prop(&ticket(&p, "1"), "hs_ticket_priority").as_deref(),
        Some("LOW")
    );
}
