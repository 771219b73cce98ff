//! Watch tests: one run per burst, one queued rerun, plan-only rules, screen clearing, and a
//! real rename-save through the OS watcher.

use super::*;
use crate::test_support::runner::{settle, FakeRunner};
use crate::test_support::{eventually, within, Capture};
use crate::triggers::clock::SystemClock;

fn session(dir: &Path, runner: Arc<dyn Runner>, cfg: WatchConfig) -> WatchSession {
    let targets = WatchTargets::resolve(&[dir.to_path_buf()]).unwrap();
    WatchSession::new(cfg, runner, targets, &CancellationToken::new())
}

fn batch(paths: &[PathBuf]) -> BTreeSet<PathBuf> {
    paths.iter().cloned().collect()
}

#[tokio::test(start_paused = true)]
async fn one_run_per_burst_and_one_queued_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().canonicalize().unwrap();
    let a = dir_path.join("a.rhai");
    std::fs::write(&a, "let v = 1;").unwrap();
    let runner = FakeRunner::new(Arc::new(SystemClock), true, Duration::ZERO);
    let mut s = session(&dir_path, runner.clone(), WatchConfig::default());
    let tmp = dir_path.join("a.rhai.tmp");
    let out = s
        .on_batch(&batch(&[a.clone(), tmp, dir_path.join("notes.txt")]))
        .await;
    assert_eq!(out, [(a.clone(), FireOutcome::Started)]);
    settle().await;
    std::fs::write(&a, "let v = 2;").unwrap();
    assert_eq!(
        s.on_batch(&batch(std::slice::from_ref(&a))).await[0].1,
        FireOutcome::Queued
    );
    std::fs::write(&a, "let v = 3;").unwrap();
    assert_eq!(
        s.on_batch(&batch(std::slice::from_ref(&a))).await[0].1,
        FireOutcome::Merged
    );
    runner.release(2);
    settle().await;
    let sources: Vec<String> = runner
        .calls()
        .iter()
        .map(|c| c.job.source.to_string())
        .collect();
    assert_eq!(sources, ["let v = 1;", "let v = 3;"]);
    assert!(runner
        .calls()
        .iter()
        .all(|c| c.job.trigger == Trigger::Watch));
}

#[tokio::test(start_paused = true)]
async fn deleted_files_do_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().canonicalize().unwrap();
    let runner = FakeRunner::new(Arc::new(SystemClock), false, Duration::ZERO);
    let mut s = session(&dir_path, runner.clone(), WatchConfig::default());
    assert!(s
        .on_batch(&batch(&[dir_path.join("gone.rhai")]))
        .await
        .is_empty());
}

#[test]
fn plans_only_against_a_live_portal_without_apply() {
    let mut cfg = WatchConfig::default();
    assert!(!cfg.dry_run(), "the sandbox runs for real");
    cfg.live = true;
    assert!(cfg.dry_run());
    cfg.apply = true;
    assert!(!cfg.dry_run());
}

#[tokio::test]
async fn clear_clears_before_each_run() {
    let screen = Capture::default();
    let inner = FakeRunner::new(Arc::new(SystemClock), false, Duration::ZERO);
    let r = ClearingRunner::new(inner.clone(), Box::new(screen.clone()));
    let job = crate::test_support::runner::job("a.rhai", "1");
    r.run(job.clone(), CancellationToken::new()).await;
    r.run(job, CancellationToken::new()).await;
    assert_eq!(screen.text(), CLEAR_SCREEN.repeat(2));
    assert_eq!(inner.count(), 2);
}

#[test]
fn single_files_are_watched_through_their_directory() {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().canonicalize().unwrap();
    let a = dir_path.join("a.rhai");
    std::fs::write(&a, "").unwrap();
    let t = WatchTargets::resolve(std::slice::from_ref(&a)).unwrap();
    assert_eq!(t.watches(), [(dir_path.clone(), false)]);
    assert!(t.wants(&a));
    assert!(!t.wants(&dir_path.join("b.rhai")));
    assert!(WatchTargets::resolve(&[dir_path.join("missing")]).is_err());
}

/// Runs of the script named `name`, by source.
fn sources_of(runner: &FakeRunner, name: &str) -> Vec<String> {
    runner
        .calls()
        .iter()
        .filter(|c| c.job.path.file_name().is_some_and(|n| n == name))
        .map(|c| c.job.source.to_string())
        .collect()
}

#[tokio::test]
async fn a_rename_save_runs_once() {
    let dir = tempfile::tempdir().unwrap();
    let runner = FakeRunner::new(Arc::new(SystemClock), false, Duration::ZERO);
    let shutdown = CancellationToken::new();
    let cfg = WatchConfig {
        paths: vec![dir.path().to_path_buf()],
        ..WatchConfig::default()
    };
    let task = tokio::spawn(run_watch(cfg, runner.clone(), shutdown.clone()));
    within(Duration::from_secs(60), "the rename-save test", async {
        // The watcher is up once a saved script runs: save one until it does (no guessed
        // start-up delay).
        let ready = dir.path().join("ready.rhai");
        let deadline = std::time::Instant::now() + crate::test_support::EVENTUALLY;
        while sources_of(&runner, "ready.rhai").is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "the watcher never reported"
            );
            std::fs::write(&ready, "let ready = 1;").unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let tmp = dir.path().join(".a.rhai.tmp");
        std::fs::write(&tmp, "let v = 1;").unwrap();
        std::fs::rename(&tmp, dir.path().join("a.rhai")).unwrap();
        eventually("a.rhai runs", || !sources_of(&runner, "a.rhai").is_empty()).await;
        // A later save is the clock: once it has run, every event of the rename (which came
        // before it) has been handled.
        std::fs::write(dir.path().join("z.rhai"), "let z = 1;").unwrap();
        eventually("z.rhai runs", || !sources_of(&runner, "z.rhai").is_empty()).await;
        shutdown.cancel();
        task.await.unwrap().unwrap();
    })
    .await;
    assert_eq!(sources_of(&runner, "a.rhai"), ["let v = 1;"]);
}
