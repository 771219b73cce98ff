//! The state store's test suite, run on both stores: each test is a function of a
//! [`StateDb`], called once on an in-memory SQLite store and once on a fresh schema of the
//! PostgreSQL database named by `HUBSCRIPT_TEST_PG_URL` (`.ci/run` starts one). Without that
//! variable the PostgreSQL half says "skipped: no HUBSCRIPT_TEST_PG_URL" on the terminal (past
//! the test harness's capture) and passes: the SQLite half still runs everywhere.

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

use super::runs::from_millis;
use super::*;
use crate::model::TicketChange;

/// The variable naming the test database.
pub(crate) const PG_URL_ENV: &str = "HUBSCRIPT_TEST_PG_URL";

fn sqlite() -> StateDb {
    StateDb::in_memory().unwrap()
}

/// A fresh, empty schema of the test database as its own store; `None` (said on the
/// terminal) when no test database is configured.
pub(crate) fn postgres(test: &str) -> Option<StateDb> {
    let Some(url) = std::env::var(PG_URL_ENV).ok().filter(|u| !u.is_empty()) else {
        // Straight to the terminal: the harness captures print!/eprint! of passing tests.
        let _ = writeln!(
            std::io::stderr(),
            "state::{test} on PostgreSQL: skipped: no {PG_URL_ENV}"
        );
        return None;
    };
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    create_schema(&url, &schema);
    let sep = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{sep}options=-csearch_path%3D{schema}");
    Some(StateDb::open_location(&StateLocation::Postgres(url)).unwrap())
}

fn create_schema(url: &str, schema: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        let conn = tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        drop(client);
        let _ = conn.await;
    });
}

/// One `#[test]` per store for each suite function.
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                super::$name(&super::sqlite());
            }

            #[test]
            fn postgres() {
                if let Some(db) = super::postgres(stringify!($name)) {
                    super::$name(&db);
                }
            }
        }
    )*};
}

on_both_stores!(
    a_run_is_recorded_from_start_to_end,
    filters_by_status_time_and_backend,
    a_run_records_its_process,
    runs_of_ended_processes_are_settled_as_interrupted,
    settle_does_not_overwrite_a_recorded_end,
    values_are_scoped_by_script,
    fire_times_round_trip_and_never_move_back,
    add_counts_and_refuses_what_is_not_a_number,
    concurrent_adds_from_two_handles_all_count,
    a_fire_is_claimed_once,
    an_event_is_claimed_once_and_claims_end,
    an_expired_claim_is_taken_over_once_and_its_run_interrupted,
    a_renewed_claim_does_not_expire,
    a_claim_is_rerun_at_most_max_attempts_times,
    the_store_is_writable,
    a_change_is_delivered_once_across_handles_and_kept,
    webhook_event_ids_are_new_once,
);

fn values_are_scoped_by_script(db: &StateDb) {
    db.kv_set("a", "k", &json!({"n": 1, "a": [1, "x"]}))
        .unwrap();
    db.kv_set("b", "k", &json!("other")).unwrap();
    assert_eq!(
        db.kv_get("a", "k").unwrap(),
        Some(json!({"n": 1, "a": [1, "x"]}))
    );
    assert_eq!(db.kv_get("b", "k").unwrap(), Some(json!("other")));
    db.kv_set("a", "k", &json!(2)).unwrap();
    assert_eq!(db.kv_get("a", "k").unwrap(), Some(json!(2)));
    assert!(db.kv_remove("a", "k").unwrap());
    assert!(!db.kv_remove("a", "k").unwrap());
    assert_eq!(db.kv_get("a", "k").unwrap(), None);
    db.kv_set("b", "Z", &json!(1)).unwrap();
    db.kv_set("b", "a", &json!(1)).unwrap();
    assert_eq!(db.kv_keys("b").unwrap(), vec!["Z", "a", "k"]);
}

fn fire_times_round_trip_and_never_move_back(db: &StateDb) {
    assert_eq!(db.last_fire("s").unwrap(), None);
    let t = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
    db.set_last_fire("s", t).unwrap();
    assert_eq!(db.last_fire("s").unwrap(), Some(t));
    // A late replica recording an older fire does not undo the newer one.
    db.set_last_fire("s", t - chrono::Duration::minutes(1))
        .unwrap();
    assert_eq!(db.last_fire("s").unwrap(), Some(t));
    let later = t + chrono::Duration::minutes(1);
    db.set_last_fire("s", later).unwrap();
    assert_eq!(db.last_fire("s").unwrap(), Some(later));
}

fn add_counts_and_refuses_what_is_not_a_number(db: &StateDb) {
    assert_eq!(db.kv_add("s", "n", &json!(1)).unwrap(), json!(1));
    assert_eq!(db.kv_add("s", "n", &json!(41)).unwrap(), json!(42));
    assert_eq!(db.kv_get("s", "n").unwrap(), Some(json!(42)));
    assert_eq!(db.kv_add("s", "f", &json!(0.5)).unwrap(), json!(0.5));
    db.kv_set("s", "text", &json!("x")).unwrap();
    let e = db.kv_add("s", "text", &json!(1)).unwrap_err().to_string();
    assert!(e.contains("not a number"), "{e}");
    assert_eq!(db.kv_get("s", "text").unwrap(), Some(json!("x")));
    let e = db.kv_add("s", "n", &json!("1")).unwrap_err().to_string();
    assert!(e.contains("amount \"1\" is not a number"), "{e}");
    assert_eq!(db.kv_get("s", "n").unwrap(), Some(json!(42)));
}

/// Two handles on one store (as two replicas have), each adding from several threads at once:
/// every increment counts.
fn concurrent_adds_from_two_handles_all_count(db: &StateDb) {
    let other = match db.location() {
        StateLocation::File(p) if p.as_os_str() == ":memory:" => db.clone(),
        loc => StateDb::open_location(loc).unwrap(),
    };
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let h = if i % 2 == 0 {
                db.clone()
            } else {
                other.clone()
            };
            std::thread::spawn(move || {
                for _ in 0..25 {
                    h.kv_add("counter", "n", &json!(1)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(db.kv_get("counter", "n").unwrap(), Some(json!(200)));
}

const LEASE: Duration = Duration::from_secs(60);

fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).unwrap()
}

fn a_fire_is_claimed_once(db: &StateDb) {
    let fire = ClaimSubject::Fire(at(1_700_000_060_000));
    let Claim::Won(id) = db.claim("s", &fire, "replica-a", LEASE).unwrap() else {
        panic!("the first claim wins")
    };
    assert_eq!(db.last_fire("s").unwrap(), Some(at(1_700_000_060_000)));
    let lost = db.claim("s", &fire, "replica-b", LEASE).unwrap();
    assert_eq!(
        lost,
        Claim::Lost {
            owner: "replica-a".into(),
            status: "running".into()
        }
    );
    // The same time of another script, and the next time of this one, are free.
    assert!(matches!(
        db.claim("t", &fire, "replica-b", LEASE).unwrap(),
        Claim::Won(_)
    ));
    assert!(matches!(
        db.claim(
            "s",
            &ClaimSubject::Fire(at(1_700_000_120_000)),
            "replica-b",
            LEASE
        )
        .unwrap(),
        Claim::Won(_)
    ));
    db.end_claim(id, "replica-a", RunStatus::Ok).unwrap();
    let lost = db.claim("s", &fire, "replica-c", LEASE).unwrap();
    assert_eq!(
        lost,
        Claim::Lost {
            owner: "replica-a".into(),
            status: "ok".into()
        }
    );
}

fn an_event_is_claimed_once_and_claims_end(db: &StateDb) {
    let ev = ClaimSubject::Event("ticket-7:created".into());
    let Claim::Won(id) = db.claim("on_create", &ev, "a", LEASE).unwrap() else {
        panic!("first claim wins")
    };
    assert_eq!(
        db.last_fire("on_create").unwrap(),
        None,
        "events are not fires"
    );
    // Ending a claim one does not own changes nothing.
    db.end_claim(id, "b", RunStatus::Failed).unwrap();
    assert!(matches!(
        db.claim("on_create", &ev, "b", LEASE).unwrap(),
        Claim::Lost { status, .. } if status == "running"
    ));
    db.end_claim(id, "a", RunStatus::Failed).unwrap();
    assert!(matches!(
        db.claim("on_create", &ev, "b", LEASE).unwrap(),
        Claim::Lost { status, .. } if status == "failed"
    ));
}

/// Waits (bounded) until `claim` of `script` shows up expired.
fn wait_expired(db: &StateDb, id: ClaimId) -> ExpiredClaim {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(c) = db
            .expired_claims()
            .unwrap()
            .into_iter()
            .find(|c| c.id == id)
        {
            return c;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "claim {id} never expired"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn an_expired_claim_is_taken_over_once_and_its_run_interrupted(db: &StateDb) {
    let fire = ClaimSubject::Fire(at(1_700_000_000_000));
    let Claim::Won(id) = db
        .claim("s", &fire, "dead", Duration::from_millis(1))
        .unwrap()
    else {
        panic!("first claim wins")
    };
    let run = db
        .start_run(&RunStart {
            script: "s".into(),
            trigger: "schedule".into(),
            started_at: at(1_700_000_000_000),
            claim: Some(id),
            ..RunStart::default()
        })
        .unwrap();
    let unrelated = started(db, "s");
    let expired = wait_expired(db, id);
    assert_eq!(
        (
            expired.script.as_str(),
            expired.owner.as_str(),
            expired.attempt
        ),
        ("s", "dead", 1)
    );
    assert_eq!(ClaimSubject::from_key(&expired.subject), Some(fire.clone()));
    let taken = db.reclaim(&expired, "alive", LEASE, false).unwrap();
    assert_eq!(
        taken,
        Some(Reclaimed {
            interrupted_runs: vec![run],
            rerun: false
        })
    );
    // Only once: a second taker finds nothing to take.
    assert_eq!(db.reclaim(&expired, "other", LEASE, false).unwrap(), None);
    let r = db.run(run).unwrap().unwrap();
    assert_eq!(r.status, RunStatus::Interrupted);
    let why = r.error.unwrap();
    assert!(
        why.contains("daemon dead stopped renewing") && why.contains("daemon alive"),
        "{why}"
    );
    assert_eq!(
        db.run(unrelated).unwrap().unwrap().status,
        RunStatus::Running
    );
    assert!(matches!(
        db.claim("s", &fire, "late", LEASE).unwrap(),
        Claim::Lost { status, .. } if status == "interrupted"
    ));
    assert!(db.expired_claims().unwrap().is_empty());
}

fn a_renewed_claim_does_not_expire(db: &StateDb) {
    let Claim::Won(short) = db
        .claim(
            "s",
            &ClaimSubject::Fire(at(1)),
            "me",
            Duration::from_millis(1),
        )
        .unwrap()
    else {
        panic!()
    };
    wait_expired(db, short);
    // Renewal extends every running claim of its owner, expired or not, until someone takes
    // them over.
    assert_eq!(db.renew_claims("me", LEASE).unwrap(), 1);
    assert!(db.expired_claims().unwrap().is_empty());
    assert_eq!(db.renew_claims("nobody", LEASE).unwrap(), 0);
    db.end_claim(short, "me", RunStatus::Ok).unwrap();
    assert_eq!(db.renew_claims("me", LEASE).unwrap(), 0);
}

fn a_claim_is_rerun_at_most_max_attempts_times(db: &StateDb) {
    let short = Duration::from_millis(1);
    let Claim::Won(id) = db
        .claim("s", &ClaimSubject::Fire(at(5)), "r0", short)
        .unwrap()
    else {
        panic!()
    };
    for attempt in 1..MAX_ATTEMPTS {
        let expired = wait_expired(db, id);
        assert_eq!(expired.attempt, attempt);
        let taken = db
            .reclaim(&expired, &format!("r{attempt}"), short, true)
            .unwrap();
        assert_eq!(
            taken,
            Some(Reclaimed {
                interrupted_runs: vec![],
                rerun: true
            })
        );
    }
    let expired = wait_expired(db, id);
    assert_eq!(expired.attempt, MAX_ATTEMPTS);
    let taken = db.reclaim(&expired, "last", short, true).unwrap().unwrap();
    assert!(!taken.rerun, "attempts exhausted: closed, not rerun");
    assert!(db.expired_claims().unwrap().is_empty());
}

/// A second handle on the same store: another daemon sharing a PostgreSQL database, or (for an
/// in-memory SQLite store, which no second handle can open) the same handle.
fn second_handle(db: &StateDb) -> StateDb {
    match db.location() {
        StateLocation::File(p) if p.as_os_str() == ":memory:" => db.clone(),
        loc => StateDb::open_location(loc).unwrap(),
    }
}

fn delivery(script: &str, key: &str) -> Delivery {
    Delivery {
        script: script.into(),
        ticket: "7".into(),
        change_key: key.into(),
        at_ms: 10,
        event: "{}".into(),
        round: 2,
    }
}

/// Ticket events' state: a change delivered to a script by one daemon is not new to another
/// (the (script, event) claim), and the cursor, snapshot and deliveries are kept.
fn a_change_is_delivered_once_across_handles_and_kept(db: &StateDb) {
    assert_eq!(db.feed_cursor().unwrap(), None);
    let update = SnapshotUpdate {
        ticket: "7".into(),
        archived: true,
        properties: std::collections::BTreeMap::from([
            ("hs_pipeline_stage".into(), (Some("1".into()), 5)),
            ("subject".into(), (None, 6)),
        ]),
    };
    let cursor = FeedCursor {
        modified_ms: 10,
        ticket_id: 7,
        baseline_ms: 1,
    };
    let d = [delivery("a", "k"), delivery("b", "k")];
    let fresh = db.commit_events(&[update], &d, Some(cursor)).unwrap();
    assert_eq!(fresh, d.to_vec());
    let other = second_handle(db);
    let again = other.commit_events(&[], &d, None).unwrap();
    assert!(again.is_empty(), "{again:?}");
    other
        .mark_delivery(&d[0], DeliveryStatus::Started, Some(12))
        .unwrap();
    assert_eq!(db.feed_cursor().unwrap(), Some(cursor));
    let snap = db.ticket_snapshot("7").unwrap().unwrap();
    assert!(snap.archived);
    assert_eq!(snap.properties["hs_pipeline_stage"], (Some("1".into()), 5));
    assert_eq!(snap.properties["subject"], (None, 6));
    assert_eq!(db.ticket_snapshot("8").unwrap(), None);
    assert_eq!(db.pending_deliveries().unwrap(), vec![d[1].clone()]);
    assert!(db.ran_for_ticket("a", "7").unwrap());
    assert!(!db.ran_for_ticket("c", "7").unwrap());
    db.mark_delivery(&d[1], DeliveryStatus::Done, None).unwrap();
    assert!(db.pending_deliveries().unwrap().is_empty());
    let moved = FeedCursor {
        modified_ms: 20,
        ticket_id: 3,
        baseline_ms: 1,
    };
    db.commit_events(&[], &[], Some(moved)).unwrap();
    assert_eq!(other.feed_cursor().unwrap(), Some(moved));
}

fn webhook_event_ids_are_new_once(db: &StateDb) {
    assert!(db.webhook_event_new(42, 1).unwrap());
    assert!(!second_handle(db).webhook_event_new(42, 2).unwrap());
    assert!(db.webhook_event_new(43, 2).unwrap());
}

fn the_store_is_writable(db: &StateDb) {
    db.check_writable().unwrap();
    assert!(!db.describe().is_empty());
}

fn start(script: &str, trigger: &str, t0: DateTime<Utc>, dry_run: bool) -> RunStart {
    RunStart {
        script: script.into(),
        trigger: trigger.into(),
        started_at: t0,
        dry_run,
        script_text: format!("// {script}\n"),
        ..RunStart::default()
    }
}

fn a_run_is_recorded_from_start_to_end(db: &StateDb) {
    let t0 = from_millis(1_700_000_000_000);
    let mut s = start("escalate", "daemon", t0, false);
    s.backend = BackendRecord {
        kind: "hubspot".into(),
        location: "https://api.hubapi.com".into(),
        live: true,
        portal_id: Some(123),
    };
    s.args.insert("hours".into(), "4".into());
    s.header = serde_json::json!({"schedule": "@hourly"});
    s.user = "ops".into();
    s.host = "box".into();
    let id = db.start_run(&s).unwrap();
    let listed = db.runs(&RunFilter::default()).unwrap();
    assert_eq!(listed[0].status, RunStatus::Running);
    let log = vec![LogLine {
        at: t0,
        level: "info".into(),
        message: "escalated 3".into(),
    }];
    let changes = vec![
        TicketChange::set("7", "hs_ticket_priority", "HIGH"),
        TicketChange::archive("8"),
    ];
    db.finish_run(
        id,
        RunStatus::Failed,
        from_millis(1_700_000_001_000),
        &RunEnd {
            reads: 10,
            writes: 3,
            api_calls: 4,
            api_reads: 3,
            api_writes: 1,
            retries: 2,
            rate_limit_waits: 1,
            applied: 2,
            changes: &changes,
            error: Some("boom"),
            log: &log,
            ..RunEnd::default()
        },
    )
    .unwrap();
    let run = db.run(id).unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.writes, 3);
    assert_eq!(run.log, log);
    assert_eq!(run.error.as_deref(), Some("boom"));
    assert_eq!(run.changes, changes);
    assert_eq!(run.backend.label(), "hubspot portal 123");
    assert_eq!(run.args.get("hours").map(String::as_str), Some("4"));
    assert_eq!(run.header["schedule"], "@hourly");
    assert_eq!((run.user.as_str(), run.host.as_str()), ("ops", "box"));
    assert_eq!(
        (
            run.api_reads,
            run.api_writes,
            run.retries,
            run.rate_limit_waits
        ),
        (3, 1, 2, 1)
    );
    assert_eq!(run.script_hash, content_hash("// escalate\n"));
    assert_eq!(
        db.script_text(&run.script_hash).unwrap().as_deref(),
        Some("// escalate\n")
    );
    let other = db.start_run(&start("report", "run", t0, true)).unwrap();
    let failed = db
        .runs(&RunFilter {
            failed: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(failed.len(), 1);
    let by_script = db
        .runs(&RunFilter {
            script: Some("report".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(by_script[0].id, other);
    assert!(by_script[0].dry_run);
    assert_eq!(db.run(999).unwrap(), None);
}

fn filters_by_status_time_and_backend(db: &StateDb) {
    let t0 = from_millis(1_700_000_000_000);
    let mut a = start("a", "run", t0, false);
    a.backend.kind = "sandbox".into();
    a.backend.location = ".hubscript/sandbox.db".into();
    let a = db.start_run(&a).unwrap();
    let mut b = start("b", "run", from_millis(1_700_000_100_000), false);
    b.backend = BackendRecord {
        kind: "server".into(),
        location: "http://127.0.0.1:9".into(),
        live: true,
        portal_id: Some(42),
    };
    let b = db.start_run(&b).unwrap();
    db.finish_run(a, RunStatus::Ok, t0, &RunEnd::default())
        .unwrap();
    let ids = |f: RunFilter| -> Vec<RunId> { db.runs(&f).unwrap().iter().map(|r| r.id).collect() };
    let f = |status, since, backend: Option<&str>| RunFilter {
        status,
        since,
        backend: backend.map(String::from),
        ..Default::default()
    };
    assert_eq!(ids(f(Some(RunStatus::Ok), None, None)), vec![a]);
    assert_eq!(ids(f(Some(RunStatus::Running), None, None)), vec![b]);
    assert_eq!(
        ids(f(None, Some(from_millis(1_700_000_050_000)), None)),
        vec![b]
    );
    assert_eq!(ids(f(None, None, Some("sandbox"))), vec![a]);
    assert_eq!(ids(f(None, None, Some("127.0.0.1"))), vec![b]);
    assert_eq!(ids(f(None, None, Some("42"))), vec![b]);
    assert_eq!(ids(f(None, None, Some("hubspot"))), Vec::<RunId>::new());
}

fn started(db: &StateDb, script: &str) -> RunId {
    db.start_run(&RunStart {
        script: script.into(),
        trigger: "daemon".into(),
        started_at: from_millis(1_700_000_000_000),
        host: owner::host_name().into(),
        ..RunStart::default()
    })
    .unwrap()
}

fn a_run_records_its_process(db: &StateDb) {
    let id = started(db, "a");
    assert_eq!(db.run(id).unwrap().unwrap().pid, Some(std::process::id()));
}

fn runs_of_ended_processes_are_settled_as_interrupted(db: &StateDb) {
    let mine = started(db, "alive");
    let gone = started(db, "killed");
    let elsewhere = started(db, "remote");
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead_pid = child.id();
    child.wait().unwrap();
    db.set_run_owner(gone, owner::host_name(), dead_pid)
        .unwrap();
    db.set_run_owner(elsewhere, "another-host", dead_pid)
        .unwrap();
    let found = from_millis(1_700_000_100_000);
    assert_eq!(db.settle_interrupted(found).unwrap(), vec![gone]);
    let r = db.run(gone).unwrap().unwrap();
    assert_eq!(r.status, RunStatus::Interrupted);
    let why = r.error.unwrap();
    assert!(why.contains(&format!("process {dead_pid}")), "{why}");
    assert!(why.contains("found at 2023-11-14T22:15:00Z"), "{why}");
    assert_eq!(r.ended_at, None);
    assert_eq!(db.run(mine).unwrap().unwrap().status, RunStatus::Running);
    assert_eq!(
        db.run(elsewhere).unwrap().unwrap().status,
        RunStatus::Running
    );
    // Settled once only, and listed among failures.
    assert!(db.settle_interrupted(found).unwrap().is_empty());
    let failed = db
        .runs(&RunFilter {
            failed: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        RunStatus::from_name("interrupted"),
        Some(RunStatus::Interrupted)
    );
}

fn settle_does_not_overwrite_a_recorded_end(db: &StateDb) {
    let id = started(db, "a");
    db.finish_run(id, RunStatus::Ok, Utc::now(), &RunEnd::default())
        .unwrap();
    assert!(!db
        .settle(id, RunStatus::Failed, Utc::now(), "killed by signal 9", &[])
        .unwrap());
    assert_eq!(db.run(id).unwrap().unwrap().status, RunStatus::Ok);
    let other = started(db, "b");
    assert!(db
        .settle(
            other,
            RunStatus::Failed,
            Utc::now(),
            "killed by signal 9",
            &[]
        )
        .unwrap());
    let r = db.run(other).unwrap().unwrap();
    assert_eq!(r.status, RunStatus::Failed);
    assert_eq!(r.error.as_deref(), Some("killed by signal 9"));
}
