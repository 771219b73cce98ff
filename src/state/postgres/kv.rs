//! SQL of the key-value store and the last fire times on PostgreSQL. `add` locks the row
//! (`SELECT ... FOR UPDATE`, after inserting it when missing so there is a row to lock), so
//! increments from any number of replicas serialise on it and none is lost.

use chrono::{DateTime, TimeZone, Utc};
use deadpool_postgres::Pool;
use tokio_postgres::GenericClient;

use crate::state::kv::add_json;
use crate::state::StateError;

pub(super) async fn get(
    pool: &Pool,
    script: &str,
    key: &str,
) -> Result<Option<serde_json::Value>, StateError> {
    let c = pool.get().await?;
    let row = c
        .query_opt(
            "SELECT value FROM kv WHERE script = $1 AND key = $2",
            &[&script, &key],
        )
        .await?;
    let text: Option<String> = row.map(|r| r.get(0));
    Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
}

async fn upsert(
    c: &(impl GenericClient + Sync),
    script: &str,
    key: &str,
    value: &serde_json::Value,
) -> Result<(), StateError> {
    let text = serde_json::to_string(value)?;
    c.execute(
        "INSERT INTO kv (script, key, value, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (script, key) DO UPDATE SET value = excluded.value,
         updated_at = excluded.updated_at",
        &[&script, &key, &text, &Utc::now().timestamp_millis()],
    )
    .await?;
    Ok(())
}

pub(super) async fn set(
    pool: &Pool,
    script: &str,
    key: &str,
    value: &serde_json::Value,
) -> Result<(), StateError> {
    let c = pool.get().await?;
    upsert(&**c, script, key, value).await
}

pub(super) async fn add(
    pool: &Pool,
    script: &str,
    key: &str,
    by: &serde_json::Value,
) -> Result<serde_json::Value, StateError> {
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    // A missing row is created as 0 first: FOR UPDATE locks only rows that exist, and two
    // inserts of one key serialise on the primary key.
    tx.execute(
        "INSERT INTO kv (script, key, value, updated_at) VALUES ($1, $2, '0', $3)
         ON CONFLICT (script, key) DO NOTHING",
        &[&script, &key, &Utc::now().timestamp_millis()],
    )
    .await?;
    let text: String = tx
        .query_one(
            "SELECT value FROM kv WHERE script = $1 AND key = $2 FOR UPDATE",
            &[&script, &key],
        )
        .await?
        .get(0);
    let current: serde_json::Value = serde_json::from_str(&text)?;
    let sum = add_json(Some(&current), by)?;
    upsert(&*tx, script, key, &sum).await?;
    tx.commit().await?;
    Ok(sum)
}

pub(super) async fn remove(pool: &Pool, script: &str, key: &str) -> Result<bool, StateError> {
    let c = pool.get().await?;
    let n = c
        .execute(
            "DELETE FROM kv WHERE script = $1 AND key = $2",
            &[&script, &key],
        )
        .await?;
    Ok(n > 0)
}

pub(super) async fn keys(pool: &Pool, script: &str) -> Result<Vec<String>, StateError> {
    let c = pool.get().await?;
    let rows = c
        .query(
            "SELECT key FROM kv WHERE script = $1 ORDER BY key COLLATE \"C\"",
            &[&script],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

pub(super) async fn last_fire(
    pool: &Pool,
    script: &str,
) -> Result<Option<DateTime<Utc>>, StateError> {
    let c = pool.get().await?;
    let ms: Option<i64> = c
        .query_opt("SELECT last_fire FROM fires WHERE script = $1", &[&script])
        .await?
        .map(|r| r.get(0));
    Ok(ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single()))
}

pub(super) async fn set_last_fire(
    c: &(impl GenericClient + Sync),
    script: &str,
    at: DateTime<Utc>,
) -> Result<(), StateError> {
    c.execute(
        "INSERT INTO fires (script, last_fire) VALUES ($1, $2)
         ON CONFLICT (script) DO UPDATE SET last_fire = GREATEST(fires.last_fire, excluded.last_fire)",
        &[&script, &at.timestamp_millis()],
    )
    .await?;
    Ok(())
}
