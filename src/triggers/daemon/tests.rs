//! Daemon tests: catch-up at start and hot reload decisions applied to real files, on tokio's
//! paused clock with a fake runner (file events are fed to `handle` directly).

use super::*;
use crate::test_support::runner::{settle, FakeRunner};
use crate::test_support::{eventually, within};
use crate::triggers::clock::TokioClock;
use chrono::{DateTime, Utc};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

struct Setup {
    dir: tempfile::TempDir,
    runner: Arc<FakeRunner>,
    state: StateDb,
    daemon: Daemon,
}

fn setup(base: &str, files: &[(&str, &str)], state: StateDb) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    for (name, src) in files {
        std::fs::write(dir.path().join(name), src).unwrap();
    }
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(t(base)));
    let runner = FakeRunner::new(clock.clone(), false, Duration::from_millis(10));
    let daemon = Daemon::new(
        dir.path().to_path_buf(),
        runner.clone(),
        state.clone(),
        &DaemonConfig::default(),
        clock,
        &CancellationToken::new(),
    );
    Setup {
        dir,
        runner,
        state,
        daemon,
    }
}

fn triggers(s: &Setup) -> Vec<Trigger> {
    s.runner.calls().iter().map(|c| c.job.trigger).collect()
}

#[tokio::test(start_paused = true)]
async fn catch_up_once_runs_once_at_start() {
    let state = StateDb::in_memory().unwrap();
    state
        .set_last_fire("esc", t("2026-01-10T07:00:00Z"))
        .unwrap();
    let src = "//! schedule = \"@hourly\"\n//! catch_up = \"once\"\nlet a = 1;";
    let mut s = setup("2026-01-10T10:30:00Z", &[("esc.rhai", src)], state);
    s.daemon.scan().await.unwrap();
    settle().await;
    assert_eq!(triggers(&s), [Trigger::CatchUp], "three missed, one run");
    assert_eq!(
        s.state.last_fire("esc").unwrap(),
        Some(t("2026-01-10T10:00:00Z"))
    );
    tokio::time::sleep(Duration::from_secs(30 * 60)).await;
    assert_eq!(triggers(&s), [Trigger::CatchUp, Trigger::Schedule]);
    assert_eq!(s.runner.calls()[1].at, t("2026-01-10T11:00:00Z"));
}

#[tokio::test(start_paused = true)]
async fn catch_up_skip_runs_nothing_and_records() {
    let state = StateDb::in_memory().unwrap();
    state
        .set_last_fire("esc", t("2026-01-10T07:00:00Z"))
        .unwrap();
    let src = "//! schedule = \"@hourly\"\nlet a = 1;";
    let mut s = setup("2026-01-10T10:30:00Z", &[("esc.rhai", src)], state);
    s.daemon.scan().await.unwrap();
    settle().await;
    assert_eq!(s.runner.count(), 0);
    assert_eq!(
        s.state.last_fire("esc").unwrap(),
        Some(t("2026-01-10T10:00:00Z"))
    );
}

#[tokio::test(start_paused = true)]
async fn a_new_script_gets_a_baseline() {
    let src = "//! schedule = \"@daily\"\nlet a = 1;";
    let mut s = setup(
        "2026-01-10T10:30:00Z",
        &[("esc.rhai", src)],
        StateDb::in_memory().unwrap(),
    );
    s.daemon.scan().await.unwrap();
    settle().await;
    assert_eq!(s.runner.count(), 0);
    assert_eq!(
        s.state.last_fire("esc").unwrap(),
        Some(t("2026-01-10T10:30:00Z"))
    );
}

fn sources_of(s: &Setup, path_end: &str) -> Vec<String> {
    s.runner
        .calls()
        .iter()
        .filter(|c| c.job.path.ends_with(path_end))
        .map(|c| c.job.source.to_string())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn hot_reload_new_edited_broken_deleted() {
    let v1 = "//! schedule = \"* * * * * *\"\nlet v = 1;";
    let v2 = "//! schedule = \"* * * * * *\"\nlet v = 2;";
    let broken = "//! schedule = \"* * * * * *\"\nlet v =\n    BROKEN;";
    let mut s = setup(
        "2026-01-10T10:00:00.500Z",
        &[
            ("a.rhai", v1),
            ("plain.rhai", "let x = 1;"),
            ("bad.rhai", "//! schedul = 1\n"),
        ],
        StateDb::in_memory().unwrap(),
    );
    s.daemon.scan().await.unwrap();
    assert_eq!(
        s.daemon.scheduled(),
        ["a.rhai"],
        "no schedule / invalid header: not scheduled"
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sources_of(&s, "a.rhai"), [v1, v1]);

    // Edited: the next run uses the new version.
    std::fs::write(s.dir.path().join("a.rhai"), v2).unwrap();
    s.daemon.handle("a.rhai".into(), false).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        sources_of(&s, "a.rhai").last().map(String::as_str),
        Some(v2)
    );

    // Broken: the last good version keeps running.
    std::fs::write(s.dir.path().join("a.rhai"), broken).unwrap();
    s.daemon.handle("a.rhai".into(), false).await;
    let before = s.runner.count();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let runs = sources_of(&s, "a.rhai");
    assert_eq!(runs.len(), before + 2);
    assert!(runs[before..].iter().all(|src| src == v2));

    // New: scheduled without a restart.
    std::fs::write(s.dir.path().join("b.rhai"), v1).unwrap();
    s.daemon.handle("b.rhai".into(), false).await;
    assert_eq!(s.daemon.scheduled(), ["a.rhai", "b.rhai"]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sources_of(&s, "b.rhai").len(), 1);

    // Deleted: unscheduled.
    std::fs::remove_file(s.dir.path().join("a.rhai")).unwrap();
    s.daemon.handle("a.rhai".into(), false).await;
    assert_eq!(s.daemon.scheduled(), ["b.rhai"]);
    settle().await;
    let a_runs = sources_of(&s, "a.rhai").len();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(sources_of(&s, "a.rhai").len(), a_runs);
    assert_eq!(sources_of(&s, "b.rhai").len(), 4);

    s.daemon.shutdown(Duration::from_secs(1)).await;
    let n = s.runner.count();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(s.runner.count(), n, "nothing runs after shutdown");
}

#[tokio::test]
async fn run_daemon_stops_on_shutdown_and_reports_a_missing_dir() {
    let dir = tempfile::tempdir().unwrap();
    let runner = FakeRunner::new(Arc::new(SystemClock), false, Duration::ZERO);
    let shutdown = CancellationToken::new();
    shutdown.cancel();
    let cfg = DaemonConfig::default();
    run_daemon(
        dir.path().to_path_buf(),
        runner.clone(),
        StateDb::in_memory().unwrap(),
        cfg.clone(),
        shutdown.clone(),
    )
    .await
    .unwrap();
    let err = run_daemon(
        dir.path().join("missing"),
        runner,
        StateDb::in_memory().unwrap(),
        cfg,
        shutdown,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, TriggerError::WatchInit { .. }), "{err}");
}

#[tokio::test]
async fn the_daemon_follows_real_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let v1 = "//! schedule = \"* * * * * *\"\nlet v = 1;";
    let v2 = "//! schedule = \"* * * * * *\"\nlet v = 2;";
    let a = dir.path().join("a.rhai");
    std::fs::write(&a, v1).unwrap();
    let runner = FakeRunner::new(Arc::new(SystemClock), false, Duration::ZERO);
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(run_daemon(
        dir.path().to_path_buf(),
        runner.clone(),
        StateDb::in_memory().unwrap(),
        DaemonConfig::default(),
        shutdown.clone(),
    ));
    let sources = |r: &FakeRunner| -> Vec<String> {
        r.calls()
            .iter()
            .filter(|c| c.job.path.ends_with("a.rhai"))
            .map(|c| c.job.source.to_string())
            .collect()
    };
    let clock_runs = |r: &FakeRunner| {
        r.calls()
            .iter()
            .filter(|c| c.job.path.ends_with("clock.rhai"))
            .count()
    };
    within(
        Duration::from_secs(90),
        "the real-file daemon test",
        async {
            eventually("v1 runs", || sources(&runner).iter().any(|s| s == v1)).await;

            // A save by rename.
            let tmp = dir.path().join(".a.rhai.swp");
            std::fs::write(&tmp, v2).unwrap();
            std::fs::rename(&tmp, &a).unwrap();
            eventually("v2 runs", || {
                sources(&runner).last().is_some_and(|s| s == v2)
            })
            .await;

            // A broken edit: v2 keeps running.
            std::fs::write(&a, "//! schedule = \"* * * * * *\"\nlet v = BROKEN").unwrap();
            let before = sources(&runner).len();
            eventually("runs go on", || sources(&runner).len() >= before + 2).await;
            assert!(sources(&runner)[before..].iter().all(|s| s == v2));

            // Deleted: no more runs once the change was handled. Another script is the clock: it is
            // created after the delete, so once it runs the delete has been handled; two more of its
            // runs span more than one of a.rhai's fire times.
            std::fs::remove_file(&a).unwrap();
            std::fs::write(dir.path().join("clock.rhai"), v1).unwrap();
            eventually("the clock script runs", || clock_runs(&runner) >= 1).await;
            let after_delete = sources(&runner).len();
            let ticks = clock_runs(&runner);
            eventually("the clock ticks twice more", || {
                clock_runs(&runner) >= ticks + 2
            })
            .await;
            assert_eq!(sources(&runner).len(), after_delete, "a deleted script ran");

            shutdown.cancel();
            task.await.unwrap().unwrap();
        },
    )
    .await;
}

/// Two daemons on one store with the same schedule: each fire runs on exactly one of them,
/// and the claims say which.
#[tokio::test(start_paused = true)]
async fn two_daemons_on_one_store_run_each_fire_once() {
    let state = StateDb::in_memory().unwrap();
    let src = "//! schedule = \"*/10 * * * * *\"\nlet a = 1;";
    let mut a = setup(
        "2026-01-10T10:00:00.500Z",
        &[("tick.rhai", src)],
        state.clone(),
    );
    let mut b = setup(
        "2026-01-10T10:00:00.500Z",
        &[("tick.rhai", src)],
        state.clone(),
    );
    a.daemon.scan().await.unwrap();
    b.daemon.scan().await.unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    settle().await;
    let mut fires: Vec<DateTime<Utc>> = a
        .runner
        .calls()
        .iter()
        .chain(b.runner.calls().iter())
        .map(|c| c.at)
        .collect();
    fires.sort();
    let expected: Vec<DateTime<Utc>> = (1..=6)
        .map(|i| t("2026-01-10T10:00:00Z") + chrono::Duration::seconds(10 * i))
        .collect();
    assert_eq!(fires, expected, "each fire once, none lost");
    // Every run carried its claim; a second claim of any of these fires is refused.
    let claimed: Vec<bool> = a
        .runner
        .calls()
        .iter()
        .chain(b.runner.calls().iter())
        .map(|c| c.job.claim.is_some())
        .collect();
    assert!(claimed.iter().all(|c| *c), "{claimed:?}");
    for at in expected {
        assert!(matches!(
            state
                .claim("tick", &ClaimSubject::Fire(at), "third", DEFAULT_LEASE)
                .unwrap(),
            crate::state::Claim::Lost { .. }
        ));
    }
}

/// A claim whose daemon died (its lease expired) is taken over by the next keeper round: its
/// run is marked interrupted and, with `catch_up = "once"`, the fire runs again here.
#[tokio::test(start_paused = true)]
async fn an_expired_claim_of_a_dead_daemon_is_taken_over_and_rerun() {
    let state = StateDb::in_memory().unwrap();
    let fire = t("2026-01-10T10:00:00Z");
    let crate::state::Claim::Won(id) = state
        .claim(
            "esc",
            &ClaimSubject::Fire(fire),
            "dead-host:1:dead",
            Duration::from_millis(1),
        )
        .unwrap()
    else {
        panic!("first claim wins")
    };
    let run = state
        .start_run(&crate::state::RunStart {
            script: "esc".into(),
            trigger: "schedule".into(),
            started_at: fire,
            claim: Some(id),
            ..Default::default()
        })
        .unwrap();
    // The lease is judged by the store's (real) clock.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while state.expired_claims().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "never expired");
        std::thread::sleep(Duration::from_millis(5));
    }
    let once = "//! schedule = \"@hourly\"\n//! catch_up = \"once\"\nlet a = 1;";
    let mut s = setup("2026-01-10T10:00:30Z", &[("esc.rhai", once)], state.clone());
    s.daemon.scan().await.unwrap();
    s.daemon.keep_claims().await;
    settle().await;
    let calls = s.runner.calls();
    assert_eq!(calls.len(), 1, "rerun once");
    assert_eq!(calls[0].job.trigger, Trigger::CatchUp);
    assert_eq!(calls[0].job.claim.as_ref().map(|c| c.id()), Some(id));
    let r = state.run(run).unwrap().unwrap();
    assert_eq!(r.status, crate::state::RunStatus::Interrupted);
    assert!(r.error.unwrap().contains("dead-host:1:dead"));
    // Nothing left to take over.
    s.daemon.keep_claims().await;
    settle().await;
    assert_eq!(s.runner.count(), 1);
}

/// With `catch_up = "skip"` the dead daemon's run is only marked interrupted.
#[tokio::test(start_paused = true)]
async fn an_expired_claim_of_a_skip_script_is_closed_not_rerun() {
    let state = StateDb::in_memory().unwrap();
    let crate::state::Claim::Won(_) = state
        .claim(
            "esc",
            &ClaimSubject::Fire(t("2026-01-10T10:00:00Z")),
            "dead",
            Duration::from_millis(1),
        )
        .unwrap()
    else {
        panic!("first claim wins")
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while state.expired_claims().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "never expired");
        std::thread::sleep(Duration::from_millis(5));
    }
    let skip = "//! schedule = \"@hourly\"\nlet a = 1;";
    let mut s = setup("2026-01-10T10:00:30Z", &[("esc.rhai", skip)], state.clone());
    s.daemon.scan().await.unwrap();
    s.daemon.keep_claims().await;
    settle().await;
    assert_eq!(s.runner.count(), 0);
    assert!(state.expired_claims().unwrap().is_empty());
    assert!(matches!(
        state
            .claim("esc", &ClaimSubject::Fire(t("2026-01-10T10:00:00Z")), "x", DEFAULT_LEASE)
            .unwrap(),
        crate::state::Claim::Lost { status, .. } if status == "interrupted"
    ));
}
