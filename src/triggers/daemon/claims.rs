//! The daemon's side of exactly-once fires (the store's side is `state::claims`): each fire is
//! claimed in the shared store before it runs, so when several daemons share one PostgreSQL
//! database (replicas, a rolling update) only one of them runs it; the others skip and say so.
//! A won claim travels with its [`Job`] as a [`ClaimGuard`]; the guard ends the claim with the
//! run's status when the job is done with, whether the job ran, was skipped by the overlap
//! policy or was dropped at shutdown, so no claim is left `running` by a live daemon.
//!
//! The daemon's keeper (`Daemon::keep_claims`) renews this daemon's leases every third of the
//! lease, and takes over claims whose lease expired (their daemon died): their runs are marked
//! interrupted, and a script whose `catch_up` is `"once"` is run again by the taker.
//!
//! When the store cannot be reached for a claim: a shared store (PostgreSQL) skips the fire
//! (running it could run it twice; the error is logged), a local SQLite file runs it as before
//! claims existed (only one machine can use it, and the run matters more than the claim).
//! Store calls are short and made in place, as the daemon always did with the state file: a
//! daemon claims as many fires at once as its runtime has workers (one per core). Claiming
//! through `block_in_place` to go wider made a daemon's shutdown lose track of its run
//! processes (a SIGTERMed run was SIGKILLed at the end of the grace period: the isolation test
//! caught it), so it is left for later.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::state::{
    owner, Claim, ClaimId, ClaimSubject, ExpiredClaim, Reclaimed, RunStatus, StateDb,
};

/// Default lease of a claim: a daemon that stops renewing for this long is taken as dead.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// This daemon's identity and its claims' settings.
pub(crate) struct DaemonClaims {
    state: StateDb,
    /// `host:pid:nonce`: unique per daemon process, readable in logs and in the store.
    owner: String,
    lease: Duration,
}

impl std::fmt::Debug for DaemonClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DaemonClaims")
            .field("owner", &self.owner)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

/// What claiming a fire decided.
#[derive(Debug)]
pub(crate) enum FireClaim {
    /// Run it, holding this guard.
    Run(Option<Arc<ClaimGuard>>),
    /// Another daemon has it (or the shared store could not be asked): do not run.
    Skip,
}

impl DaemonClaims {
    pub(crate) fn new(state: StateDb, lease: Duration) -> Arc<Self> {
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        Arc::new(Self {
            owner: format!(
                "{}:{}:{}",
                owner::host_name(),
                std::process::id(),
                &nonce[..8]
            ),
            state,
            lease: lease.max(Duration::from_secs(1)),
        })
    }

    /// This daemon's identity in the store.
    pub(crate) fn owner(&self) -> &str {
        &self.owner
    }

    /// How often the keeper renews and looks for expired claims: a third of the lease, so a
    /// late renewal or two still keeps it.
    pub(crate) fn keep_every(&self) -> Duration {
        self.lease / 3
    }

    /// Claims (`script`, fire time `at`); the claim also records `at` as the last fire.
    pub(crate) fn fire(self: &Arc<Self>, script: &str, at: DateTime<Utc>) -> FireClaim {
        let claimed = self
            .state
            .claim(script, &ClaimSubject::Fire(at), &self.owner, self.lease);
        match claimed {
            Ok(Claim::Won(id)) => FireClaim::Run(Some(ClaimGuard::new(self.clone(), id))),
            Ok(Claim::Lost { owner, status }) => {
                tracing::info!(script, fire = %at, claimed_by = %owner, claim_status = %status, "fire claimed by another daemon: skipped here");
                FireClaim::Skip
            }
            Err(e) if self.state.is_shared() => {
                tracing::error!(script, fire = %at, error = %e, "cannot claim the fire in the shared state store: skipped (another daemon may run it)");
                FireClaim::Skip
            }
            Err(e) => {
                tracing::error!(script, fire = %at, error = %e, "cannot claim the fire: running it anyway (local state file)");
                FireClaim::Run(None)
            }
        }
    }

    /// Renews this daemon's leases; logs (does not fail) when the store is unreachable.
    pub(crate) fn renew(&self) {
        match self.state.renew_claims(&self.owner, self.lease) {
            Ok(n) => tracing::trace!(claims = n, "claims renewed"),
            Err(e) => {
                tracing::warn!(error = %e, "cannot renew this daemon's claims (another daemon takes them over when their lease expires)");
            }
        }
    }

    /// Running claims of any daemon whose lease expired.
    pub(crate) fn expired(&self) -> Vec<ExpiredClaim> {
        self.state.expired_claims().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot look for expired claims");
            Vec::new()
        })
    }

    /// Takes over `claim` (see [`StateDb::reclaim`]), logging what it did; with a rerun, the
    /// guard the rerun holds.
    pub(crate) fn take_over(
        self: &Arc<Self>,
        claim: &ExpiredClaim,
        rerun: bool,
    ) -> Option<(Reclaimed, Option<Arc<ClaimGuard>>)> {
        let taken = match self.state.reclaim(claim, &self.owner, self.lease, rerun) {
            Ok(Some(t)) => t,
            Ok(None) => return None,
            Err(e) => {
                tracing::warn!(script = %claim.script, error = %e, "cannot take over an expired claim");
                return None;
            }
        };
        let what = ClaimSubject::from_key(&claim.subject)
            .and_then(|s| s.fire_time())
            .map_or_else(
                || claim.subject.clone(),
                |t| format!("fire {}", t.to_rfc3339()),
            );
        let runs = taken
            .interrupted_runs
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if taken.rerun {
            tracing::warn!(script = %claim.script, claim = %what, dead = %claim.owner, interrupted_runs = %runs, attempt = claim.attempt + 1, "daemon {} stopped renewing its claim: its run is marked interrupted and runs again here (catch_up = \"once\")", claim.owner);
        } else {
            tracing::warn!(script = %claim.script, claim = %what, dead = %claim.owner, interrupted_runs = %runs, "daemon {} stopped renewing its claim: its run is marked interrupted (not rerun: catch_up = \"skip\", the script is not scheduled here, or its attempts are used up)", claim.owner);
        }
        let guard = taken.rerun.then(|| ClaimGuard::new(self.clone(), claim.id));
        Some((taken, guard))
    }

    fn end(&self, id: ClaimId, status: RunStatus) {
        if let Err(e) = self.state.end_claim(id, &self.owner, status) {
            tracing::warn!(claim = id, error = %e, "cannot record the end of a claim (it is taken over when its lease expires)");
        }
    }
}

/// A won claim, held by its job (and its clones); ends the claim when the last holder is gone,
/// with the status the run ended with (`ClaimGuard::finished`), or `cancelled` when the job
/// never ran.
pub struct ClaimGuard {
    claims: Arc<DaemonClaims>,
    id: ClaimId,
    status: Mutex<RunStatus>,
}

impl std::fmt::Debug for ClaimGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimGuard")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ClaimGuard {
    fn new(claims: Arc<DaemonClaims>, id: ClaimId) -> Arc<Self> {
        Arc::new(Self {
            claims,
            id,
            status: Mutex::new(RunStatus::Cancelled),
        })
    }

    /// The claim's id (recorded with the run).
    pub fn id(&self) -> ClaimId {
        self.id
    }

    /// Records how the run ended (the claim ends with it when the guard goes).
    pub(crate) fn finished(&self, status: RunStatus) {
        *self.status.lock().expect("claim status lock poisoned") = status;
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        let status = *self
            .status
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.claims.end(self.id, status);
    }
}
