//! The state store: what hubscript remembers between runs.
//!
//! Four things live here: the per-script key-value store that scripts reach through
//! `state::get/set/add/remove` (so a rule can remember what it already did), the history of
//! every run (from `run`, `watch` and `daemon`; listed by `hubscript runs`) with the changes each
//! run made and the text of each script version that ran, the daemon's last fire time per
//! script (which decides catch-up after downtime), and the claims that make each scheduled fire
//! (and each event) run exactly once when several daemons share one store (`claims.rs`), and
//! what the daemon's ticket events need across restarts (`events.rs`: the change feed's cursor,
//! the snapshot of watched properties, one delivery per (script, ticket, change), webhook ids;
//! in both stores: a delivery inserted by one daemon is not new to another, so each change
//! runs a script once across daemons).
//!
//! [`StateDb`] is the one handle every layer uses; behind it a `Store` (a trait) does the
//! work, in one of two places:
//! - a SQLite file (the default, `.hubscript/state.db`, `sqlite/`): WAL mode, shared by every
//!   process of one project on one machine;
//! - a PostgreSQL database (`--state postgres://...` or `HUBSCRIPT_STATE_URL`, `postgres/`):
//!   shared by daemons on several machines, for one run history and exactly-once fires.
//!
//! Each call is one short transaction. Both keep a versioned schema and refuse one written by a
//! newer hubscript. The store knows nothing about Rhai or HTTP; it stores HubSpot's change
//! records (`crate::model::TicketChange`) as JSON.

mod claims;
mod events;
mod kv;
pub mod owner;
mod postgres;
mod runs;
mod sqlite;

pub use claims::{Claim, ClaimId, ClaimSubject, ExpiredClaim, Reclaimed, MAX_ATTEMPTS};
pub use events::{Delivery, DeliveryStatus, FeedCursor, SnapshotUpdate, TicketSnapshot};
pub(crate) use kv::add_json;
pub use kv::AddError;
pub use runs::{
    content_hash, BackendRecord, LogLine, RunEnd, RunFilter, RunId, RunRecord, RunStart, RunStatus,
};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// Default location, relative to the current directory.
pub const DEFAULT_STATE_PATH: &str = ".hubscript/state.db";

pub use sqlite::SCHEMA_VERSION;

/// Where the state lives: a SQLite file or a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
pub enum StateLocation {
    /// A SQLite file (created when missing).
    File(PathBuf),
    /// A PostgreSQL connection URL (`postgres://` or `postgresql://`); may hold a password, so
    /// it is shown only through [`redact_url`].
    Postgres(String),
}

impl StateLocation {
    /// `postgres://...` and `postgresql://...` are databases; anything else is a file path.
    pub fn parse(s: &str) -> Self {
        if is_postgres_url(s) {
            Self::Postgres(s.to_string())
        } else {
            Self::File(PathBuf::from(s))
        }
    }

    /// How to show it: the file path, or the URL without its password.
    pub fn display(&self) -> String {
        match self {
            Self::File(p) => p.display().to_string(),
            Self::Postgres(url) => redact_url(url),
        }
    }
}

impl std::fmt::Debug for StateLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display())
    }
}

fn is_postgres_url(s: &str) -> bool {
    let lower = s.get(..13).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("postgres://") || lower.starts_with("postgresql://")
}

/// `url` with any password replaced by `***` (`postgres://app:***@db:5432/hubscript`), and any
/// `password=` query parameter likewise: fit for logs and errors.
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.split_once("://") {
        Some((scheme, rest)) => {
            // The authority ends at the first '/' after the scheme; userinfo ends at its last '@'.
            let (authority, path) = match rest.find('/') {
                Some(i) => rest.split_at(i),
                None => (rest, ""),
            };
            let authority = match authority.rsplit_once('@') {
                Some((userinfo, host)) => match userinfo.split_once(':') {
                    Some((user, _)) => format!("{user}:***@{host}"),
                    None => format!("{userinfo}@{host}"),
                },
                None => authority.to_string(),
            };
            format!("{scheme}://{authority}{path}")
        }
        None => base.to_string(),
    };
    if let Some(q) = query {
        let parts: Vec<String> = q
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                _ => kv.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&parts.join("&"));
    }
    out
}

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
    /// The PostgreSQL database could not be reached or set up.
    #[error("cannot open state database {url}: {reason}")]
    OpenDatabase {
        /// The URL, without its password.
        url: String,
        /// Why.
        reason: String,
    },
    /// The file was written by a newer hubscript.
    #[error("state file {path} has schema version {found}; this hubscript understands up to {SCHEMA_VERSION}: upgrade hubscript")]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
    },
    /// The database was migrated by a newer hubscript.
    #[error("state database {url} has schema version {found}; this hubscript understands up to {known}: upgrade hubscript")]
    DatabaseTooNew {
        /// The URL, without its password.
        url: String,
        /// Its version.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A query failed.
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    /// A PostgreSQL query failed.
    #[error("{0}")]
    Postgres(String),
    /// A stored value is not valid JSON.
    #[error("corrupt value: {0}")]
    Json(#[from] serde_json::Error),
    /// `state::add` on a value that is not a number.
    #[error("{0}")]
    Add(#[from] AddError),
    /// A query on the file `path` failed (every error of an open store names its file).
    #[error("state file {path}: {source}")]
    InFile {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: Box<StateError>,
    },
    /// A query on the database `url` failed.
    #[error("state database {url}: {source}")]
    InDatabase {
        /// The URL, without its password.
        url: String,
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

    fn in_database(self, url: &str) -> Self {
        match self {
            e @ (Self::OpenDatabase { .. }
            | Self::DatabaseTooNew { .. }
            | Self::InDatabase { .. }) => e,
            e => Self::InDatabase {
                url: url.to_string(),
                source: Box::new(e),
            },
        }
    }
}

/// What a state store does; [`StateDb`] hands every call to one. Implemented by the SQLite file
/// and the PostgreSQL database; the shared test suite (`suite_tests.rs`) runs on both.
pub(crate) trait Store: Send + Sync {
    /// Where it lives, fit for logs (no password).
    fn describe(&self) -> String;
    /// Whether a write succeeds now (health check).
    fn check_writable(&self) -> Result<(), StateError>;

    fn kv_get(&self, script: &str, key: &str) -> Result<Option<serde_json::Value>, StateError>;
    fn kv_set(&self, script: &str, key: &str, value: &serde_json::Value) -> Result<(), StateError>;
    fn kv_add(
        &self,
        script: &str,
        key: &str,
        by: &serde_json::Value,
    ) -> Result<serde_json::Value, StateError>;
    fn kv_remove(&self, script: &str, key: &str) -> Result<bool, StateError>;
    fn kv_keys(&self, script: &str) -> Result<Vec<String>, StateError>;
    fn last_fire(&self, script: &str) -> Result<Option<DateTime<Utc>>, StateError>;
    fn set_last_fire(&self, script: &str, at: DateTime<Utc>) -> Result<(), StateError>;

    fn start_run(&self, start: &RunStart) -> Result<RunId, StateError>;
    fn finish_run(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        end: &RunEnd<'_>,
    ) -> Result<(), StateError>;
    fn settle(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        error: &str,
        log: &[LogLine],
    ) -> Result<bool, StateError>;
    fn settle_interrupted(&self, found_at: DateTime<Utc>) -> Result<Vec<RunId>, StateError>;
    fn runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>, StateError>;
    fn run(&self, id: RunId) -> Result<Option<RunRecord>, StateError>;
    fn recent_runs(
        &self,
        script: &str,
        n: usize,
    ) -> Result<Vec<(RunId, RunStatus, DateTime<Utc>)>, StateError>;
    fn script_text(&self, hash: &str) -> Result<Option<String>, StateError>;

    fn claim(
        &self,
        script: &str,
        subject: &ClaimSubject,
        owner: &str,
        lease: Duration,
    ) -> Result<Claim, StateError>;
    fn end_claim(&self, id: ClaimId, owner: &str, status: RunStatus) -> Result<(), StateError>;
    fn renew_claims(&self, owner: &str, lease: Duration) -> Result<u64, StateError>;
    fn expired_claims(&self) -> Result<Vec<ExpiredClaim>, StateError>;
    fn reclaim(
        &self,
        claim: &ExpiredClaim,
        owner: &str,
        lease: Duration,
        rerun: bool,
    ) -> Result<Option<Reclaimed>, StateError>;
    #[cfg(test)]
    fn set_run_owner(&self, id: RunId, host: &str, pid: u32) -> Result<(), StateError>;

    fn feed_cursor(&self) -> Result<Option<FeedCursor>, StateError>;
    fn ticket_snapshot(&self, ticket: &str) -> Result<Option<TicketSnapshot>, StateError>;
    fn commit_events(
        &self,
        updates: &[SnapshotUpdate],
        deliveries: &[Delivery],
        cursor: Option<FeedCursor>,
    ) -> Result<Vec<Delivery>, StateError>;
    fn pending_deliveries(&self) -> Result<Vec<Delivery>, StateError>;
    fn mark_delivery(
        &self,
        d: &Delivery,
        status: DeliveryStatus,
        run_id: Option<RunId>,
    ) -> Result<(), StateError>;
    fn ran_for_ticket(&self, script: &str, ticket: &str) -> Result<bool, StateError>;
    fn webhook_event_new(&self, event_id: i64, now_ms: i64) -> Result<bool, StateError>;
}

/// Handle to the state store; cheap to clone, safe to share between threads. Calls block the
/// calling thread for one short transaction (as a SQLite call always did), whichever store is
/// behind it.
#[derive(Clone)]
pub struct StateDb {
    store: Arc<dyn Store>,
    location: Arc<StateLocation>,
}

impl std::fmt::Debug for StateDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateDb")
            .field("location", &self.location.display())
            .finish_non_exhaustive()
    }
}

impl StateDb {
    /// Opens (creating when missing) the state file at `path`.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        Ok(Self {
            store: Arc::new(sqlite::SqliteStore::open(path)?),
            location: Arc::new(StateLocation::File(path.to_path_buf())),
        })
    }

    /// Opens the store at `location`: a SQLite file, or a PostgreSQL database (connecting and
    /// bringing its schema up to date).
    pub fn open_location(location: &StateLocation) -> Result<Self, StateError> {
        match location {
            StateLocation::File(path) => Self::open(path),
            StateLocation::Postgres(url) => Ok(Self {
                store: Arc::new(postgres::PgStore::open(url)?),
                location: Arc::new(location.clone()),
            }),
        }
    }

    /// An in-memory SQLite store, for tests and embedding.
    pub fn in_memory() -> Result<Self, StateError> {
        Ok(Self {
            store: Arc::new(sqlite::SqliteStore::in_memory()?),
            location: Arc::new(StateLocation::File(PathBuf::from(":memory:"))),
        })
    }

    /// Whether the store can be written now (the daemon's health check): a write that changes
    /// nothing but needs the write lock and a writable store.
    pub fn check_writable(&self) -> Result<(), StateError> {
        self.store.check_writable()
    }

    /// Where this store lives.
    pub fn location(&self) -> &StateLocation {
        &self.location
    }

    /// Where this store lives, fit for logs and errors (a URL without its password).
    pub fn describe(&self) -> String {
        self.store.describe()
    }

    /// Whether several machines may share this store (PostgreSQL): runs of other hosts are
    /// then settled by lease, not by process id.
    pub fn is_shared(&self) -> bool {
        matches!(*self.location, StateLocation::Postgres(_))
    }
}

#[cfg(test)]
mod suite_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        {
            let c = rusqlite::Connection::open(&path).unwrap();
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
        let again = StateDb::open_location(&StateLocation::parse(path.to_str().unwrap())).unwrap();
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

    #[test]
    fn locations_are_told_apart_and_passwords_never_shown() {
        assert_eq!(
            StateLocation::parse("state.db"),
            StateLocation::File("state.db".into())
        );
        let url = "postgres://app:s3cret@db.internal:5432/hubscript?sslmode=disable";
        assert!(matches!(
            StateLocation::parse(url),
            StateLocation::Postgres(_)
        ));
        assert!(matches!(
            StateLocation::parse("PostgreSQL://db/x"),
            StateLocation::Postgres(_)
        ));
        let shown = StateLocation::parse(url).display();
        assert_eq!(
            shown,
            "postgres://app:***@db.internal:5432/hubscript?sslmode=disable"
        );
        assert_eq!(
            format!("{:?}", StateLocation::parse(url)),
            shown,
            "Debug must not show the password either"
        );
        assert_eq!(
            redact_url("postgres://db/x?user=a&password=p@ss"),
            "postgres://db/x?user=a&password=***"
        );
        assert_eq!(redact_url("postgres://u@db/x"), "postgres://u@db/x");
        assert_eq!(
            redact_url("postgres://u:p@ss:w@db/x"),
            "postgres://u:***@db/x"
        );
    }

    #[test]
    fn an_unreachable_database_is_named_without_its_password() {
        // Port 1 on the loopback: nothing listens there; the connection is refused at once.
        let err = StateDb::open_location(&StateLocation::Postgres(
            "postgres://app:hunter2@127.0.0.1:1/hubscript?connect_timeout=5".into(),
        ))
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("postgres://app:***@127.0.0.1:1/hubscript"),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }
}
