//! The per-script key-value store behind `state::get/set/remove`, and the daemon's last fire
//! times. Values are JSON; keys are scoped by script name so two rules never see each other's
//! memory.

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, OptionalExtension};

use super::{StateDb, StateError};

impl StateDb {
    /// The value stored under `key` for `script`.
    pub fn kv_get(&self, script: &str, key: &str) -> Result<Option<serde_json::Value>, StateError> {
        self.with(|c| {
            let text: Option<String> = c
                .query_row(
                    "SELECT value FROM kv WHERE script = ?1 AND key = ?2",
                    params![script, key],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
        })
    }

    /// Stores `value` under `key` for `script`, replacing any previous value.
    pub fn kv_set(
        &self,
        script: &str,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), StateError> {
        let text = serde_json::to_string(value)?;
        self.with(|c| {
            c.execute(
                "INSERT INTO kv (script, key, value, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (script, key) DO UPDATE SET value = excluded.value,
                 updated_at = excluded.updated_at",
                params![script, key, text, Utc::now().timestamp_millis()],
            )?;
            Ok(())
        })
    }

    /// Removes `key` for `script`; returns whether it existed.
    pub fn kv_remove(&self, script: &str, key: &str) -> Result<bool, StateError> {
        self.with(|c| {
            let n = c.execute(
                "DELETE FROM kv WHERE script = ?1 AND key = ?2",
                params![script, key],
            )?;
            Ok(n > 0)
        })
    }

    /// Every key stored for `script`, sorted.
    pub fn kv_keys(&self, script: &str) -> Result<Vec<String>, StateError> {
        self.with(|c| {
            let mut st = c.prepare("SELECT key FROM kv WHERE script = ?1 ORDER BY key")?;
            let keys = st
                .query_map(params![script], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(keys)
        })
    }

    /// When the daemon last fired `script` (its scheduled time, not when the run started).
    pub fn last_fire(&self, script: &str) -> Result<Option<DateTime<Utc>>, StateError> {
        self.with(|c| {
            let ms: Option<i64> = c
                .query_row(
                    "SELECT last_fire FROM fires WHERE script = ?1",
                    params![script],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(ms.and_then(|ms| Utc.timestamp_millis_opt(ms).single()))
        })
    }

    /// Records that the daemon fired `script` for the scheduled time `at`.
    pub fn set_last_fire(&self, script: &str, at: DateTime<Utc>) -> Result<(), StateError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO fires (script, last_fire) VALUES (?1, ?2)
                 ON CONFLICT (script) DO UPDATE SET last_fire = excluded.last_fire",
                params![script, at.timestamp_millis()],
            )?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_scoped_by_script() {
        let db = StateDb::in_memory().unwrap();
        db.kv_set("a", "k", &json!({"n": 1})).unwrap();
        db.kv_set("b", "k", &json!("other")).unwrap();
        assert_eq!(db.kv_get("a", "k").unwrap(), Some(json!({"n": 1})));
        assert_eq!(db.kv_get("b", "k").unwrap(), Some(json!("other")));
        db.kv_set("a", "k", &json!(2)).unwrap();
        assert_eq!(db.kv_get("a", "k").unwrap(), Some(json!(2)));
        assert!(db.kv_remove("a", "k").unwrap());
        assert!(!db.kv_remove("a", "k").unwrap());
        assert_eq!(db.kv_get("a", "k").unwrap(), None);
        assert_eq!(db.kv_keys("b").unwrap(), vec!["k".to_string()]);
    }

    #[test]
    fn fire_times_round_trip() {
        let db = StateDb::in_memory().unwrap();
        assert_eq!(db.last_fire("s").unwrap(), None);
        let t = Utc.timestamp_millis_opt(1_700_000_000_000).unwrap();
        db.set_last_fire("s", t).unwrap();
        assert_eq!(db.last_fire("s").unwrap(), Some(t));
    }
}
