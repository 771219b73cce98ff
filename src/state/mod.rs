//! `.hubscript/state.db`: what hubscript remembers between runs.
//!
//! Three things live here, each in its own table: the per-script key-value store that scripts
//! reach through `state::get/set/remove` (so a rule can remember what it already did), the
//! history of every run (from `run`, `watch` and `daemon`; listed by `hubscript runs`) with the
//! changes each run made (`changes.rs`) and the text of each script version that ran, and the
//! daemon's last fire time per script (which decides catch-up after downtime). It is a small
//! SQLite file in WAL mode shared by every process of one project; each call is one short
//! transaction. It knows nothing about Rhai or HTTP; it stores HubSpot's change records
//! (`crate::model::TicketChange`) as JSON. The schema and its migrations are in `schema.rs`.

mod changes;
mod kv;
pub mod owner;
mod runs;
mod schema;

pub use runs::{
    content_hash, BackendRecord, LogLine, RunEnd, RunFilter, RunId, RunRecord, RunStart, RunStatus,
};

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

/// Default location, relative to the current directory.
pub const DEFAULT_STATE_PATH: &str = ".hubscript/state.db";

pub use schema::SCHEMA_VERSION;

/// A failure of the state store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// The file could not be opened or created.
    #[error("cannot open state file {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The file was written by a newer hubscript.
    #[error("state file {path} has schema version {found}; this hubscript understands up to {SCHEMA_VERSION}: upgrade hubscript")]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
    },
    /// A query failed.
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    /// A stored value is not valid JSON.
    #[error("corrupt value: {0}")]
    Json(#[from] serde_json::Error),
    /// A query on the file `path` failed (every error of an open store names its file).
    #[error("state file {path}: {source}")]
    InFile {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: Box<StateError>,
    },
}

impl StateError {
    fn in_file(self, path: &Path) -> Self {
        match self {
            e @ (Self::Open { .. } | Self::TooNew { .. } | Self::InFile { .. }) => e,
            e => Self::InFile {
                path: path.to_path_buf(),
                source: Box::new(e),
            },
        }
    }
}

/// Handle to the state file; cheap to clone, safe to share between threads.
#[derive(Clone)]
pub struct StateDb {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl std::fmt::Debug for StateDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateDb")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl StateDb {
    /// Opens (creating when missing) the state file at `path`.
    pub fn open(path: &Path) -> Result<Self, StateError> {
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
    pub fn in_memory() -> Result<Self, StateError> {
        let conn = Connection::open_in_memory()?;
        Self::init(conn, Path::new(":memory:"))
    }

    fn init(mut conn: Connection, path: &Path) -> Result<Self, StateError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
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
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
        })
    }

    /// Whether the store can be written now (the daemon's health check): rewrites the schema
    /// version, a write that changes nothing but needs the write lock and a writable file.
    pub fn check_writable(&self) -> Result<(), StateError> {
        self.with(|c| {
            c.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            Ok(())
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StateError>,
    ) -> Result<T, StateError> {
        let mut conn = self.conn.lock().expect("state db lock poisoned");
        f(&mut conn).map_err(|e| e.in_file(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = StateDb::open(&path).unwrap_err();
        assert!(err.to_string().contains("schema version 99"), "{err}");
    }

    #[test]
    fn reopens_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/state.db");
        StateDb::open(&path)
            .unwrap()
            .kv_set("s", "k", &serde_json::json!(1))
            .unwrap();
        let again = StateDb::open(&path).unwrap();
        assert_eq!(again.kv_get("s", "k").unwrap(), Some(serde_json::json!(1)));
    }

    #[test]
    fn a_damaged_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        std::fs::write(&path, vec![b'x'; 8192]).unwrap();
        let err = StateDb::open(&path).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
    }
}
