//! Shared test fixtures, in one place: a fresh seeded sandbox per test, reached either in
//! process or through `hubscript serve`'s router on 127.0.0.1:0 and the HubSpot HTTP client;
//! waiting for a condition with a deadline ([`wait`]); running the real binary in a temporary
//! directory, `serve` included ([`bin`]); long-running children ([`child`]).

#![allow(dead_code)]

pub(crate) mod bin;
pub(crate) mod child;
pub(crate) mod counting_proxy;
pub(crate) mod lost_answers;
pub(crate) mod official_client;
pub(crate) mod pg;
pub(crate) mod wait;

use std::sync::Arc;

use hubscript::backend::{BackendError, TicketsBackend};
use hubscript::model::ApiError;

/// Demo tickets in each contract test's sandbox.
pub(crate) const SEED_TICKETS: usize = 40;

/// A backend plus what keeps it alive (temp dir, server task).
pub(crate) struct Fixture {
    /// The backend under test.
    pub backend: Arc<dyn TicketsBackend>,
    /// The sandbox itself (for direct checks).
    pub sandbox: Arc<hubscript::sandbox::Sandbox>,
    /// Base URL when served.
    pub url: Option<String>,
    _dir: tempfile::TempDir,
    shutdown: Option<tokio_util::sync::CancellationToken>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(s) = &self.shutdown {
            s.cancel();
        }
    }
}

/// A new sandbox file in `dir` with `tickets` demo tickets (seed 42).
pub(crate) fn seeded_sandbox(
    dir: &tempfile::TempDir,
    tickets: usize,
) -> Arc<hubscript::sandbox::Sandbox> {
    let opts = hubscript::sandbox::SeedOptions { tickets, seed: 42 };
    Arc::new(hubscript::sandbox::Sandbox::create(&dir.path().join("sandbox.db"), &opts).unwrap())
}

fn fresh_sandbox(dir: &tempfile::TempDir) -> Arc<hubscript::sandbox::Sandbox> {
    seeded_sandbox(dir, SEED_TICKETS)
}

/// The server's configuration for tests: defaults, on 127.0.0.1 with an ephemeral port.
pub(crate) fn loopback_config() -> hubscript::server::ServerConfig {
    hubscript::server::ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    }
}

/// The sandbox, called in process.
pub(crate) async fn in_process() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = fresh_sandbox(&dir);
    Fixture {
        backend: sandbox.clone(),
        sandbox,
        url: None,
        _dir: dir,
        shutdown: None,
    }
}

/// Starts the HTTP server over a fresh sandbox on 127.0.0.1:0 with `config` tweaks.
pub(crate) async fn served(tweak: impl FnOnce(&mut hubscript::server::ServerConfig)) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = fresh_sandbox(&dir);
    let mut config = loopback_config();
    tweak(&mut config);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let url = start_server(sandbox.clone(), config, shutdown.clone()).await;
    let client = http_client(&url, None);
    Fixture {
        backend: Arc::new(client),
        sandbox,
        url: Some(url),
        _dir: dir,
        shutdown: Some(shutdown),
    }
}

/// Serves `backend` on 127.0.0.1:0 until `shutdown` is cancelled; returns the base URL.
pub(crate) async fn start_server(
    backend: Arc<dyn TicketsBackend>,
    config: hubscript::server::ServerConfig,
    shutdown: tokio_util::sync::CancellationToken,
) -> String {
    let (listener, addr) = hubscript::server::bind(&config).await.unwrap();
    tokio::spawn(async move {
        let stop = async move { shutdown.cancelled().await };
        let _ = hubscript::server::serve_on(listener, backend, &config, stop).await;
    });
    format!("http://{addr}")
}

/// A HubSpot client pointed at `url`.
pub(crate) fn http_client(url: &str, token: Option<&str>) -> hubscript::hubspot::HubspotClient {
    let mut config = hubscript::hubspot::ClientConfig::new(url);
    config.token = token.map(hubscript::hubspot::AccessToken::new);
    hubscript::hubspot::HubspotClient::new(config).unwrap()
}

/// The sandbox behind `serve` and the HTTP client.
pub(crate) async fn over_http() -> Fixture {
    served(|_| {}).await
}

/// Creates a record of another stored type (`contacts`, `companies`, `notes`, `tasks`; notes
/// and tasks get the `hs_timestamp` they need) and returns its id.
pub(crate) async fn record(b: &dyn TicketsBackend, ty: &str, pairs: &[(&str, &str)]) -> String {
    let mut properties = hubscript::model::InputProperties::new();
    for (k, v) in pairs {
        properties = properties.with(*k, *v);
    }
    if matches!(ty, "notes" | "tasks") {
        properties = properties.with("hs_timestamp", "1700000000000");
    }
    b.object_create(
        ty,
        &hubscript::model::CreateInput {
            properties,
            associations: vec![],
        },
    )
    .await
    .unwrap()
    .id
}

/// The HubSpot error of a call that must fail with one.
pub(crate) fn api_error<T: std::fmt::Debug>(r: Result<T, BackendError>) -> ApiError {
    match r {
        Err(e) => e
            .api()
            .cloned()
            .unwrap_or_else(|| panic!("expected a HubSpot error body, got {e}")),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

/// Declares one contract test that runs twice: on the in-process sandbox and over HTTP.
macro_rules! contract {
    ($name:ident, |$b:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn in_process() {
                let fixture = crate::util::in_process().await;
                let $b = fixture.backend.clone();
                $body.await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn over_http() {
                let fixture = crate::util::over_http().await;
                let $b = fixture.backend.clone();
                $body.await;
            }
        }
    };
}
pub(crate) use contract;
