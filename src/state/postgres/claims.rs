//! SQL of the exactly-once claims on PostgreSQL (see `state::claims` for the protocol). The
//! unique key (script, subject) decides who wins a claim (`ON CONFLICT DO NOTHING`); a takeover
//! is one conditional `UPDATE` (only one replica's matches) followed, in the same transaction,
//! by settling the runs of the claim. Lease times are the database's clock ([`NOW_MS`]).

use std::time::Duration;

use deadpool_postgres::Pool;

use super::NOW_MS;
use crate::state::claims::lease_expired_reason;
use crate::state::{
    Claim, ClaimId, ClaimSubject, ExpiredClaim, Reclaimed, RunId, RunStatus, StateError,
};

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub(super) async fn claim(
    pool: &Pool,
    script: &str,
    subject: &ClaimSubject,
    owner: &str,
    lease: Duration,
) -> Result<Claim, StateError> {
    let key = subject.key();
    // One statement (one round trip, one implicit transaction): the claim row and, for a
    // fire, the last fire time moved forward when (and only when) the row was inserted.
    let fire_ms: Option<i64> = subject.fire_time().map(|t| t.timestamp_millis());
    let c = pool.get().await?;
    let won = c
        .query_opt(
            &format!(
                "WITH won AS (
                     INSERT INTO claims (script, subject, owner, status, claimed_at, lease_until)
                     VALUES ($1, $2, $3, 'running', {NOW_MS}, {NOW_MS} + $4)
                     ON CONFLICT (script, subject) DO NOTHING RETURNING id),
                 fired AS (
                     INSERT INTO fires (script, last_fire)
                     SELECT $1, $5::bigint FROM won WHERE $5::bigint IS NOT NULL
                     ON CONFLICT (script) DO UPDATE
                     SET last_fire = GREATEST(fires.last_fire, excluded.last_fire))
                 SELECT id FROM won"
            ),
            &[&script, &key, &owner, &ms(lease), &fire_ms],
        )
        .await?;
    if let Some(row) = won {
        return Ok(Claim::Won(row.get(0)));
    }
    // Lost: the row exists (it is never deleted), committed by its winner.
    let row = c
        .query_one(
            "SELECT owner, status FROM claims WHERE script = $1 AND subject = $2",
            &[&script, &key],
        )
        .await?;
    Ok(Claim::Lost {
        owner: row.get(0),
        status: row.get(1),
    })
}

pub(super) async fn end(
    pool: &Pool,
    id: ClaimId,
    owner: &str,
    status: RunStatus,
) -> Result<(), StateError> {
    let c = pool.get().await?;
    c.execute(
        &format!(
            "UPDATE claims SET status = $3, ended_at = {NOW_MS}
             WHERE id = $1 AND owner = $2 AND status = 'running'"
        ),
        &[&id, &owner, &status.as_str()],
    )
    .await?;
    Ok(())
}

pub(super) async fn renew(pool: &Pool, owner: &str, lease: Duration) -> Result<u64, StateError> {
    let c = pool.get().await?;
    Ok(c.execute(
        &format!(
            "UPDATE claims SET lease_until = {NOW_MS} + $2 WHERE owner = $1 AND status = 'running'"
        ),
        &[&owner, &ms(lease)],
    )
    .await?)
}

pub(super) async fn expired(pool: &Pool) -> Result<Vec<ExpiredClaim>, StateError> {
    let c = pool.get().await?;
    let rows = c
        .query(
            &format!(
                "SELECT id, script, subject, owner, attempt FROM claims
                 WHERE status = 'running' AND lease_until < {NOW_MS} ORDER BY id"
            ),
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| ExpiredClaim {
            id: r.get(0),
            script: r.get(1),
            subject: r.get(2),
            owner: r.get(3),
            attempt: r.get(4),
        })
        .collect())
}

pub(super) async fn reclaim(
    pool: &Pool,
    claim: &ExpiredClaim,
    owner: &str,
    lease: Duration,
    rerun: bool,
) -> Result<Option<Reclaimed>, StateError> {
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    let taken = if rerun {
        tx.execute(
            &format!(
                "UPDATE claims SET owner = $3, attempt = attempt + 1, claimed_at = {NOW_MS},
                     lease_until = {NOW_MS} + $4
                 WHERE id = $1 AND owner = $2 AND status = 'running'
                   AND lease_until < {NOW_MS}"
            ),
            &[&claim.id, &claim.owner, &owner, &ms(lease)],
        )
        .await?
    } else {
        tx.execute(
            &format!(
                "UPDATE claims SET status = 'interrupted', ended_at = {NOW_MS}
                 WHERE id = $1 AND owner = $2 AND status = 'running'
                   AND lease_until < {NOW_MS}"
            ),
            &[&claim.id, &claim.owner],
        )
        .await?
    };
    if taken == 0 {
        return Ok(None);
    }
    let runs: Vec<RunId> = tx
        .query(
            "UPDATE runs SET status = 'interrupted', error = $2
             WHERE claim_id = $1 AND status = 'running' RETURNING id",
            &[&claim.id, &lease_expired_reason(&claim.owner, owner)],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    tx.commit().await?;
    Ok(Some(Reclaimed {
        interrupted_runs: runs,
        rerun,
    }))
}
