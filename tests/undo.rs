//! `hubscript undo` (issue 11) through `hubscript serve`: every ticket a run changed is put back
//! field by field, a ticket edited since the run is skipped as a conflict, a created ticket is
//! archived, an archive is listed as not undoable, and the undo is itself undoable.

use std::collections::BTreeMap;

use hubscript::backend::TicketsBackend;
use hubscript::model::{GetParams, InputProperties, UpdateInput};
use serde_json::Value;

use crate::run_record::{json_of, serve};
use crate::util::bin::{stderr, stdout, Project};

const PROPS: [&str; 4] = [
    "subject",
    "hs_pipeline_stage",
    "hs_ticket_priority",
    "content",
];

/// The properties of tickets 1..=n as the sandbox file has them.
fn snapshot(p: &Project, n: u32) -> BTreeMap<String, BTreeMap<String, Option<String>>> {
    let sandbox = hubscript::sandbox::Sandbox::open(&p.path().join("served.db")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let mut out = BTreeMap::new();
        for id in 1..=n {
            let params = GetParams {
                properties: PROPS.iter().map(|s| s.to_string()).collect(),
                ..GetParams::default()
            };
            let t = sandbox.get(&id.to_string(), &params).await.unwrap();
            let props = PROPS
                .iter()
                .map(|k| (k.to_string(), t.properties.get(*k).cloned().flatten()))
                .collect();
            out.insert(id.to_string(), props);
        }
        out
    })
}

fn edit(p: &Project, id: &str, prop: &str, value: &str) {
    let sandbox = hubscript::sandbox::Sandbox::open(&p.path().join("served.db")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let input = UpdateInput {
            properties: InputProperties::new().with(prop, value),
        };
        sandbox.update(id, &input, None).await.unwrap();
    });
}

const RULE: &str = r#"
for id in ["1", "2", "3", "4"] {
    tickets::update(id, #{ hs_pipeline_stage: "4", hs_ticket_priority: "HIGH", content: `closed by rule ${id}` });
}
tickets::create(#{ subject: "follow-up", hs_pipeline: "0", hs_pipeline_stage: "1" });
"#;

#[test]
fn undo_puts_every_field_back_skips_edited_tickets_and_is_undoable() {
    let p = Project::new();
    let (_server, url) = serve(&p);
    let before = snapshot(&p, 5);
    let script = p.file("rule.rhai", RULE);
    let o = p.run(&["run", script.to_str().unwrap(), "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = json_of(&p, &["runs", "show", "1", "--json"]);
    let created = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "create")
        .unwrap()["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    // someone edits ticket 3 after the run
    edit(&p, "3", "hs_ticket_priority", "MEDIUM");

    // a dry run of the undo plans without writing
    let dry = json_of(&p, &["undo", "1", "--api", &url, "--dry-run", "--json"]);
    assert_eq!(dry["dry_run"], true);
    assert!(!dry["plan"]["entries"].as_array().unwrap().is_empty());
    let after_run = snapshot(&p, 5);
    assert_eq!(after_run["1"]["hs_pipeline_stage"].as_deref(), Some("4"));

    let o = p.run(&["undo", "1", "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("conflict: ticket 3"), "{out}");
    let restored = snapshot(&p, 5);
    for id in ["1", "2", "4", "5"] {
        assert_eq!(restored[id], before[id], "ticket {id} field by field");
    }
    assert_eq!(
        restored["3"],
        after_run["3"]
            .clone()
            .into_iter()
            .map(|(k, v)| {
                if k == "hs_ticket_priority" {
                    (k, Some("MEDIUM".to_string()))
                } else {
                    (k, v)
                }
            })
            .collect::<BTreeMap<_, _>>(),
        "the edited ticket is left alone"
    );
    // the created ticket went to the recycle bin
    let sandbox = hubscript::sandbox::Sandbox::open(&p.path().join("served.db")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let gone = rt.block_on(sandbox.get(&created, &GetParams::default()));
    assert!(gone.is_err(), "created ticket {created} still active");

    // the undo is a recorded run: trigger undo, conflicts counted, changes with old values
    // run 2 is the dry run of the undo (recorded, writing nothing); run 3 the undo
    let undo = json_of(&p, &["runs", "show", "3", "--json"]);
    assert_eq!(undo["trigger"], "undo");
    assert_eq!(undo["undo_of"], 1);
    let of_ticket_3 = dry["plan"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ticket"] == "3")
        .count();
    assert!(of_ticket_3 >= 2, "{dry}");
    assert_eq!(
        undo["conflicts"], of_ticket_3,
        "every change of ticket 3: {undo}"
    );
    assert!(undo["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["action"] != "set" || c["old_known"] == true));

    // undoing the undo brings the run's values back on the tickets it restored
    let o = p.run(&["undo", "3", "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let again = snapshot(&p, 5);
    for id in ["1", "2", "4"] {
        assert_eq!(
            again[id], after_run[id],
            "ticket {id} after undoing the undo"
        );
    }
    let redo: Value = json_of(&p, &["runs", "show", "4", "--json"]);
    assert_eq!(redo["undo_of"], 3);
}

#[test]
fn a_created_ticket_is_archived_and_the_undo_is_recorded() {
    let p = Project::new();
    let (_server, url) = serve(&p);
    let script = p.file(
        "create.rhai",
        r#"tickets::create(#{ subject: "follow-up", hs_pipeline: "0", hs_pipeline_stage: "1" });"#,
    );
    let o = p.run(&["run", script.to_str().unwrap(), "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = json_of(&p, &["runs", "show", "1", "--json"]);
    let created = run["changes"][0]["ticket"].as_str().unwrap().to_string();
    let dry = json_of(&p, &["undo", "1", "--api", &url, "--dry-run", "--json"]);
    assert_eq!(dry["plan"]["entries"][0]["action"], "archived", "{dry}");
    let sandbox = hubscript::sandbox::Sandbox::open(&p.path().join("served.db")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    assert!(
        rt.block_on(sandbox.get(&created, &GetParams::default()))
            .is_ok(),
        "a dry run archives nothing"
    );
    let o = p.run(&["undo", "1", "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        rt.block_on(sandbox.get(&created, &GetParams::default()))
            .is_err(),
        "ticket {created} still active"
    );
    let undo: Value = json_of(&p, &["runs", "show", "3", "--json"]);
    assert_eq!(undo["trigger"], "undo");
    assert_eq!(undo["undo_of"], 1);
    assert_eq!(undo["applied"], 1);
    assert_eq!(undo["changes"][0]["action"], "archive");
    assert_eq!(undo["changes"][0]["ticket"], created.as_str());
}

#[test]
fn what_cannot_be_undone_is_listed_with_the_reason() {
    let p = Project::new();
    let (_server, url) = serve(&p);
    let script = p.file("archive.rhai", r#"tickets::delete("5");"#);
    let o = p.run(&["run", script.to_str().unwrap(), "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = p.run(&["undo", "1", "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("ticket 5: archive") && out.contains("recycle bin"),
        "{out}"
    );

    let other = p.file("archive6.rhai", r#"tickets::delete("6");"#);
    let dry = p.run(&["run", other.to_str().unwrap(), "--api", &url, "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let o = p.run(&["undo", "3", "--api", &url]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("was a dry run"), "{}", stderr(&o));
    let o = p.run(&["undo", "1", "--sandbox", "other.db"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("point undo at the same backend"),
        "{}",
        stderr(&o)
    );
}

/// Issue 12: undoing a run that logged a note and a task archived neither (only their
/// associations went); the undo archives them, as it archives a created ticket, and says so
/// in its own record.
#[test]
fn notes_and_tasks_a_run_logged_are_archived_by_its_undo() {
    let p = Project::new();
    let (_server, url) = serve(&p);
    let script = p.file(
        "log.rhai",
        r#"notes::create("2", "escalated");
tasks::create("2", #{ subject: "call back" });"#,
    );
    let o = p.run(&["run", script.to_str().unwrap(), "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = json_of(&p, &["runs", "show", "1", "--json"]);
    let logged: Vec<(String, String)> = run["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["action"], "log", "{c}");
            assert_eq!(c["ticket"], "2", "{c}");
            (
                c["to_type"].as_str().unwrap().to_string(),
                c["to_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let kinds: Vec<&str> = logged.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["notes", "tasks"], "{run}");
    assert_eq!(run["changes"][0]["properties"]["hs_note_body"], "escalated");

    let sandbox = hubscript::sandbox::Sandbox::open(&p.path().join("served.db")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let active = |kind: &str, id: &str| {
        rt.block_on(sandbox.object_get(kind, id, &GetParams::default()))
            .is_ok()
    };
    let dry = json_of(&p, &["undo", "1", "--api", &url, "--dry-run", "--json"]);
    let actions: Vec<&Value> = dry["plan"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["action"])
        .collect();
    assert_eq!(actions, ["unlogged", "unlogged"], "{dry}");
    for (kind, id) in &logged {
        assert!(active(kind, id), "a dry run archives nothing ({kind} {id})");
    }

    let o = p.run(&["undo", "1", "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (kind, id) in &logged {
        assert!(!active(kind, id), "{kind} {id} still active after the undo");
    }
    // The ticket no longer lists them.
    for (kind, id) in &logged {
        let page = rt
            .block_on(sandbox.associations("2", kind, None, None))
            .unwrap();
        assert!(
            page.results.iter().all(|a| &a.id != id),
            "ticket 2 still lists {kind} {id}: {page:?}"
        );
    }
    let undo: Value = json_of(&p, &["runs", "show", "3", "--json"]);
    assert_eq!(undo["undo_of"], 1);
    assert_eq!(undo["applied"], 2, "{undo}");
    let unlogged: Vec<(String, String)> = undo["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            assert_eq!(c["action"], "unlog", "{c}");
            (
                c["to_type"].as_str().unwrap().to_string(),
                c["to_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected = logged.clone();
    expected.sort();
    let mut got = unlogged;
    got.sort();
    assert_eq!(got, expected);
    // An archived activity cannot be brought back through the API: undoing the undo says so.
    let o = p.run(&["undo", "3", "--api", &url]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("recycle bin"), "{}", stdout(&o));
}
