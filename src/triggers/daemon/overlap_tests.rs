//! Tests of the overlap policies, the concurrency bound and graceful shutdown.

use super::*;
use crate::state::RunStatus;
use crate::test_support::runner::{job, settle, FakeRunner};
use crate::triggers::clock::TokioClock;
use std::time::Duration;

fn setup(max: usize) -> (Arc<FakeRunner>, RunGroup, CancellationToken) {
    let clock = Arc::new(TokioClock::starting_at(
        "2026-01-01T00:00:00Z".parse().unwrap(),
    ));
    let runner = FakeRunner::new(clock, true, Duration::ZERO);
    let stop = CancellationToken::new();
    (runner, RunGroup::new(max, stop.clone()), stop)
}

#[tokio::test(start_paused = true)]
async fn skip_drops_fires_while_running() {
    let (runner, group, _) = setup(4);
    let slot = RunSlot::new("a".into(), runner.clone(), group);
    assert_eq!(
        slot.fire(job("a.rhai", "1"), Overlap::Skip).await,
        FireOutcome::Started
    );
    settle().await;
    assert_eq!(
        slot.fire(job("a.rhai", "2"), Overlap::Skip).await,
        FireOutcome::Skipped
    );
    runner.release(1);
    settle().await;
    assert!(!slot.busy());
    assert_eq!(
        slot.fire(job("a.rhai", "3"), Overlap::Skip).await,
        FireOutcome::Started
    );
    settle().await;
    let sources: Vec<String> = runner
        .calls()
        .iter()
        .map(|c| c.job.source.to_string())
        .collect();
    assert_eq!(sources, ["1", "3"]);
}

#[tokio::test(start_paused = true)]
async fn queue_keeps_at_most_one_waiting_run() {
    let (runner, group, _) = setup(4);
    let slot = RunSlot::new("a".into(), runner.clone(), group);
    assert_eq!(
        slot.fire(job("a.rhai", "1"), Overlap::Queue).await,
        FireOutcome::Started
    );
    settle().await;
    assert_eq!(
        slot.fire(job("a.rhai", "2"), Overlap::Queue).await,
        FireOutcome::Queued
    );
    assert_eq!(
        slot.fire(job("a.rhai", "3"), Overlap::Queue).await,
        FireOutcome::Merged
    );
    assert_eq!(runner.count(), 1);
    runner.release(1);
    settle().await;
    assert_eq!(
        runner.count(),
        2,
        "the queued run starts when the first ends"
    );
    assert!(slot.busy());
    runner.release(1);
    settle().await;
    assert!(!slot.busy());
    let sources: Vec<String> = runner
        .calls()
        .iter()
        .map(|c| c.job.source.to_string())
        .collect();
    assert_eq!(sources, ["1", "3"], "the merged fire runs the latest job");
    assert_eq!(runner.ended(), [RunStatus::Ok, RunStatus::Ok]);
}

#[tokio::test(start_paused = true)]
async fn replace_cancels_the_running_run_then_starts() {
    let (runner, group, _) = setup(4);
    let slot = RunSlot::new("a".into(), runner.clone(), group);
    assert_eq!(
        slot.fire(job("a.rhai", "1"), Overlap::Replace).await,
        FireOutcome::Started
    );
    settle().await;
    assert_eq!(
        slot.fire(job("a.rhai", "2"), Overlap::Replace).await,
        FireOutcome::Replaced
    );
    settle().await;
    assert_eq!(
        runner.ended(),
        [RunStatus::Cancelled],
        "the first run ended before the second began"
    );
    assert_eq!(runner.count(), 2);
    runner.release(1);
    settle().await;
    assert_eq!(runner.ended(), [RunStatus::Cancelled, RunStatus::Ok]);
}

#[tokio::test(start_paused = true)]
async fn concurrency_is_bounded() {
    let (runner, group, _) = setup(2);
    let slots: Vec<_> = (0..3)
        .map(|i| RunSlot::new(format!("s{i}"), runner.clone(), group.clone()))
        .collect();
    for s in &slots {
        assert_eq!(
            s.fire(job("x.rhai", "1"), Overlap::Skip).await,
            FireOutcome::Started
        );
    }
    settle().await;
    assert_eq!(runner.count(), 2, "the third waits for a permit");
    assert_eq!(group.active(), 3);
    runner.release(1);
    settle().await;
    assert_eq!(runner.count(), 3);
    runner.release(2);
    settle().await;
    assert_eq!(group.active(), 0);
}

#[tokio::test(start_paused = true)]
async fn shutdown_waits_for_the_grace_period_then_cancels() {
    let (runner, group, _) = setup(4);
    let slot = RunSlot::new("a".into(), runner.clone(), group.clone());
    slot.fire(job("a.rhai", "1"), Overlap::Queue).await;
    settle().await;
    slot.fire(job("a.rhai", "2"), Overlap::Queue).await;
    let start = tokio::time::Instant::now();
    group.shutdown(Duration::from_secs(10)).await;
    assert!(start.elapsed() >= Duration::from_secs(10));
    assert_eq!(runner.ended(), [RunStatus::Cancelled]);
    assert_eq!(
        runner.count(),
        1,
        "the queued run never starts after shutdown"
    );
    assert_eq!(
        slot.fire(job("a.rhai", "3"), Overlap::Skip).await,
        FireOutcome::Stopping
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_lets_a_run_finish_within_grace() {
    let (runner, group, _) = setup(4);
    let slot = RunSlot::new("a".into(), runner.clone(), group.clone());
    slot.fire(job("a.rhai", "1"), Overlap::Skip).await;
    settle().await;
    let r = runner.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        r.release(1);
    });
    group.shutdown(Duration::from_secs(10)).await;
    assert_eq!(runner.ended(), [RunStatus::Ok]);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_run_frees_its_slot() {
    let (runner, group, _) = setup(4);
    let slot = RunSlot::new("a".into(), runner.clone(), group.clone());
    assert_eq!(
        slot.fire(job("a.rhai", "PANIC"), Overlap::Skip).await,
        FireOutcome::Started
    );
    settle().await;
    assert!(!slot.busy());
    assert_eq!(group.active(), 0);
    assert_eq!(
        slot.fire(job("a.rhai", "1"), Overlap::Skip).await,
        FireOutcome::Started
    );
}

#[tokio::test(start_paused = true)]
async fn an_unscheduled_script_drops_its_queued_run() {
    let (runner, group, _) = setup(4);
    let slot = RunSlot::new("a".into(), runner.clone(), group);
    slot.fire(job("a.rhai", "1"), Overlap::Queue).await;
    settle().await;
    assert_eq!(
        slot.fire(job("a.rhai", "2"), Overlap::Queue).await,
        FireOutcome::Queued
    );
    assert!(slot.drop_queued());
    runner.release(2);
    settle().await;
    assert_eq!(runner.count(), 1);
    assert!(!slot.busy());
}

#[tokio::test(start_paused = true)]
async fn a_run_waiting_for_a_slot_is_skipped_by_its_next_fire() {
    let (runner, group, _) = setup(1);
    let busy = RunSlot::new("busy".into(), runner.clone(), group.clone());
    let waiting = RunSlot::new("w".into(), runner.clone(), group.clone());
    busy.fire(job("busy.rhai", "1"), Overlap::Skip).await;
    settle().await;
    assert_eq!(
        waiting.fire(job("w.rhai", "1"), Overlap::Skip).await,
        FireOutcome::Started
    );
    settle().await;
    assert_eq!(runner.count(), 1, "all slots busy: it waits");
    // Whatever the policy, the next fire replaces the run that never started.
    assert_eq!(
        waiting.fire(job("w.rhai", "2"), Overlap::Skip).await,
        FireOutcome::Superseded
    );
    settle().await;
    assert_eq!(runner.count(), 1);
    runner.release(1);
    settle().await;
    let calls = runner.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        &*calls[1].job.source, "2",
        "the newer fire ran, the older one never did"
    );
    // A run that did start is subject to the overlap policy again.
    assert_eq!(
        waiting.fire(job("w.rhai", "3"), Overlap::Skip).await,
        FireOutcome::Skipped
    );
    runner.release(1);
    settle().await;
    assert_eq!(group.active(), 0);
}
