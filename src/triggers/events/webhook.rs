//! `daemon --webhooks ADDR`: receives HubSpot's webhook batches for tickets on any path,
//! checks the v3 signature (HMAC-SHA256 with the app's client secret; the request timestamp
//! within 5 minutes) and answers 401 to anything else, with nothing run. Accepted batches are
//! de-duplicated by event id (ids are remembered in the state store, so a retry after a restart
//! is recognised too), answered at once with 204 and queued for the event engine.
//!
//! The URI in the signature is the one HubSpot called. Behind a proxy that terminated TLS the
//! daemon sees `http`, HubSpot signed `https`: both are tried (with the Host header and the
//! path as received), the secret being what proves the sender.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::Router;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::model::webhook::{verify_v3, WebhookEvent, SIGNATURE_V3_HEADER, TIMESTAMP_HEADER};
use crate::state::StateDb;

use super::EventStats;

/// Batches queued before the receiver answers 503 (HubSpot retries those).
const QUEUE: usize = 1024;

#[derive(Clone)]
struct Receiver {
    secret: Arc<Vec<u8>>,
    state: StateDb,
    stats: Arc<EventStats>,
    tx: mpsc::Sender<Vec<WebhookEvent>>,
}

/// A running receiver: where it listens, and the queue the engine reads.
pub struct WebhookReceiver {
    /// The bound address.
    pub addr: SocketAddr,
    /// The queue, for [`super::EventSetup::webhooks`].
    pub queue: Arc<tokio::sync::Mutex<mpsc::Receiver<Vec<WebhookEvent>>>>,
}

/// Binds `addr` and serves until `shutdown`. `secret` is the app's client secret.
pub async fn start_webhook_receiver(
    addr: SocketAddr,
    secret: Vec<u8>,
    state: StateDb,
    stats: Arc<EventStats>,
    shutdown: CancellationToken,
) -> std::io::Result<WebhookReceiver> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let app = Router::new().fallback(receive).with_state(Receiver {
        secret: Arc::new(secret),
        state,
        stats,
        tx,
    });
    tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { shutdown.cancelled().await })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "the webhook receiver stopped");
        }
    });
    Ok(WebhookReceiver {
        addr: bound,
        queue: Arc::new(tokio::sync::Mutex::new(rx)),
    })
}

async fn receive(
    State(r): State<Receiver>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let reject = |why: String| {
        EventStats::add(&r.stats.webhook_rejected, 1);
        tracing::warn!("webhook request refused (401): {why}");
        StatusCode::UNAUTHORIZED
    };
    if method != Method::POST {
        return StatusCode::METHOD_NOT_ALLOWED;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = header("host").unwrap_or_default();
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let uris = [
        format!("https://{host}{path}"),
        format!("http://{host}{path}"),
    ];
    let now = chrono::Utc::now().timestamp_millis();
    if let Err(e) = verify_v3(
        &r.secret,
        method.as_str(),
        &uris,
        &body,
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_V3_HEADER),
        now,
    ) {
        return reject(e.to_string());
    }
    let events: Vec<WebhookEvent> = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(e) => {
            tracing::warn!("webhook request refused (400): the body is not a batch of events: {e}");
            return StatusCode::BAD_REQUEST;
        }
    };
    EventStats::add(&r.stats.webhook_requests, 1);
    // A place in the queue first: ids recorded as received must reach the engine.
    let Ok(permit) = r.tx.try_reserve() else {
        tracing::warn!("webhook queue full: answering 503 (HubSpot retries)");
        return StatusCode::SERVICE_UNAVAILABLE;
    };
    let mut fresh = Vec::with_capacity(events.len());
    for e in events {
        match r.state.webhook_event_new(e.event_id, now) {
            Ok(true) => fresh.push(e),
            Ok(false) => EventStats::add(&r.stats.webhook_duplicates, 1),
            Err(err) => {
                tracing::error!(error = %err, "cannot record a webhook event id (HubSpot will retry)");
                return StatusCode::SERVICE_UNAVAILABLE;
            }
        }
    }
    if !fresh.is_empty() {
        permit.send(fresh);
    }
    StatusCode::NO_CONTENT
}
