//! What starting or running the server can fail with. Request-level failures are not here: they
//! become HubSpot-shaped HTTP responses (`response.rs`).

use std::net::SocketAddr;

/// A failure to bind or run the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The address could not be bound (in use, no permission, ...).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The bound socket has no readable local address.
    #[error("cannot read the listening address: {0}")]
    LocalAddr(std::io::Error),
    /// Accepting or serving connections failed.
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}
