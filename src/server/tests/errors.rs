//! Every failure the HTTP layer produces is HubSpot-shaped: malformed bodies, content types,
//! unknown routes, wrong methods, oversized bodies, authentication.

use serde_json::json;

use super::{assert_error, json_body, TestServer};
use crate::server::ServerConfig;

#[tokio::test]
async fn malformed_json_and_wrong_types_are_400_with_position() {
    let s = TestServer::start(ServerConfig::default()).await;
    let r = s
        .http
        .post(s.url("/crm/v3/objects/tickets"))
        .header("content-type", "application/json")
        .body("{\"properties\": {\"subject\": }")
        .send()
        .await
        .unwrap();
    let body = assert_error(r, 400, "VALIDATION_ERROR").await;
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("line 1 column"), "{message}");

    let r = s
        .post("/crm/v3/objects/tickets/search", json!({"limit": "ten"}))
        .await;
    let body = assert_error(r, 400, "VALIDATION_ERROR").await;
    assert!(
        body["message"].as_str().unwrap().contains("invalid type"),
        "{body}"
    );

    let r = s
        .post(
            "/crm/v3/objects/tickets",
            json!({"properties": {"subject": {"x": 1}}}),
        )
        .await;
    let body = assert_error(r, 400, "VALIDATION_ERROR").await;
    assert!(
        body["message"].as_str().unwrap().contains("`subject`"),
        "{body}"
    );
    assert_eq!(s.backend.calls(), 0);
}

#[tokio::test]
async fn missing_or_foreign_content_type_is_415() {
    let s = TestServer::start(ServerConfig::default()).await;
    let r = s
        .http
        .post(s.url("/crm/v3/objects/tickets"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(r, 415, "VALIDATION_ERROR").await;
    let r = s
        .http
        .post(s.url("/crm/v3/objects/tickets/search"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_error(r, 415, "VALIDATION_ERROR").await;
    assert_eq!(s.backend.calls(), 0);
}

#[tokio::test]
async fn unknown_route_is_404_and_wrong_method_405() {
    let s = TestServer::start(ServerConfig::default()).await;
    let body = assert_error(s.get("/crm/v3/widgets").await, 404, "OBJECT_NOT_FOUND").await;
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("/crm/v3/widgets"));
    // `/crm/v3/objects/{objectType}` is a route: the type goes to the backend, which answers
    // for a type it does not store (the sandbox's 400 is tested through `serve`).
    let body = assert_error(
        s.get("/crm/v3/objects/widgets").await,
        404,
        "OBJECT_NOT_FOUND",
    )
    .await;
    assert!(body["message"].as_str().unwrap().contains("no widgets"));
    assert_error(s.get("/").await, 404, "OBJECT_NOT_FOUND").await;

    let r = s
        .http
        .put(s.url("/crm/v3/objects/tickets"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("allow").is_some());
    let body = assert_error(r, 405, "VALIDATION_ERROR").await;
    assert!(body["message"].as_str().unwrap().contains("PUT"), "{body}");

    let r = s.get("/crm/v3/objects/tickets/batch/read").await;
    assert_error(r, 405, "VALIDATION_ERROR").await;

    // A path segment that is not valid UTF-8 once decoded: axum's plain-text rejection is
    // reshaped too.
    let r = s.get("/crm/v3/objects/tickets/%FF").await;
    assert_error(r, 400, "VALIDATION_ERROR").await;
    assert_eq!(s.backend.calls(), 0);
}

#[tokio::test]
async fn oversized_body_is_413() {
    let config = ServerConfig {
        body_limit_bytes: 1_024,
        ..ServerConfig::default()
    };
    let s = TestServer::start(config).await;
    let big = json!({"properties": {"content": "x".repeat(4_096)}});
    let body = assert_error(
        s.post("/crm/v3/objects/tickets", big).await,
        413,
        "VALIDATION_ERROR",
    )
    .await;
    assert!(
        body["message"].as_str().unwrap().contains("larger"),
        "{body}"
    );

    // Without a Content-Length the limit still applies while reading.
    let chunks: Vec<Result<String, std::io::Error>> = vec![
        Ok("{\"properties\":{\"content\":\"".into()),
        Ok("y".repeat(4_096)),
        Ok("\"}}".into()),
    ];
    let r = s
        .http
        .post(s.url("/crm/v3/objects/tickets"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_error(r, 413, "VALIDATION_ERROR").await;

    let small = json!({"properties": {"subject": "fits"}});
    assert_eq!(s.post("/crm/v3/objects/tickets", small).await.status(), 201);
    assert_eq!(s.backend.calls(), 1);
}

#[tokio::test]
async fn token_is_required_when_configured() {
    let config = ServerConfig {
        token: Some("pat-test-123".into()),
        ..ServerConfig::default()
    };
    let s = TestServer::start(config).await;
    let body = assert_error(
        s.get("/crm/v3/objects/tickets").await,
        401,
        "INVALID_AUTHENTICATION",
    )
    .await;
    assert!(body["message"]
        .as_str()
        .unwrap()
        .starts_with("Authentication credentials not found."));
    let r = s
        .http
        .get(s.url("/crm/v3/objects/tickets"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    let body = assert_error(r, 401, "INVALID_AUTHENTICATION").await;
    assert!(!body.to_string().contains("pat-test-123"));
    assert_eq!(s.backend.calls(), 0);

    let r = s
        .http
        .get(s.url("/crm/v3/objects/tickets"))
        .bearer_auth("pat-test-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    json_body(r).await;
    assert_eq!(s.backend.calls(), 1);
}
