//! Issue 18, item 3: every shipped rule works off a large backlog in bounded runs. On a
//! 20,000-ticket sandbox (seed 42: about 2,400 stale tickets, 1,100 overdue HIGH ones, 2,400
//! unowned new ones, thousands unanswered) each rule ends successfully, changes exactly as
//! many tickets as its write budget (`max_writes`) allows, and says the rest is left for the
//! next run; a second run carries on where the first stopped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use hubscript::backend::TicketsBackend;
use hubscript::model::ListParams;
use hubscript::sandbox::{Sandbox, SeedOptions};

use crate::util::bin::{stderr, stdout, Project};

const TICKETS: usize = 20_000;

/// One seeded 20,000-ticket sandbox per test binary, copied into each project.
fn template() -> &'static Path {
    static FILE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = FILE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backlog.db");
        let sb = Sandbox::create(
            &path,
            &SeedOptions {
                tickets: TICKETS,
                seed: 42,
            },
        )
        .unwrap();
        // Closing every connection checkpoints the WAL into the file, so a copy is complete.
        drop(sb);
        (dir, path)
    });
    path
}

fn project() -> Project {
    let p = Project::new();
    std::fs::copy(template(), p.path().join("s.db")).unwrap();
    p
}

fn script(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
        .display()
        .to_string()
}

/// The properties the rules change, of every live ticket, by id.
async fn snapshot(p: &Project) -> BTreeMap<String, BTreeMap<String, Option<String>>> {
    let sb = Sandbox::open(&p.path().join("s.db")).unwrap();
    let props: Vec<String> = [
        "hs_pipeline_stage",
        "hs_ticket_priority",
        "hubspot_owner_id",
        "hs_resolution",
    ]
    .map(String::from)
    .to_vec();
    let mut out = BTreeMap::new();
    let mut after = None;
    loop {
        let page = sb
            .list(&ListParams {
                limit: Some(100),
                after: after.clone(),
                properties: props.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        for t in &page.results {
            out.insert(t.id.clone(), t.properties.clone());
        }
        match page.next_after() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    out
}

/// Tickets whose properties differ between two snapshots.
fn changed(
    before: &BTreeMap<String, BTreeMap<String, Option<String>>>,
    after: &BTreeMap<String, BTreeMap<String, Option<String>>>,
) -> usize {
    after.iter().filter(|(id, t)| before[*id] != **t).count()
}

fn run(p: &Project, name: &str, extra: &[&str]) -> std::process::Output {
    let s = script(name);
    let mut args = vec!["run", s.as_str(), "--sandbox", "s.db"];
    args.extend_from_slice(extra);
    p.run(&args)
}

/// Runs a rule twice on the big backlog: each run succeeds, changes `budget` tickets and
/// says what is left.
async fn works_off_in_bounded_runs(name: &str, extra: &[&str], budget: usize) {
    let p = project();
    let before = snapshot(&p).await;
    let first = run(&p, name, extra);
    assert!(first.status.success(), "{name}: {}", stderr(&first));
    assert!(
        stderr(&first).contains("left for the next run"),
        "{name}: {}",
        stderr(&first)
    );
    let middle = snapshot(&p).await;
    assert_eq!(changed(&before, &middle), budget, "{name}: the first run");
    let second = run(&p, name, extra);
    assert!(second.status.success(), "{name}: {}", stderr(&second));
    let after = snapshot(&p).await;
    assert_eq!(changed(&middle, &after), budget, "{name}: the second run");
    assert_eq!(
        changed(&before, &after),
        2 * budget,
        "{name}: other tickets"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_stale_closes_its_budget_per_run() {
    works_off_in_bounded_runs("close_stale.rhai", &[], 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_escalate_escalates_its_budget_per_run() {
    works_off_in_bounded_runs("auto_escalate.rhai", &[], 50).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assign_round_robin_assigns_its_budget_per_run() {
    works_off_in_bounded_runs("assign_round_robin.rhai", &[], 100).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_first_response_escalates_its_budget_per_run() {
    works_off_in_bounded_runs("sla_first_response.rhai", &[], 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_report_counts_every_open_ticket_and_writes_nothing() {
    let p = project();
    let before = snapshot(&p).await;
    let out = run(&p, "daily_report.rhai", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sb = Sandbox::open(&p.path().join("s.db")).unwrap();
    let open = {
        let mut n = 0;
        let mut after = None;
        loop {
            let page = sb
                .list(&ListParams {
                    limit: Some(100),
                    after: after.clone(),
                    properties: vec!["hs_pipeline_stage".into()],
                    ..Default::default()
                })
                .await
                .unwrap();
            n += page
                .results
                .iter()
                .filter(|t| t.prop("hs_pipeline_stage") != Some("4"))
                .count();
            match page.next_after() {
                Some(a) => after = Some(a.to_string()),
                None => break,
            }
        }
        n
    };
    let report = stdout(&out);
    assert!(open > 10_000, "{open}");
    assert!(
        report.contains(&format!("CET: {open}\n")) || report.contains(&format!("CEST: {open}\n")),
        "report counts {open} open tickets:\n{report}"
    );
    // The figures add up: stages and ages each cover every open ticket.
    let section = |title: &str| -> usize {
        report
            .split(title)
            .nth(1)
            .unwrap()
            .lines()
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .map(|l| {
                l.rsplit(": ")
                    .next()
                    .unwrap()
                    .trim()
                    .parse::<usize>()
                    .unwrap()
            })
            .sum()
    };
    assert_eq!(section("By stage:"), open, "{report}");
    assert_eq!(section("By priority:"), open, "{report}");
    assert_eq!(section("By age:"), open, "{report}");
    assert!(report.contains("Oldest open ticket: #"), "{report}");
    assert_eq!(snapshot(&p).await, before);
}
