//! [`Sandbox`]: the file, one writer connection and a small pool of reader connections, and
//! the plumbing that runs blocking SQLite work off the async executor. Every API write runs in
//! one IMMEDIATE transaction on the writer (so concurrent PATCHes serialise and none is lost);
//! reads run in parallel on the readers (WAL).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::catalog::Catalog;
use super::error::SandboxError;
use super::schema::{self, SCHEMA_VERSION};
use super::seed::{self, SeedOptions};
use crate::backend::{BackendError, BackendResult};
use crate::model::ApiError;

const READERS: usize = 4;

/// Converts SQLite failures into a 500 in HubSpot's shape.
pub trait Db<T> {
    /// Maps the error.
    fn db(self) -> BackendResult<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> BackendResult<T> {
        self.map_err(|e| BackendError::Api(ApiError::internal(format!("sandbox storage: {e}"))))
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
pub struct Inner {
    pub(crate) path: PathBuf,
    pub(crate) catalog: Catalog,
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl Inner {
    /// Runs `f` on a reader connection.
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> BackendResult<T>) -> BackendResult<T> {
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for k in 0..self.readers.len() {
            let lock = &self.readers[(start + k) % self.readers.len()];
            match lock.try_lock() {
                Ok(conn) => return f(&conn),
                Err(TryLockError::Poisoned(p)) => return f(&recover(lock, p, "reader")),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        let lock = &self.readers[start % self.readers.len()];
        let conn = lock.lock().unwrap_or_else(|p| recover(lock, p, "reader"));
        f(&conn)
    }

    /// Runs `f` in one IMMEDIATE transaction on the writer: committed when `f` succeeds, rolled
    /// back (nothing written) when it fails.
    pub fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> BackendResult<T>,
    ) -> BackendResult<T> {
        let mut conn = lock_writer(&self.writer);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let out = f(&tx)?;
        tx.commit().db()?;
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

fn open_conn(path: &Path) -> Result<Connection, SandboxError> {
    let open_err = |source| SandboxError::Open {
        path: path.to_path_buf(),
        source,
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

impl Sandbox {
    /// Opens the sandbox at `path`, creating and seeding it (500 tickets, seed 42) when the file
    /// does not exist, and migrating an older schema. Refuses a newer schema or a file that is
    /// not SQLite.
    pub fn open(path: &Path) -> Result<Sandbox, SandboxError> {
        if !path.exists() {
            return Sandbox::create(path, &SeedOptions::default());
        }
        let mut writer = open_conn(path)?;
        let fresh = schema::is_blank(&writer).map_err(|source| SandboxError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        schema::migrate_to(&mut writer, path, SCHEMA_VERSION)?;
        let sandbox = Sandbox::finish(path, writer)?;
        if fresh {
            // An empty file (e.g. created by `touch`): seed it like a new one.
            let opts = SeedOptions::default();
            sandbox.seed_more(opts.tickets, opts.seed)?;
        }
        Ok(sandbox)
    }

    /// Recreates the file from scratch with `opts.tickets` demo tickets.
    /// Refuses to replace a file that is not a sandbox (another application's database or not
    /// SQLite at all), so a mistyped `--sandbox` path never destroys data.
    pub fn create(path: &Path, opts: &SeedOptions) -> Result<Sandbox, SandboxError> {
        if path.exists() {
            let check =
                Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                    .and_then(|c| schema::is_foreign(&c));
            match check {
                Ok(false) => {}
                Ok(true) | Err(_) => {
                    return Err(SandboxError::Foreign {
                        path: path.to_path_buf(),
                    })
                }
            }
        }
        create_parent(path)?;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = PathBuf::from(p);
            if p.exists() {
                std::fs::remove_file(&p).map_err(|source| SandboxError::Remove {
                    path: path.to_path_buf(),
                    source,
                })?;
            }
        }
        let mut writer = open_conn(path)?;
        schema::migrate_to(&mut writer, path, SCHEMA_VERSION)?;
        let sandbox = Sandbox::finish(path, writer)?;
        sandbox.seed_more(opts.tickets, opts.seed)?;
        Ok(sandbox)
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
                catalog,
                writer: Mutex::new(writer),
                readers,
                next: AtomicUsize::new(0),
            }),
        })
    }

    /// Adds `n` deterministic demo tickets (seeded with `seed`) in one transaction; returns how
    /// many were added.
    pub fn seed_more(&self, n: usize, seed: u64) -> Result<usize, SandboxError> {
        let mut conn = lock_writer(&self.inner.writer);
        let seed_err = |source| SandboxError::Seed {
            path: self.inner.path.clone(),
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(seed_err)?;
        let added = seed::seed(&tx, &self.inner.catalog, n, seed).map_err(seed_err)?;
        tx.commit().map_err(seed_err)?;
        Ok(added)
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
                .map_err(|e| BackendError::Api(ApiError::internal(format!("sandbox task: {e}"))))?,
            Err(_) => f(&inner),
        }
    }
}
