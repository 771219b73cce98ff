//! A scripted HTTP server on 127.0.0.1:0 for the client's tests (test builds only): each test
//! programs the answers (429 with or without Retry-After, 5xx, 423, DAILY, a handler that never
//! answers) and then inspects the requests that reached the server.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;

use super::{AccessToken, ClientConfig, HubspotClient};
use crate::model::{CreateInput, InputProperties};

pub(super) const TOKEN: &str = "pat-na1-very-secret-token";

pub(super) const TICKET: &str = r#"{"id":"7","properties":{"subject":"Printer on fire"},"createdAt":"2024-08-15T17:09:13.648Z","updatedAt":"2024-08-15T17:09:13.648Z","archived":false}"#;

#[derive(Clone)]
pub(super) enum Reply {
    Respond {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    Hang,
}

pub(super) fn reply(status: u16, body: &str) -> Reply {
    Reply::Respond {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

pub(super) fn reply_h(status: u16, headers: &[(&'static str, &str)], body: &str) -> Reply {
    Reply::Respond {
        status,
        headers: headers.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        body: body.to_string(),
    }
}

#[derive(Debug, Clone)]
pub(super) struct Seen {
    pub method: String,
    pub uri: String,
    pub authorization: Option<String>,
    pub body: String,
}

struct Mock {
    script: Mutex<VecDeque<Reply>>,
    default: Reply,
    seen: Mutex<Vec<Seen>>,
}

async fn handle(State(mock): State<Arc<Mock>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20)
        .await
        .map(|b| String::from_utf8_lossy(&b).to_string())
        .unwrap_or_default();
    mock.seen.lock().unwrap().push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        authorization: parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
    });
    let next = mock
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(|| mock.default.clone());
    match next {
        Reply::Hang => std::future::pending().await,
        Reply::Respond {
            status,
            headers,
            body,
        } => {
            let mut resp = Response::new(Body::from(body));
            *resp.status_mut() = StatusCode::from_u16(status).unwrap();
            resp.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            for (k, v) in headers {
                resp.headers_mut()
                    .insert(k, HeaderValue::from_str(&v).unwrap());
            }
            resp
        }
    }
}

pub(super) struct Server {
    mock: Arc<Mock>,
    pub url: String,
}

impl Server {
    pub(super) async fn start(script: Vec<Reply>, default: Reply) -> Self {
        let mock = Arc::new(Mock {
            script: Mutex::new(script.into()),
            default,
            seen: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(handle).with_state(mock.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { mock, url }
    }

    pub(super) fn seen(&self) -> Vec<Seen> {
        self.mock.seen.lock().unwrap().clone()
    }

    pub(super) fn count(&self) -> usize {
        self.mock.seen.lock().unwrap().len()
    }

    pub(super) fn client(&self) -> HubspotClient {
        HubspotClient::new(test_config(&self.url)).unwrap()
    }
}

pub(super) fn test_config(url: &str) -> ClientConfig {
    let mut c = ClientConfig::new(format!("{url}/")).with_token(AccessToken::new(TOKEN));
    c.backoff_base = Duration::from_millis(5);
    c.backoff_max = Duration::from_millis(20);
    c.locked_wait = Duration::from_millis(30);
    c.request_timeout = Duration::from_secs(10);
    c
}

pub(super) fn create_input() -> CreateInput {
    CreateInput {
        properties: InputProperties::new().with("subject", "Printer on fire"),
        associations: Vec::new(),
    }
}
