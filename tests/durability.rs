//! Durability: `hubscript serve` killed hard (SIGKILL) in the middle of concurrent writes, then
//! the file reopened: every write the server acknowledged is there, and SQLite finds the file
//! intact.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hubscript::backend::TicketsBackend;
use hubscript::model::{CreateInput, GetParams, InputProperties, UpdateInput};
use hubscript::sandbox::Sandbox;

use crate::util::bin::Project;
use crate::util::wait::eventually;

const WRITERS: usize = 4;

#[derive(Default)]
struct Acked {
    /// (id, subject) of acknowledged creates.
    creates: Vec<(String, String)>,
    /// Per writer: the last acknowledged counter written to its own ticket.
    updates: Vec<u64>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_a_hard_kill() {
    let p = Project::new();
    p.reset_sandbox(20);
    let (server, url) = p.serve(&[]);

    // No retries: after the kill every call fails at once instead of backing off.
    let mut config = hubscript::hubspot::ClientConfig::new(&url);
    config.max_retries = 0;
    config.rate.per_10s = 1_000_000; // the sandbox server sets no rate limit

    let client: Arc<dyn TicketsBackend> =
        Arc::new(hubscript::hubspot::HubspotClient::new(config).unwrap());
    let acked = Arc::new(Mutex::new(Acked {
        updates: vec![0; WRITERS],
        ..Default::default()
    }));
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let client = client.clone();
        let acked = acked.clone();
        tasks.push(tokio::spawn(async move {
            // Writer w owns demo ticket w+1 for its updates.
            let own = (w + 1).to_string();
            for n in 1u64.. {
                let subject = format!("durable-{w}-{n}");
                let created = client
                    .create(&CreateInput {
                        properties: InputProperties::new().with("subject", &subject),
                        associations: vec![],
                    })
                    .await;
                match created {
                    Ok(t) => acked.lock().unwrap().creates.push((t.id, subject)),
                    Err(_) => return,
                }
                let update = UpdateInput {
                    properties: InputProperties::new().with("content", format!("counter {n}")),
                };
                match client.update(&own, &update, None).await {
                    Ok(_) => acked.lock().unwrap().updates[w] = n,
                    Err(_) => return,
                }
            }
        }));
    }
    // Kill once a good number of writes have been acknowledged, with writes still in flight.
    eventually("150 acknowledged creates", Duration::from_secs(30), || {
        acked.lock().unwrap().creates.len() >= 150
    })
    .await;
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(60), t).await;
    }
    drop(server);

    let acked = Arc::try_unwrap(acked).ok().unwrap().into_inner().unwrap();
    assert!(
        acked.creates.len() >= 100,
        "too few writes before the kill: {}",
        acked.creates.len()
    );

    let path = p.path().join("s.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);

    let sandbox = Sandbox::open(&path).unwrap();
    let q = GetParams {
        properties: vec!["subject".into(), "content".into()],
        ..Default::default()
    };
    for (id, subject) in &acked.creates {
        let t = sandbox
            .get(id, &q)
            .await
            .unwrap_or_else(|e| panic!("acknowledged create {id} lost: {e}"));
        assert_eq!(t.prop("subject"), Some(subject.as_str()));
    }
    for (w, last) in acked.updates.iter().enumerate() {
        let t = sandbox.get(&(w + 1).to_string(), &q).await.unwrap();
        let stored: u64 = t
            .prop("content")
            .and_then(|c| c.strip_prefix("counter "))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(
            stored >= *last,
            "writer {w}: acknowledged counter {last}, stored {stored}"
        );
    }
}
