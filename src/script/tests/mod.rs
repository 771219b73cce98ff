//! Tests of the script host end to end: scripts run through `ScriptHost::run` on a
//! multi-thread runtime against the in-memory [`crate::backend::fake::FakeBackend`] backend.

mod data_limits;
mod render;
mod repl;
mod safety;
mod sla;

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::plan::PlanChange;
use super::{RunOptions, RunOutcome, RunRequest, ScriptError, ScriptHost};
use crate::backend::fake::FakeBackend;
use crate::state::{RunStatus, StateDb};

fn host(fake: &Arc<FakeBackend>) -> ScriptHost {
    ScriptHost::new(
        fake.clone(),
        StateDb::in_memory().unwrap(),
        tokio::runtime::Handle::current(),
    )
}

fn request(src: &str, options: RunOptions) -> RunRequest {
    RunRequest {
        path: "t.rhai".into(),
        source: src.to_string(),
        options: RunOptions {
            trigger: "run".into(),
            ..options
        },
        cancel: CancellationToken::new(),
        on_log: None,
        on_print: None,
        on_start: None,
    }
}

async fn run(fake: &Arc<FakeBackend>, src: &str, options: RunOptions) -> RunOutcome {
    host(fake).run(request(src, options)).await
}

fn ok(o: &RunOutcome) {
    if let Some(e) = &o.error {
        panic!("run failed:\n{}", e.render());
    }
    assert_eq!(o.status, RunStatus::Ok);
}

fn messages(o: &RunOutcome) -> Vec<String> {
    o.log
        .iter()
        .map(|l| format!("{}: {}", l.level, l.message))
        .collect()
}

const READ_THEN_UPDATE: &str = r#"
        let t = tickets::get("1");
        if t.properties.hs_ticket_priority == "HIGH" {
            let u = tickets::update(t.id, #{ hs_ticket_priority: "URGENT" });
            print(`now ${u.properties.hs_ticket_priority}`);
        }
        "#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_plans_then_applies_its_writes() {
    let fake = Arc::new(FakeBackend::numbered(3, 10));
    let o = run(&fake, READ_THEN_UPDATE, RunOptions::default()).await;
    ok(&o);
    assert_eq!(
        fake.prop(1, "hs_ticket_priority").as_deref(),
        Some("URGENT")
    );
    assert_eq!(messages(&o), vec!["info: now URGENT"]);
    // API reads: the get, the planned update's read of hs_pipeline (the fake's get does not
    // return it), the property definitions and pipelines (validation) and the drift check;
    // one write. Tickets read: only the script's get (issue 16: the update's own look-up is
    // not a ticket the script read, so dry and immediate runs report the same number).
    assert_eq!(
        (
            o.summary.reads,
            o.summary.writes,
            o.summary.planned,
            o.summary.applied
        ),
        (1, 1, 1, 1)
    );
    assert_eq!((o.summary.api_reads, o.summary.api_writes), (5, 1));
    assert_eq!(o.summary.api_calls, 6);
    assert_eq!(o.plan.entries.len(), 1);
    assert!(o.apply.as_ref().is_some_and(|r| r.is_complete()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immediate_script_reads_and_updates_through_the_runner() {
    let fake = Arc::new(FakeBackend::numbered(3, 10));
    let o = run(
        &fake,
        r#"//! apply = "immediate"
        let t = tickets::get("1");
        if t.properties.hs_ticket_priority == "HIGH" {
            let u = tickets::update(t.id, #{ hs_ticket_priority: "URGENT" });
            print(`now ${u.properties.hs_ticket_priority}`);
        }
        "#,
        RunOptions::default(),
    )
    .await;
    ok(&o);
    assert_eq!(
        fake.prop(1, "hs_ticket_priority").as_deref(),
        Some("URGENT")
    );
    assert_eq!(messages(&o), vec!["info: now URGENT"]);
    assert_eq!(
        (o.summary.reads, o.summary.writes, o.summary.api_calls),
        (1, 1, 2)
    );
    assert_eq!((o.summary.api_reads, o.summary.api_writes), (1, 1));
    assert!(o.plan.is_empty());
}

/// A ticket a dry run creates lands where HubSpot puts it (the default pipeline, its first
/// stage), so later reads show it and later writes are judged from there, as in the real run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_created_ticket_knows_its_pipeline_and_stage() {
    let fake = Arc::new(FakeBackend::numbered(3, 10));
    let o = run(
        &fake,
        r#"
        let c = tickets::create(#{ subject: "new one" });
        // Like the backend's answer (issue 16, item 5): the defaults it fills in are there.
        if c.properties.hs_pipeline != "0" || c.properties.hs_pipeline_stage != "1" || c.properties.createdate == () { throw "create returns the backend's defaults"; }
        let again = tickets::get(c.id);
        print(`${again.properties.hs_pipeline}/${again.properties.hs_pipeline_stage}`);
        let u = tickets::update(c.id, #{ subject: "renamed" });
        if "hs_pipeline_stage" in u.properties { throw "update returns only what was sent"; }
        try { tickets::update(c.id, #{ hs_pipeline_stage: "2" }); print("planned?!"); }
        catch (e) { print(`refused ${e.status}`); }
        "#,
        RunOptions {
            dry_run: true,
            ..RunOptions::default()
        },
    )
    .await;
    ok(&o);
    assert_eq!(messages(&o), vec!["info: 0/1", "info: refused 400"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_plans_and_never_writes() {
    let fake = Arc::new(FakeBackend::numbered(3, 10));
    let o = run(
        &fake,
        r#"
        let u = tickets::update("1", #{ hs_ticket_priority: "URGENT" });
        if u.properties.hs_ticket_priority != "URGENT" { throw "update did not return the change"; }
        let again = tickets::get("1");
        if again.properties.hs_ticket_priority != "URGENT" { throw "read did not see the plan"; }
        let c = tickets::create(#{ subject: "new one", hs_pipeline: "0", hs_pipeline_stage: "1" });
        if c.id != "dry-run-1" { throw `unexpected id ${c.id}`; }
        tickets::update_many([#{ id: "2", properties: #{ subject: "renamed" } }]);
        tickets::delete("3");
        tickets::archive_many(["2"]);
        if !run::dry_run() { throw "not a dry run"; }
        "#,
        RunOptions {
            dry_run: true,
            ..RunOptions::default()
        },
    )
    .await;
    ok(&o);
    assert_eq!(fake.writes(), 0);
    assert_eq!(fake.prop(1, "hs_ticket_priority").as_deref(), Some("HIGH"));
    assert_eq!(o.summary.writes, 4);
    let first = &o.plan.entries[0];
    assert_eq!(first.ticket, "1");
    assert_eq!(
        first.change,
        PlanChange::Set {
            property: "hs_ticket_priority".into(),
            old: Some("HIGH".into()),
            new: "URGENT".into()
        }
    );
    let kinds: Vec<&str> = o
        .plan
        .entries
        .iter()
        .map(|e| match e.change {
            PlanChange::Set { .. } => "set",
            PlanChange::Created { .. } => "created",
            PlanChange::Archived => "archived",
            PlanChange::Logged { .. } => "logged",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, vec!["set", "created", "set", "archived", "archived"]);
    let table = o.plan.render_table();
    assert!(
        table.contains("HIGH") && table.contains("URGENT") && table.contains("renamed"),
        "{table}"
    );
}

const FOUR_UPDATES: &str =
    "for id in [\"1\", \"2\", \"1\", \"3\"] {\n    tickets::update(id, #{ subject: \"x\" });\n}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_writes_stops_before_ticket_n_plus_one() {
    let fake = Arc::new(FakeBackend::numbered(3, 10));
    let o = run(
        &fake,
        FOUR_UPDATES,
        RunOptions {
            max_writes: Some(2),
            ..RunOptions::default()
        },
    )
    .await;
    assert_eq!(o.status, RunStatus::Failed);
    let Some(ScriptError::WriteLimit(d)) = &o.error else {
        panic!("{:?}", o.error)
    };
    assert_eq!(d.line, Some(2));
    assert!(
        d.message.contains("ticket number 3") && d.message.contains("at most 2"),
        "{}",
        d.message
    );
    // Uncaught: the script failed, so nothing of its plan is applied.
    assert_eq!(fake.writes(), 0);
    assert_eq!(fake.prop(1, "subject").as_deref(), Some("ticket 1"));
    assert_eq!(fake.prop(3, "subject").as_deref(), Some("ticket 3"));
    assert_eq!((o.summary.planned, o.summary.writes), (2, 0));
    assert!(o.apply.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immediate_run_stops_before_ticket_n_plus_one() {
    let fake = Arc::new(FakeBackend::numbered(3, 10));
    let src = format!("//! apply = \"immediate\"\n{FOUR_UPDATES}");
    let o = run(
        &fake,
        &src,
        RunOptions {
            max_writes: Some(2),
            ..RunOptions::default()
        },
    )
    .await;
    assert_eq!(o.status, RunStatus::Failed);
    let Some(ScriptError::WriteLimit(d)) = &o.error else {
        panic!("{:?}", o.error)
    };
    assert_eq!(d.line, Some(3));
    assert!(d.message.contains("ticket number 3"), "{}", d.message);
    assert_eq!(fake.writes(), 3);
    assert_eq!(fake.prop(3, "subject").as_deref(), Some("ticket 3"));
    assert_eq!(o.summary.writes, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_that_catches_write_limit_ends_with_exactly_n_tickets_changed() {
    let fake = Arc::new(FakeBackend::numbered(5, 10));
    let src = r#"//! max_writes = 2
        let done = [];
        try {
            for id in ["1", "2", "3", "4"] {
                tickets::update(id, #{ subject: "capped" });
                done.push(id);
                state::set("last", id);
            }
        } catch (e) {
            if e.category != "WRITE_LIMIT" { throw e; }
            print(`stopped: ${run::writes_left()} left, ${e.changed} changed`);
        }
        state::set("done", done.len());
        "#;
    let state = StateDb::in_memory().unwrap();
    let h = ScriptHost::new(
        fake.clone(),
        state.clone(),
        tokio::runtime::Handle::current(),
    );
    let o = h.run(request(src, RunOptions::default())).await;
    ok(&o);
    assert_eq!(messages(&o), vec!["info: stopped: 0 left, 2 changed"]);
    let changed: Vec<u64> = (1..=5)
        .filter(|id| fake.prop(*id, "subject").as_deref() == Some("capped"))
        .collect();
    assert_eq!(changed, vec![1, 2]);
    assert_eq!(
        (o.summary.planned, o.summary.applied, o.summary.writes),
        (2, 2, 2)
    );
    assert_eq!(
        state.kv_get("t", "last").unwrap(),
        Some(serde_json::json!("2"))
    );
    assert_eq!(
        state.kv_get("t", "done").unwrap(),
        Some(serde_json::json!(2))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hubspot_404_is_catchable_by_status() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let o = run(
        &fake,
        r#"
        try {
            tickets::get("999");
        } catch (e) {
            if e.status == 404 && e.category == "OBJECT_NOT_FOUND" && e.correlationId != "" {
                log::warn("ticket 999 is gone");
            }
        }
        "#,
        RunOptions::default(),
    )
    .await;
    ok(&o);
    assert_eq!(messages(&o), vec!["warn: ticket 999 is gone"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncaught_hubspot_error_is_reported_at_the_call() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let o = run(
        &fake,
        "let a = 1;\nlet t = tickets::get(\"999\");\n",
        RunOptions::default(),
    )
    .await;
    let Some(ScriptError::HubSpot {
        status,
        category,
        diagnostic,
        ..
    }) = &o.error
    else {
        panic!("{:?}", o.error)
    };
    assert_eq!((*status, category.as_str()), (404, "OBJECT_NOT_FOUND"));
    assert_eq!((diagnostic.line, diagnostic.column), (Some(2), Some(9)));
    assert_eq!(o.error.as_ref().map(ScriptError::exit_code), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hubspot_search_form_and_list_iterate_lazily() {
    let fake = Arc::new(FakeBackend::numbered(5, 2));
    let o = run(
        &fake,
        r#"
        let body = #{ filterGroups: [#{ filters: [#{ propertyName: "hs_ticket_priority", operator: "EQ", value: "LOW" }] }], limit: 1 };
        for t in tickets::search(body) { print(`search ${t.id}`); }
        let n = 0;
        for t in tickets::list() { n += 1; }
        print(`list ${n}`);
        "#,
        RunOptions::default(),
    )
    .await;
    ok(&o);
    assert_eq!(messages(&o), vec!["info: search 2", "info: list 5"]);
    assert_eq!(fake.search_count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_persists_across_runs_but_not_from_a_dry_run() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let h = host(&fake);
    let src = "let n = state::get(\"count\", 0);\nstate::set(\"count\", n + 1);\nprint(`count ${n + 1}`);\n";
    for expected in ["info: count 1", "info: count 2"] {
        let o = h.run(request(src, RunOptions::default())).await;
        ok(&o);
        assert_eq!(messages(&o), vec![expected]);
    }
    let o = h
        .run(request(
            src,
            RunOptions {
                dry_run: true,
                ..RunOptions::default()
            },
        ))
        .await;
    assert_eq!(messages(&o), vec!["info: count 3"]);
    let o = h.run(request(src, RunOptions::default())).await;
    assert_eq!(messages(&o), vec!["info: count 3"]);
}

/// `state::add` counts in the store: other writers' increments between runs count too, a dry
/// run counts for itself only, and what is not a number is refused with its line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_add_counts_in_the_store() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let state = StateDb::in_memory().unwrap();
    let h = ScriptHost::new(
        fake.clone(),
        state.clone(),
        tokio::runtime::Handle::current(),
    );
    let src = "let n = state::add(\"count\", 1);\nprint(`count ${n}`);\n";
    for expected in ["info: count 1", "info: count 2"] {
        let o = h.run(request(src, RunOptions::default())).await;
        ok(&o);
        assert_eq!(messages(&o), vec![expected]);
    }
    // Another daemon adds 10 meanwhile.
    state.kv_add("t", "count", &serde_json::json!(10)).unwrap();
    let dry = RunOptions {
        dry_run: true,
        ..RunOptions::default()
    };
    let o = h.run(request(src, dry)).await;
    assert_eq!(messages(&o), vec!["info: count 13"]);
    assert_eq!(
        state.kv_get("t", "count").unwrap(),
        Some(serde_json::json!(12))
    );
    let o = h.run(request(src, RunOptions::default())).await;
    ok(&o);
    assert_eq!(
        state.kv_get("t", "count").unwrap(),
        Some(serde_json::json!(13))
    );
    let o = h
        .run(request(
            "state::set(\"name\", \"x\");\nstate::add(\"name\", 1);\n",
            RunOptions::default(),
        ))
        .await;
    assert_eq!(o.status, RunStatus::Failed);
    let e = o.error.unwrap().render();
    assert!(
        e.contains("t.rhai:2") && e.contains("stored value \"x\" is not a number"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_pages_lazily() {
    let fake = Arc::new(FakeBackend::numbered(5, 2));
    let o = run(
        &fake,
        "for t in tickets::search(#{ hs_ticket_priority: \"HIGH\" }) { print(t.id); break; }",
        RunOptions::default(),
    )
    .await;
    ok(&o);
    assert_eq!(fake.search_count(), 1);
    let fake = Arc::new(FakeBackend::numbered(5, 2));
    let o = run(
        &fake,
        "for t in tickets::search(#{ hs_ticket_priority: \"HIGH\" }) { print(t.id); }",
        RunOptions::default(),
    )
    .await;
    ok(&o);
    assert_eq!(messages(&o), vec!["info: 1", "info: 3", "info: 5"]);
    assert_eq!(fake.search_count(), 2);
    let o = run(&fake, "let q = tickets::list(#{ limit: 3 }); print(q.to_array().len()); print(tickets::search(#{ hs_pipeline_stage: \"3\" }).len());", RunOptions::default()).await;
    ok(&o);
    assert_eq!(messages(&o), vec!["info: 3", "info: 5"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelines_resolve_labels_and_args_reach_the_script() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let mut options = RunOptions::default();
    options.args.insert("who".into(), "ops".into());
    let o = run(
        &fake,
        r#"
        let s = pipelines::stage_id("Support Pipeline", "waiting on us");
        print(`${s} ${pipelines::is_closed("4")} ${run::arg("who")} ${run::arg("none", "-")}`);
        let t = tickets::get("1");
        print(`${t.prop("nope")} ${ago("1h") < now()} ${duration("2h") == hours(2)}`);
        "#,
        options,
    )
    .await;
    ok(&o);
    assert_eq!(messages(&o), vec!["info: 3 true ops -", "info:  true true"]);
    assert_eq!(o.summary.api_calls, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_run_is_recorded_in_the_state_store() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let state = StateDb::in_memory().unwrap();
    let h = ScriptHost::new(
        fake.clone(),
        state.clone(),
        tokio::runtime::Handle::current(),
    );
    let o = h
        .run(request("throw \"boom\";", RunOptions::default()))
        .await;
    let rec = state.run(o.run_id.unwrap()).unwrap().unwrap();
    assert_eq!(rec.status, RunStatus::Failed);
    assert_eq!(rec.script, "t");
    assert!(rec.error.unwrap().contains("boom"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_ends_a_run_cleanly_and_the_reference_builds_inside_a_runtime() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let o = run(
        &fake,
        "print(\"a\");\nexit();\nprint(\"b\");\n",
        RunOptions::default(),
    )
    .await;
    ok(&o);
    assert_eq!(messages(&o), vec!["info: a"]);
    assert!(super::api_reference_markdown().contains("`tickets::update("));
}

#[test]
fn the_reference_lists_every_namespace() {
    let md = super::api_reference_markdown();
    for needle in [
        "## `tickets::`",
        "`tickets::get(id: string)`",
        "`tickets::search(filters: map, options: map)`",
        "`pipelines::stage_id(",
        "`state::set(",
        "`ago(duration: string)`",
    ] {
        assert!(md.contains(needle), "missing {needle}:\n{md}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_ticket_is_updated_with_its_real_id() {
    let fake = Arc::new(FakeBackend::numbered(2, 10));
    let o = run(
        &fake,
        r#"
        let t = tickets::create(#{ subject: "made here", hs_pipeline: "0", hs_pipeline_stage: "1" });
        print(`planned as ${t.id}`);
        tickets::update(t.id, #{ hs_ticket_priority: "HIGH" });
        tickets::update("1", #{ subject: t.id });
        "#,
        RunOptions::default(),
    )
    .await;
    ok(&o);
    assert_eq!(messages(&o), vec!["info: planned as new-1"]);
    let report = o.apply.expect("applied");
    let real = report.created["new-1"].clone();
    let id: u64 = real.parse().expect("a real numeric id");
    assert_eq!(fake.prop(id, "subject").as_deref(), Some("made here"));
    assert_eq!(fake.prop(id, "hs_ticket_priority").as_deref(), Some("HIGH"));
    // A property value naming the placeholder gets the real id too.
    assert_eq!(fake.prop(1, "subject").as_deref(), Some(real.as_str()));
    assert_eq!((o.summary.planned, o.summary.applied), (3, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_follows_the_part_of_the_plan_that_was_applied() {
    let mut fake = FakeBackend::numbered(150, 200);
    // The second batch update (tickets 101..150) is refused as a whole.
    fake.failing_batch_calls.insert(1);
    let fake = Arc::new(fake);
    let state = StateDb::in_memory().unwrap();
    let h = ScriptHost::new(
        fake.clone(),
        state.clone(),
        tokio::runtime::Handle::current(),
    );
    let src = r#"
        for n in 1..=150 {
            tickets::update(`${n}`, #{ subject: "done" });
            state::set("last", n);
        }
        "#;
    let o = h.run(request(src, RunOptions::default())).await;
    assert_eq!(o.status, RunStatus::Failed);
    assert!(
        matches!(&o.error, Some(ScriptError::Apply(m)) if m.contains("50 of 150")),
        "{:?}",
        o.error
    );
    assert_eq!((o.summary.applied, o.summary.failed), (100, 50));
    assert_eq!(fake.prop(100, "subject").as_deref(), Some("done"));
    assert_eq!(fake.prop(101, "subject").as_deref(), Some("ticket 101"));
    // The rule's memory says exactly what was done.
    assert_eq!(
        state.kv_get("t", "last").unwrap(),
        Some(serde_json::json!(100))
    );
    let warned = messages(&o);
    assert!(
        warned
            .iter()
            .any(|m| m.starts_with("warn: line 3: ticket 101: failed:")),
        "{warned:?}"
    );
}
