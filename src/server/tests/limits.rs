//! Rate-limit emulation, fault injection and graceful shutdown. Windows are long (a minute) so
//! no assertion depends on how fast this machine answers; the window arithmetic itself is
//! unit-tested with explicit clocks in `limiter.rs`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{assert_error, TestServer};
use crate::backend::fake::SLOW_ID;
use crate::server::{RateLimitSpec, ServerConfig};

fn per_minute(max: u32) -> RateLimitSpec {
    RateLimitSpec {
        max,
        interval: Duration::from_secs(60),
    }
}

fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn burst_window_headers_then_429() {
    let config = ServerConfig {
        rate_limit: Some(per_minute(3)),
        ..ServerConfig::default()
    };
    let s = TestServer::start(config).await;
    for remaining in ["2", "1", "0"] {
        let r = s.get("/crm/v3/objects/tickets").await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "x-hubspot-ratelimit-max").as_deref(), Some("3"));
        assert_eq!(
            header(&r, "x-hubspot-ratelimit-remaining").as_deref(),
            Some(remaining)
        );
        assert_eq!(
            header(&r, "x-hubspot-ratelimit-interval-milliseconds").as_deref(),
            Some("60000")
        );
        assert!(header(&r, "x-hubspot-ratelimit-daily").is_none());
    }
    let r = s.get("/crm/v3/objects/tickets").await;
    let retry: u64 = header(&r, "retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        header(&r, "x-hubspot-ratelimit-remaining").as_deref(),
        Some("0")
    );
    let body = assert_error(r, 429, "RATE_LIMITS").await;
    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
    assert_eq!(body["errorType"], "RATE_LIMIT");
    assert_eq!(
        body["message"],
        "You have reached your ten_secondly_rolling limit."
    );
    // Refused requests were not processed.
    assert_eq!(s.backend.calls(), 3);
    // Search has its own budget, and its responses carry no rate-limit headers.
    let r = s.post("/crm/v3/objects/tickets/search", json!({})).await;
    assert_eq!(r.status(), 200);
    assert!(header(&r, "x-hubspot-ratelimit-remaining").is_none());
}

#[tokio::test]
async fn search_is_limited_to_five_per_window_with_secondly_message() {
    let config = ServerConfig {
        rate_limit: Some(RateLimitSpec::HUBSPOT_DEFAULT),
        ..ServerConfig::default()
    };
    let search_per_minute = RateLimitSpec {
        max: 5,
        interval: Duration::from_secs(60),
    };
    let s = TestServer::start_with(config, search_per_minute).await;
    for _ in 0..5 {
        let r = s.post("/crm/v3/objects/tickets/search", json!({})).await;
        assert_eq!(r.status(), 200);
        assert!(header(&r, "x-hubspot-ratelimit-max").is_none());
    }
    let r = s.post("/crm/v3/objects/tickets/search", json!({})).await;
    assert!(header(&r, "x-hubspot-ratelimit-max").is_none());
    let body = assert_error(r, 429, "RATE_LIMITS").await;
    assert_eq!(body["message"], "You have reached your secondly limit.");
    assert!(body.get("policyName").is_none(), "{body}");
    assert_eq!(s.backend.calls(), 5);
    // Other endpoints are unaffected.
    assert_eq!(s.get("/crm/v3/objects/tickets").await.status(), 200);
}

#[tokio::test]
async fn daily_limit_headers_and_429() {
    let config = ServerConfig {
        daily_limit: Some(2),
        ..ServerConfig::default()
    };
    let s = TestServer::start(config).await;
    let r = s.get("/crm/v3/objects/tickets").await;
    assert_eq!(
        header(&r, "x-hubspot-ratelimit-daily").as_deref(),
        Some("2")
    );
    assert_eq!(
        header(&r, "x-hubspot-ratelimit-daily-remaining").as_deref(),
        Some("1")
    );
    assert!(header(&r, "x-hubspot-ratelimit-max").is_none());
    s.get("/crm/v3/objects/tickets").await;
    let r = s.get("/crm/v3/objects/tickets").await;
    assert!(header(&r, "retry-after").is_some());
    let body = assert_error(r, 429, "RATE_LIMITS").await;
    assert_eq!(body["policyName"], "DAILY");
    assert_eq!(body["message"], "You have reached your daily limit.");
    assert_eq!(s.backend.calls(), 2);
}

#[tokio::test]
async fn certain_faults_never_reach_the_backend() {
    let config = ServerConfig {
        faults: Some("500=1".parse().unwrap()),
        ..ServerConfig::default()
    };
    let s = TestServer::start(config).await;
    for _ in 0..3 {
        let r = s
            .post("/crm/v3/objects/tickets", json!({"properties": {}}))
            .await;
        assert_error(r, 500, "INTERNAL_ERROR").await;
    }
    assert_eq!(s.backend.calls(), 0);

    let config = ServerConfig {
        faults: Some("429=1.0,latency=1ms".parse().unwrap()),
        ..ServerConfig::default()
    };
    let s = TestServer::start(config).await;
    let r = s.get("/crm/v3/objects/tickets/1").await;
    assert!(header(&r, "retry-after").is_none());
    let body = assert_error(r, 429, "RATE_LIMITS").await;
    assert_eq!(body["policyName"], "TEN_SECONDLY_ROLLING");
    assert_eq!(s.backend.calls(), 0);
}

#[tokio::test]
async fn held_requests_time_out_client_side_and_do_not_block_shutdown() {
    let config = ServerConfig {
        faults: Some("timeout=1".parse().unwrap()),
        ..ServerConfig::default()
    };
    let s = TestServer::start(config).await;
    let err = s
        .http
        .get(s.url("/crm/v3/objects/tickets"))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // A held request that the client still waits for is released by the shutdown.
    let held = tokio::spawn({
        let http = s.http.clone();
        let url = s.url("/crm/v3/objects/tickets");
        async move { http.get(url).send().await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(s.backend.calls(), 0);
    s.shutdown().await.unwrap();
    let _ = held.await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    let s = TestServer::start(ServerConfig::default()).await;
    let backend = Arc::clone(&s.backend);
    let in_flight = tokio::spawn({
        let http = s.http.clone();
        let url = s.url(&format!("/crm/v3/objects/tickets/{SLOW_ID}"));
        async move { http.get(url).send().await.unwrap() }
    });
    backend.entered.notified().await;
    let stopping = tokio::spawn(s.shutdown());
    // Let the shutdown begin (single-threaded runtime: yielding runs the other tasks) before
    // the backend answers.
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    assert!(!stopping.is_finished());
    backend.release.notify_one();
    let r = in_flight.await.unwrap();
    assert_eq!(r.status(), 200);
    // serve_on returned only after answering.
    stopping.await.unwrap().unwrap();
}
