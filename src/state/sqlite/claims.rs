//! SQL of the exactly-once claims on SQLite (see `state::claims` for the protocol). The unique
//! key (script, subject) decides who wins; a takeover is one `BEGIN IMMEDIATE` transaction, so
//! two processes cannot both take over one expired claim.

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::state::claims::lease_expired_reason;
use crate::state::{
    Claim, ClaimId, ClaimSubject, ExpiredClaim, Reclaimed, RunId, RunStatus, StateError,
};

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(super) fn claim(
    c: &mut Connection,
    script: &str,
    subject: &ClaimSubject,
    owner: &str,
    lease: Duration,
    now: i64,
) -> Result<Claim, StateError> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let won: Option<ClaimId> = tx
        .query_row(
            "INSERT INTO claims (script, subject, owner, status, claimed_at, lease_until)
             VALUES (?1, ?2, ?3, 'running', ?4, ?5)
             ON CONFLICT (script, subject) DO NOTHING RETURNING id",
            params![
                script,
                subject.key(),
                owner,
                now,
                now.saturating_add(ms(lease))
            ],
            |r| r.get(0),
        )
        .optional()?;
    let outcome = match won {
        Some(id) => {
            if let Some(at) = subject.fire_time() {
                super::kv::set_last_fire(&tx, script, at)?;
            }
            Claim::Won(id)
        }
        None => {
            let (owner, status) = tx.query_row(
                "SELECT owner, status FROM claims WHERE script = ?1 AND subject = ?2",
                params![script, subject.key()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            Claim::Lost { owner, status }
        }
    };
    tx.commit()?;
    Ok(outcome)
}

pub(super) fn end(
    c: &Connection,
    id: ClaimId,
    owner: &str,
    status: RunStatus,
) -> Result<(), StateError> {
    c.execute(
        "UPDATE claims SET status = ?3, ended_at = ?4
         WHERE id = ?1 AND owner = ?2 AND status = 'running'",
        params![
            id,
            owner,
            status.as_str(),
            chrono::Utc::now().timestamp_millis()
        ],
    )?;
    Ok(())
}

pub(super) fn renew(
    c: &Connection,
    owner: &str,
    lease: Duration,
    now: i64,
) -> Result<u64, StateError> {
    let n = c.execute(
        "UPDATE claims SET lease_until = ?2 WHERE owner = ?1 AND status = 'running'",
        params![owner, now.saturating_add(ms(lease))],
    )?;
    Ok(n as u64)
}

pub(super) fn expired(c: &Connection, now: i64) -> Result<Vec<ExpiredClaim>, StateError> {
    let mut st = c.prepare(
        "SELECT id, script, subject, owner, attempt FROM claims
         WHERE status = 'running' AND lease_until < ?1 ORDER BY id",
    )?;
    let rows = st
        .query_map(params![now], |r| {
            Ok(ExpiredClaim {
                id: r.get(0)?,
                script: r.get(1)?,
                subject: r.get(2)?,
                owner: r.get(3)?,
                attempt: r.get(4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) fn reclaim(
    c: &mut Connection,
    claim: &ExpiredClaim,
    owner: &str,
    lease: Duration,
    rerun: bool,
    now: i64,
) -> Result<Option<Reclaimed>, StateError> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let taken = if rerun {
        tx.execute(
            "UPDATE claims SET owner = ?3, attempt = attempt + 1, claimed_at = ?4,
                 lease_until = ?5
             WHERE id = ?1 AND owner = ?2 AND status = 'running' AND lease_until < ?4",
            params![
                claim.id,
                claim.owner,
                owner,
                now,
                now.saturating_add(ms(lease))
            ],
        )?
    } else {
        tx.execute(
            "UPDATE claims SET status = 'interrupted', ended_at = ?3
             WHERE id = ?1 AND owner = ?2 AND status = 'running' AND lease_until < ?3",
            params![claim.id, claim.owner, now],
        )?
    };
    if taken == 0 {
        return Ok(None);
    }
    let runs: Vec<RunId> = {
        let mut st = tx.prepare(
            "UPDATE runs SET status = 'interrupted', error = ?2
             WHERE claim_id = ?1 AND status = 'running' RETURNING id",
        )?;
        let ids = st
            .query_map(
                params![claim.id, lease_expired_reason(&claim.owner, owner)],
                |r| r.get(0),
            )?
            .collect::<Result<Vec<RunId>, _>>()?;
        ids
    };
    tx.commit()?;
    Ok(Some(Reclaimed {
        interrupted_runs: runs,
        rerun,
    }))
}
