//! Issue 13 end to end, with the real binary: scripts with `on = [...]` run once per ticket
//! event, with the right old and new values, whether the daemon learns of it through its change
//! feed, through webhooks that `serve --webhook-url` sends, or both; a daemon restarted after
//! changes made while it was down delivers each of them once; a forged, stale or repeated
//! webhook runs nothing; two rules that would ping-pong stop after a bounded number of rounds.
//!
//! Scripts print a marker (`EVENT kind id old->new source`) that the daemon logs on stderr.
//! "Exactly once" is checked without waiting for something not to happen: events of a ticket
//! are handled in order, so once a later event's marker is there, a duplicate of an earlier one
//! would be there too. Deadlines are generous; nothing is timed.

use std::time::Duration;

use hubscript::model::webhook::{sign_v3, SIGNATURE_V3_HEADER, TIMESTAMP_HEADER};
use hubscript::state::{RunFilter, RunRecord, StateDb};

use crate::util::bin::{start_serve, stderr, Project};
use crate::util::child::{Spawned, Stream};

/// How long to wait for an expected event.
const WAIT: Duration = Duration::from_secs(60);
/// Start-up and shutdown bound.
const START: Duration = Duration::from_secs(60);
const SECRET: &str = "app-secret-for-tests";

const LISTENER: &str = r#"//! on = ["ticket.created", "ticket.changed:hs_pipeline_stage", "ticket.archived"]
let t = event::ticket();
let c = event::changes();
let s = "-";
if "hs_pipeline_stage" in c {
    let ch = c.hs_pipeline_stage;
    let old = if ch.from == () { "none" } else { ch.from };
    s = `${old}->${ch.to}`;
}
print(`EVENT ${event::kind()} ${t.id} ${s} ${event::source()}`);
"#;

fn project() -> Project {
    let p = Project::new();
    p.reset_sandbox(10);
    p.file("scripts/ev.rhai", LISTENER);
    p.file(
        "create.rhai",
        "tickets::create(#{ subject: \"e2e\", hs_pipeline_stage: \"1\", hs_ticket_priority: \"LOW\" });",
    );
    p.file(
        "stage.rhai",
        "tickets::update(run::arg(\"id\"), #{ hs_pipeline_stage: run::arg(\"stage\") });",
    );
    p.file(
        "touch.rhai",
        "tickets::update(run::arg(\"id\"), #{ subject: `touched ${now()}` });",
    );
    p.file("archive.rhai", "tickets::delete(run::arg(\"id\"));");
    p
}

/// Runs a write script against `backend` (`--sandbox s.db` or `--api URL`).
fn write(p: &Project, script: &str, backend: &[&str], args: &[&str]) {
    let mut a = vec!["run", script];
    a.extend_from_slice(backend);
    for arg in args {
        a.extend(["--arg", arg]);
    }
    let out = p.run(&a);
    assert!(out.status.success(), "{script}: {}", stderr(&out));
}

fn daemon(p: &Project, extra: &[&str]) -> Spawned {
    let mut args = vec!["daemon", "scripts", "--sandbox", "s.db"];
    args.extend_from_slice(extra);
    let mut cmd = p.cmd(&args);
    cmd.env("HUBSPOT_CLIENT_SECRET", SECRET);
    let d = Spawned::spawn(cmd);
    d.expect_line(Stream::Err, "daemon started", START);
    d
}

/// The address the daemon's webhook receiver listens on.
fn webhook_addr(d: &Spawned) -> String {
    let line = d
        .matching(Stream::Err, |l| l.contains("receiving HubSpot webhooks on"))
        .remove(0)
        .text;
    line.split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string()
}

fn markers(d: &Spawned, needle: &str) -> usize {
    d.count(Stream::Err, |l| l.contains(needle))
}

fn wait_marker(d: &Spawned, needle: &str) {
    assert!(
        d.wait_count(Stream::Err, 1, WAIT, |l| l.contains(needle)),
        "no {needle:?}\n{}",
        d.dump()
    );
}

/// The id of the ticket the `ticket.created` marker names.
fn created_id(d: &Spawned) -> String {
    wait_marker(d, "EVENT ticket.created ");
    let line = d
        .matching(Stream::Err, |l| l.contains("EVENT ticket.created "))
        .remove(0)
        .text;
    let rest = line.split("EVENT ticket.created ").nth(1).unwrap();
    rest.split_whitespace().next().unwrap().to_string()
}

fn event_runs(p: &Project) -> Vec<RunRecord> {
    let db = StateDb::open(&p.path().join(".hubscript/state.db")).unwrap();
    db.runs(&RunFilter {
        script: Some("ev".into()),
        failed: false,
        limit: 10_000,
        ..RunFilter::default()
    })
    .unwrap()
}

/// Creates a ticket, changes its stage, touches an unwatched property and archives it through
/// `backend`, and checks the listener ran once for each event, with the right values.
fn create_change_archive(p: &Project, d: &mut Spawned, backend: &[&str], source: &str) {
    write(p, "create.rhai", backend, &[]);
    let id = created_id(d);
    assert!(
        markers(d, &format!("EVENT ticket.created {id} none->1 {source}")) == 1,
        "{}",
        d.dump()
    );
    let id_arg = format!("id={id}");
    write(p, "stage.rhai", backend, &[&id_arg, "stage=2"]);
    wait_marker(d, &format!("EVENT ticket.changed {id} 1->2 "));
    write(p, "touch.rhai", backend, &[&id_arg]);
    write(p, "archive.rhai", backend, &[&id_arg]);
    wait_marker(d, &format!("EVENT ticket.archived {id} "));
    let status = d.terminate(START);
    assert_eq!(status.code(), Some(0), "{}", d.dump());
    // Each event once; the touch of an unwatched property is none.
    for kind in ["created", "changed", "archived"] {
        assert_eq!(
            markers(d, &format!("EVENT ticket.{kind} {id} ")),
            1,
            "ticket.{kind}\n{}",
            d.dump()
        );
    }
    let runs = event_runs(p);
    assert_eq!(runs.len(), 3, "{runs:?}");
    assert!(runs.iter().all(|r| r.trigger == "event"), "{runs:?}");
}

#[test]
fn the_feed_runs_a_script_once_per_create_change_and_archive() {
    let p = project();
    let mut d = daemon(&p, &["--feed-interval", "200ms"]);
    create_change_archive(&p, &mut d, &["--sandbox", "s.db"], "feed");
}

/// Starts a daemon receiving webhooks, then `serve` on the same sandbox file sending them.
fn with_webhooks(p: &Project, extra: &[&str]) -> (Spawned, Spawned, String) {
    let mut args = vec!["--webhooks", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let d = daemon(p, &args);
    let hooks = format!("{}/hubspot/webhooks", webhook_addr(&d));
    let mut cmd = p.cmd(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--sandbox",
        "s.db",
        "--webhook-url",
        &hooks,
    ]);
    cmd.env("HUBSPOT_CLIENT_SECRET", SECRET);
    let (server, url) = start_serve(cmd);
    (d, server, url)
}

#[test]
fn webhooks_from_serve_run_a_script_once_per_create_change_and_archive() {
    let p = project();
    let (mut d, mut server, url) = with_webhooks(&p, &["--no-feed"]);
    create_change_archive(&p, &mut d, &["--api", &url], "webhook");
    server.terminate(START);
}

#[test]
fn feed_and_webhooks_together_run_each_change_once() {
    let p = project();
    let (mut d, mut server, url) = with_webhooks(&p, &["--feed-interval", "200ms"]);
    create_change_archive(&p, &mut d, &["--api", &url], "");
    server.terminate(START);
}

#[test]
fn a_restarted_daemon_delivers_the_changes_made_while_it_was_down_once() {
    let p = project();
    let sandbox = ["--sandbox", "s.db"];
    let mut d = daemon(&p, &["--feed-interval", "200ms"]);
    write(&p, "create.rhai", &sandbox, &[]);
    let id = created_id(&d);
    assert_eq!(d.terminate(START).code(), Some(0), "{}", d.dump());
    let id_arg = format!("id={id}");
    write(&p, "stage.rhai", &sandbox, &[&id_arg, "stage=2"]);
    write(&p, "touch.rhai", &sandbox, &[&id_arg]);
    let mut d = daemon(&p, &["--feed-interval", "200ms"]);
    wait_marker(&d, &format!("EVENT ticket.changed {id} 1->2 feed"));
    // A later change, so the first is known to have been handled (in order) before we count.
    write(&p, "stage.rhai", &sandbox, &[&id_arg, "stage=3"]);
    wait_marker(&d, &format!("EVENT ticket.changed {id} 2->3 feed"));
    assert_eq!(d.terminate(START).code(), Some(0), "{}", d.dump());
    assert_eq!(
        markers(&d, &format!("EVENT ticket.changed {id} 1->2 ")),
        1,
        "{}",
        d.dump()
    );
    assert_eq!(markers(&d, "EVENT ticket.created"), 0, "{}", d.dump());
    // created, 1->2, 2->3: three runs over both daemons.
    assert_eq!(event_runs(&p).len(), 3);
}

fn post(url: &str, body: &str, timestamp: i64, secret: &str) -> u16 {
    let ts = timestamp.to_string();
    let sig = sign_v3(secret.as_bytes(), "POST", url, body.as_bytes(), &ts);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, ts)
            .header(SIGNATURE_V3_HEADER, sig)
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    })
}

fn stage_change(event_id: i64, ticket: &str, stage: &str) -> String {
    let now = chrono::Utc::now().timestamp_millis();
    format!(
        r#"[{{"eventId":{event_id},"subscriptionId":1,"portalId":1,"appId":1,"occurredAt":{now},"subscriptionType":"ticket.propertyChange","attemptNumber":0,"objectId":{ticket},"propertyName":"hs_pipeline_stage","propertyValue":"{stage}","changeSource":"CRM_UI"}}]"#
    )
}

#[test]
fn forged_stale_and_repeated_webhooks_run_nothing() {
    let p = project();
    // Tickets 3, 4 and 5 are in stage 1 before the daemon starts and in stage 2 after (no
    // webhooks from these writes: the sandbox file is written directly).
    let stage = |id: &str, stage: &str| {
        let args = [format!("id={id}"), format!("stage={stage}")];
        write(
            &p,
            "stage.rhai",
            &["--sandbox", "s.db"],
            &[&args[0], &args[1]],
        );
    };
    for id in ["3", "4", "5"] {
        stage(id, "1");
    }
    let mut d = daemon(&p, &["--webhooks", "127.0.0.1:0", "--no-feed"]);
    let url = format!("{}/hooks", webhook_addr(&d));
    for id in ["3", "4", "5"] {
        stage(id, "2");
    }
    let now = chrono::Utc::now().timestamp_millis();
    let forged = stage_change(1, "3", "2");
    assert_eq!(post(&url, &forged, now, "not-the-secret"), 401);
    let stale = stage_change(2, "3", "2");
    assert_eq!(post(&url, &stale, now - 6 * 60 * 1000, SECRET), 401);
    // A valid one runs the script, once even when HubSpot sends it again.
    let valid = stage_change(3, "4", "2");
    assert_eq!(post(&url, &valid, now, SECRET), 204);
    wait_marker(&d, "EVENT ticket.changed 4 ");
    assert_eq!(post(&url, &valid, now, SECRET), 204);
    let later = stage_change(4, "5", "2");
    assert_eq!(post(&url, &later, now, SECRET), 204);
    wait_marker(&d, "EVENT ticket.changed 5 ");
    assert_eq!(d.terminate(START).code(), Some(0), "{}", d.dump());
    assert_eq!(markers(&d, "EVENT ticket.changed 4 "), 1, "{}", d.dump());
    assert_eq!(markers(&d, "EVENT ticket.changed 3 "), 0, "{}", d.dump());
    assert_eq!(
        d.count(Stream::Err, |l| l.contains("webhook request refused (401)")),
        2,
        "{}",
        d.dump()
    );
    // The old value comes from HubSpot's property history (ticket 4 was never seen before).
    let line = d
        .matching(Stream::Err, |l| l.contains("EVENT ticket.changed 4 "))
        .remove(0)
        .text;
    assert!(line.contains(" 1->2 webhook"), "{line}");
}

#[test]
fn two_rules_that_would_ping_pong_stop_after_the_round_bound() {
    let p = project();
    // A moves the stage when the priority changes; B flips the priority when the stage changes.
    p.file(
        "scripts/a.rhai",
        r#"//! on = ["ticket.changed:hs_ticket_priority"]
let t = event::ticket();
let p = event::changes().hs_ticket_priority.to;
print(`A ${t.id} ${p}`);
tickets::update(t.id, #{ hs_pipeline_stage: if p == "HIGH" { "2" } else { "3" } });
"#,
    );
    p.file(
        "scripts/b.rhai",
        r#"//! on = ["ticket.changed:hs_pipeline_stage"]
let t = event::ticket();
let s = event::changes().hs_pipeline_stage.to;
print(`B ${t.id} ${s}`);
tickets::update(t.id, #{ hs_ticket_priority: if s == "2" { "LOW" } else { "HIGH" } });
"#,
    );
    std::fs::remove_file(p.path().join("scripts/ev.rhai")).unwrap();
    p.file(
        "start.rhai",
        "tickets::update(\"2\", #{ hs_pipeline_stage: \"1\", hs_ticket_priority: \"MEDIUM\" });",
    );
    p.file(
        "kick.rhai",
        "tickets::update(\"2\", #{ hs_ticket_priority: \"HIGH\" });",
    );
    let sandbox = ["--sandbox", "s.db"];
    write(&p, "start.rhai", &sandbox, &[]);
    let mut d = daemon(&p, &["--feed-interval", "200ms", "--event-rounds", "3"]);
    write(&p, "kick.rhai", &sandbox, &[]);
    wait_marker(&d, "loop stopped: ticket 2 was changed by 4 rounds");
    assert_eq!(d.terminate(START).code(), Some(0), "{}", d.dump());
    // Rounds 0 to 3 ran (A, B, A, B); the change of round 4 started nothing.
    let a = d.count(Stream::Err, |l| l.contains("INFO  a: A 2 "));
    let b = d.count(Stream::Err, |l| l.contains("INFO  b: B 2 "));
    assert_eq!((a, b), (2, 2), "{}", d.dump());
}

#[test]
fn a_script_is_not_started_again_by_its_own_change() {
    let p = project();
    std::fs::remove_file(p.path().join("scripts/ev.rhai")).unwrap();
    // `fix` raises any priority change to HIGH: its own change must not start it again.
    // `watcher` sees every priority change, `fix`'s included.
    p.file(
        "scripts/fix.rhai",
        r#"//! on = ["ticket.changed:hs_ticket_priority"]
let t = event::ticket();
print(`FIX ${t.id} ${event::changes().hs_ticket_priority.to}`);
if event::changes().hs_ticket_priority.to != "HIGH" {
    tickets::update(t.id, #{ hs_ticket_priority: "HIGH" });
}
"#,
    );
    p.file(
        "scripts/watcher.rhai",
        r#"//! on = ["ticket.changed:hs_ticket_priority"]
print(`SAW ${event::ticket().id} ${event::changes().hs_ticket_priority.to}`);
"#,
    );
    p.file(
        "lower.rhai",
        "tickets::update(\"2\", #{ hs_ticket_priority: \"LOW\" });",
    );
    p.file(
        "medium.rhai",
        "tickets::update(\"2\", #{ hs_ticket_priority: \"MEDIUM\" });",
    );
    let sandbox = ["--sandbox", "s.db"];
    write(&p, "medium.rhai", &sandbox, &[]);
    let mut d = daemon(&p, &["--feed-interval", "200ms"]);
    write(&p, "lower.rhai", &sandbox, &[]);
    // The watcher's run for fix's change is decided together with fix's (skipped) one.
    wait_marker(&d, "INFO  watcher: SAW 2 HIGH");
    assert_eq!(d.terminate(START).code(), Some(0), "{}", d.dump());
    assert_eq!(
        d.count(Stream::Err, |l| l.contains("INFO  fix: FIX 2 ")),
        1,
        "{}",
        d.dump()
    );
    assert_eq!(
        d.count(Stream::Err, |l| l.contains("INFO  watcher: SAW 2 LOW")),
        1,
        "{}",
        d.dump()
    );
}

#[test]
fn reenroll_once_runs_a_script_once_per_ticket() {
    let p = project();
    std::fs::remove_file(p.path().join("scripts/ev.rhai")).unwrap();
    p.file(
        "scripts/once.rhai",
        "//! on = [\"ticket.changed:hs_pipeline_stage\"]\n//! reenroll = \"once\"\nprint(`ONCE ${event::ticket().id} ${event::changes().hs_pipeline_stage.to}`);\n",
    );
    p.file(
        "scripts/every.rhai",
        "//! on = [\"ticket.changed:hs_pipeline_stage\"]\nprint(`EVERY ${event::ticket().id} ${event::changes().hs_pipeline_stage.to}`);\n",
    );
    let sandbox = ["--sandbox", "s.db"];
    write(&p, "stage.rhai", &sandbox, &["id=2", "stage=1"]);
    let mut d = daemon(&p, &["--feed-interval", "200ms"]);
    write(&p, "stage.rhai", &sandbox, &["id=2", "stage=2"]);
    wait_marker(&d, "INFO  every: EVERY 2 2");
    write(&p, "stage.rhai", &sandbox, &["id=2", "stage=3"]);
    // Both scripts are decided on together for each change: once `every` ran for the second,
    // `once` was skipped for it.
    wait_marker(&d, "INFO  every: EVERY 2 3");
    assert_eq!(d.terminate(START).code(), Some(0), "{}", d.dump());
    let once: Vec<String> = d
        .matching(Stream::Err, |l| l.contains("INFO  once: ONCE 2 "))
        .into_iter()
        .map(|l| l.text)
        .collect();
    assert_eq!(once.len(), 1, "{}", d.dump());
    assert!(once[0].ends_with("ONCE 2 2"), "{once:?}");
}
