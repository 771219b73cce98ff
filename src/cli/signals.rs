//! Ctrl-C and SIGTERM, handled in one place: the first one cancels the returned token (the
//! running command stops gracefully: a script is cancelled, serve/daemon/watch shut down); a
//! second Ctrl-C exits at once with 130.

use tokio_util::sync::CancellationToken;

use crate::exit_code as exit;

/// A token cancelled by the first Ctrl-C or SIGTERM.
///
/// The handlers are installed before this returns, not in the task it spawns: a supervisor that
/// sends SIGTERM right after the "started" line must get a graceful stop, and a task that has not
/// been polled yet (a loaded machine) would leave the default action, which kills the process.
pub(super) fn shutdown_token() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    let mut signals = Signals::install();
    tokio::spawn(async move {
        // Say what arrived: under systemd or a container runtime there is no keyboard, so a
        // SIGTERM message must not talk about Ctrl-C.
        match signals.next().await {
            Signal::Interrupt => {
                tracing::info!("interrupted: stopping (press Ctrl-C again to exit at once)");
            }
            Signal::Terminate => tracing::info!(
                "SIGTERM received: stopping gracefully (a second signal exits at once)"
            ),
        }
        t.cancel();
        signals.next().await;
        std::process::exit(i32::from(exit::INTERRUPTED));
    });
    token
}

/// Which signal stopped the command.
enum Signal {
    /// Ctrl-C (SIGINT).
    Interrupt,
    /// SIGTERM (systemd, `kill`, a container runtime).
    Terminate,
}

/// The installed handlers. On Unix both are registered at once by [`Signals::install`]; a
/// handler that cannot be installed is left out (the other still works).
struct Signals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Self {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        {
            async fn recv(s: Option<&mut tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending().await,
                }
            }
            tokio::select! {
                () = recv(self.interrupt.as_mut()) => Signal::Interrupt,
                () = recv(self.terminate.as_mut()) => Signal::Terminate,
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            Signal::Interrupt
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Duration;

    /// Regression: the handlers were installed by the spawned task when it first ran, so a
    /// SIGTERM sent right after start-up on a loaded machine killed the daemon (no graceful
    /// stop, exit by signal). On a current-thread runtime the task cannot have run before the
    /// signal below, so with the old code this test process itself would die.
    #[tokio::test(flavor = "current_thread")]
    async fn a_sigterm_sent_before_the_handler_task_runs_is_a_graceful_stop() {
        let token = super::shutdown_token();
        // SAFETY: raise only sends a signal to this process; the handler is installed above.
        let rc = unsafe { libc::raise(libc::SIGTERM) };
        assert_eq!(rc, 0);
        tokio::time::timeout(Duration::from_secs(30), token.cancelled())
            .await
            .expect("the first SIGTERM cancels the token");
    }
}
