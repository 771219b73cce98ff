//! The script API of the records tickets point at, end to end: `tickets::company`,
//! `tickets::contacts`, `companies::`/`contacts::` reads, `notes::create` and `tasks::create`,
//! in a dry run (nothing written), a planned run (applied after the script) and an immediate
//! one, on the sandbox and through `serve`.

use hubscript::backend::TicketsBackend;
use hubscript::model::GetParams;
use hubscript::sandbox::Sandbox;

use crate::util::bin::{stderr, stdout, Project};

const RULE: &str = r#"
let t = tickets::search(#{ "associations.company": #{ has: true } }, #{ limit: 1 }).to_array()[0];
let c = tickets::company(t.id, #{ properties: ["name", "tier"] });
print(`ticket=${t.id}`);
print(`tier=${c.properties.tier}`);
print(`contacts=${tickets::contacts(t.id).len()}`);
let same = companies::search(#{ tier: c.properties.tier }, #{ properties: ["tier"], limit: 3 });
print(`same_tier=${same.len()} all_match=${same.all(|x| x.properties.tier == c.properties.tier)}`);
let who = contacts::get(tickets::contacts(t.id)[0].id);
print(`email=${who.properties.email}`);
notes::create(t.id, `Customer tier: ${c.properties.tier}`);
tasks::create(t.id, #{ subject: "Call back", due: "2030-01-02T10:00:00Z", owner: "52550153", priority: "HIGH" });
"#;

fn value(out: &str, key: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in {out}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// The notes and tasks logged on `ticket`: `(note bodies, task subjects)`.
async fn activities(p: &Project, ticket: &str) -> (Vec<String>, Vec<String>) {
    let sb = Sandbox::open(&p.path().join("s.db")).unwrap();
    let mut out = (Vec::new(), Vec::new());
    for (ty, prop) in [("notes", "hs_note_body"), ("tasks", "hs_task_subject")] {
        let links = sb.associations(ticket, ty, None, None).await.unwrap();
        for l in links.results {
            let r = sb
                .object_get(
                    ty,
                    &l.id,
                    &GetParams {
                        properties: vec![prop.into(), "hs_task_priority".into()],
                        ..GetParams::default()
                    },
                )
                .await
                .unwrap();
            let v = r.prop(prop).unwrap_or_default().to_string();
            if ty == "notes" {
                out.0.push(v);
            } else {
                assert_eq!(r.prop("hs_task_priority"), Some("HIGH"));
                out.1.push(v);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_reads_the_customer_and_logs_a_note_and_a_task() {
    let p = Project::new();
    p.reset_sandbox(40);
    p.file("rule.rhai", RULE);
    // Dry run: everything read, nothing written, the plan lists the two activities.
    let dry = p.run(&["run", "rule.rhai", "--sandbox", "s.db", "--dry-run"]);
    let (out, err) = (stdout(&dry), stderr(&dry));
    assert!(dry.status.success(), "{out}\n{err}");
    let ticket = value(&out, "ticket");
    let tier = value(&out, "tier");
    assert!(
        ["platinum", "gold", "silver", "standard"].contains(&tier.as_str()),
        "{out}"
    );
    assert!(
        value(&out, "contacts").parse::<usize>().unwrap() >= 1,
        "{out}"
    );
    assert!(out.contains("all_match=true"), "{out}");
    assert!(value(&out, "email").contains('@'), "{out}");
    assert!(
        err.contains("log") && err.contains("notes") && err.contains("tasks"),
        "{err}"
    );
    let before = activities(&p, &ticket).await;
    assert!(
        !before.0.iter().any(|b| b.contains("Customer tier")),
        "dry run wrote a note"
    );
    assert!(before.1.is_empty(), "dry run wrote a task");
    // A normal run: planned, then applied.
    let real = p.run(&["run", "rule.rhai", "--sandbox", "s.db"]);
    assert!(
        real.status.success(),
        "{}\n{}",
        stdout(&real),
        stderr(&real)
    );
    let (notes, tasks) = activities(&p, &ticket).await;
    assert_eq!(
        notes
            .iter()
            .filter(|b| **b == format!("Customer tier: {tier}"))
            .count(),
        1,
        "{notes:?}"
    );
    assert_eq!(tasks, ["Call back"]);
    // Immediate: each write sent when made.
    p.file("now.rhai", &format!("//! apply = \"immediate\"\n{RULE}"));
    let now = p.run(&["run", "now.rhai", "--sandbox", "s.db"]);
    assert!(now.status.success(), "{}\n{}", stdout(&now), stderr(&now));
    let (notes, tasks) = activities(&p, &ticket).await;
    assert_eq!(
        notes.iter().filter(|b| b.contains("Customer tier")).count(),
        2
    );
    assert_eq!(tasks.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_rule_runs_through_serve() {
    let p = Project::new();
    p.reset_sandbox(40);
    p.file("rule.rhai", RULE);
    let (mut server, url) = p.serve(&[]);
    let out = p.run(&["run", "rule.rhai", "--api", &url]);
    server.terminate(std::time::Duration::from_secs(20));
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    let ticket = value(&stdout(&out), "ticket");
    let (notes, tasks) = activities(&p, &ticket).await;
    assert_eq!(
        notes.iter().filter(|b| b.contains("Customer tier")).count(),
        1
    );
    assert_eq!(tasks, ["Call back"]);
}

#[test]
fn a_bad_task_is_refused_at_its_line() {
    let p = Project::new();
    p.reset_sandbox(5);
    p.file(
        "bad.rhai",
        "let t = tickets::list(#{ limit: 1 }).to_array()[0];\ntasks::create(t.id, #{ subject: \"x\", colour: \"red\" });\n",
    );
    let out = p.run(&["run", "bad.rhai", "--sandbox", "s.db", "--dry-run"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("unknown key `colour`") && err.contains("2:"),
        "{err}"
    );
    p.file(
        "late.rhai",
        "let t = tickets::list(#{ limit: 1 }).to_array()[0];\ntasks::create(t.id, #{ subject: \"x\", due: \"next tuesday\" });\n",
    );
    let out = p.run(&["run", "late.rhai", "--sandbox", "s.db", "--dry-run"]);
    assert!(
        stderr(&out).contains("`due` is next tuesday"),
        "{}",
        stderr(&out)
    );
}
