//! [`Sandbox`]: the file, one writer connection and a small pool of reader connections, and
//! the plumbing that runs blocking SQLite work off the async executor. Every API write runs in
//! one IMMEDIATE transaction on the writer (so concurrent PATCHes serialise and none is lost);
//! reads run in parallel on the readers (WAL).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, TryLockError};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::catalog::Catalog;
use super::error::SandboxError;
use super::schema::{self, SCHEMA_VERSION};
use super::search::Counts;
use super::seed::{self, SeedOptions};
use crate::backend::{BackendError, BackendResult};
use crate::model::ApiError;

const READERS: usize = 4;

/// Demo tickets per seeding transaction.
pub(super) const SEED_CHUNK: usize = 20_000;

/// How long a write waits for another process's write lock on the file before the request is
/// answered 423 LOCKED (HubSpot's record-lock status, which the client retries after 2 s).
pub(super) const BUSY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Converts SQLite failures into HubSpot-shaped errors: a file locked by another process past
/// [`BUSY_WAIT`] is a 423 LOCKED; anything else a 500. The answer names the SQLite error only by
/// its code and description and never echoes SQL text (rusqlite's input errors quote the
/// statement): the full error goes to the server's log instead.
pub(super) trait Db<T> {
    /// Maps the error.
    fn db(self) -> BackendResult<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> BackendResult<T> {
        self.map_err(|e| BackendError::from(storage_error(&e)))
    }
}

/// The HubSpot-shaped answer to a SQLite failure (see [`Db`]).
pub(super) fn storage_error(e: &rusqlite::Error) -> ApiError {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    match e.sqlite_error_code() {
        Some(DatabaseBusy | DatabaseLocked) => ApiError::new(
            423,
            // HubSpot's category for a 423 body is unconfirmed; the client maps a bodyless 423
            // to LOCKED as well.
            "LOCKED",
            format!(
                "The sandbox file is locked by another process (waited {}s for its write \
                 lock); retry in a few seconds",
                BUSY_WAIT.as_secs()
            ),
        ),
        _ => {
            tracing::error!(target: "hubscript::sandbox", error = %e, "sandbox storage failure");
            let what = match e {
                rusqlite::Error::SqliteFailure(code, _) => code.to_string(),
                _ => "internal error".to_string(),
            };
            ApiError::internal(format!("sandbox storage failure ({what})"))
        }
    }
}

fn damaged(path: &Path, reason: &str) -> SandboxError {
    SandboxError::Damaged {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Takes a connection's lock even when an earlier holder panicked. A panic inside a write
/// unwinds through its `Transaction`, whose drop rolls back, so the connection itself is
/// sound; a transaction somehow still open is rolled back here. Without this, one panic would
/// turn every later request on that connection into a 500 until the process restarts.
fn recover<'a>(
    lock: &'a Mutex<Connection>,
    poisoned: PoisonError<MutexGuard<'a, Connection>>,
    role: &str,
) -> MutexGuard<'a, Connection> {
    tracing::warn!(
        connection = role,
        "a sandbox request panicked while holding this connection; recovering it"
    );
    lock.clear_poison();
    let conn = poisoned.into_inner();
    if !conn.is_autocommit() {
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::warn!(connection = role, error = %e, "rollback after a panic failed");
        }
    }
    conn
}

/// Locks the writer connection, recovering it from a poisoned lock.
fn lock_writer(lock: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    lock.lock().unwrap_or_else(|p| recover(lock, p, "writer"))
}

/// The shared state behind a [`Sandbox`].
///
/// The catalog is shared behind a lock and replaced whole: a schema write ([`Inner::write_schema`])
/// changes the definition tables and swaps in the catalog read back from them before it
/// releases the writer, so every ticket write (which takes its catalog while holding the
/// writer) judges against the schema its transaction sees. Each call also compares the file's
/// schema revision with the catalog's, so a schema change made by another process sharing the
/// file is picked up at the next call.
pub(crate) struct Inner {
    pub(crate) path: PathBuf,
    catalog: RwLock<Arc<Catalog>>,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next: AtomicUsize,
    /// Search counts remembered per reader connection (see `search::count`).
    pub(crate) counts: Counts,
    /// This process's search lag in ms (0: none; see `search_lag`).
    search_lag_ms: AtomicI64,
}

impl Inner {
    /// The current catalog.
    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(&self.catalog.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn swap_catalog(&self, catalog: Catalog) -> Arc<Catalog> {
        let catalog = Arc::new(catalog);
        *self.catalog.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&catalog);
        catalog
    }

    /// The catalog matching the file as `conn` sees it: the cached one, or (when another
    /// process changed the schema) the one read back from the file.
    fn fresh_catalog(&self, conn: &Connection) -> BackendResult<Arc<Catalog>> {
        let cached = self.catalog();
        if schema::revision(conn).db()? == cached.revision() {
            return Ok(cached);
        }
        let loaded = schema::read_catalog(conn).map_err(|message| {
            BackendError::from(ApiError::internal(format!(
                "the sandbox's definitions are unreadable: {message}"
            )))
        })?;
        Ok(self.swap_catalog(loaded))
    }

    /// The time (epoch ms) this process's searches answer as of: `now - lag`, or `None`
    /// without a lag.
    pub(crate) fn search_cutoff(&self) -> Option<i64> {
        let lag = self.search_lag_ms.load(Ordering::Relaxed);
        (lag > 0).then(|| super::writer::now_ms() - lag)
    }

    /// Runs `f` on a reader connection.
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection, &Catalog) -> BackendResult<T>,
    ) -> BackendResult<T> {
        self.read_slot(|conn, cat, _| f(conn, cat))
    }

    /// Runs `f` on a reader connection, with the connection's number (stable for the life
    /// of the sandbox).
    pub(crate) fn read_slot<T>(
        &self,
        f: impl FnOnce(&Connection, &Catalog, usize) -> BackendResult<T>,
    ) -> BackendResult<T> {
        let with = |conn: &Connection, slot| f(conn, &*self.fresh_catalog(conn)?, slot);
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for k in 0..self.readers.len() {
            let slot = (start + k) % self.readers.len();
            let lock = &self.readers[slot];
            match lock.try_lock() {
                Ok(conn) => return with(&conn, slot),
                Err(TryLockError::Poisoned(p)) => return with(&recover(lock, p, "reader"), slot),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let slot = start % self.readers.len();
        let lock = &self.readers[slot];
        let conn = lock.lock().unwrap_or_else(|p| recover(lock, p, "reader"));
        with(&conn, slot)
    }

    /// Runs `f` in one IMMEDIATE transaction on the writer: committed when `f` succeeds, rolled
    /// back (nothing written) when it fails.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &Catalog) -> BackendResult<T>,
    ) -> BackendResult<T> {
        let mut conn = lock_writer(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let catalog = self.fresh_catalog(&tx)?;
        let out = f(&tx, &catalog)?;
        tx.commit().db()?;
        Ok(out)
    }

    /// Runs a schema write: `f` changes the definition tables in one IMMEDIATE transaction;
    /// then the revision is bumped, the catalog read back from the tables (a definition that
    /// cannot be read back fails the write) and, once committed, swapped in before the writer
    /// is released.
    pub(crate) fn write_schema<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>, &Catalog) -> BackendResult<T>,
    ) -> BackendResult<T> {
        let mut conn = lock_writer(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let catalog = self.fresh_catalog(&tx)?;
        let out = f(&tx, &catalog)?;
        schema::bump_revision(&tx).db()?;
        let loaded = schema::read_catalog(&tx).map_err(|message| {
            BackendError::from(ApiError::internal(format!(
                "the changed definitions do not read back: {message}"
            )))
        })?;
        tx.commit().db()?;
        self.swap_catalog(loaded);
        Ok(out)
    }
}

/// The local HubSpot-compatible tickets store (a SQLite file). Cheap to clone; every clone
/// shares the same connections.
#[derive(Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

/// Whether SQLite says the file is not a database or is corrupt.
fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

fn open_conn(path: &Path) -> Result<Connection, SandboxError> {
    let open_err = |source: rusqlite::Error| {
        if is_damage(&source) {
            SandboxError::Damaged {
                path: path.to_path_buf(),
                reason: format!("SQLite cannot read it: {source}"),
            }
        } else {
            SandboxError::Open {
                path: path.to_path_buf(),
                source,
            }
        }
    };
    let conn = Connection::open(path).map_err(open_err)?;
    // Checked before any pragma can change the file.
    if schema::is_foreign(&conn).map_err(open_err)? {
        return Err(SandboxError::Foreign {
            path: path.to_path_buf(),
        });
    }
    schema::configure(&conn).map_err(open_err)?;
    Ok(conn)
}

fn create_parent(path: &Path) -> Result<(), SandboxError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| SandboxError::CreateDir {
                path: path.to_path_buf(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// `path` with `suffix` appended to its file name (`s.db` → `s.db-wal`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// What is at a sandbox path before it is opened.
#[derive(PartialEq, Eq)]
enum Found {
    Nothing,
    Empty,
    Something,
}

/// Anything but a clean "not found" counts as something there: opening it reports the rest.
fn look(path: &Path) -> Found {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == 0 => Found::Empty,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Found::Nothing,
        _ => Found::Something,
    }
}

const EMPTY_FILE: &str = "the file is empty (0 bytes)";
const NO_TABLES: &str =
    "an SQLite database without the sandbox tables (a creation that never finished?)";

impl Sandbox {
    /// Opens the sandbox at `path`, creating and seeding it (500 tickets, seed 42) when the file
    /// does not exist, and migrating an older schema. Refuses a newer schema, another
    /// application's database, and a damaged file (empty, not SQLite, corrupt, or without the
    /// sandbox tables): those are reported, never refilled with demo data.
    ///
    /// Creation is atomic: the new file is built under a temporary name beside `path` and linked
    /// into place only when complete, so a second process opening the same new path at the
    /// same moment either finds nothing (and builds its own, which loses the race and is
    /// discarded) or the finished file; never a half-built one.
    pub fn open(path: &Path) -> Result<Sandbox, SandboxError> {
        match look(path) {
            Found::Nothing => return Sandbox::build_new(path, &SeedOptions::default(), false),
            Found::Empty => return Err(damaged(path, EMPTY_FILE)),
            Found::Something => {}
        }
        let mut writer = open_conn(path)?;
        let blank = schema::is_blank(&writer).map_err(|source| SandboxError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        if blank {
            return Err(damaged(path, NO_TABLES));
        }
        schema::migrate_to(&mut writer, path, SCHEMA_VERSION)?;
        Sandbox::finish(path, writer)
    }

    /// Recreates the file from scratch with `opts.tickets` demo tickets.
    /// Refuses to replace a file that is not a sandbox (another application's database) or a
    /// damaged one, so a mistyped `--sandbox` path never destroys data; see [`Sandbox::reset`].
    pub fn create(path: &Path, opts: &SeedOptions) -> Result<Sandbox, SandboxError> {
        Sandbox::reset(path, opts, false)
    }

    /// [`Sandbox::create`]; with `force`, a damaged file (empty, not SQLite, corrupt) is
    /// replaced too. Another application's readable database is refused even then.
    pub fn reset(path: &Path, opts: &SeedOptions, force: bool) -> Result<Sandbox, SandboxError> {
        match look(path) {
            Found::Nothing => {}
            Found::Empty if force => {}
            Found::Empty => return Err(damaged(path, EMPTY_FILE)),
            Found::Something => {
                let check =
                    Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                        .and_then(|c| schema::is_foreign(&c));
                match check {
                    Ok(false) => {}
                    Ok(true) => {
                        return Err(SandboxError::Foreign {
                            path: path.to_path_buf(),
                        })
                    }
                    Err(_) if force => {}
                    Err(e) if is_damage(&e) => {
                        return Err(damaged(path, &format!("SQLite cannot read it: {e}")))
                    }
                    Err(_) => {
                        return Err(SandboxError::Foreign {
                            path: path.to_path_buf(),
                        })
                    }
                }
            }
        }
        Sandbox::build_new(path, opts, true)
    }

    /// Builds a complete sandbox under a temporary name beside `path`, then puts it in place:
    /// replacing what is there when `replace`, else only if `path` is still free (a hard link
    /// fails when it exists); when another process got there first, its file is opened instead.
    fn build_new(path: &Path, opts: &SeedOptions, replace: bool) -> Result<Sandbox, SandboxError> {
        Sandbox::build_filled(path, replace, |sandbox| {
            sandbox.seed_fresh(opts.tickets, opts.seed).map(|_| ())
        })
    }

    /// Builds a sandbox at `path` filled by `fill` (for `Sandbox::import`), replacing what is
    /// there unless it is another application's database.
    pub(super) fn build_with(
        path: &Path,
        fill: impl FnOnce(&Sandbox) -> Result<(), SandboxError>,
    ) -> Result<Sandbox, SandboxError> {
        if look(path) == Found::Something {
            let foreign =
                Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .and_then(|c| schema::is_foreign(&c))
                    .unwrap_or(true);
            if foreign {
                return Err(SandboxError::Foreign {
                    path: path.to_path_buf(),
                });
            }
        }
        Sandbox::build_filled(path, true, fill)
    }

    /// [`Sandbox::build_new`] with any filling.
    fn build_filled(
        path: &Path,
        replace: bool,
        fill: impl FnOnce(&Sandbox) -> Result<(), SandboxError>,
    ) -> Result<Sandbox, SandboxError> {
        create_parent(path)?;
        let name = path
            .file_name()
            .map_or_else(|| "sandbox.db".into(), |n| n.to_string_lossy().into_owned());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tmp = path.with_file_name(format!(".{name}.new-{}-{nanos}", std::process::id()));
        let cleanup = |p: &Path| {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(with_suffix(p, suffix));
            }
        };
        let built = (|| {
            let mut writer = open_conn(&tmp)?;
            schema::migrate_to(&mut writer, &tmp, SCHEMA_VERSION)?;
            let sandbox = Sandbox::finish(&tmp, writer)?;
            fill(&sandbox)?;
            // Closing every connection checkpoints the WAL into the file itself.
            drop(sandbox);
            Ok(())
        })();
        if let Err(e) = built {
            cleanup(&tmp);
            return Err(e);
        }
        let place_err = |source| SandboxError::Place {
            path: path.to_path_buf(),
            source,
        };
        if replace {
            for suffix in ["-wal", "-shm"] {
                let p = with_suffix(path, suffix);
                if p.exists() {
                    if let Err(source) = std::fs::remove_file(&p) {
                        cleanup(&tmp);
                        return Err(SandboxError::Remove {
                            path: path.to_path_buf(),
                            source,
                        });
                    }
                }
            }
            let moved = std::fs::rename(&tmp, path);
            if let Err(e) = moved {
                cleanup(&tmp);
                return Err(place_err(e));
            }
        } else {
            let linked = std::fs::hard_link(&tmp, path);
            cleanup(&tmp);
            match linked {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Sandbox::open(path)
                }
                Err(e) => return Err(place_err(e)),
            }
        }
        let writer = open_conn(path)?;
        Sandbox::finish(path, writer)
    }

    fn finish(path: &Path, writer: Connection) -> Result<Sandbox, SandboxError> {
        let catalog = schema::load_catalog(&writer, path)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = open_conn(path)?;
            r.pragma_update(None, "query_only", true)
                .map_err(|source| SandboxError::Open {
                    path: path.to_path_buf(),
                    source,
                })?;
            readers.push(Mutex::new(r));
        }
        Ok(Sandbox {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                catalog: RwLock::new(Arc::new(catalog)),
                writer: Mutex::new(writer),
                readers,
                next: AtomicUsize::new(0),
                counts: Counts::default(),
                search_lag_ms: AtomicI64::new(0),
            }),
        })
    }

    /// Adds `n` deterministic demo tickets (seeded with `seed`); returns how many were added.
    ///
    /// The tickets go in by chunks of `SEED_CHUNK`, one transaction each, so neither memory
    /// nor the WAL grows with `n` (a million tickets seed in bounded memory). A failure part
    /// way leaves the chunks already committed: a new sandbox is built under a temporary name
    /// and discarded on failure, and `sandbox seed` reports the error.
    pub fn seed_more(&self, n: usize, seed: u64) -> Result<usize, SandboxError> {
        let seed_err = |source| SandboxError::Seed {
            path: self.inner.path.clone(),
            source,
        };
        let cat = self.inner.catalog();
        let plan = seed::Plan::draw(&cat, n, seed);
        let mut start = 0;
        while start < plan.len() {
            let end = (start + SEED_CHUNK).min(plan.len());
            let mut conn = lock_writer(&self.inner.writer);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(seed_err)?;
            plan.insert(&tx, &cat, start..end).map_err(seed_err)?;
            tx.commit().map_err(seed_err)?;
            start = end;
        }
        Ok(plan.len())
    }

    /// [`Sandbox::seed_more`] into a new file nobody else has opened yet (it is built under a
    /// temporary name): the secondary indexes and the full-text triggers are dropped first and
    /// rebuilt once at the end (see `schema::drop_for_bulk`). A failure leaves a file that
    /// `build_new` discards.
    fn seed_fresh(&self, n: usize, seed: u64) -> Result<usize, SandboxError> {
        let seed_err = |source| SandboxError::Seed {
            path: self.inner.path.clone(),
            source,
        };
        let bulk = n >= SEED_CHUNK;
        let saved = if bulk {
            let mut conn = lock_writer(&self.inner.writer);
            let tx = conn.transaction().map_err(seed_err)?;
            let saved = schema::drop_for_bulk(&tx).map_err(seed_err)?;
            tx.commit().map_err(seed_err)?;
            saved
        } else {
            Vec::new()
        };
        let added = self.seed_more(n, seed)?;
        if bulk {
            let mut conn = lock_writer(&self.inner.writer);
            let tx = conn.transaction().map_err(seed_err)?;
            schema::restore_after_bulk(&tx, &saved).map_err(seed_err)?;
            tx.commit().map_err(seed_err)?;
        }
        Ok(added)
    }

    /// Makes this process's searches lag `lag` behind the writes, as HubSpot's search index
    /// does (see `search_lag`); zero turns it off. A lag is also declared in the file, so that
    /// every process writing to it records what a lagging search needs.
    pub fn set_search_lag(&self, lag: std::time::Duration) -> Result<(), SandboxError> {
        let ms = i64::try_from(lag.as_millis()).unwrap_or(i64::MAX);
        if ms > 0 {
            let fail = |source| SandboxError::Open {
                path: self.inner.path.clone(),
                source,
            };
            let mut conn = lock_writer(&self.inner.writer);
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(fail)?;
            if super::search_lag::declare(&tx, ms).map_err(fail)? {
                schema::bump_revision(&tx).map_err(fail)?;
                let loaded = schema::load_catalog(&tx, &self.inner.path)?;
                tx.commit().map_err(fail)?;
                self.inner.swap_catalog(loaded);
            }
        }
        self.inner.search_lag_ms.store(ms, Ordering::Relaxed);
        Ok(())
    }

    /// The sandbox file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs blocking store work off the async executor.
    pub(crate) async fn run<T, F>(&self, f: F) -> BackendResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> BackendResult<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => handle
                .spawn_blocking(move || f(&inner))
                .await
                .map_err(|e| {
                    BackendError::from(ApiError::internal(format!("sandbox task: {e}")))
                })?,
            Err(_) => f(&inner),
        }
    }
}
