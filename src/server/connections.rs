//! The accept loop of `serve`: one hyper HTTP/1 connection per client, with the protections a
//! server facing careless or hostile clients needs, which `axum::serve` does not offer:
//!
//! - **Header read timeout** (hyper's): a client that has not sent a complete request head
//!   within [`ServerConfig::header_timeout`] of connecting, or of its previous response, is
//!   disconnected. This ends slow-header clients and idle keep-alive connections alike.
//! - **Connection cap with idle eviction**: at most `max_connections` are open at once (by
//!   default the process's open-file limit minus a reserve for SQLite and the rest). When a new
//!   client arrives at the cap, the connection idle the longest (no request in progress) is
//!   closed to make room, the way nginx reclaims keep-alive connections, so a pile of idle
//!   sockets can never lock out a real client. Only when every connection is busy is the new
//!   one turned away. If the process runs out of descriptors anyway, idle connections are
//!   reclaimed the same way.
//! - hyper's own rejections of unparseable requests get a HubSpot-shaped body
//!   ([`super::protocol_errors`]).
//!
//! The body read timeout is a middleware ([`super::body_timeout`]). Graceful shutdown: stop
//! accepting, ask every connection to finish its current request and close, wait for them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::config::ServerConfig;
use super::protocol_errors::ProtocolErrors;

/// Descriptors kept free for everything but client sockets: the SQLite files (a writer and
/// readers, each with its WAL and shared memory), logs, the listener, the runtime.
const FD_RESERVE: u64 = 64;
/// The cap when the open-file limit is unknown or unlimited.
const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
/// How long a connection asked to close may take to finish before it is dropped, unless a
/// request is still being handled on it.
const CLOSE_GRACE: Duration = Duration::from_secs(1);
/// Largest request head (request line plus headers) hyper buffers: beyond it, 431.
pub(crate) const MAX_HEAD_BYTES: usize = 128 * 1024;

/// The connection cap: the configured one, or the open-file limit minus [`FD_RESERVE`].
pub(crate) fn max_connections(config: &ServerConfig) -> usize {
    if let Some(n) = config.max_connections {
        return n.max(1);
    }
    match open_file_limit() {
        Some(limit) => limit
            .saturating_sub(FD_RESERVE)
            .clamp(16, DEFAULT_MAX_CONNECTIONS as u64) as usize,
        None => DEFAULT_MAX_CONNECTIONS,
    }
}

#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct we pass, which lives for the call.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut lim) };
    #[allow(clippy::unnecessary_cast)] // rlim_t is not u64 on every Unix
    let current = lim.rlim_cur as u64;
    (rc == 0 && lim.rlim_cur != libc::RLIM_INFINITY).then_some(current)
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// What one connection shares with the registry.
struct ConnState {
    /// Requests being handled right now.
    in_flight: AtomicUsize,
    /// Requests begun on this connection so far.
    requests: AtomicU64,
    /// When a request last started or finished (ms since the registry's epoch).
    last_active_ms: AtomicU64,
}

struct Entry {
    close: CancellationToken,
    state: Arc<ConnState>,
    evicted: bool,
}

/// The open connections.
struct Registry {
    epoch: Instant,
    next_id: AtomicU64,
    conns: Mutex<HashMap<u64, Entry>>,
    emptied: Notify,
}

impl Registry {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            next_id: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
            emptied: Notify::new(),
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Entry>> {
        // The map holds plain data; a panic elsewhere cannot leave it inconsistent.
        self.conns.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Connections not yet asked to close.
    fn open(&self) -> usize {
        self.lock().values().filter(|e| !e.evicted).count()
    }

    fn insert(&self, close: CancellationToken) -> (u64, Arc<ConnState>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let state = Arc::new(ConnState {
            in_flight: AtomicUsize::new(0),
            requests: AtomicU64::new(0),
            last_active_ms: AtomicU64::new(self.now_ms()),
        });
        self.lock().insert(
            id,
            Entry {
                close,
                state: state.clone(),
                evicted: false,
            },
        );
        (id, state)
    }

    fn remove(&self, id: u64) {
        let mut conns = self.lock();
        conns.remove(&id);
        if conns.is_empty() {
            self.emptied.notify_waiters();
        }
    }

    /// Asks the connection idle the longest to close; false when every connection is busy.
    fn evict_idle(&self) -> bool {
        let mut conns = self.lock();
        let oldest = conns
            .iter_mut()
            .filter(|(_, e)| !e.evicted && e.state.in_flight.load(Ordering::Acquire) == 0)
            // Oldest activity first; among connections active in the same millisecond, the
            // one accepted first.
            .min_by_key(|(id, e)| (e.state.last_active_ms.load(Ordering::Relaxed), **id));
        match oldest {
            Some((_, entry)) => {
                entry.evicted = true;
                entry.close.cancel();
                true
            }
            None => false,
        }
    }

    async fn wait_empty(&self) {
        loop {
            let emptied = self.emptied.notified();
            if self.lock().is_empty() {
                return;
            }
            emptied.await;
        }
    }
}

/// Marks a request in progress on its connection for as long as it lives.
struct InFlight {
    state: Arc<ConnState>,
    registry: Arc<Registry>,
}

impl InFlight {
    fn begin(state: Arc<ConnState>, registry: Arc<Registry>) -> Self {
        state.in_flight.fetch_add(1, Ordering::AcqRel);
        state.requests.fetch_add(1, Ordering::Relaxed);
        state
            .last_active_ms
            .store(registry.now_ms(), Ordering::Relaxed);
        Self { state, registry }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.state
            .last_active_ms
            .store(self.registry.now_ms(), Ordering::Relaxed);
        self.state.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Whether an accept error means the process (or system) is out of file descriptors.
fn out_of_descriptors(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// Serves `app` on `listener` until `shutdown` is cancelled, then drains the connections.
pub(crate) async fn serve_connections(
    listener: TcpListener,
    app: Router,
    config: &ServerConfig,
    shutdown: CancellationToken,
) {
    let cap = max_connections(config);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.header_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    let builder = Arc::new(builder);
    let registry = Arc::new(Registry::new());
    tracing::debug!(target: "hubscript::server", max_connections = cap, "accepting");
    let mut refused_busy: u64 = 0;
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => break,
            r = listener.accept() => r,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) if out_of_descriptors(&e) => {
                let reclaimed = registry.evict_idle();
                tracing::warn!(
                    target: "hubscript::server",
                    error = %e,
                    reclaimed,
                    "out of file descriptors: closing the longest idle connection"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            Err(e) => {
                // A client that gave up between connect and accept, and the like.
                tracing::debug!(target: "hubscript::server", error = %e, "accept failed");
                continue;
            }
        };
        if registry.open() >= cap && !registry.evict_idle() {
            refused_busy += 1;
            if refused_busy.is_power_of_two() {
                tracing::warn!(
                    target: "hubscript::server",
                    max_connections = cap,
                    refused = refused_busy,
                    "every connection is busy: turning a new client away"
                );
            }
            drop(stream);
            continue;
        }
        let close = shutdown.child_token();
        let (id, state) = registry.insert(close.clone());
        tokio::spawn(serve_one(
            stream,
            app.clone(),
            builder.clone(),
            registry.clone(),
            id,
            state,
            close,
        ));
    }
    registry.wait_empty().await;
}

async fn serve_one(
    stream: TcpStream,
    app: Router,
    builder: Arc<http1::Builder>,
    registry: Arc<Registry>,
    id: u64,
    state: Arc<ConnState>,
    close: CancellationToken,
) {
    let _ = stream.set_nodelay(true);
    let io = TokioIo::new(ProtocolErrors::new(stream));
    let (reg, conn_state) = (registry.clone(), state.clone());
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let guard = InFlight::begin(conn_state.clone(), reg.clone());
        let app = app.clone();
        async move {
            let response = app.oneshot(req.map(axum::body::Body::new)).await;
            drop(guard);
            response
        }
    });
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(target: "hubscript::server", error = %e, "connection ended");
                }
                break;
            }
            () = close.cancelled(), if !closing => {
                // A connection that never carried a request has nothing to finish (hyper would
                // wait for its first request before closing it gracefully).
                if state.requests.load(Ordering::Relaxed) == 0 {
                    break;
                }
                closing = true;
                conn.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep(CLOSE_GRACE), if closing => {
                // Still open after the grace: waiting for a next request head that hyper
                // counts as work. Drop it unless a request is really in progress.
                if state.in_flight.load(Ordering::Acquire) == 0 {
                    break;
                }
            }
        }
    }
    registry.remove(id);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eviction_takes_the_longest_idle_connection_and_never_a_busy_one() {
        let reg = Arc::new(Registry::new());
        let (a_tok, b_tok, c_tok) = (
            CancellationToken::new(),
            CancellationToken::new(),
            CancellationToken::new(),
        );
        let (_, a) = reg.insert(a_tok.clone());
        let (_, b) = reg.insert(b_tok.clone());
        let (_, c) = reg.insert(c_tok.clone());
        a.last_active_ms.store(5, Ordering::Relaxed);
        b.last_active_ms.store(1, Ordering::Relaxed);
        c.last_active_ms.store(9, Ordering::Relaxed);
        let busy = InFlight::begin(b.clone(), reg.clone());
        b.last_active_ms.store(0, Ordering::Relaxed);
        assert!(reg.evict_idle());
        assert!(a_tok.is_cancelled() && !b_tok.is_cancelled() && !c_tok.is_cancelled());
        assert_eq!(reg.open(), 2);
        assert!(reg.evict_idle());
        assert!(c_tok.is_cancelled());
        assert!(!reg.evict_idle(), "the busy one is never evicted");
        drop(busy);
        assert!(reg.evict_idle());
        assert!(b_tok.is_cancelled());
    }

    #[test]
    fn the_cap_follows_the_configuration_or_the_file_limit() {
        let config = ServerConfig {
            max_connections: Some(7),
            ..ServerConfig::default()
        };
        assert_eq!(max_connections(&config), 7);
        let derived = max_connections(&ServerConfig::default());
        if let Some(limit) = open_file_limit() {
            assert!((derived as u64) < limit, "{derived} < {limit}");
        }
        assert!(derived >= 16);
    }
}
