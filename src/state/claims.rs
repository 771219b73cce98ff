//! Exactly-once claims: before a daemon runs a script for a scheduled fire time (or for an
//! event), it claims the pair (script, subject) in one transaction of the shared store; the
//! first replica to insert the row runs it, every other replica finds the row taken, skips and
//! says so. The primary key (script, subject) makes a second claim impossible in both stores
//! (`INSERT ... ON CONFLICT DO NOTHING`); a fire claim also moves the script's last fire time
//! forward in the same transaction, so catch-up after a restart sees what any replica fired.
//!
//! A claim holds a lease: its owner renews the leases of all its running claims periodically
//! (one statement per renewal, not one per claim) and ends each claim when the run ends. A
//! replica that dies stops renewing; once the lease has expired another replica takes the
//! claim over in one transaction (only one can): the runs recorded under it that are still
//! `running` are settled as `interrupted`, and the claim is either rerun by the taker (the
//! script's catch-up policy is `once`, and the claim has not been taken over too often
//! already) or closed as `interrupted`. Lease times use the store's clock where it has one
//! (PostgreSQL's `clock_timestamp()`), so replicas with skewed clocks still agree on expiry.

use std::time::Duration;

use super::{RunId, RunStatus, StateDb, StateError};

/// Id of a claim (stored with the run that fulfils it).
pub type ClaimId = i64;

/// A claim is rerun by a taker at most this many times in all (a script that kills every
/// replica it runs on must not kill them all in turn forever).
pub const MAX_ATTEMPTS: i64 = 3;

/// What a claim is for, besides its script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimSubject {
    /// A scheduled fire time (epoch milliseconds of the scheduled time, not of the start).
    Fire(chrono::DateTime<chrono::Utc>),
    /// An event, by its stable id (e.g. the change feed's or a webhook's event id).
    Event(String),
}

impl ClaimSubject {
    /// The stored key: `fire:<epoch ms>` or `event:<id>`.
    pub fn key(&self) -> String {
        match self {
            Self::Fire(at) => format!("fire:{}", at.timestamp_millis()),
            Self::Event(id) => format!("event:{id}"),
        }
    }

    /// The fire time, for a fire claim.
    pub fn fire_time(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match self {
            Self::Fire(at) => Some(*at),
            Self::Event(_) => None,
        }
    }

    /// The subject of a stored key (`None` for a key this build does not know).
    pub fn from_key(key: &str) -> Option<Self> {
        if let Some(ms) = key.strip_prefix("fire:") {
            let ms: i64 = ms.parse().ok()?;
            return chrono::DateTime::from_timestamp_millis(ms).map(Self::Fire);
        }
        key.strip_prefix("event:").map(|id| Self::Event(id.into()))
    }
}

/// The outcome of a claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This replica won: run it, then end the claim.
    Won(ClaimId),
    /// Another replica (or an earlier attempt of this one) claimed it first.
    Lost {
        /// Who holds it (`host:pid:nonce` of a daemon).
        owner: String,
        /// `running`, `done`, `failed`, `interrupted`...
        status: String,
    },
}

/// A claim whose lease expired while `running`: its owner stopped renewing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpiredClaim {
    /// The claim.
    pub id: ClaimId,
    /// Its script.
    pub script: String,
    /// Its subject key (see [`ClaimSubject::key`]).
    pub subject: String,
    /// Who held it.
    pub owner: String,
    /// Attempts so far (1 for the first run).
    pub attempt: i64,
}

/// What taking over an expired claim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reclaimed {
    /// Runs recorded under the claim that were settled as `interrupted`.
    pub interrupted_runs: Vec<RunId>,
    /// Whether the taker now holds the claim to rerun it (else it is closed as interrupted).
    pub rerun: bool,
}

/// The error recorded on a run whose replica stopped renewing its claim.
pub(super) fn lease_expired_reason(owner: &str, taker: &str) -> String {
    format!(
        "interrupted: daemon {owner} stopped renewing its claim on this run (killed, lost its \
         node or its database connection); the claim's lease expired and daemon {taker} took it over"
    )
}

impl StateDb {
    /// Claims (`script`, `subject`) for `owner` with a lease of `lease`, in one transaction; a
    /// fire claim also records the fire time as the script's last fire.
    pub fn claim(
        &self,
        script: &str,
        subject: &ClaimSubject,
        owner: &str,
        lease: Duration,
    ) -> Result<Claim, StateError> {
        self.store.claim(script, subject, owner, lease)
    }

    /// Ends claim `id` of `owner` with the run's final status.
    pub fn end_claim(&self, id: ClaimId, owner: &str, status: RunStatus) -> Result<(), StateError> {
        self.store.end_claim(id, owner, status)
    }

    /// Extends the lease of every running claim of `owner` to `lease` from now; returns how
    /// many.
    pub fn renew_claims(&self, owner: &str, lease: Duration) -> Result<u64, StateError> {
        self.store.renew_claims(owner, lease)
    }

    /// Running claims whose lease has expired (any owner).
    pub fn expired_claims(&self) -> Result<Vec<ExpiredClaim>, StateError> {
        self.store.expired_claims()
    }

    /// Takes over `claim` for `owner` if it is still running with an expired lease (else
    /// `None`: another replica took it, or its owner came back): settles its running runs as
    /// interrupted and either holds it for a rerun (`rerun`, attempts left) or closes it.
    pub fn reclaim(
        &self,
        claim: &ExpiredClaim,
        owner: &str,
        lease: Duration,
        rerun: bool,
    ) -> Result<Option<Reclaimed>, StateError> {
        let rerun = rerun && claim.attempt < MAX_ATTEMPTS;
        self.store.reclaim(claim, owner, lease, rerun)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_round_trip_through_their_keys() {
        let at = chrono::DateTime::from_timestamp_millis(1_700_000_000_123).unwrap();
        for s in [
            ClaimSubject::Fire(at),
            ClaimSubject::Event("ticket:42:created".into()),
        ] {
            assert_eq!(ClaimSubject::from_key(&s.key()), Some(s));
        }
        assert_eq!(ClaimSubject::Fire(at).key(), "fire:1700000000123");
        assert_eq!(ClaimSubject::from_key("other:1"), None);
        assert_eq!(ClaimSubject::from_key("fire:x"), None);
    }
}
