//! `check --schema` (issue 16, item 2): literal arguments compared with the backend's schema,
//! read from the sandbox file and, unchanged, through `serve`. A setup run first creates a
//! custom property and a second pipeline, so the check must really read the backend's schema
//! (neither is in the demo data). Without `--schema`, `check` opens no backend at all.

use crate::util::bin::{stderr, stdout, Project};

const SETUP: &str = r#"
properties::create(#{
    name: "escalation_level", label: "Escalation level",
    type: "enumeration", options: ["tier1", "tier2", "tier3"],
});
pipelines::create(#{ label: "Tier 2", stages: [
    #{ label: "Triage", ticketState: "OPEN" },
    #{ label: "Escalated", ticketState: "OPEN" },
]});
"#;

/// Each line holds one mistake; `EXPECTED` says what `check --schema` reports for it.
const TYPOS: &str = r#"//! description = "typos only the schema can tell"
let id = "1";
tickets::update(id, #{ escalation_levl: "tier2" });
tickets::update(id, #{ escalation_level: "Tier2", subject: id });
tickets::update(id, #{ hs_pipeline_stage: "99" });
let stage = pipelines::stage_id("Tier 2", "Escalatd");
tickets::update(id, #{ hubspot_owner_id: "999" });
for t in tickets::search(#{ hs_ticket_priority: "high" }) { print(t.id); }
let gold = companies::search(#{ teir: "gold" });
tickets::update(id, #{ hs_lastmodifieddate: "2026-01-01" });
tasks::create(id, #{ subject: "x", owner: "7" });
"#;

const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "error",
        "typos.rhai:3:24",
        "tickets have no property `escalation_levl` (did you mean `escalation_level`?)",
    ),
    (
        "error",
        "typos.rhai:4:42",
        "`Tier2` is not an option of `escalation_level`",
    ),
    (
        "error",
        "typos.rhai:5:43",
        "no ticket pipeline has a stage with id `99`",
    ),
    ("error", "typos.rhai:6:43", "pipeline `Tier 2` ("),
    ("error", "typos.rhai:7:42", "no owner has id `999`"),
    (
        "warning",
        "typos.rhai:8:49",
        "`high` is not an option of `hs_ticket_priority`",
    ),
    (
        "error",
        "typos.rhai:9:33",
        "companies have no property `teir` (did you mean `tier`?)",
    ),
    (
        "error",
        "typos.rhai:10:45",
        "\"hs_lastmodifieddate\" is a read only property",
    ),
    ("error", "typos.rhai:11:43", "no owner has id `7`"),
];

/// The same rule, spelled right: nothing to report.
const GOOD: &str = r#"let id = "1";
tickets::update(id, #{ escalation_level: "tier2", hs_pipeline: "0", hs_pipeline_stage: "1" });
tickets::update(id, #{ hs_pipeline_stage: pipelines::stage_id("Tier 2", "Escalated") });
for t in tickets::search(#{ hs_ticket_priority: "HIGH" }, #{ properties: ["escalation_level"] }) {}
let gold = companies::search(#{ tier: "gold" });
"#;

/// A project with the sandbox `s.db`, set up with the custom property and pipeline.
fn set_up() -> Project {
    let p = Project::new();
    p.reset_sandbox(3);
    p.file("setup.rhai", SETUP);
    let out = p.run(&["run", "setup.rhai", "--sandbox", "s.db"]);
    assert!(out.status.success(), "setup: {}", stderr(&out));
    p.file("typos.rhai", TYPOS);
    p.file("good.rhai", GOOD);
    p
}

fn assert_reports_every_typo(out: &std::process::Output) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{}\n{err}", stdout(out));
    for (kind, at, what) in EXPECTED {
        let head = format!("{kind} at {at}\n");
        let Some(start) = err.find(&head) else {
            panic!("no `{head}` in:\n{err}");
        };
        // The message is on the caret line right after the heading.
        let block: String = err[start..].lines().take(4).collect::<Vec<_>>().join("\n");
        assert!(block.contains(what), "{what} not in:\n{block}");
    }
    assert_eq!(
        err.matches(" at typos.rhai:").count(),
        EXPECTED.len(),
        "{err}"
    );
    assert!(err.contains("(did you mean `Escalated`?)"), "{err}");
    let text = stdout(out);
    assert!(text.contains("FAILED  typos.rhai"), "{text}");
    assert!(text.contains("ok      good.rhai"), "{text}");
    assert!(!text.contains("good.rhai  (1 warning"), "{text}");
}

#[test]
fn check_schema_reads_the_sandbox_and_reports_literal_typos_with_positions() {
    let p = set_up();
    let out = p.run(&[
        "check",
        "--schema",
        "--sandbox",
        "s.db",
        "typos.rhai",
        "good.rhai",
    ]);
    assert!(
        stderr(&out).contains("hubscript: checking against sandbox s.db"),
        "{}",
        stderr(&out)
    );
    assert_reports_every_typo(&out);
}

#[test]
fn check_schema_reads_the_same_schema_through_serve() {
    let p = set_up();
    let (_server, url) = p.serve(&[]);
    let out = p.run(&[
        "check",
        "--schema",
        "--api",
        &url,
        "typos.rhai",
        "good.rhai",
    ]);
    assert!(
        stderr(&out).contains(&format!("hubscript: checking against {url}")),
        "{}",
        stderr(&out)
    );
    assert_reports_every_typo(&out);
}

#[test]
fn warnings_alone_pass_and_say_so() {
    let p = set_up();
    p.file(
        "warn.rhai",
        "for t in tickets::search(#{ hs_ticket_priority: \"high\" }, #{ properties: [\"subjet\"] }) {}\n",
    );
    let out = p.run(&["check", "--schema", "--sandbox", "s.db", "warn.rhai"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("ok      warn.rhai  (2 warnings)"),
        "{}",
        stdout(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("warning at warn.rhai:1:49\n") && err.contains("this filter matches nothing"),
        "{err}"
    );
    assert!(
        err.contains("warning at warn.rhai:1:75\n")
            && err.contains("tickets have no property `subjet` (did you mean `subject`?)"),
        "{err}"
    );
}

#[test]
fn without_schema_check_stays_offline_and_never_creates_a_sandbox() {
    let p = Project::new();
    p.file("typos.rhai", TYPOS);
    // No sandbox exists: plain check passes (literals are not judged) and opens nothing.
    let out = p.run(&["check", "typos.rhai"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("checking against"),
        "{}",
        stderr(&out)
    );
    // Even an --api that nothing listens on is never contacted.
    let out = p.run(&["check", "--api", "http://127.0.0.1:9", "typos.rhai"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // With --schema, a missing sandbox is refused rather than created.
    let out = p.run(&["check", "--schema", "typos.rhai"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("there is no sandbox at .hubscript/sandbox.db"),
        "{}",
        stderr(&out)
    );
    assert!(!p.path().join(".hubscript/sandbox.db").exists());
}
