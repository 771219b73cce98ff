//! Errors of opening, creating, migrating and seeding a sandbox file. API-level failures are not
//! here: those are HubSpot-shaped [`crate::model::ApiError`]s inside
//! [`crate::backend::BackendError`].

use std::path::PathBuf;

/// A sandbox file could not be opened, created, migrated or seeded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The parent directory could not be created.
    #[error("cannot create the directory for sandbox {path}: {source}")]
    CreateDir {
        /// The sandbox file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The old file could not be removed (reset).
    #[error("cannot remove the old sandbox {path}: {source}")]
    Remove {
        /// The sandbox file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The finished new file could not be moved or linked into place.
    #[error("cannot put the new sandbox in place at {path}: {source}")]
    Place {
        /// The sandbox file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A pulled portal could not be written into the new sandbox.
    #[error("cannot build sandbox {path} from the pulled portal: {message}")]
    Import {
        /// The sandbox path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// SQLite refused the file (not a database, locked, unreadable...).
    #[error("cannot open sandbox {path}: {source}")]
    Open {
        /// The sandbox file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The file was written by a newer hubscript.
    #[error(
        "sandbox {path} has schema version {found}, newer than this hubscript supports ({supported}); upgrade hubscript or run `hubscript sandbox reset`"
    )]
    TooNew {
        /// The sandbox file.
        path: PathBuf,
        /// The file's schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A file that is not a hubscript sandbox: another application's SQLite database (version
    /// 0 with tables in it) or, when resetting, a file that is not SQLite at all.
    #[error("{path} is not a hubscript sandbox; refusing to modify or replace it")]
    Foreign {
        /// The file.
        path: PathBuf,
    },
    /// The file is there but unusable: empty, not SQLite, corrupt, or without the sandbox
    /// tables. It is left untouched (never refilled with demo data).
    #[error(
        "sandbox {path} is damaged: {reason}; it was left untouched. Move it aside, or replace it with a fresh sandbox: `hubscript sandbox reset --force`"
    )]
    Damaged {
        /// The sandbox file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A schema migration failed (the file is left at its old version).
    #[error("cannot migrate sandbox {path} to schema version {version}: {source}")]
    Migrate {
        /// The sandbox file.
        path: PathBuf,
        /// The version being applied.
        version: i64,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// Seeding failed (nothing was written).
    #[error("cannot seed sandbox {path}: {source}")]
    Seed {
        /// The sandbox file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// The stored property or pipeline definitions could not be read.
    #[error("sandbox {path} has corrupt definitions: {message}")]
    Corrupt {
        /// The sandbox file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}
