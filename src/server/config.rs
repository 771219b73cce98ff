//! What `hubscript serve` is told: address, optional token, rate-limit and fault emulation, body
//! size, read timeouts and the connection cap. Plain data filled in by the CLI; the token never appears in its Debug output.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::fault_spec::FaultSpec;
use super::rate_limit_spec::RateLimitSpec;

/// Configuration of the HTTP server.
#[derive(Clone)]
pub struct ServerConfig {
    /// Where to listen; loopback by default.
    pub addr: SocketAddr,
    /// When set, every request needs `Authorization: Bearer <token>`.
    pub token: Option<String>,
    /// Rolling-window emulation of HubSpot's burst limit (and the 5/s search limit).
    pub rate_limit: Option<RateLimitSpec>,
    /// Emulation of HubSpot's daily quota (resets at midnight UTC).
    pub daily_limit: Option<u64>,
    /// Random failures injected before requests are processed.
    pub faults: Option<FaultSpec>,
    /// Seed of the fault RNG, so a run can be repeated.
    pub seed: u64,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// A client must send a complete request head within this long of connecting or of its
    /// previous response, else it is disconnected (slow or idle clients).
    pub header_timeout: Duration,
    /// A request's whole body must arrive within this long, else 408.
    pub body_timeout: Duration,
    /// Most open client connections; `None`: the open-file limit minus a reserve. At the cap
    /// the longest idle connection is closed for a new client.
    pub max_connections: Option<usize>,
}

impl ServerConfig {
    /// The default address: `127.0.0.1:8080`.
    pub const DEFAULT_ADDR: SocketAddr =
        SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);
    /// The default body limit: 2 MiB.
    pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;
    /// The default seed of the fault RNG (`serve --seed`).
    pub const DEFAULT_SEED: u64 = 1;
    /// The default header read timeout: 20 s (generous for any real client on a slow link,
    /// short enough that idle or stalled sockets do not pile up).
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(20);
    /// The default body read timeout: 30 s for at most 2 MiB.
    pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            addr: Self::DEFAULT_ADDR,
            token: None,
            rate_limit: None,
            daily_limit: None,
            faults: None,
            seed: Self::DEFAULT_SEED,
            body_limit_bytes: Self::DEFAULT_BODY_LIMIT,
            header_timeout: Self::DEFAULT_HEADER_TIMEOUT,
            body_timeout: Self::DEFAULT_BODY_TIMEOUT,
            max_connections: None,
        }
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("addr", &self.addr)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("rate_limit", &self.rate_limit)
            .field("daily_limit", &self.daily_limit)
            .field("faults", &self.faults)
            .field("seed", &self.seed)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_loopback_and_two_mib() {
        let c = ServerConfig::default();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.body_limit_bytes, 2_097_152);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let c = ServerConfig {
            token: Some("pat-na1-secret".into()),
            ..ServerConfig::default()
        };
        let s = format!("{c:?}");
        assert!(!s.contains("pat-na1-secret"), "{s}");
        assert!(s.contains("<redacted>"), "{s}");
    }
}
