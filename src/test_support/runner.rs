//! Test doubles for the triggers layer: a fake [`Runner`] that records its calls and can hold
//! runs open until released or cancelled.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use crate::state::RunStatus;
use crate::triggers::clock::Clock;
use crate::triggers::runner::{Job, RunResult, Runner, Trigger};

/// One recorded run.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub job: Job,
    pub at: DateTime<Utc>,
}

/// A runner that records calls. With `hold`, each run lasts until [`FakeRunner::release`] or
/// its cancellation; otherwise it lasts `duration` (tokio time).
pub(crate) struct FakeRunner {
    pub calls: Mutex<Vec<Call>>,
    pub ended: Mutex<Vec<RunStatus>>,
    hold: bool,
    duration: Duration,
    release: Semaphore,
    clock: Arc<dyn Clock>,
}

impl FakeRunner {
    pub(crate) fn new(clock: Arc<dyn Clock>, hold: bool, duration: Duration) -> Arc<Self> {
        Arc::new(Self {
            calls: Mutex::new(Vec::new()),
            ended: Mutex::new(Vec::new()),
            hold,
            duration,
            release: Semaphore::new(0),
            clock,
        })
    }

    /// Lets `n` held runs end.
    pub(crate) fn release(&self, n: usize) {
        self.release.add_permits(n);
    }

    pub(crate) fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub(crate) fn count(&self) -> usize {
        self.calls.lock().unwrap().len()
    }

    pub(crate) fn ended(&self) -> Vec<RunStatus> {
        self.ended.lock().unwrap().clone()
    }
}

#[async_trait]
impl Runner for FakeRunner {
    async fn run(&self, job: Job, cancel: CancellationToken) -> RunResult {
        let panics = job.source.contains("PANIC");
        self.calls.lock().unwrap().push(Call {
            job,
            at: self.clock.now(),
        });
        assert!(!panics, "the fake run panics as asked");
        let status = if self.hold {
            tokio::select! {
                p = self.release.acquire() => { if let Ok(p) = p { p.forget(); } RunStatus::Ok }
                () = cancel.cancelled() => RunStatus::Cancelled,
            }
        } else {
            tokio::select! {
                () = tokio::time::sleep(self.duration) => RunStatus::Ok,
                () = cancel.cancelled() => RunStatus::Cancelled,
            }
        };
        self.ended.lock().unwrap().push(status);
        RunResult::with_status(status)
    }

    fn check(&self, _path: &Path, source: &str) -> Result<(), String> {
        match source.find("BROKEN") {
            Some(_) => Err("syntax error at line 3, column 5: unexpected `BROKEN`".into()),
            None => Ok(()),
        }
    }
}

/// A job for `path` with `source`.
pub(crate) fn job(path: &str, source: &str) -> Job {
    Job {
        path: path.into(),
        source: source.into(),
        dry_run: false,
        trigger: Trigger::Schedule,
        timeout: None,
        max_writes: None,
        memory: None,
        claim: None,
        event: None,
    }
}

/// Lets spawned tasks make progress (paused time auto-advances by a millisecond).
pub(crate) async fn settle() {
    for _ in 0..5 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
}
