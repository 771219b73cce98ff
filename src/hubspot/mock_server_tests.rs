//! Tests of the client against the scripted server of `mock_server.rs`: retries, timeouts,
//! 429/DAILY handling, rate-limit headers, the wire format and token secrecy.

use std::time::Duration;

use super::mock_server::{create_input, reply, reply_h, test_config, Reply, Server, TICKET, TOKEN};
use super::{Bucket, HubspotClient};
use crate::backend::{BackendError, TicketsBackend};
use crate::model::{
    BatchCreateItem, BatchInput, GetParams, IdInput, InputProperties, ListParams, SearchRequest,
};
use crate::test_support::Capture;

#[tokio::test]
async fn get_sends_bearer_token_and_parses_ticket() {
    let s = Server::start(vec![], reply(200, TICKET)).await;
    let t = s.client().get("7", &GetParams::default()).await.unwrap();
    assert_eq!(t.id, "7");
    let seen = s.seen();
    assert_eq!(seen[0].method, "GET");
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn list_params_are_sent_repeated() {
    let s = Server::start(vec![], reply(200, r#"{"results":[]}"#)).await;
    let params = ListParams {
        limit: Some(100),
        after: Some("abc".into()),
        properties: vec!["subject".into(), "hs_ticket_priority".into()],
        associations: vec!["contacts".into(), "companies".into()],
        ..ListParams::default()
    };
    s.client().list(&params).await.unwrap();
    let uri = &s.seen()[0].uri;
    assert!(uri.starts_with("/crm/v3/objects/tickets?"), "{uri}");
    assert!(
        uri.contains("properties=subject&properties=hs_ticket_priority"),
        "{uri}"
    );
    assert!(
        uri.contains("associations=contacts&associations=companies"),
        "{uri}"
    );
    assert!(
        uri.contains("limit=100") && uri.contains("after=abc"),
        "{uri}"
    );
    assert!(uri.contains("archived=false"), "{uri}");
}

#[tokio::test]
async fn ids_are_percent_encoded_in_paths() {
    let s = Server::start(vec![], reply(200, TICKET)).await;
    let params = GetParams {
        id_property: Some("email".into()),
        ..GetParams::default()
    };
    s.client().get("a/b c", &params).await.unwrap();
    let uri = &s.seen()[0].uri;
    assert!(
        uri.starts_with("/crm/v3/objects/tickets/a%2Fb%20c?"),
        "{uri}"
    );
    assert!(uri.contains("idProperty=email"), "{uri}");
}

#[tokio::test]
async fn too_many_requests_with_retry_after_is_retried() {
    let s = Server::start(
        vec![reply_h(
            429,
            &[("retry-after", "0")],
            r#"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}"#,
        )],
        reply(200, TICKET),
    )
    .await;
    s.client().get("7", &GetParams::default()).await.unwrap();
    assert_eq!(s.count(), 2);
}

#[tokio::test]
async fn too_many_requests_without_retry_after_waits_then_retries() {
    let s = Server::start(
        vec![reply(
            429,
            r#"{"status":"error","message":"You have reached your secondly limit.","errorType":"RATE_LIMIT"}"#,
        )],
        reply(200, r#"{"total":0,"results":[]}"#),
    )
    .await;
    let page = s.client().search(&SearchRequest::default()).await.unwrap();
    assert_eq!(page.total, 0);
    assert_eq!(s.count(), 2);
}

#[tokio::test]
async fn server_error_then_success_is_retried_for_reads() {
    let s = Server::start(
        vec![reply(500, "oops"), reply(503, "{}")],
        reply(200, TICKET),
    )
    .await;
    s.client().get("7", &GetParams::default()).await.unwrap();
    assert_eq!(s.count(), 3);
}

#[tokio::test]
async fn locked_is_retried() {
    let s = Server::start(
        vec![reply(423, r#"{"status":"error","message":"locked"}"#)],
        reply(200, TICKET),
    )
    .await;
    let input = crate::model::UpdateInput {
        properties: InputProperties::new().with("subject", "x"),
    };
    s.client().update("7", &input, None).await.unwrap();
    let seen = s.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, "PATCH");
    assert_eq!(seen[1].body, r#"{"properties":{"subject":"x"}}"#);
}

#[tokio::test]
async fn daily_limit_stops_without_retry() {
    let s = Server::start(
        vec![],
        reply(
            429,
            r#"{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"DAILY"}"#,
        ),
    )
    .await;
    let e = s
        .client()
        .get("7", &GetParams::default())
        .await
        .unwrap_err();
    assert!(matches!(e, BackendError::DailyLimit(_)), "{e:?}");
    assert!(e.to_string().contains("daily"));
    assert_eq!(s.count(), 1);
}

#[tokio::test]
async fn retries_are_bounded() {
    let s = Server::start(vec![], reply(500, "{}")).await;
    let mut cfg = test_config(&s.url);
    cfg.max_retries = 3;
    let c = HubspotClient::new(cfg).unwrap();
    let e = c.get("7", &GetParams::default()).await.unwrap_err();
    assert_eq!(e.http_status(), Some(500));
    assert_eq!(s.count(), 4);
}

#[tokio::test]
async fn a_server_that_never_answers_is_cut_by_the_timeout() {
    let s = Server::start(vec![], Reply::Hang).await;
    let mut cfg = test_config(&s.url);
    cfg.request_timeout = Duration::from_millis(200);
    cfg.max_retries = 1;
    let c = HubspotClient::new(cfg).unwrap();
    let e = c.get("7", &GetParams::default()).await.unwrap_err();
    assert!(matches!(e, BackendError::Timeout { .. }), "{e:?}");
    // an idempotent read is retried after a timeout
    assert_eq!(s.count(), 2);
}

#[tokio::test]
async fn a_create_that_timed_out_is_not_retried() {
    let s = Server::start(vec![], Reply::Hang).await;
    let mut cfg = test_config(&s.url);
    cfg.request_timeout = Duration::from_millis(200);
    let c = HubspotClient::new(cfg).unwrap();
    let e = c.create(&create_input()).await.unwrap_err();
    assert!(matches!(e, BackendError::Timeout { .. }), "{e:?}");
    assert_eq!(s.count(), 1);
    let items = BatchInput::new(vec![BatchCreateItem::default()]);
    c.batch_create(&items).await.unwrap_err();
    assert_eq!(s.count(), 2);
}

#[tokio::test]
async fn a_create_that_got_a_server_error_is_not_retried() {
    let s = Server::start(vec![], reply(502, "<html>bad gateway</html>")).await;
    let e = s.client().create(&create_input()).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.http_status, 502);
    assert!(api.message.contains("bad gateway"));
    assert_eq!(s.count(), 1);
}

#[tokio::test]
async fn a_create_refused_with_429_is_retried() {
    let s = Server::start(
        vec![reply_h(
            429,
            &[("retry-after", "0")],
            r#"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","policyName":"TEN_SECONDLY_ROLLING"}"#,
        )],
        reply(201, TICKET),
    )
    .await;
    let t = s.client().create(&create_input()).await.unwrap();
    assert_eq!(t.id, "7");
    let seen = s.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[1].uri, "/crm/v3/objects/tickets");
}

#[tokio::test]
async fn a_create_whose_connection_never_opened_is_retried_then_reported() {
    // A port that was just free: connections are refused.
    let url = format!("http://{}", crate::test_support::closed_port());
    let mut cfg = test_config(&url);
    cfg.max_retries = 2;
    let c = HubspotClient::new(cfg).unwrap();
    let e = c.create(&create_input()).await.unwrap_err();
    assert!(
        matches!(
            e,
            BackendError::Transport { .. } | BackendError::Timeout { .. }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains(&url), "{e}");
}

#[tokio::test]
async fn rate_limit_headers_adapt_the_limiter() {
    let s = Server::start(
        vec![],
        reply_h(
            200,
            &[
                ("x-hubspot-ratelimit-max", "7"),
                ("x-hubspot-ratelimit-remaining", "2"),
                ("x-hubspot-ratelimit-interval-milliseconds", "10000"),
            ],
            TICKET,
        ),
    )
    .await;
    let c = s.client();
    assert_eq!(c.limiter().limit(Bucket::General), 100);
    c.get("7", &GetParams::default()).await.unwrap();
    assert_eq!(c.limiter().limit(Bucket::General), 7);
    // one request sent locally, but HubSpot says 5 are used: trust HubSpot
    assert_eq!(c.limiter().in_use(Bucket::General), 5);
    // clones share the limiter
    assert_eq!(c.clone().limiter().in_use(Bucket::General), 5);
}

#[tokio::test]
async fn partial_batches_and_no_content_answers_are_success() {
    let partial = r#"{"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"not found","context":{"ids":["9"]}}],"startedAt":"2024-08-15T17:09:13.648Z","completedAt":"2024-08-15T17:09:13.648Z"}"#;
    let s = Server::start(vec![reply(207, partial), reply(204, "")], reply(204, "")).await;
    let c = s.client();
    let items = BatchInput::new(vec![BatchCreateItem::default()]);
    let r = c.batch_create(&items).await.unwrap();
    assert!(r.is_partial());
    assert_eq!(r.errors[0].context["ids"], vec!["9".to_string()]);
    c.batch_archive(&BatchInput::new(vec![IdInput::new("9")]))
        .await
        .unwrap();
    c.archive("9").await.unwrap();
    let seen = s.seen();
    assert_eq!(seen[1].uri, "/crm/v3/objects/tickets/batch/archive");
    assert_eq!(seen[1].body, r#"{"inputs":[{"id":"9"}]}"#);
    assert_eq!(seen[2].method, "DELETE");
}

#[tokio::test]
async fn a_bad_success_body_is_a_decode_error() {
    let s = Server::start(vec![], reply(200, "not json")).await;
    let e = s
        .client()
        .get("7", &GetParams::default())
        .await
        .unwrap_err();
    assert!(matches!(e, BackendError::Decode { .. }), "{e:?}");
    assert!(e.to_string().contains("not json"));
}

#[tokio::test]
async fn the_token_never_appears_in_debug_or_errors() {
    let s = Server::start(
        vec![],
        reply(
            401,
            r#"{"status":"error","message":"Authentication credentials not found.","category":"INVALID_AUTHENTICATION","correlationId":"x"}"#,
        ),
    )
    .await;
    let c = s.client();
    let e = c.get("7", &GetParams::default()).await.unwrap_err();
    assert_eq!(e.http_status(), Some(401));
    let texts = [
        format!("{c:?}"),
        format!("{:?}", test_config(&s.url)),
        format!("{e:?}"),
        e.to_string(),
        c.describe(),
    ];
    for t in texts {
        assert!(!t.contains(TOKEN), "token leaked: {t}");
        assert!(!t.contains("very-secret"), "token leaked: {t}");
    }
    // ...while the server did receive it.
    assert!(s.seen()[0]
        .authorization
        .as_deref()
        .is_some_and(|a| a.ends_with(TOKEN)));
}

#[tokio::test]
async fn describe_names_the_url() {
    let s = Server::start(vec![], reply(200, "{}")).await;
    let c = s.client();
    assert_eq!(c.describe(), s.url);
    assert!(!c.is_live());
}

#[tokio::test]
async fn retries_are_logged_with_their_reason_and_never_the_token() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(capture.clone())
        .finish();
    // current-thread test runtime: the client's and hyper's tasks log on this thread
    let _guard = tracing::subscriber::set_default(subscriber);
    let s = Server::start(
        vec![
            reply(500, "{}"),
            reply_h(
                429,
                &[("retry-after", "0")],
                r#"{"status":"error","message":"You have reached your ten_secondly_rolling limit.","policyName":"TEN_SECONDLY_ROLLING"}"#,
            ),
        ],
        reply(200, TICKET),
    )
    .await;
    s.client().get("7", &GetParams::default()).await.unwrap();
    let out = capture.text();
    assert!(out.contains("retrying"), "{out}");
    assert!(out.contains("server error"), "{out}");
    assert!(out.contains("429 rate limited"), "{out}");
    assert!(!out.contains(TOKEN), "token in logs: {out}");
    assert!(!out.contains("very-secret"), "token in logs: {out}");
}

#[tokio::test]
async fn search_stream_runs_over_http_with_keyset_requests() {
    let first =
        format!(r#"{{"total":2,"results":[{TICKET}],"paging":{{"next":{{"after":"1"}}}}}}"#);
    let second = TICKET.replace(r#""id":"7""#, r#""id":"9""#);
    let second = format!(r#"{{"total":1,"results":[{second}]}}"#);
    let s = Server::start(
        vec![reply(200, &first), reply(200, &second)],
        reply(500, "{}"),
    )
    .await;
    let client: std::sync::Arc<dyn TicketsBackend> = std::sync::Arc::new(s.client());
    let stream = crate::backend::paging::search_stream(client, SearchRequest::default(), None);
    let got: Vec<_> = futures::StreamExt::collect::<Vec<_>>(stream).await;
    let ids: Vec<String> = got.into_iter().map(|t| t.unwrap().id).collect();
    assert_eq!(ids, vec!["7", "9"]);
    let seen = s.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].uri, "/crm/v3/objects/tickets/search");
    let body: serde_json::Value = serde_json::from_str(&seen[1].body).unwrap();
    assert_eq!(body["sorts"][0]["propertyName"], "hs_object_id");
    assert_eq!(body["sorts"][0]["direction"], "ASCENDING");
    assert_eq!(body["filterGroups"][0]["filters"][0]["operator"], "GT");
    assert_eq!(body["filterGroups"][0]["filters"][0]["value"], "7");
    assert_eq!(body["limit"], 200);
    assert!(body.get("after").is_none());
}
