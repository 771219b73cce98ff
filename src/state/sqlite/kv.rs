//! SQL of the key-value store and the last fire times on SQLite. `add` takes the write lock
//! first (`BEGIN IMMEDIATE`), so the read and the write of an increment cannot interleave with
//! another process's.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use crate::state::kv::add_json;
use crate::state::StateError;

pub(super) fn get(
    c: &Connection,
    script: &str,
    key: &str,
) -> Result<Option<serde_json::Value>, StateError> {
    let text: Option<String> = c
        .query_row(
            "SELECT value FROM kv WHERE script = ?1 AND key = ?2",
            params![script, key],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
}

pub(super) fn set(
    c: &Connection,
    script: &str,
    key: &str,
    value: &serde_json::Value,
) -> Result<(), StateError> {
    let text = serde_json::to_string(value)?;
    c.execute(
        "INSERT INTO kv (script, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (script, key) DO UPDATE SET value = excluded.value,
         updated_at = excluded.updated_at",
        params![script, key, text, Utc::now().timestamp_millis()],
    )?;
    Ok(())
}

pub(super) fn add(
    c: &mut Connection,
    script: &str,
    key: &str,
    by: &serde_json::Value,
) -> Result<serde_json::Value, StateError> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = get(&tx, script, key)?;
    let sum = add_json(current.as_ref(), by)?;
    set(&tx, script, key, &sum)?;
    tx.commit()?;
    Ok(sum)
}

pub(super) fn remove(c: &Connection, script: &str, key: &str) -> Result<bool, StateError> {
    let n = c.execute(
        "DELETE FROM kv WHERE script = ?1 AND key = ?2",
        params![script, key],
    )?;
    Ok(n > 0)
}

pub(super) fn keys(c: &Connection, script: &str) -> Result<Vec<String>, StateError> {
    let mut st = c.prepare("SELECT key FROM kv WHERE script = ?1 ORDER BY key")?;
    let keys = st
        .query_map(params![script], |r| r.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(keys)
}

pub(super) fn last_fire(c: &Connection, script: &str) -> Result<Option<DateTime<Utc>>, StateError> {
    let ms: Option<i64> = c
        .query_row(
            "SELECT last_fire FROM fires WHERE script = ?1",
            params![script],
            |r| r.get(0),
        )
        .optional()?;
    Ok(ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single()))
}

pub(super) fn set_last_fire(
    c: &Connection,
    script: &str,
    at: DateTime<Utc>,
) -> Result<(), StateError> {
    c.execute(
        "INSERT INTO fires (script, last_fire) VALUES (?1, ?2)
         ON CONFLICT (script) DO UPDATE SET last_fire = MAX(last_fire, excluded.last_fire)",
        params![script, at.timestamp_millis()],
    )?;
    Ok(())
}
