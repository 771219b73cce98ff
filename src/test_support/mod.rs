//! What unit tests share (test builds only): seeded sandboxes on temp files, loopback test
//! servers (an axum router served, a server that never answers, a port nothing listens on), a
//! writer that captures output (logs, the screen), a wait-until with a deadline, and the
//! triggers layer's fake runner. Integration tests have their own in `tests/util/`.

pub(crate) mod runner;

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::sandbox::{Sandbox, SeedOptions};

/// A fresh sandbox file in a temp dir with `tickets` demo tickets from `seed`. Keep the
/// `TempDir` alive as long as the sandbox.
pub(crate) fn seeded_sandbox(tickets: usize, seed: u64) -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let sandbox =
        Sandbox::create(&dir.path().join("s.db"), &SeedOptions { tickets, seed }).unwrap();
    (dir, sandbox)
}

/// Serves `app` on 127.0.0.1 with an ephemeral port until the test's runtime ends.
pub(crate) async fn serve_router(app: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// A loopback server that accepts connections and never answers (for timeouts).
pub(crate) async fn silent_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    addr
}

/// A loopback address that was free a moment ago: connecting to it is refused.
pub(crate) fn closed_port() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// Output written to it, kept in memory: a `Write` for screens and a `MakeWriter` for
/// tracing subscribers. Clones share the buffer.
#[derive(Clone, Default)]
pub(crate) struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// Everything written so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// How long [`eventually`] waits: generous, so it only catches hangs; never a timing claim.
pub(crate) const EVENTUALLY: Duration = Duration::from_secs(15);

/// Polls `f` every 20 ms until it holds; panics naming `what` after [`EVENTUALLY`]. For tests
/// on real time that wait for OS events (file watching); on tokio's paused clock the deadline
/// passes at once, so wait for the events themselves there.
pub(crate) async fn eventually(what: &str, f: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + EVENTUALLY;
    while !f() {
        assert!(
            std::time::Instant::now() < deadline,
            "never happened within {EVENTUALLY:?}: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs a test body with a deadline, so a test waiting on the OS (a watcher that never
/// reports, a task that never stops) fails instead of hanging the suite.
pub(crate) async fn within<T>(limit: Duration, what: &str, body: impl Future<Output = T>) -> T {
    tokio::time::timeout(limit, body)
        .await
        .unwrap_or_else(|_| panic!("did not finish within {limit:?}: {what}"))
}
