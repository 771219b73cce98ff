//! Waiting for a condition with a deadline: the only way tests wait. The deadline is generous
//! (it catches hangs, it is not a timing claim), and expiring it fails the test with `what`.

use std::time::{Duration, Instant};

/// How often a condition is checked.
const POLL: Duration = Duration::from_millis(25);

/// Blocks until `f` holds or `timeout` passes; returns whether it held (for callers that
/// add their own diagnostics to the failure).
pub(crate) fn wait_for(timeout: Duration, f: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while !f() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(POLL);
    }
    true
}

/// Blocks until `f` holds; panics naming `what` after `timeout`.
pub(crate) fn wait_until(what: &str, timeout: Duration, f: impl Fn() -> bool) {
    assert!(wait_for(timeout, f), "not within {timeout:?}: {what}");
}

/// Waits (async) until `f` holds; panics naming `what` after `timeout`.
pub(crate) async fn eventually(what: &str, timeout: Duration, f: impl Fn() -> bool) {
    let deadline = Instant::now() + timeout;
    while !f() {
        assert!(Instant::now() < deadline, "not within {timeout:?}: {what}");
        tokio::time::sleep(POLL).await;
    }
}
