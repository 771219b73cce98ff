//! SQL of the run history on PostgreSQL: the same tables and columns as the SQLite file
//! (`runs`, `scripts`, `run_changes`), booleans as `BOOLEAN`, times as epoch milliseconds.

use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use tokio_postgres::Row;

use crate::model::TicketChange;
use crate::state::runs::{from_millis, interrupted_reason, millis, stored_count};
use crate::state::{
    content_hash, owner, BackendRecord, RunEnd, RunFilter, RunId, RunRecord, RunStart, RunStatus,
    StateError,
};

/// A [`RunEnd`] owned, to move onto the store's runtime.
pub(super) struct OwnedEnd {
    counts: [i64; 11],
    changes: Vec<TicketChange>,
    error: Option<String>,
    log: String,
}

impl OwnedEnd {
    pub(super) fn from(end: &RunEnd<'_>) -> Result<Self, StateError> {
        let n = stored_count;
        Ok(Self {
            counts: [
                n(end.reads),
                n(end.writes),
                n(end.api_calls),
                n(end.planned),
                n(end.applied),
                n(end.conflicts),
                n(end.failed),
                n(end.api_reads),
                n(end.api_writes),
                n(end.retries),
                n(end.rate_limit_waits),
            ],
            changes: end.changes.to_vec(),
            error: end.error.map(String::from),
            log: serde_json::to_string(end.log)?,
        })
    }
}

fn count(r: &Row, col: &str) -> Result<u64, tokio_postgres::Error> {
    Ok(r.try_get::<_, i64>(col)?.max(0) as u64)
}

fn json_col<T: serde::de::DeserializeOwned + Default>(
    r: &Row,
    col: &str,
) -> Result<T, tokio_postgres::Error> {
    let text: String = r.try_get(col)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

fn record(r: &Row, with_log: bool) -> Result<RunRecord, tokio_postgres::Error> {
    Ok(RunRecord {
        id: r.try_get("id")?,
        script: r.try_get("script")?,
        trigger: r.try_get("trigger")?,
        backend: BackendRecord {
            kind: r.try_get("backend_kind")?,
            location: r.try_get("backend")?,
            live: r.try_get("live")?,
            portal_id: r
                .try_get::<_, Option<i64>>("portal_id")?
                .map(|p| p.max(0) as u64),
        },
        script_path: r.try_get("script_path")?,
        script_hash: r.try_get("script_hash")?,
        args: json_col(r, "args")?,
        header: json_col(r, "header")?,
        user: r.try_get("user")?,
        host: r.try_get("host")?,
        pid: r
            .try_get::<_, Option<i64>>("pid")?
            .and_then(|p| u32::try_from(p).ok()),
        undo_of: r.try_get("undo_of")?,
        started_at: from_millis(r.try_get("started_at")?),
        ended_at: r.try_get::<_, Option<i64>>("ended_at")?.map(from_millis),
        status: RunStatus::parse(r.try_get("status")?),
        reads: count(r, "reads")?,
        writes: count(r, "writes")?,
        planned: count(r, "planned")?,
        applied: count(r, "applied")?,
        conflicts: count(r, "conflicts")?,
        failed: count(r, "failed")?,
        api_calls: count(r, "api_calls")?,
        api_reads: count(r, "api_reads")?,
        api_writes: count(r, "api_writes")?,
        retries: count(r, "retries")?,
        rate_limit_waits: count(r, "rate_limit_waits")?,
        dry_run: r.try_get("dry_run")?,
        error: r.try_get("error")?,
        log: if with_log {
            json_col(r, "log")?
        } else {
            Vec::new()
        },
        changes: Vec::new(),
    })
}

pub(super) async fn start(pool: &Pool, start: &RunStart) -> Result<RunId, StateError> {
    let hash = content_hash(&start.script_text);
    let args = serde_json::to_string(&start.args)?;
    let header = serde_json::to_string(&start.header)?;
    let b = &start.backend;
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    tx.execute(
        "INSERT INTO scripts (hash, text) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING",
        &[&hash, &start.script_text],
    )
    .await?;
    let id: i64 = tx
        .query_one(
            "INSERT INTO runs (script, trigger, started_at, status, dry_run, backend_kind,
                 backend, live, portal_id, script_path, script_hash, args, header, \"user\",
                 host, undo_of, pid, claim_id)
             VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                 $14, $15, $16, $17)
             RETURNING id",
            &[
                &start.script,
                &start.trigger,
                &millis(start.started_at),
                &start.dry_run,
                &b.kind,
                &b.location,
                &b.live,
                &b.portal_id.map(|p| p as i64),
                &start.script_path,
                &hash,
                &args,
                &header,
                &start.user,
                &start.host,
                &start.undo_of,
                &i64::from(std::process::id()),
                &start.claim,
            ],
        )
        .await?
        .get(0);
    tx.commit().await?;
    Ok(id)
}

pub(super) async fn finish(
    pool: &Pool,
    id: RunId,
    status: RunStatus,
    ended_at: DateTime<Utc>,
    end: &OwnedEnd,
) -> Result<(), StateError> {
    let [reads, writes, api_calls, planned, applied, conflicts, failed, api_reads, api_writes, retries, waits] =
        end.counts;
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    tx.execute(
        "UPDATE runs SET status = $2, ended_at = $3, reads = $4, writes = $5,
         api_calls = $6, error = $7, log = $8, planned = $9, applied = $10,
         conflicts = $11, failed = $12, api_reads = $13, api_writes = $14,
         retries = $15, rate_limit_waits = $16 WHERE id = $1",
        &[
            &id,
            &status.as_str(),
            &millis(ended_at),
            &reads,
            &writes,
            &api_calls,
            &end.error,
            &end.log,
            &planned,
            &applied,
            &conflicts,
            &failed,
            &api_reads,
            &api_writes,
            &retries,
            &waits,
        ],
    )
    .await?;
    let first: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(seq) + 1, 0) FROM run_changes WHERE run_id = $1",
            &[&id],
        )
        .await?
        .get(0);
    if !end.changes.is_empty() {
        let st = tx
            .prepare(
                "INSERT INTO run_changes (run_id, seq, ticket, action, property, change)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .await?;
        for (i, ch) in end.changes.iter().enumerate() {
            let json = serde_json::to_string(ch)?;
            tx.execute(
                &st,
                &[
                    &id,
                    &(first + i as i64),
                    &ch.ticket,
                    &ch.action.as_str(),
                    &ch.property,
                    &json,
                ],
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn settle(
    pool: &Pool,
    id: RunId,
    status: RunStatus,
    ended_at: DateTime<Utc>,
    error: &str,
    log: &str,
) -> Result<bool, StateError> {
    let c = pool.get().await?;
    let n = c
        .execute(
            "UPDATE runs SET status = $2, ended_at = $3, error = $4, log = $5
             WHERE id = $1 AND status = 'running'",
            &[&id, &status.as_str(), &millis(ended_at), &error, &log],
        )
        .await?;
    Ok(n == 1)
}

pub(super) async fn settle_interrupted(
    pool: &Pool,
    found_at: DateTime<Utc>,
) -> Result<Vec<RunId>, StateError> {
    let host = owner::host_name();
    let c = pool.get().await?;
    let rows = c
        .query(
            "SELECT id, pid FROM runs
             WHERE status = 'running' AND pid IS NOT NULL AND host = $1",
            &[&host],
        )
        .await?;
    let mut settled = Vec::new();
    for r in rows {
        let (id, pid): (i64, i64) = (r.get(0), r.get(1));
        if u32::try_from(pid).is_ok_and(owner::process_alive) {
            continue;
        }
        let n = c
            .execute(
                "UPDATE runs SET status = 'interrupted', error = $2
                 WHERE id = $1 AND status = 'running'",
                &[&id, &interrupted_reason(pid, host, found_at)],
            )
            .await?;
        if n == 1 {
            settled.push(id);
        }
    }
    Ok(settled)
}

pub(super) async fn list(pool: &Pool, filter: &RunFilter) -> Result<Vec<RunRecord>, StateError> {
    let limit: Option<i64> = (filter.limit > 0).then_some(filter.limit as i64);
    let c = pool.get().await?;
    let rows = c
        .query(
            "SELECT * FROM runs
             WHERE ($1::text IS NULL OR script = $1)
               AND (NOT $2 OR status IN ('failed', 'timed_out', 'cancelled', 'interrupted'))
               AND ($4::text IS NULL OR status = $4)
               AND ($5::bigint IS NULL OR started_at >= $5)
               AND ($6::text IS NULL OR backend_kind = $6 OR strpos(backend, $6) > 0
                    OR portal_id::text = $6)
             ORDER BY id DESC LIMIT $3",
            &[
                &filter.script,
                &filter.failed,
                &limit,
                &filter.status.map(RunStatus::as_str),
                &filter.since.map(millis),
                &filter.backend,
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| record(r, false))
        .collect::<Result<Vec<_>, _>>()?)
}

pub(super) async fn one(pool: &Pool, id: RunId) -> Result<Option<RunRecord>, StateError> {
    let c = pool.get().await?;
    let Some(row) = c
        .query_opt("SELECT * FROM runs WHERE id = $1", &[&id])
        .await?
    else {
        return Ok(None);
    };
    let mut run = record(&row, true)?;
    let changes = c
        .query(
            "SELECT change FROM run_changes WHERE run_id = $1 ORDER BY seq",
            &[&id],
        )
        .await?;
    run.changes = changes
        .iter()
        .map(|r| serde_json::from_str(r.get(0)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(run))
}

pub(super) async fn recent(
    pool: &Pool,
    script: &str,
    n: usize,
) -> Result<Vec<(RunId, RunStatus, DateTime<Utc>)>, StateError> {
    let c = pool.get().await?;
    let rows = c
        .query(
            "SELECT id, status, started_at FROM runs WHERE script = $1
             ORDER BY id DESC LIMIT $2",
            &[&script, &(n as i64)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get::<_, i64>(0),
                RunStatus::parse(r.get(1)),
                from_millis(r.get(2)),
            )
        })
        .collect())
}

pub(super) async fn script_text(pool: &Pool, hash: &str) -> Result<Option<String>, StateError> {
    let c = pool.get().await?;
    Ok(
        c.query_opt("SELECT text FROM scripts WHERE hash = $1", &[&hash])
            .await?
            .map(|r| r.get(0)),
    )
}
