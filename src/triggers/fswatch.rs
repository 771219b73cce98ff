//! File-system watching for `watch` and the daemon: a notify watcher on DIRECTORIES (so that
//! editors that save through a temporary file and a rename are seen), forwarding the paths of
//! relevant events to a tokio channel, and the debouncer that turns bursts into batches.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::error::{watch_error, TriggerError};

/// A running watcher; events arrive on `rx` until it is dropped.
pub(crate) struct FsWatch {
    _watcher: notify::RecommendedWatcher,
    /// Paths of changed entries, as the OS reported them.
    pub rx: mpsc::UnboundedReceiver<PathBuf>,
}

/// Watches each directory of `dirs`, recursively when its flag says so.
pub(crate) fn watch_dirs(dirs: &[(PathBuf, bool)]) -> Result<FsWatch, TriggerError> {
    let (tx, rx) = mpsc::unbounded_channel();
    let first = dirs.first().map(|d| d.0.clone()).unwrap_or_default();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        match res {
            Ok(ev) if relevant(ev.kind) => {
                for p in ev.paths {
                    // The receiver is gone only when watching ends.
                    let _ = tx.send(p);
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "file watcher error"),
        }
    })
    .map_err(|e| watch_error(first, e))?;
    for (dir, recursive) in dirs {
        let mode = if *recursive {
            RecursiveMode::Recursive
        } else {
            RecursiveMode::NonRecursive
        };
        watcher
            .watch(dir, mode)
            .map_err(|e| watch_error(dir.clone(), e))?;
    }
    Ok(FsWatch {
        _watcher: watcher,
        rx,
    })
}

/// Events that may change what a script file holds, or that a person makes to ask for a
/// rerun: reads and opens do not count; `touch` (a metadata change on Linux) does, as in
/// watchexec and make.
fn relevant(kind: EventKind) -> bool {
    !matches!(kind, EventKind::Access(_))
}

/// True for a `.rhai` file path.
pub(crate) fn is_script(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rhai")
}

/// Waits for the next burst of paths: the first path, then every path that follows within
/// `quiet` of the previous one (a burst is cut after `max_wait`, so steady writes still run).
/// `None` when the channel is closed and nothing is pending.
pub(crate) async fn next_batch(
    rx: &mut mpsc::UnboundedReceiver<PathBuf>,
    quiet: Duration,
    max_wait: Duration,
) -> Option<BTreeSet<PathBuf>> {
    let first = rx.recv().await?;
    let deadline = tokio::time::Instant::now() + max_wait;
    let mut batch = BTreeSet::from([first]);
    loop {
        let wait_until = (tokio::time::Instant::now() + quiet).min(deadline);
        match tokio::time::timeout_at(wait_until, rx.recv()).await {
            Ok(Some(p)) => {
                batch.insert(p);
            }
            Ok(None) | Err(_) => return Some(batch),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIET: Duration = Duration::from_millis(50);
    const MAX: Duration = Duration::from_secs(1);

    #[tokio::test(start_paused = true)]
    async fn a_burst_is_one_batch() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            for _ in 0..5 {
                tx.send(PathBuf::from("s/a.rhai")).unwrap();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            tx.send(PathBuf::from("s/b.rhai")).unwrap();
        });
        let b = next_batch(&mut rx, QUIET, MAX).await.unwrap();
        assert_eq!(b, BTreeSet::from([PathBuf::from("s/a.rhai")]));
        let b = next_batch(&mut rx, QUIET, MAX).await.unwrap();
        assert_eq!(b, BTreeSet::from([PathBuf::from("s/b.rhai")]));
        assert!(next_batch(&mut rx, QUIET, MAX).await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_rename_save_is_one_batch() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        for p in ["s/.a.rhai.swp", "s/a.rhai.tmp", "s/a.rhai.tmp", "s/a.rhai"] {
            tx.send(PathBuf::from(p)).unwrap();
        }
        drop(tx);
        let b = next_batch(&mut rx, QUIET, MAX).await.unwrap();
        let scripts: Vec<_> = b.iter().filter(|p| is_script(p)).collect();
        assert_eq!(scripts, [&PathBuf::from("s/a.rhai")]);
    }

    #[tokio::test(start_paused = true)]
    async fn steady_writes_are_cut_at_max_wait() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            for _ in 0..100 {
                if tx.send(PathBuf::from("s/a.rhai")).is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        let start = tokio::time::Instant::now();
        next_batch(&mut rx, QUIET, MAX).await.unwrap();
        assert!(start.elapsed() <= MAX + QUIET);
    }

    #[tokio::test]
    async fn sees_a_rename_into_a_watched_directory() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = watch_dirs(&[(dir.path().to_path_buf(), false)]).unwrap();
        let tmp = dir.path().join("a.rhai.tmp");
        std::fs::write(&tmp, "let a = 1;").unwrap();
        std::fs::rename(&tmp, dir.path().join("a.rhai")).unwrap();
        let mut seen = BTreeSet::new();
        while !seen.iter().any(|p: &PathBuf| p.ends_with("a.rhai")) {
            let b = next_batch(&mut w.rx, QUIET, MAX).await.unwrap();
            seen.extend(b);
        }
    }

    #[test]
    fn missing_directory_is_a_watch_init_error() {
        let Err(e) = watch_dirs(&[(PathBuf::from("/definitely/not/here"), false)]) else {
            panic!("watching a missing directory succeeded");
        };
        assert!(matches!(e, TriggerError::WatchInit { .. }), "{e}");
    }
}
