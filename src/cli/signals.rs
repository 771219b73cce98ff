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
        wait_for_signal().await;
        tracing::info!("interrupted: stopping (press Ctrl-C again to exit at once)");
        t.cancel();
        wait_for_signal().await;
        std::process::exit(i32::from(exit::INTERRUPTED));
    });
    token
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
