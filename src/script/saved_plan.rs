//! A saved plan (`hubscript run --plan-out FILE`): the versioned JSON file a person reviews and
//! `hubscript apply` applies later. Owns the file's shape, writing and reading it, and the
//! checks made before applying it (age, backend). It never holds the access token: the
//! backend is named by [`BackendRecord`] (kind, sandbox path or URL, portal id).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::state::BackendRecord;

use super::plan::Plan;

/// The file format version this build writes and reads.
pub const SAVED_PLAN_VERSION: u32 = 1;

/// A plan saved to a file, with what it was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    /// Always [`SAVED_PLAN_VERSION`] for files this build writes.
    pub version: u32,
    /// The script's name (its file stem).
    pub script: String,
    /// The script's path as given to `run`.
    pub script_path: String,
    /// SHA-256 of the script's text, lower-case hex.
    pub script_sha256: String,
    /// The script's `--arg` values.
    pub args: BTreeMap<String, String>,
    /// The backend the plan was made on (and may only be applied to).
    pub backend: BackendRecord,
    /// When the plan was made (the reads it holds are from then).
    pub created_at: DateTime<Utc>,
    /// Every change, with the old value the run read (what the drift check compares).
    pub plan: Plan,
}

/// Why a saved plan cannot be written, read or applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SavedPlanError {
    /// The file could not be read or written.
    #[error("plan file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a saved plan (damaged, truncated, or another kind of JSON).
    #[error("plan file {path} is not a valid hubscript plan: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What was wrong, with line and column.
        message: String,
    },
    /// The file was written by another format version.
    #[error("plan file {path} has format version {found}; this hubscript reads version {SAVED_PLAN_VERSION} (make the plan again with this version's `run --plan-out`)")]
    Version {
        /// The file.
        path: PathBuf,
        /// The version it says.
        found: String,
    },
    /// The plan is older than the limit.
    #[error("plan file {path} was made at {created_at} ({age} ago), older than the limit of {limit}: the tickets may have changed since; make a new plan (or pass a larger --max-age)")]
    TooOld {
        /// The file.
        path: PathBuf,
        /// When it was made.
        created_at: DateTime<Utc>,
        /// Its age, human-readable.
        age: String,
        /// The limit, human-readable.
        limit: String,
    },
    /// The plan was made on another backend.
    #[error("plan file {path} was made for {plan}, not for {here}: point apply at the same backend (--sandbox or --api)")]
    OtherBackend {
        /// The file.
        path: PathBuf,
        /// The plan's backend.
        plan: String,
        /// This backend.
        here: String,
    },
}

/// Whether two backend records name the same portal: the portal ids when both are known,
/// else kind and location (sandbox path or URL). The same rule as undo's.
pub(crate) fn same_backend(a: &BackendRecord, b: &BackendRecord) -> bool {
    match (a.portal_id, b.portal_id) {
        (Some(x), Some(y)) => x == y,
        _ => a.kind == b.kind && a.location == b.location,
    }
}

fn human(d: Duration) -> String {
    humantime::format_duration(Duration::from_secs(d.as_secs())).to_string()
}

impl SavedPlan {
    /// Writes the plan to `path` (pretty JSON, through a temporary file renamed into place so
    /// a reader never sees half a plan).
    pub fn save(&self, path: &Path) -> Result<(), SavedPlanError> {
        let io = |source| SavedPlanError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut text = serde_json::to_string_pretty(self).map_err(|e| io(e.into()))?;
        text.push('\n');
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads a plan file; the version is checked before the rest, so a file of another version
    /// says so rather than failing on a field.
    pub fn load(path: &Path) -> Result<Self, SavedPlanError> {
        let text = std::fs::read_to_string(path).map_err(|source| SavedPlanError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses a plan file's text (`path` names it in errors).
    pub fn parse(path: &Path, text: &str) -> Result<Self, SavedPlanError> {
        let invalid = |message: String| SavedPlanError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let Some(version) = value.get("version") else {
            return Err(invalid("no \"version\" field".into()));
        };
        if version.as_u64() != Some(u64::from(SAVED_PLAN_VERSION)) {
            return Err(SavedPlanError::Version {
                path: path.to_path_buf(),
                found: version.to_string(),
            });
        }
        serde_json::from_value(value).map_err(|e| invalid(e.to_string()))
    }

    /// Refuses a plan older than `max_age` at `now`, or made for a backend other than `here`.
    /// A plan dated in the future (another machine's clock) counts as age zero.
    pub fn check(
        &self,
        path: &Path,
        here: &BackendRecord,
        now: DateTime<Utc>,
        max_age: Duration,
    ) -> Result<(), SavedPlanError> {
        if !same_backend(&self.backend, here) {
            return Err(SavedPlanError::OtherBackend {
                path: path.to_path_buf(),
                plan: self.backend.label(),
                here: here.label(),
            });
        }
        let age = (now - self.created_at).to_std().unwrap_or_default();
        if age > max_age {
            return Err(SavedPlanError::TooOld {
                path: path.to_path_buf(),
                created_at: self.created_at,
                age: human(age),
                limit: human(max_age),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::plan::PlanChange;

    fn backend(location: &str) -> BackendRecord {
        BackendRecord {
            kind: "sandbox".into(),
            location: location.into(),
            live: false,
            portal_id: None,
        }
    }

    fn sample(now: DateTime<Utc>) -> SavedPlan {
        let mut plan = Plan::default();
        plan.push_at(
            Some(3),
            "7",
            PlanChange::Set {
                property: "hs_ticket_priority".into(),
                old: Some("LOW".into()),
                new: "HIGH".into(),
            },
        );
        SavedPlan {
            version: SAVED_PLAN_VERSION,
            script: "escalate".into(),
            script_path: "scripts/escalate.rhai".into(),
            script_sha256: "ab".repeat(32),
            args: [("days".to_string(), "3".to_string())].into(),
            backend: backend("/tmp/s.db"),
            created_at: now,
            plan,
        }
    }

    #[test]
    fn a_saved_plan_reads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        let p = sample(Utc::now());
        p.save(&path).unwrap();
        assert_eq!(SavedPlan::load(&path).unwrap(), p);
        assert!(!dir.path().join("plan.json.tmp").exists());
    }

    #[test]
    fn damaged_and_foreign_files_are_errors_naming_the_file() {
        let path = Path::new("dir/plan.json");
        let e = SavedPlan::parse(path, "{\"version\": 1, \"script\": ").unwrap_err();
        assert!(matches!(e, SavedPlanError::Invalid { .. }), "{e}");
        assert!(e.to_string().contains("dir/plan.json"), "{e}");
        let e = SavedPlan::parse(path, "{\"version\": 99}").unwrap_err();
        assert!(matches!(e, SavedPlanError::Version { ref found, .. } if found == "99"));
        assert!(e.to_string().contains("dir/plan.json"), "{e}");
        let e = SavedPlan::parse(path, "[1, 2]").unwrap_err();
        assert!(e.to_string().contains("no \"version\""), "{e}");
        let e = SavedPlan::parse(path, "{\"version\": 1}").unwrap_err();
        assert!(e.to_string().contains("missing field"), "{e}");
    }

    #[test]
    fn age_and_backend_are_checked() {
        let now = Utc::now();
        let p = sample(now - chrono::Duration::minutes(61));
        let path = Path::new("plan.json");
        let hour = Duration::from_secs(3600);
        let e = p.check(path, &backend("/tmp/s.db"), now, hour).unwrap_err();
        assert!(matches!(e, SavedPlanError::TooOld { .. }), "{e}");
        assert!(e.to_string().contains("1h 1m"), "{e}");
        p.check(path, &backend("/tmp/s.db"), now, 2 * hour).unwrap();
        let e = p
            .check(path, &backend("/tmp/other.db"), now, 2 * hour)
            .unwrap_err();
        assert!(e.to_string().contains("/tmp/other.db"), "{e}");
        // A plan from a clock slightly ahead is not refused as old.
        let ahead = sample(now + chrono::Duration::minutes(2));
        ahead.check(path, &backend("/tmp/s.db"), now, hour).unwrap();
        // The same portal id is the same backend whatever the URL.
        let mut a = backend("http://a");
        a.portal_id = Some(5);
        let mut b = backend("http://b");
        b.portal_id = Some(5);
        assert!(same_backend(&a, &b));
        b.portal_id = Some(6);
        assert!(!same_backend(&a, &b));
    }
}
