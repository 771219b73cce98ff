//! End-to-end tests of the HTTP layer: a real server on 127.0.0.1:0 in front of the in-memory
//! [`crate::backend::fake::FakeBackend`], driven with reqwest. The sandbox's behaviour is not tested
//! here (the lead runs the contract suite through this server); only what the HTTP layer owns.

mod errors;
mod hardening;
mod limits;
mod logging;
mod routes;

use std::sync::Arc;

use reqwest::header::CONTENT_TYPE;
use reqwest::Response;
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::{bind, serve_on, serve_with, RateLimitSpec, ServerConfig, ServerError};
use crate::backend::fake::FakeBackend;

/// A running server and what the tests need to drive and inspect it.
pub(crate) struct TestServer {
    pub(crate) base: String,
    pub(crate) backend: Arc<FakeBackend>,
    pub(crate) http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), ServerError>>,
}

impl TestServer {
    pub(crate) async fn start(config: ServerConfig) -> Self {
        Self::start_with(config, RateLimitSpec::SEARCH).await
    }

    /// Starts with a chosen search limit (long windows keep tests independent of speed).
    pub(crate) async fn start_with(config: ServerConfig, search: RateLimitSpec) -> Self {
        let config = ServerConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            ..config
        };
        let (listener, addr) = bind(&config).await.unwrap();
        assert!(addr.ip().is_loopback());
        let backend = Arc::new(FakeBackend::default());
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let b: Arc<dyn crate::backend::TicketsBackend> = backend.clone();
        let handle = tokio::spawn(async move {
            if search == RateLimitSpec::SEARCH {
                serve_on(listener, b, &config, shutdown).await
            } else {
                serve_with(listener, b, &config, shutdown, search).await
            }
        });
        Self {
            base: format!("http://{addr}"),
            backend,
            http: reqwest::Client::new(),
            stop: Some(stop),
            handle,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) async fn get(&self, path: &str) -> Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    pub(crate) async fn post(&self, path: &str, body: Value) -> Response {
        self.http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Triggers the shutdown and waits for the server to finish.
    pub(crate) async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.handle.await.unwrap()
    }
}

/// Reads a JSON body after checking HubSpot's content type.
pub(crate) async fn json_body(r: Response) -> Value {
    let ct = r
        .headers()
        .get(CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(ct.as_deref(), Some("application/json;charset=utf-8"));
    r.json().await.unwrap()
}

/// Checks a HubSpot-shaped error: status, category, and the correlation id echoed in the header.
pub(crate) async fn assert_error(r: Response, status: u16, category: &str) -> Value {
    assert_eq!(r.status().as_u16(), status);
    let header = r
        .headers()
        .get("x-hubspot-correlation-id")
        .map(|v| v.to_str().unwrap().to_string());
    let body = json_body(r).await;
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["category"], category, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    let id = body["correlationId"].as_str().unwrap();
    assert_eq!(header.as_deref(), Some(id));
    body
}
