//! SQL of the run history on SQLite: one row per run in `runs`, each script text once in
//! `scripts`, the changes in `run_changes` (`changes.rs`).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::state::runs::{from_millis, interrupted_reason, millis, stored_count};
use crate::state::{
    content_hash, owner, BackendRecord, LogLine, RunEnd, RunFilter, RunId, RunRecord, RunStart,
    RunStatus, StateError,
};

fn count(r: &Row<'_>, col: &str) -> rusqlite::Result<u64> {
    Ok(r.get::<_, i64>(col)?.max(0) as u64)
}

fn json_col<T: serde::de::DeserializeOwned + Default>(
    r: &Row<'_>,
    col: &str,
) -> rusqlite::Result<T> {
    let text: String = r.get(col)?;
    Ok(serde_json::from_str(&text).unwrap_or_default())
}

fn record(r: &Row<'_>, with_log: bool) -> rusqlite::Result<RunRecord> {
    let log: String = r.get("log")?;
    Ok(RunRecord {
        id: r.get("id")?,
        script: r.get("script")?,
        trigger: r.get("trigger")?,
        backend: BackendRecord {
            kind: r.get("backend_kind")?,
            location: r.get("backend")?,
            live: r.get::<_, i64>("live")? != 0,
            portal_id: r
                .get::<_, Option<i64>>("portal_id")?
                .map(|p| p.max(0) as u64),
        },
        script_path: r.get("script_path")?,
        script_hash: r.get("script_hash")?,
        args: json_col(r, "args")?,
        header: json_col(r, "header")?,
        user: r.get("user")?,
        host: r.get("host")?,
        pid: r
            .get::<_, Option<i64>>("pid")?
            .and_then(|p| u32::try_from(p).ok()),
        undo_of: r.get("undo_of")?,
        started_at: from_millis(r.get("started_at")?),
        ended_at: r.get::<_, Option<i64>>("ended_at")?.map(from_millis),
        status: RunStatus::parse(&r.get::<_, String>("status")?),
        reads: r.get::<_, i64>("reads")? as u64,
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
        dry_run: r.get::<_, i64>("dry_run")? != 0,
        error: r.get("error")?,
        log: if with_log {
            serde_json::from_str(&log).unwrap_or_default()
        } else {
            Vec::new()
        },
        changes: Vec::new(),
    })
}

pub(super) fn start(c: &mut Connection, start: &RunStart) -> Result<RunId, StateError> {
    let hash = content_hash(&start.script_text);
    let args = serde_json::to_string(&start.args)?;
    let header = serde_json::to_string(&start.header)?;
    let b = &start.backend;
    let tx = c.transaction()?;
    tx.execute(
        "INSERT OR IGNORE INTO scripts (hash, text) VALUES (?1, ?2)",
        params![hash, start.script_text],
    )?;
    tx.execute(
        "INSERT INTO runs (script, trigger, started_at, status, dry_run, backend_kind,
             backend, live, portal_id, script_path, script_hash, args, header, user,
             host, undo_of, pid, claim_id)
         VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
             ?14, ?15, ?16, ?17)",
        params![
            start.script,
            start.trigger,
            millis(start.started_at),
            i64::from(start.dry_run),
            b.kind,
            b.location,
            i64::from(b.live),
            b.portal_id.map(|p| p as i64),
            start.script_path,
            hash,
            args,
            header,
            start.user,
            start.host,
            start.undo_of,
            i64::from(std::process::id()),
            start.claim,
        ],
    )?;
    let id = tx.last_insert_rowid();
    tx.commit()?;
    Ok(id)
}

pub(super) fn finish(
    c: &mut Connection,
    id: RunId,
    status: RunStatus,
    ended_at: DateTime<Utc>,
    end: &RunEnd<'_>,
) -> Result<(), StateError> {
    let log = serde_json::to_string(end.log)?;
    let n = stored_count;
    let tx = c.transaction()?;
    tx.execute(
        "UPDATE runs SET status = ?2, ended_at = ?3, reads = ?4, writes = ?5,
         api_calls = ?6, error = ?7, log = ?8, planned = ?9, applied = ?10,
         conflicts = ?11, failed = ?12, api_reads = ?13, api_writes = ?14,
         retries = ?15, rate_limit_waits = ?16 WHERE id = ?1",
        params![
            id,
            status.as_str(),
            millis(ended_at),
            n(end.reads),
            n(end.writes),
            n(end.api_calls),
            end.error,
            log,
            n(end.planned),
            n(end.applied),
            n(end.conflicts),
            n(end.failed),
            n(end.api_reads),
            n(end.api_writes),
            n(end.retries),
            n(end.rate_limit_waits),
        ],
    )?;
    super::changes::insert(&tx, id, end.changes)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn settle(
    c: &Connection,
    id: RunId,
    status: RunStatus,
    ended_at: DateTime<Utc>,
    error: &str,
    log: &[LogLine],
) -> Result<bool, StateError> {
    let log = serde_json::to_string(log)?;
    let n = c.execute(
        "UPDATE runs SET status = ?2, ended_at = ?3, error = ?4, log = ?5
         WHERE id = ?1 AND status = 'running'",
        params![id, status.as_str(), millis(ended_at), error, log],
    )?;
    Ok(n == 1)
}

pub(super) fn settle_interrupted(
    c: &mut Connection,
    found_at: DateTime<Utc>,
) -> Result<Vec<RunId>, StateError> {
    let host = owner::host_name();
    let tx = c.transaction()?;
    let orphans: Vec<(RunId, i64)> = {
        let mut st = tx.prepare(
            "SELECT id, pid FROM runs
             WHERE status = 'running' AND pid IS NOT NULL AND host = ?1",
        )?;
        let rows = st
            .query_map(params![host], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter()
            .filter(|(_, pid)| u32::try_from(*pid).is_ok_and(|p| !owner::process_alive(p)))
            .collect()
    };
    for (id, pid) in &orphans {
        tx.execute(
            "UPDATE runs SET status = 'interrupted', error = ?2
             WHERE id = ?1 AND status = 'running'",
            params![id, interrupted_reason(*pid, host, found_at)],
        )?;
    }
    tx.commit()?;
    Ok(orphans.into_iter().map(|(id, _)| id).collect())
}

pub(super) fn list(c: &Connection, filter: &RunFilter) -> Result<Vec<RunRecord>, StateError> {
    let limit = if filter.limit == 0 {
        -1 // SQLite: no limit
    } else {
        filter.limit as i64
    };
    let mut st = c.prepare(
        "SELECT * FROM runs
         WHERE (?1 IS NULL OR script = ?1)
           AND (?2 = 0 OR status IN ('failed', 'timed_out', 'cancelled', 'interrupted'))
           AND (?4 IS NULL OR status = ?4)
           AND (?5 IS NULL OR started_at >= ?5)
           AND (?6 IS NULL OR backend_kind = ?6 OR instr(backend, ?6) > 0
                OR CAST(portal_id AS TEXT) = ?6)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let rows = st
        .query_map(
            params![
                filter.script,
                i64::from(filter.failed),
                limit,
                filter.status.map(RunStatus::as_str),
                filter.since.map(millis),
                filter.backend,
            ],
            |r| record(r, false),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) fn one(c: &Connection, id: RunId) -> Result<Option<RunRecord>, StateError> {
    let run = c
        .query_row("SELECT * FROM runs WHERE id = ?1", params![id], |r| {
            record(r, true)
        })
        .optional()?;
    let Some(mut run) = run else { return Ok(None) };
    run.changes = super::changes::of_run(c, id)?;
    Ok(Some(run))
}

pub(super) fn recent(
    c: &Connection,
    script: &str,
    n: usize,
) -> Result<Vec<(RunId, RunStatus, DateTime<Utc>)>, StateError> {
    let mut st = c.prepare(
        "SELECT id, status, started_at FROM runs WHERE script = ?1
         ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = st
        .query_map(params![script, n as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                RunStatus::parse(&r.get::<_, String>(1)?),
                from_millis(r.get(2)?),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) fn script_text(c: &Connection, hash: &str) -> Result<Option<String>, StateError> {
    Ok(c.query_row(
        "SELECT text FROM scripts WHERE hash = ?1",
        params![hash],
        |r| r.get(0),
    )
    .optional()?)
}
