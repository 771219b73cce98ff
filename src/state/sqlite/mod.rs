//! The SQLite store (the default): `.hubscript/state.db`, a small file in WAL mode shared by
//! every process of one project on one machine; each call is one short transaction on the one
//! connection of this process. The schema and its migrations are in `schema.rs`; the SQL of
//! each part beside it (`kv`, `runs`, `changes`, `claims`).

mod changes;
mod claims;
mod events;
mod kv;
mod runs;
mod schema;

pub use schema::SCHEMA_VERSION;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::{
    Claim, ClaimId, ClaimSubject, Delivery, DeliveryStatus, ExpiredClaim, FeedCursor, LogLine,
    Reclaimed, RunEnd, RunFilter, RunId, RunRecord, RunStart, RunStatus, SnapshotUpdate,
    StateError, Store, TicketSnapshot,
};

/// One SQLite file (or an in-memory database).
pub(super) struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating when missing) the state file at `path`.
    pub(super) fn open(path: &Path) -> Result<Self, StateError> {
        let open_err = |source| StateError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                open_err(rusqlite::Error::InvalidPath(
                    format!("{}: {e}", dir.display()).into(),
                ))
            })?;
        }
        let conn = Connection::open(path).map_err(open_err)?;
        Self::init(conn, path).map_err(|e| e.in_file(path))
    }

    /// An in-memory store, for tests and embedding.
    pub(super) fn in_memory() -> Result<Self, StateError> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn, Path::new(":memory:"))
    }

    fn init(mut conn: Connection, path: &Path) -> Result<Self, StateError> {
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StateError::TooNew {
                path: path.to_path_buf(),
                found,
            });
        }
        schema::migrate(&mut conn, found)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StateError>,
    ) -> Result<T, StateError> {
        let mut conn = self.conn.lock().expect("state db lock poisoned");
        f(&mut conn).map_err(|e| e.in_file(&self.path))
    }
}

/// Milliseconds of the wall clock now (SQLite has no clock of its own worth sharing: every
/// process of one file runs on one machine).
fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

impl Store for SqliteStore {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn check_writable(&self) -> Result<(), StateError> {
        // Rewrites the schema version: changes nothing but needs the write lock.
        self.with(|c| {
            c.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            Ok(())
        })
    }

    fn kv_get(&self, script: &str, key: &str) -> Result<Option<serde_json::Value>, StateError> {
        self.with(|c| kv::get(c, script, key))
    }

    fn kv_set(&self, script: &str, key: &str, value: &serde_json::Value) -> Result<(), StateError> {
        self.with(|c| kv::set(c, script, key, value))
    }

    fn kv_add(
        &self,
        script: &str,
        key: &str,
        by: &serde_json::Value,
    ) -> Result<serde_json::Value, StateError> {
        self.with(|c| kv::add(c, script, key, by))
    }

    fn kv_remove(&self, script: &str, key: &str) -> Result<bool, StateError> {
        self.with(|c| kv::remove(c, script, key))
    }

    fn kv_keys(&self, script: &str) -> Result<Vec<String>, StateError> {
        self.with(|c| kv::keys(c, script))
    }

    fn last_fire(&self, script: &str) -> Result<Option<DateTime<Utc>>, StateError> {
        self.with(|c| kv::last_fire(c, script))
    }

    fn set_last_fire(&self, script: &str, at: DateTime<Utc>) -> Result<(), StateError> {
        self.with(|c| kv::set_last_fire(c, script, at))
    }

    fn start_run(&self, start: &RunStart) -> Result<RunId, StateError> {
        self.with(|c| runs::start(c, start))
    }

    fn finish_run(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        end: &RunEnd<'_>,
    ) -> Result<(), StateError> {
        self.with(|c| runs::finish(c, id, status, ended_at, end))
    }

    fn settle(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        error: &str,
        log: &[LogLine],
    ) -> Result<bool, StateError> {
        self.with(|c| runs::settle(c, id, status, ended_at, error, log))
    }

    fn settle_interrupted(&self, found_at: DateTime<Utc>) -> Result<Vec<RunId>, StateError> {
        self.with(|c| runs::settle_interrupted(c, found_at))
    }

    fn runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>, StateError> {
        self.with(|c| runs::list(c, filter))
    }

    fn run(&self, id: RunId) -> Result<Option<RunRecord>, StateError> {
        self.with(|c| runs::one(c, id))
    }

    fn recent_runs(
        &self,
        script: &str,
        n: usize,
    ) -> Result<Vec<(RunId, RunStatus, DateTime<Utc>)>, StateError> {
        self.with(|c| runs::recent(c, script, n))
    }

    fn script_text(&self, hash: &str) -> Result<Option<String>, StateError> {
        self.with(|c| runs::script_text(c, hash))
    }

    fn claim(
        &self,
        script: &str,
        subject: &ClaimSubject,
        owner: &str,
        lease: Duration,
    ) -> Result<Claim, StateError> {
        self.with(|c| claims::claim(c, script, subject, owner, lease, now_ms()))
    }

    fn end_claim(&self, id: ClaimId, owner: &str, status: RunStatus) -> Result<(), StateError> {
        self.with(|c| claims::end(c, id, owner, status))
    }

    fn renew_claims(&self, owner: &str, lease: Duration) -> Result<u64, StateError> {
        self.with(|c| claims::renew(c, owner, lease, now_ms()))
    }

    fn expired_claims(&self) -> Result<Vec<ExpiredClaim>, StateError> {
        self.with(|c| claims::expired(c, now_ms()))
    }

    fn reclaim(
        &self,
        claim: &ExpiredClaim,
        owner: &str,
        lease: Duration,
        rerun: bool,
    ) -> Result<Option<Reclaimed>, StateError> {
        self.with(|c| claims::reclaim(c, claim, owner, lease, rerun, now_ms()))
    }

    #[cfg(test)]
    fn set_run_owner(&self, id: RunId, host: &str, pid: u32) -> Result<(), StateError> {
        self.with(|c| {
            c.execute(
                "UPDATE runs SET pid = ?2, host = ?3 WHERE id = ?1",
                rusqlite::params![id, pid, host],
            )?;
            Ok(())
        })
    }

    fn feed_cursor(&self) -> Result<Option<FeedCursor>, StateError> {
        self.with(events::feed_cursor)
    }

    fn ticket_snapshot(&self, ticket: &str) -> Result<Option<TicketSnapshot>, StateError> {
        self.with(|c| events::ticket_snapshot(c, ticket))
    }

    fn commit_events(
        &self,
        updates: &[SnapshotUpdate],
        deliveries: &[Delivery],
        cursor: Option<FeedCursor>,
    ) -> Result<Vec<Delivery>, StateError> {
        self.with(|c| events::commit_events(c, updates, deliveries, cursor))
    }

    fn pending_deliveries(&self) -> Result<Vec<Delivery>, StateError> {
        self.with(events::pending_deliveries)
    }

    fn mark_delivery(
        &self,
        d: &Delivery,
        status: DeliveryStatus,
        run_id: Option<RunId>,
    ) -> Result<(), StateError> {
        self.with(|c| events::mark_delivery(c, d, status, run_id))
    }

    fn ran_for_ticket(&self, script: &str, ticket: &str) -> Result<bool, StateError> {
        self.with(|c| events::ran_for_ticket(c, script, ticket))
    }

    fn webhook_event_new(&self, event_id: i64, now_ms: i64) -> Result<bool, StateError> {
        self.with(|c| events::webhook_event_new(c, event_id, now_ms))
    }
}
