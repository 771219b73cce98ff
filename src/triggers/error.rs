//! Errors of the triggers layer. Failures of single scripts (bad header, bad cron, broken
//! edit) are logged and do not stop the daemon; these are the ones that do.

use std::path::PathBuf;

/// Why `watch` or `daemon` could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TriggerError {
    /// The file watcher could not be set up.
    #[error("cannot watch {path}: {message}")]
    WatchInit {
        /// What was to be watched.
        path: PathBuf,
        /// Why, with what to do about it.
        message: String,
    },
    /// A cron expression is invalid.
    #[error(transparent)]
    Cron(#[from] super::cron::CronError),
    /// Reading a directory or file failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The state store failed.
    #[error(transparent)]
    State(#[from] crate::state::StateError),
}

/// Maps a notify error to an actionable message (inotify limits as watchexec explains them).
pub(crate) fn watch_error(path: PathBuf, err: notify::Error) -> TriggerError {
    let os = match &err.kind {
        notify::ErrorKind::Io(e) => e.raw_os_error(),
        notify::ErrorKind::MaxFilesWatch => Some(28),
        _ => None,
    };
    let message = match os {
        Some(28) => format!(
            "{err}: the system limit of inotify watches is reached. Raise it, e.g. \
             `sudo sysctl fs.inotify.max_user_watches=524288` (persist it in /etc/sysctl.d/), \
             or watch fewer directories"
        ),
        Some(24) => format!(
            "{err}: too many open files (inotify instances or file descriptors). Raise \
             `fs.inotify.max_user_instances` (e.g. `sudo sysctl fs.inotify.max_user_instances=512`) \
             or the open-file limit (`ulimit -n 4096`)"
        ),
        _ => err.to_string(),
    };
    TriggerError::WatchInit { path, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inotify_limits_get_help() {
        let e = watch_error(
            "scripts".into(),
            notify::Error::io(std::io::Error::from_raw_os_error(28)),
        );
        assert!(e.to_string().contains("max_user_watches"), "{e}");
        let e = watch_error(
            "scripts".into(),
            notify::Error::io(std::io::Error::from_raw_os_error(24)),
        );
        assert!(e.to_string().contains("max_user_instances"), "{e}");
        let e = watch_error("scripts".into(), notify::Error::path_not_found());
        assert!(e.to_string().starts_with("cannot watch scripts"), "{e}");
    }
}
