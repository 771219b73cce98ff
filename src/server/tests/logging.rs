//! One log line per request, and never the token: the server's tracing output, captured at
//! TRACE level, is checked for both.

use super::TestServer;
use crate::server::ServerConfig;
use crate::test_support::Capture;

const TOKEN: &str = "pat-na1-do-not-log-me";

// The default test runtime is single-threaded, so the server's tasks run on this thread and
// the thread-local subscriber sees their events.
#[tokio::test]
async fn one_line_per_request_and_no_token() {
    let captured = Capture::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let config = ServerConfig {
        token: Some(TOKEN.into()),
        ..ServerConfig::default()
    };
    let s = TestServer::start(config).await;
    let ok = s
        .http
        .get(s.url(&format!(
            "/crm/v3/objects/tickets?properties=subject&hapikey={TOKEN}"
        )))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let refused = s
        .http
        .get(s.url("/crm/v3/objects/tickets/12"))
        .bearer_auth(format!("{TOKEN}x"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    s.shutdown().await.unwrap();

    let log = captured.text();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(" request")).collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert!(lines[0].contains("method=GET") && lines[0].contains("path=/crm/v3/objects/tickets "));
    assert!(lines[0].contains("status=200"), "{}", lines[0]);
    assert!(lines[1].contains("status=401"), "{}", lines[1]);
    assert!(lines.iter().all(|l| l.contains("ms=")));
    assert!(!log.contains(TOKEN), "{log}");
    assert!(!log.contains("hapikey"), "{log}");
}
