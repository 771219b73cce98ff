//! Ctrl-C and SIGTERM, handled in one place: the first one cancels the returned token (the
//! running command stops gracefully: a script is cancelled, serve/daemon/watch shut down); a
//! second Ctrl-C exits at once with 130.

use tokio_util::sync::CancellationToken;

use crate::exit_code as exit;

/// A token cancelled by the first Ctrl-C or SIGTERM.
pub(super) fn shutdown_token() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        // Say what arrived: under systemd or a container runtime there is no keyboard, so a
        // SIGTERM message must not talk about Ctrl-C.
        match wait_for_signal().await {
            Signal::Interrupt => {
                tracing::info!("interrupted: stopping (press Ctrl-C again to exit at once)");
            }
            Signal::Terminate => tracing::info!(
                "SIGTERM received: stopping gracefully (a second signal exits at once)"
            ),
        }
        t.cancel();
        wait_for_signal().await;
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

async fn wait_for_signal() -> Signal {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => Signal::Interrupt,
                    _ = term.recv() => Signal::Terminate,
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                Signal::Interrupt
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        Signal::Interrupt
    }
}
