//! Scheduler loop tests on tokio's paused clock (auto-advancing) with [`TokioClock`].

use super::*;
use crate::test_support::runner::FakeRunner;
use crate::triggers::clock::TokioClock;
use crate::triggers::daemon::claims::DaemonClaims;
use crate::triggers::daemon::{RunGroup, DEFAULT_LEASE};
use rand::SeedableRng;
use std::path::Path;

struct Setup {
    runner: Arc<FakeRunner>,
    tx: watch::Sender<Arc<ScheduledScript>>,
    stop: CancellationToken,
    state: StateDb,
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn script(header: &str) -> Arc<ScheduledScript> {
    let src = format!("{header}\nlet a = 1;");
    Arc::new(
        ScheduledScript::load(Path::new("dir/s.rhai"), &src)
            .unwrap()
            .unwrap(),
    )
}

fn start(base: &str, header: &str) -> Setup {
    let clock: Arc<dyn Clock> = Arc::new(TokioClock::starting_at(t(base)));
    let runner = FakeRunner::new(clock.clone(), false, Duration::from_millis(10));
    let stop = CancellationToken::new();
    let group = RunGroup::new(4, stop.clone());
    let state = StateDb::in_memory().unwrap();
    let ctx = Arc::new(LoopCtx {
        clock,
        claims: DaemonClaims::new(state.clone(), DEFAULT_LEASE),
        state: state.clone(),
        dry_run: false,
    });
    let (tx, rx) = watch::channel(script(header));
    let slot = RunSlot::new("s".into(), runner.clone(), group);
    tokio::spawn(script_loop(rx, slot, ctx, stop.clone()));
    Setup {
        runner,
        tx,
        stop,
        state,
    }
}

fn run_times(s: &Setup) -> Vec<DateTime<Utc>> {
    s.runner.calls().iter().map(|c| c.at).collect()
}

async fn wait(secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs)).await;
}

#[tokio::test(start_paused = true)]
async fn fires_on_wall_time_and_records_last_fire() {
    let s = start("2026-01-10T10:02:30Z", "//! schedule = \"*/5 * * * *\"");
    wait(11 * 60).await;
    assert_eq!(
        run_times(&s),
        [t("2026-01-10T10:05:00Z"), t("2026-01-10T10:10:00Z")]
    );
    assert_eq!(
        s.state.last_fire("s").unwrap(),
        Some(t("2026-01-10T10:10:00Z"))
    );
}

#[tokio::test(start_paused = true)]
async fn berlin_spring_forward_runs_once_at_three() {
    let s = start(
        "2026-03-28T23:00:00Z",
        "//! schedule = \"30 2 * * *\"\n//! timezone = \"Europe/Berlin\"",
    );
    wait(6 * 3600).await;
    assert_eq!(run_times(&s), [t("2026-03-29T01:00:00Z")], "03:00 CEST");
}

#[tokio::test(start_paused = true)]
async fn new_york_spring_forward_runs_once_at_three() {
    let s = start(
        "2026-03-08T05:00:00Z",
        "//! schedule = \"30 2 * * *\"\n//! timezone = \"America/New_York\"",
    );
    wait(6 * 3600).await;
    assert_eq!(run_times(&s), [t("2026-03-08T07:00:00Z")], "03:00 EDT");
}

#[tokio::test(start_paused = true)]
async fn berlin_fall_back_runs_once() {
    let s = start(
        "2026-10-24T23:00:00Z",
        "//! schedule = \"30 2 * * *\"\n//! timezone = \"Europe/Berlin\"",
    );
    wait(6 * 3600).await;
    assert_eq!(
        run_times(&s),
        [t("2026-10-25T00:30:00Z")],
        "first 02:30 (CEST)"
    );
}

#[tokio::test(start_paused = true)]
async fn new_york_fall_back_runs_once_and_hourly_keeps_real_hours() {
    let s = start(
        "2026-11-01T04:00:00Z",
        "//! schedule = \"30 1 * * *\"\n//! timezone = \"America/New_York\"",
    );
    wait(6 * 3600).await;
    assert_eq!(
        run_times(&s),
        [t("2026-11-01T05:30:00Z")],
        "first 01:30 (EDT)"
    );

    let h = start(
        "2026-11-01T03:30:00Z",
        "//! schedule = \"@hourly\"\n//! timezone = \"America/New_York\"",
    );
    wait(4 * 3600).await;
    assert_eq!(
        run_times(&h),
        [
            t("2026-11-01T04:00:00Z"),
            t("2026-11-01T05:00:00Z"),
            t("2026-11-01T06:00:00Z"),
            t("2026-11-01T07:00:00Z")
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn jitter_delays_within_its_bound() {
    let s = start(
        "2026-01-10T10:00:00Z",
        "//! schedule = \"* * * * *\"\n//! jitter = \"20s\"",
    );
    wait(30 * 60 + 30).await;
    let times = run_times(&s);
    assert_eq!(times.len(), 30);
    for (i, at) in times.iter().enumerate() {
        let fire = t("2026-01-10T10:01:00Z") + chrono::Duration::minutes(i as i64);
        assert!(
            *at >= fire && *at <= fire + chrono::Duration::seconds(20),
            "{at} for {fire}"
        );
    }
    assert!(
        times.iter().any(|at| at.timestamp() % 60 != 0),
        "some delay was drawn"
    );
}

#[test]
fn jitter_delay_bounds() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let max = Duration::from_secs(30);
    let draws: Vec<Duration> = (0..10_000).map(|_| jitter_delay(max, &mut rng)).collect();
    assert!(draws.iter().all(|d| *d <= max));
    assert!(draws.iter().any(|d| *d < Duration::from_secs(1)));
    assert!(draws.iter().any(|d| *d > Duration::from_secs(29)));
    assert_eq!(jitter_delay(Duration::ZERO, &mut rng), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn an_edit_takes_effect_from_the_next_run() {
    let s = start("2026-01-10T10:00:30Z", "//! schedule = \"* * * * *\"");
    wait(60).await;
    s.tx.send(script("//! schedule = \"* * * * *\"\n// v2"))
        .unwrap();
    wait(60).await;
    let calls = s.runner.calls();
    assert_eq!(calls.len(), 2);
    assert!(!calls[0].job.source.contains("v2"));
    assert!(calls[1].job.source.contains("v2"));
    assert_eq!(calls[1].at, t("2026-01-10T10:02:00Z"));
}

#[tokio::test(start_paused = true)]
async fn a_changed_schedule_is_followed() {
    let s = start("2026-01-10T10:00:30Z", "//! schedule = \"0 0 * * *\"");
    wait(10).await;
    s.tx.send(script("//! schedule = \"*/10 * * * * *\""))
        .unwrap();
    wait(25).await;
    assert_eq!(
        run_times(&s),
        [t("2026-01-10T10:00:50Z"), t("2026-01-10T10:01:00Z")]
    );
}

#[tokio::test(start_paused = true)]
async fn stop_unschedules() {
    let s = start("2026-01-10T10:00:00Z", "//! schedule = \"* * * * * *\"");
    wait(3).await;
    s.stop.cancel();
    let n = s.runner.count();
    wait(10).await;
    assert_eq!(s.runner.count(), n);
    assert!(n >= 2, "{n}");
}

/// Counts how often the wall clock is read: a proxy for wake-ups.
struct CountingClock(TokioClock, std::sync::atomic::AtomicUsize);

impl Clock for CountingClock {
    fn now(&self) -> DateTime<Utc> {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.0.now()
    }
}

#[tokio::test(start_paused = true)]
async fn an_idle_schedule_sleeps() {
    let clock = Arc::new(CountingClock(
        TokioClock::starting_at(t("2026-01-10T10:00:30Z")),
        Default::default(),
    ));
    let runner = FakeRunner::new(clock.clone(), false, Duration::ZERO);
    let stop = CancellationToken::new();
    let state = StateDb::in_memory().unwrap();
    let ctx = Arc::new(LoopCtx {
        clock: clock.clone(),
        claims: DaemonClaims::new(state.clone(), DEFAULT_LEASE),
        state,
        dry_run: false,
    });
    let (_tx, rx) = watch::channel(script("//! schedule = \"@daily\""));
    let slot = RunSlot::new("s".into(), runner.clone(), RunGroup::new(4, stop.clone()));
    tokio::spawn(script_loop(rx, slot, ctx, stop.clone()));
    wait(3 * 3600).await;
    let reads = clock.1.load(std::sync::atomic::Ordering::Relaxed);
    // One wake-up a minute (MAX_SLEEP), two clock reads each, and a few at start.
    assert!(
        reads <= 3 * 60 * 2 + 10,
        "{reads} clock reads in 3 idle hours"
    );
    assert_eq!(runner.count(), 0);
    stop.cancel();
}
