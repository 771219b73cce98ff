//! The dry-run/real-run contract: one table of writes HubSpot refuses (and a few it accepts),
//! played by one script through the real binary, each time on a fresh sandbox with the same
//! seed: with `--dry-run` (planning only), with `apply = "immediate"` (every write sent to the
//! sandbox when it is made: the sandbox's own verdicts), and as a normal run (planned, then the
//! accepted writes applied in one batched apply, which must then accept every one of them).
//! All must reach the same verdict for every write: accepted, or refused with the same status,
//! category, error codes and message. A plan that shows a change the real run would refuse (or
//! refuses one it would make) breaks this test.

use crate::util::bin::{stderr, stdout, Project};

/// Ticket every case writes to; it exists in a fresh seeded sandbox.
const TICKET: &str = "3";
/// An activity id no seeded ticket is associated with.
const STRANGER_NOTE: &str = "987654321";

/// `(case, Rhai expression performing one write)`. Every case is independent: the refused ones
/// change nothing, and the accepted ones touch only what no later case reads.
fn cases() -> Vec<(&'static str, String)> {
    let t = TICKET;
    let long = "x".repeat(hubscript::model::limits::MAX_STRING_CHARS + 1);
    vec![
        // The probes of issue 15: the dry run accepted these, the real run refused them.
        ("empty stage", format!(r#"tickets::update("{t}", #{{ hs_pipeline_stage: "" }})"#)),
        ("empty pipeline", format!(r#"tickets::update("{t}", #{{ hs_pipeline: "" }})"#)),
        ("pin NaN", format!(r#"tickets::update("{t}", #{{ hs_pinned_engagement_id: "NaN" }})"#)),
        ("pin not associated", format!(r#"tickets::pin("{t}", "{STRANGER_NOTE}")"#)),
        // Values.
        ("bad option", format!(r#"tickets::update("{t}", #{{ hs_ticket_priority: "BAD" }})"#)),
        ("bad multi option", format!(r#"tickets::update("{t}", #{{ hs_ticket_category: "BILLING_ISSUE;NOPE" }})"#)),
        ("bad owner", format!(r#"tickets::update("{t}", #{{ hubspot_owner_id: "1" }})"#)),
        ("unknown property", format!(r#"tickets::update("{t}", #{{ nosuchprop: "x" }})"#)),
        ("read-only property", format!(r#"tickets::update("{t}", #{{ createdate: "1700000000000" }})"#)),
        ("read-only on create", r#"tickets::create(#{ subject: "s", createdate: "x" })"#.to_string()),
        ("too-long string", format!(r#"tickets::update("{t}", #{{ subject: "{long}" }})"#)),
        ("bad number", format!(r#"tickets::update("{t}", #{{ hs_pinned_engagement_id: "abc" }})"#)),
        ("fractional pin", format!(r#"tickets::update("{t}", #{{ hs_pinned_engagement_id: "1.5" }})"#)),
        ("bad date", format!(r#"tickets::update("{t}", #{{ closed_date: "yesterday" }})"#)),
        ("many problems at once", format!(r#"tickets::update("{t}", #{{ nope: "1", hs_ticket_priority: "x", closed_date: "y" }})"#)),
        // Pipeline and stage.
        ("stage outside pipeline", format!(r#"tickets::update("{t}", #{{ hs_pipeline_stage: "99" }})"#)),
        ("unknown pipeline", format!(r#"tickets::update("{t}", #{{ hs_pipeline: "7" }})"#)),
        ("create in unknown stage", r#"tickets::create(#{ subject: "s", hs_pipeline_stage: "99" })"#.to_string()),
        ("create with empty stage", r#"tickets::create(#{ subject: "s", hs_pipeline_stage: "" })"#.to_string()),
        ("create pinning a stranger", format!(r#"tickets::create(#{{ subject: "s", hs_pinned_engagement_id: "{STRANGER_NOTE}" }})"#)),
        // Batches.
        ("batch update with a bad item", format!(r#"tickets::update_many([#{{ id: "{t}", properties: #{{ hs_pipeline_stage: "" }} }}])"#)),
        ("batch create with a bad item", r#"tickets::create_many([#{ subject: "s", hs_pinned_engagement_id: "NaN" }])"#.to_string()),
        // Ids.
        ("unknown id to delete", r#"tickets::delete("999999999")"#.to_string()),
        ("unknown id to update", r#"tickets::update("999999999", #{ subject: "x" })"#.to_string()),
        // Accepted by both (the verdict must be "ok" on both sides).
        ("valid option", format!(r#"tickets::update("{t}", #{{ hs_ticket_priority: "URGENT" }})"#)),
        ("valid stage", format!(r#"tickets::update("{t}", #{{ hs_pipeline_stage: "2" }})"#)),
        ("clearing a value", format!(r#"tickets::update("{t}", #{{ content: "" }})"#)),
        ("string at the limit", format!(r#"tickets::update("{t}", #{{ subject: "{}" }})"#, &long[1..])),
        // Notes 1 and 2 are demo notes (a fresh sandbox has a note on about one ticket in four).
        ("pin after associating", format!(r#"{{ tickets::associate("{t}", "notes", "1", 227); tickets::pin("{t}", "1") }}"#)),
        ("create pinning an inline note", r#"tickets::create(#{ subject: "s", hs_pinned_engagement_id: "2" }, [#{ to: #{ id: "2" }, types: [#{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: 227 }] }])"#.to_string()),
        // A task's owner must be an owner, as a ticket's must (issue 12: the dry run accepted it).
        ("task with a stranger owner", format!(r#"tasks::create("{t}", #{{ subject: "s", owner: "1" }})"#)),
        ("task with a demo owner", format!(r#"tasks::create("{t}", #{{ subject: "s", owner: "52550153" }})"#)),
        // Associations need an existing target (issue 12).
        ("associate a missing contact", format!(r#"tickets::associate("{t}", "contacts", "{STRANGER_NOTE}", 16)"#)),
    ]
}

/// The script: each case runs in its own `try`, and prints one verdict line.
fn script() -> String {
    let mut s = String::from(
        "fn verdict(name, e) {\n\
         \x20   let codes = e.errors.map(|d| `${d.code}:${d.context?.propertyName?[0]}`);\n\
         \x20   codes.sort();\n\
         \x20   print(`verdict| ${name} => refused ${e.status} ${e.category} [${codes}] ${e.message}`);\n\
         }\n",
    );
    for (name, write) in cases() {
        s.push_str(&format!(
            "try {{ {write}; print(\"verdict| {name} => ok\"); }} catch (e) {{ verdict(\"{name}\", e); }}\n"
        ));
    }
    s
}

/// How the contract script runs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    /// `--dry-run`: planning only.
    Dry,
    /// `apply = "immediate"`: each write sent to the sandbox when made.
    Immediate,
    /// A normal run: planned, then applied (the run fails if the apply refuses anything).
    Planned,
}

/// The verdict lines of one run, by case.
fn verdicts(mode: Mode) -> Vec<String> {
    let p = Project::new();
    let source = match mode {
        Mode::Immediate => format!("//! apply = \"immediate\"\n{}", script()),
        _ => script(),
    };
    p.file("contract.rhai", &source);
    let mut args = vec!["run", "contract.rhai", "--sandbox", "s.db"];
    if mode == Mode::Dry {
        args.push("--dry-run");
    }
    let out = p.run(&args);
    assert!(
        out.status.success(),
        "{mode:?}: {}\n{}",
        stderr(&out),
        stdout(&out)
    );
    // Printed lines are logged with a time stamp: keep what follows the marker.
    let both = format!("{}\n{}", stdout(&out), stderr(&out));
    let lines: Vec<String> = both
        .lines()
        .filter_map(|l| l.split_once("verdict| ").map(|(_, v)| v.to_string()))
        .collect();
    assert_eq!(
        lines.len(),
        cases().len(),
        "{mode:?}: one verdict per case:\n{both}"
    );
    lines
}

#[test]
fn a_dry_run_and_a_real_run_reach_the_same_verdicts() {
    let dry = verdicts(Mode::Dry);
    let real = verdicts(Mode::Immediate);
    // The planned run succeeds (`verdicts` checks the exit status), so its apply accepted
    // every write its planning accepted.
    let planned = verdicts(Mode::Planned);
    let mut differ = Vec::new();
    for ((d, r), p) in dry.iter().zip(&real).zip(&planned) {
        if d != r || p != r {
            differ.push(format!("  dry:     {d}\n  real:    {r}\n  planned: {p}"));
        }
    }
    assert!(
        differ.is_empty(),
        "the dry run, the real run and the planned run disagree:\n{}",
        differ.join("\n")
    );
    // The table is what it claims: every case above the accepted ones is refused.
    let accepted: Vec<&String> = real.iter().filter(|l| l.ends_with("=> ok")).collect();
    assert_eq!(accepted.len(), 7, "{accepted:#?}");
    for probe in [
        "empty stage",
        "empty pipeline",
        "pin NaN",
        "pin not associated",
        "task with a stranger owner",
    ] {
        let line = real
            .iter()
            .find(|l| l.starts_with(&format!("{probe} =>")))
            .unwrap();
        assert!(line.contains("refused 400 VALIDATION_ERROR"), "{line}");
    }
}
