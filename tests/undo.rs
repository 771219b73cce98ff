//! `hubscript undo` (issue 11) through `hubscript serve`: every ticket a run changed is put back
//! field by field, a ticket edited since the run is skipped as a conflict, a created ticket is
//! archived, an archive is listed as not undoable, and the undo is itself undoable.

use hubscript::backend::TicketsBackend;
use hubscript::model::GetParams;
use serde_json::Value;

use crate::run_record::{json_of, serve};
use crate::util::bin::{stderr, stdout, Project};

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
