//! The numbers a newcomer compares (issue 16, items 4 and 5): a dry run and a real run of one
//! script read the same number of tickets, a ticket created then updated is one changed ticket
//! (for `--max-writes` and the summary), a dry run's history does not say "written", and a
//! dry-run create answers with the properties the backend fills in.

use crate::util::bin::{stderr, stdout, Project};

/// Runs `script` against the project's `s.db` with `extra` arguments; returns (exit code,
/// stdout, stderr).
fn run(p: &Project, script: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["run", script, "--sandbox", "s.db"];
    args.extend_from_slice(extra);
    let out = p.run(&args);
    (out.status.code(), stdout(&out), stderr(&out))
}

/// The summary line of a run (`name: ok — ...`).
fn summary<'a>(err: &'a str, name: &str) -> &'a str {
    err.lines()
        .rev()
        .find(|l| l.starts_with(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no summary line for {name}: {err}"))
}

const IMMEDIATE: &str = "//! apply = \"immediate\"\n";

#[test]
fn a_dry_run_create_answers_with_what_the_backend_fills_in() {
    let p = Project::new();
    p.reset_sandbox(3);
    let body = "let t = tickets::create(#{ subject: \"printer on fire\", hs_ticket_priority: \"HIGH\" });\nlet keys = t.properties.keys();\nkeys.sort();\nprint(keys);\nprint(`stage=${t.properties.hs_pipeline_stage} pipeline=${t.properties.hs_pipeline} created=${t.properties.createdate != ()}`);\n";
    p.file("dry.rhai", body);
    p.file("real.rhai", &format!("{IMMEDIATE}{body}"));
    let (code, dry, err) = run(&p, "dry.rhai", &["--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, real, err) = run(&p, "real.rhai", &[]);
    assert_eq!(code, Some(0), "{err}");
    // The same property names, and the same defaults, whether the create was sent or planned.
    assert_eq!(dry, real);
    assert!(dry.contains("stage=1 pipeline=0 created=true"), "{dry}");
    assert!(dry.contains("\"createdate\""), "{dry}");
}

#[test]
fn a_created_then_updated_ticket_is_one_changed_ticket() {
    let p = Project::new();
    p.reset_sandbox(3);
    let body = "let t = tickets::create(#{ subject: \"new\" });\ntickets::update(t.id, #{ hs_ticket_priority: \"HIGH\" });\n";
    p.file("planned.rhai", body);
    p.file("immediate.rhai", &format!("{IMMEDIATE}{body}"));
    // Regression: the update was refused as "ticket number 2 of this run".
    let (code, _, err) = run(&p, "planned.rhai", &["--dry-run", "--max-writes", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        summary(&err, "planned").contains("would write 1 (dry run)"),
        "{err}"
    );
    let (code, _, err) = run(&p, "planned.rhai", &["--max-writes", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(summary(&err, "planned").contains("wrote 1,"), "{err}");
    let (code, _, err) = run(&p, "immediate.rhai", &["--max-writes", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(summary(&err, "immediate").contains("wrote 1,"), "{err}");
}

#[test]
fn read_counts_agree_between_dry_and_real_runs_and_dry_history_says_would() {
    let p = Project::new();
    p.reset_sandbox(6);
    // Reads 2 tickets, then updates two others it never read: their look-ups (for the plan's
    // old values) are not tickets the script read.
    let body = "let found = tickets::search(#{ limit: 2, sorts: [\"hs_object_id\"] });\nfor t in found { print(t.id); }\ntickets::update(\"5\", #{ subject: \"five\" });\ntickets::update_many([#{ id: \"6\", properties: #{ subject: \"six\" } }]);\n";
    p.file("dry.rhai", body);
    p.file("real.rhai", &format!("{IMMEDIATE}{body}"));
    let (code, _, dry_err) = run(&p, "dry.rhai", &["--dry-run"]);
    assert_eq!(code, Some(0), "{dry_err}");
    let (code, _, real_err) = run(&p, "real.rhai", &[]);
    assert_eq!(code, Some(0), "{real_err}");
    assert!(
        summary(&dry_err, "dry").starts_with("dry: ok — read 2 tickets, would write 2"),
        "{dry_err}"
    );
    assert!(
        summary(&real_err, "real").starts_with("real: ok — read 2 tickets, wrote 2"),
        "{real_err}"
    );
    // The dry run's history entry says what it would have written, never "written".
    let show = p.run(&["runs", "show", "1"]);
    let text = stdout(&show);
    assert!(text.contains("(run, dry run)"), "{text}");
    assert!(
        text.contains("tickets  2 read, would write 2 (dry run: nothing written)"),
        "{text}"
    );
    let list = stdout(&p.run(&["runs"]));
    assert!(list.contains("0 (would 2)"), "{list}");
}
