//! The run record (issue 11): a run through `hubscript serve` records its backend, arguments,
//! script hash and every change it made, and `runs` / `runs show --json` return them.

use serde_json::Value;

use crate::util::bin::{start_serve, stderr, stdout, Project};
use crate::util::child::Spawned;

/// `hubscript serve` over a fresh 20-ticket sandbox `served.db` in `p`; returns it and its URL.
pub(crate) fn serve(p: &Project) -> (Spawned, String) {
    let reset = p.run(&[
        "sandbox",
        "reset",
        "--tickets",
        "20",
        "--sandbox",
        "served.db",
    ]);
    assert!(reset.status.success(), "{}", stderr(&reset));
    start_serve(p.cmd(&["serve", "--addr", "127.0.0.1:0", "--sandbox", "served.db"]))
}

/// Runs the binary and parses its stdout as JSON.
pub(crate) fn json_of(p: &Project, args: &[&str]) -> Value {
    let o = p.run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)))
}

const SCRIPT: &str = r#"
// moves two tickets to Closed, raises one's priority, creates one
let target = run::arg("stage");
tickets::update("1", #{ hs_pipeline_stage: target });
tickets::update("2", #{ hs_pipeline_stage: target, hs_ticket_priority: "HIGH" });
let t = tickets::create(#{ subject: "made by the rule", hs_pipeline: "0", hs_pipeline_stage: "1" });
print(`created ${t.id}`);
"#;

#[test]
fn a_run_through_serve_records_backend_args_hash_and_every_change() {
    let p = Project::new();
    let (_server, url) = serve(&p);
    let script = p.file("rules/close.rhai", SCRIPT);
    let o = p.run(&[
        "run",
        script.to_str().unwrap(),
        "--api",
        &url,
        "--live",
        "--arg",
        "stage=4",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    let runs = json_of(&p, &["runs", "--json"]);
    let listed = &runs.as_array().unwrap()[0];
    let id = listed["id"].as_i64().unwrap();
    assert!(
        listed.get("changes").is_none(),
        "a listing leaves changes to `runs show`"
    );

    let r = json_of(&p, &["runs", "show", &id.to_string(), "--json"]);
    assert_eq!(r["status"], "ok");
    assert_eq!(r["trigger"], "run");
    assert_eq!(r["backend"]["kind"], "server");
    assert_eq!(r["backend"]["location"], url.as_str());
    assert_eq!(r["backend"]["live"], true);
    assert_eq!(
        r["backend"]["portal_id"], 0,
        "serve answers account-info with portal 0"
    );
    assert_eq!(r["args"]["stage"], "4");
    assert!(r["script_path"].as_str().unwrap().ends_with("close.rhai"));
    assert_eq!(r["script_text"], SCRIPT);
    let hash = r["script_hash"].as_str().unwrap();
    assert_eq!(hash.len(), 64, "sha-256 in hex: {hash}");
    assert!(!r["user"].as_str().unwrap().is_empty());
    assert!(!r["host"].as_str().unwrap().is_empty());
    // Planned, then applied: one batch create and one batch update (issue 10).
    assert_eq!(r["api_writes"].as_u64().unwrap(), 2, "{r}");
    assert_eq!(
        r["api_calls"].as_u64().unwrap(),
        r["api_reads"].as_u64().unwrap() + r["api_writes"].as_u64().unwrap()
    );

    let changes = r["changes"].as_array().unwrap();
    let sets: Vec<(&str, &str, &str)> = changes
        .iter()
        .filter(|c| c["action"] == "set")
        .map(|c| {
            (
                c["ticket"].as_str().unwrap(),
                c["property"].as_str().unwrap(),
                c["new"].as_str().unwrap(),
            )
        })
        .collect();
    // Ticket 2 is in stage 4 already in this seeded sandbox: a planned run sends (and so
    // records) only what changes (issue 10).
    assert_eq!(
        sets,
        vec![
            ("1", "hs_pipeline_stage", "4"),
            ("2", "hs_ticket_priority", "HIGH"),
        ]
    );
    let stage = changes.iter().find(|c| c["ticket"] == "1").unwrap();
    assert_eq!(stage["new_label"], "Closed", "stage ids get their labels");
    let created: Vec<&Value> = changes.iter().filter(|c| c["action"] == "create").collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["properties"]["subject"], "made by the rule");
    assert_eq!(r["applied"], 3);

    // the table form shows the label and the created ticket
    let o = p.run(&["runs", "show", &id.to_string()]);
    let text = stdout(&o);
    assert!(text.contains("Closed (4)"), "{text}");
    assert!(text.contains("server http://"), "{text}");
    assert!(text.contains("stage=4"), "{text}");

    // listing filters: by backend kind, status and time
    let by_server = json_of(&p, &["runs", "--json", "--backend", "server"]);
    assert_eq!(by_server.as_array().unwrap().len(), 1);
    let by_sandbox = json_of(&p, &["runs", "--json", "--backend", "sandbox"]);
    assert_eq!(by_sandbox.as_array().unwrap().len(), 0);
    let failed = json_of(&p, &["runs", "--json", "--status", "failed"]);
    assert_eq!(failed.as_array().unwrap().len(), 0);
    let recent = json_of(&p, &["runs", "--json", "--since", "1h"]);
    assert_eq!(recent.as_array().unwrap().len(), 1);
    let bad = p.run(&["runs", "--status", "exploded"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("unknown status `exploded`"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn a_dry_run_records_its_plan_with_old_values() {
    let p = Project::new();
    let first = p.file(
        "new.rhai",
        r#"tickets::update("3", #{ hs_pipeline_stage: "1" });"#,
    );
    let o = p.run(&["run", first.to_str().unwrap(), "--sandbox", "s.db"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = p.file(
        "close.rhai",
        r#"tickets::update("3", #{ hs_pipeline_stage: "4" });"#,
    );
    let o = p.run(&[
        "run",
        script.to_str().unwrap(),
        "--sandbox",
        "s.db",
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r = json_of(&p, &["runs", "show", "2", "--json"]);
    assert_eq!(r["dry_run"], true);
    assert_eq!(r["backend"]["kind"], "sandbox");
    assert_eq!(r["backend"]["portal_id"], Value::Null);
    let c = &r["changes"][0];
    assert_eq!(c["old_known"], true, "{r}");
    assert_eq!(
        (&c["old"], &c["new"]),
        (&Value::from("1"), &Value::from("4"))
    );
    assert_eq!(
        (&c["old_label"], &c["new_label"]),
        (&Value::from("New"), &Value::from("Closed"))
    );
    assert_eq!(r["planned"], 1);
    assert_eq!(r["applied"], 0);
}

#[test]
fn one_home_from_any_directory() {
    let p = Project::new();
    let home = p.path().join("ops-home");
    std::fs::create_dir_all(p.path().join("a")).unwrap();
    std::fs::create_dir_all(p.path().join("b")).unwrap();
    let script = p.file("a/hello.rhai", "print(\"hi\");");
    let run_in = |dir: &str, args: &[&str]| {
        let mut c = p.cmd(args);
        c.current_dir(p.path().join(dir))
            .env("HUBSCRIPT_HOME", &home);
        c.output().unwrap()
    };
    let o = run_in("a", &["run", script.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let announced = stderr(&o);
    assert!(
        announced.contains("creating") && announced.contains("ops-home/.hubscript"),
        "{announced}"
    );
    assert!(home.join(".hubscript/state.db").exists());
    assert!(home.join(".hubscript/sandbox.db").exists());
    assert!(
        !p.path().join("a/.hubscript").exists(),
        "no second home in the working directory"
    );
    // the same history from another directory, and no second announcement
    let o = run_in("b", &["runs", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("creating"), "{}", stderr(&o));
    let runs: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(runs.as_array().unwrap().len(), 1);
    // --home wins over the environment; an empty home says so instead of creating one
    let o = run_in("b", &["runs", "--home", "elsewhere"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no run history at"), "{}", stderr(&o));
    assert!(!p.path().join("b/elsewhere/.hubscript").exists());
}
