//! Ctrl-C while an input runs, and the progress line of a long one.
//!
//! [`Interrupts`] listens for SIGINT for the whole session, but only acts while an input is
//! armed: it cancels that input's token (which also aborts an HTTP call in flight through the
//! script bridge). At the prompt the terminal is in raw mode, so Ctrl-C reaches rustyline as a
//! key instead (it clears the line). Nothing here reads stdin (SIGINT comes from the terminal
//! driver), so keys typed while an input runs wait in the terminal for the next prompt
//! (rustyline's buffer-redux feature keeps the lines past the first).
//!
//! [`Progress`] prints "running..." on stderr once an input has run for a second, then
//! "fetched N tickets..." as reads arrive, and erases the line when the input ends.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

type Slot = Arc<Mutex<Option<CancellationToken>>>;

fn lock(m: &Mutex<Option<CancellationToken>>) -> MutexGuard<'_, Option<CancellationToken>> {
    m.lock().expect("interrupt slot lock poisoned")
}

/// The session's SIGINT listener.
pub(super) struct Interrupts {
    current: Slot,
    task: JoinHandle<()>,
}

/// While alive, SIGINT cancels its token.
pub(super) struct Armed<'a> {
    current: &'a Slot,
}

impl Drop for Armed<'_> {
    fn drop(&mut self) {
        *lock(self.current) = None;
    }
}

impl Interrupts {
    /// Starts listening on `handle`'s runtime. Waits until the handler is installed, so a
    /// Ctrl-C during the first input cannot kill the process.
    pub(super) fn install(handle: &Handle) -> std::io::Result<Self> {
        let current: Slot = Arc::new(Mutex::new(None));
        let slot = current.clone();
        #[cfg(unix)]
        let task = {
            use tokio::signal::unix::{signal, SignalKind};
            let mut sig = handle.block_on(async { signal(SignalKind::interrupt()) })?;
            handle.spawn(async move {
                while sig.recv().await.is_some() {
                    if let Some(t) = lock(&slot).as_ref() {
                        t.cancel();
                    }
                }
            })
        };
        #[cfg(not(unix))]
        let task = handle.spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                if let Some(t) = lock(&slot).as_ref() {
                    t.cancel();
                }
            }
        });
        Ok(Self { current, task })
    }

    /// Routes SIGINT to `token` until the returned guard drops.
    pub(super) fn arm(&self, token: CancellationToken) -> Armed<'_> {
        *lock(&self.current) = Some(token);
        Armed {
            current: &self.current,
        }
    }
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The progress line of one input.
pub(super) struct Progress {
    stop: CancellationToken,
    task: JoinHandle<()>,
}

/// How long an input runs before progress shows.
const FIRST_SHOW: Duration = Duration::from_secs(1);
const REFRESH: Duration = Duration::from_millis(250);

impl Progress {
    /// Starts watching `reads` (a running count of tickets read).
    pub(super) fn start(handle: &Handle, reads: Arc<dyn Fn() -> u64 + Send + Sync>) -> Self {
        let stop = CancellationToken::new();
        let until = stop.clone();
        let task = handle.spawn(async move {
            let base = reads();
            tokio::select! {
                () = until.cancelled() => return,
                () = tokio::time::sleep(FIRST_SHOW) => {}
            }
            let mut shown = None;
            loop {
                let n = reads().saturating_sub(base);
                if shown.is_none_or(|s| n > s) {
                    let mut err = std::io::stderr().lock();
                    let _ = if n == 0 {
                        write!(err, "\r\x1b[2Krunning... (Ctrl-C cancels)")
                    } else {
                        write!(err, "\r\x1b[2Kfetched {n} tickets... (Ctrl-C cancels)")
                    };
                    let _ = err.flush();
                    shown = Some(n);
                }
                tokio::select! {
                    () = until.cancelled() => break,
                    () = tokio::time::sleep(REFRESH) => {}
                }
            }
            if shown.is_some() {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            }
        });
        Self { stop, task }
    }

    /// Stops and erases the progress line (blocks until it is gone).
    pub(super) fn finish(self, handle: &Handle) {
        self.stop.cancel();
        let _ = handle.block_on(self.task);
    }
}
