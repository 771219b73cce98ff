//! Issue 9: the server under bad clients. Slow or half-sent requests are timed out, idle
//! connections cannot lock out a real client, and hyper's own rejections carry a HubSpot body.
//! Raw sockets, because well-behaved HTTP clients cannot misbehave on purpose.

use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;

/// Bound on every wait: a broken server fails the test instead of hanging it.
const DEADLINE: Duration = Duration::from_secs(10);

async fn connect(server: &TestServer) -> TcpStream {
    let addr = server.base.trim_start_matches("http://");
    TcpStream::connect(addr).await.unwrap()
}

/// Everything the server sends until it closes the connection (bounded by [`DEADLINE`]).
async fn read_to_close(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(DEADLINE, s.read_to_end(&mut out))
        .await
        .expect("the server closed the connection in time")
        .unwrap_or_default();
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a raw response into its status, head and JSON body.
fn parse(raw: &str) -> (u16, String, Value) {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, head.to_ascii_lowercase(), body)
}

fn assert_hubspot_error(raw: &str, status: u16) -> Value {
    let (got, head, body) = parse(raw);
    assert_eq!(got, status, "{raw}");
    assert!(head.contains("content-type: application/json"), "{raw}");
    assert_eq!(body["status"], "error", "{raw}");
    assert!(
        body["correlationId"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{raw}"
    );
    assert!(
        body["message"].as_str().is_some_and(|s| !s.is_empty()),
        "{raw}"
    );
    body
}

#[tokio::test]
async fn a_half_sent_request_head_is_disconnected_after_the_header_timeout() {
    let server = TestServer::start(ServerConfig {
        header_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    let mut slow = connect(&server).await;
    slow.write_all(b"GET /crm/v3/objects/tickets HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut slow).await;
    assert_eq!(answer, "", "no answer to a request that never arrived");
    // A silent connection is closed the same way.
    let mut silent = connect(&server).await;
    assert_eq!(read_to_close(&mut silent).await, "");
    // The server is fine.
    assert_eq!(server.get("/crm/v3/objects/tickets").await.status(), 200);
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_a_408() {
    let server = TestServer::start(ServerConfig {
        body_timeout: Duration::from_millis(300),
        ..ServerConfig::default()
    })
    .await;
    let mut slow = connect(&server).await;
    slow.write_all(
        b"POST /crm/v3/objects/tickets HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"properties\":",
    )
    .await
    .unwrap();
    let raw = read_to_close(&mut slow).await;
    let body = assert_hubspot_error(&raw, 408);
    assert!(
        body["message"].as_str().unwrap().contains("did not arrive"),
        "{raw}"
    );
    assert_eq!(server.backend.calls(), 0, "the handler never ran");
}

#[tokio::test]
async fn idle_connections_at_the_cap_make_room_for_a_real_client() {
    let server = TestServer::start(ServerConfig {
        max_connections: Some(8),
        ..ServerConfig::default()
    })
    .await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(connect(&server).await);
    }
    // A real client still gets its answers, several times over.
    for _ in 0..3 {
        let r = tokio::time::timeout(DEADLINE, server.get("/crm/v3/objects/tickets"))
            .await
            .expect("a client is never locked out");
        assert_eq!(r.status(), 200);
    }
    // The oldest idle sockets were closed by the server to make room.
    let mut first = idle.remove(0);
    assert_eq!(read_to_close(&mut first).await, "");
}

#[tokio::test]
async fn hypers_own_rejections_carry_a_hubspot_body() {
    let server = TestServer::start(ServerConfig::default()).await;

    let mut s = connect(&server).await;
    s.write_all(b"THIS IS NOT HTTP\r\n\r\n").await.unwrap();
    let raw = read_to_close(&mut s).await;
    assert_hubspot_error(&raw, 400);

    let mut s = connect(&server).await;
    let uri = format!("/crm/v3/objects/tickets?q={}", "a".repeat(70_000));
    s.write_all(format!("GET {uri} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let raw = read_to_close(&mut s).await;
    assert_hubspot_error(&raw, 414);

    let mut s = connect(&server).await;
    let big = "b".repeat(200_000);
    // The server may answer and close before reading all of it.
    let _ = s
        .write_all(
            format!("GET /crm/v3/objects/tickets HTTP/1.1\r\nHost: x\r\nx-big: {big}\r\n\r\n")
                .as_bytes(),
        )
        .await;
    let raw = read_to_close(&mut s).await;
    let body = assert_hubspot_error(&raw, 431);
    assert!(
        body["message"].as_str().unwrap().contains("too large"),
        "{raw}"
    );

    // Ordinary responses are untouched.
    assert_eq!(server.get("/crm/v3/objects/tickets").await.status(), 200);
}
