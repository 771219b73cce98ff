//! One script's run slot in the daemon: applies the overlap policy when a fire time comes
//! while the previous run still goes. `skip` drops the new run (logged), `queue` keeps at most
//! one run waiting (a later fire merges into it), `replace` cancels the running run's token,
//! waits for it to end, then starts the new one. Whatever the policy, a fire that comes while
//! the previous run still *waits for a slot* (all slots busy: it never started) skips that
//! waiting run, which has waited a whole period, and waits in its place.

use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::run_group::{RunGroup, Ticket};
use crate::script::header::Overlap;
use crate::triggers::runner::{Job, Runner};

/// What a fire did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FireOutcome {
    /// A run started.
    Started,
    /// The previous run still goes; this fire was skipped.
    Skipped,
    /// Queued behind the running run.
    Queued,
    /// A run was already queued; this fire merged into it.
    Merged,
    /// The running run was cancelled and this one started.
    Replaced,
    /// The previous run still waited for a slot: it was skipped and this one waits instead.
    Superseded,
    /// Shutdown started; nothing runs.
    Stopping,
}

struct Current {
    cancel: CancellationToken,
    /// Whether it still waits for a slot.
    ticket: Ticket,
    /// Becomes true when the current run (not the queue after it) ended.
    done: watch::Receiver<bool>,
}

#[derive(Default)]
struct SlotState {
    current: Option<Current>,
    queued: Option<Job>,
}

/// The run slot of one script.
pub(crate) struct RunSlot {
    name: String,
    runner: Arc<dyn Runner>,
    group: RunGroup,
    state: Mutex<SlotState>,
}

impl RunSlot {
    pub(crate) fn new(name: String, runner: Arc<dyn Runner>, group: RunGroup) -> Arc<Self> {
        Arc::new(Self {
            name,
            runner,
            group,
            state: Mutex::new(SlotState::default()),
        })
    }

    /// True while a run of this script goes.
    #[cfg(test)]
    pub(crate) fn busy(&self) -> bool {
        self.lock().current.is_some()
    }

    /// Drops a queued run, if any (the script was unscheduled).
    pub(crate) fn drop_queued(&self) -> bool {
        self.lock().queued.take().is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SlotState> {
        self.state.lock().expect("run slot lock poisoned")
    }

    /// A fire time came: start `job` subject to `policy`.
    pub(crate) async fn fire(self: &Arc<Self>, job: Job, policy: Overlap) -> FireOutcome {
        if self.group.stopping() {
            return FireOutcome::Stopping;
        }
        let (previous, outcome) = {
            let mut st = self.lock();
            match (&st.current, policy) {
                (None, _) => {
                    self.start(&mut st, job);
                    return FireOutcome::Started;
                }
                (Some(c), _) if c.ticket.skip_if_waiting() => {
                    (c.done.clone(), FireOutcome::Superseded)
                }
                (Some(_), Overlap::Skip) => {
                    tracing::info!(script = %self.name, "previous run still going: this run is skipped (overlap = \"skip\")");
                    return FireOutcome::Skipped;
                }
                (Some(_), Overlap::Queue) => {
                    let merged = st.queued.replace(job).is_some();
                    if merged {
                        tracing::info!(script = %self.name, "a run is already queued: this fire merges into it (overlap = \"queue\")");
                        return FireOutcome::Merged;
                    }
                    tracing::info!(script = %self.name, "previous run still going: one run queued (overlap = \"queue\")");
                    return FireOutcome::Queued;
                }
                (Some(c), Overlap::Replace) => {
                    tracing::info!(script = %self.name, "previous run still going: cancelling it (overlap = \"replace\")");
                    c.cancel.cancel();
                    (c.done.clone(), FireOutcome::Replaced)
                }
            }
        };
        let mut done = previous;
        // The sender is dropped only after sending true, so an error also means "ended".
        let _ = done.wait_for(|d| *d).await;
        if self.group.stopping() {
            return FireOutcome::Stopping;
        }
        let mut st = self.lock();
        if st.current.is_some() {
            // Another fire started a run while we waited; the policy applies to it again.
            tracing::info!(script = %self.name, "a newer run already started: this fire is skipped");
            return FireOutcome::Skipped;
        }
        self.start(&mut st, job);
        outcome
    }

    /// Starts `job` now (the caller holds the lock and saw no current run).
    fn start(self: &Arc<Self>, st: &mut SlotState, job: Job) {
        let (tx, rx) = watch::channel(false);
        let cancel = self.group.run_token();
        let ticket = Ticket::default();
        st.current = Some(Current {
            cancel: cancel.clone(),
            ticket: ticket.clone(),
            done: rx,
        });
        let slot = Arc::clone(self);
        let hold = self.group.hold();
        tokio::spawn(async move {
            let _hold = hold;
            slot.run_chain(job, cancel, ticket, tx).await;
        });
    }

    /// Runs `job`, then the queued run if any, and so on, until nothing is queued.
    async fn run_chain(
        self: Arc<Self>,
        mut job: Job,
        mut cancel: CancellationToken,
        mut ticket: Ticket,
        mut done: watch::Sender<bool>,
    ) {
        loop {
            let claim = job.claim.clone();
            let result = self.group.run(&*self.runner, job, cancel, &ticket).await;
            if let Some(claim) = claim {
                claim.finished(result.status);
            }
            tracing::debug!(script = %self.name, status = result.status.as_str(), "run ended");
            let mut st = self.lock();
            let next = st.queued.take().filter(|_| !self.group.stopping());
            match next {
                Some(next_job) => {
                    let (tx, rx) = watch::channel(false);
                    let next_cancel = self.group.run_token();
                    let next_ticket = Ticket::default();
                    st.current = Some(Current {
                        cancel: next_cancel.clone(),
                        ticket: next_ticket.clone(),
                        done: rx,
                    });
                    drop(st);
                    let _ = done.send(true);
                    done = tx;
                    job = next_job;
                    cancel = next_cancel;
                    ticket = next_ticket;
                }
                None => {
                    st.current = None;
                    drop(st);
                    let _ = done.send(true);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "overlap_tests.rs"]
mod tests;
