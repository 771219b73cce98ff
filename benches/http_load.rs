//! Load figures for `hubscript serve` and the HTTP client (run with
//! `cargo bench --bench http_load`; not a test, prints medians).
//!
//! Measured side by side in one run, on a fresh sandbox of 100,000 tickets:
//! - seeding 100,000 tickets (wall time);
//! - GET one ticket by id over HTTP, 8 clients in flight on keep-alive connections
//!   (requests per second; median of 5 rounds of 2 s);
//! - the same through `HubspotClient` (its limiter opened wide), to show the client's overhead;
//! - updating 10,000 tickets one by one vs in batches of 100 (wall time).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark: a failed unwrap is a broken setup"
)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubscript::backend::TicketsBackend;
use hubscript::model::{BatchInput, BatchUpdateItem, GetParams, InputProperties, UpdateInput};

const TICKETS: usize = 100_000;
const CONCURRENCY: usize = 8;
const ROUNDS: usize = 5;
const ROUND: Duration = Duration::from_secs(2);

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn rounds<F, Fut>(label: &str, make: F)
where
    F: Fn(u64) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let mut rates = Vec::new();
    for _ in 0..ROUNDS {
        let done = Arc::new(AtomicU64::new(0));
        let stop = Instant::now() + ROUND;
        let mut tasks = Vec::new();
        for w in 0..CONCURRENCY as u64 {
            let done = done.clone();
            let make = make.clone();
            tasks.push(tokio::spawn(async move {
                let mut i = w;
                while Instant::now() < stop {
                    make(i).await;
                    done.fetch_add(1, Ordering::Relaxed);
                    i += CONCURRENCY as u64;
                }
            }));
        }
        let t0 = Instant::now();
        for t in tasks {
            t.await.unwrap();
        }
        rates.push(done.load(Ordering::Relaxed) as f64 / t0.elapsed().as_secs_f64());
    }
    println!(
        "{label}: median {:.0} req/s (rounds: {})",
        median(rates.clone()),
        rates
            .iter()
            .map(|r| format!("{r:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let t0 = Instant::now();
    let sandbox = hubscript::sandbox::Sandbox::create(
        &path,
        &hubscript::sandbox::SeedOptions {
            tickets: TICKETS,
            seed: 42,
        },
    )
    .unwrap();
    println!(
        "seed {TICKETS} tickets: {:.2} s",
        t0.elapsed().as_secs_f64()
    );
    let sandbox: Arc<dyn TicketsBackend> = Arc::new(sandbox);

    let config = hubscript::server::ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    let (listener, addr) = hubscript::server::bind(&config).await.unwrap();
    let served = sandbox.clone();
    tokio::spawn(async move {
        let _ =
            hubscript::server::serve_on(listener, served, &config, std::future::pending()).await;
    });
    let base = format!("http://{addr}");

    let raw = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    {
        let base = base.clone();
        rounds(
            "GET /crm/v3/objects/tickets/{id}, raw reqwest, 8 in flight",
            move |i| {
                let url = format!("{base}/crm/v3/objects/tickets/{}", 1 + i % TICKETS as u64);
                let raw = raw.clone();
                async move {
                    let r = raw.get(url).send().await.unwrap();
                    assert!(r.status().is_success());
                    r.bytes().await.unwrap();
                }
            },
        )
        .await;
    }

    let mut cc = hubscript::hubspot::ClientConfig::new(&base);
    cc.rate.per_10s = 1_000_000;
    let client: Arc<dyn TicketsBackend> =
        Arc::new(hubscript::hubspot::HubspotClient::new(cc).unwrap());
    {
        let client = client.clone();
        rounds("GET by id through HubspotClient, 8 in flight", move |i| {
            let client = client.clone();
            async move {
                client
                    .get(&(1 + i % TICKETS as u64).to_string(), &GetParams::default())
                    .await
                    .unwrap();
            }
        })
        .await;
    }

    let n = 10_000u64;
    let t0 = Instant::now();
    for i in 0..n {
        let input = UpdateInput {
            properties: InputProperties::new().with("hs_ticket_priority", "URGENT"),
        };
        client
            .update(&(1 + i).to_string(), &input, None)
            .await
            .unwrap();
    }
    let one_by_one = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let ids: Vec<u64> = (n + 1..=2 * n).collect();
    for chunk in ids.chunks(hubscript::model::MAX_BATCH_INPUTS) {
        let items = chunk
            .iter()
            .map(|id| BatchUpdateItem {
                id: id.to_string(),
                properties: InputProperties::new().with("hs_ticket_priority", "URGENT"),
                ..Default::default()
            })
            .collect();
        client.batch_update(&BatchInput::new(items)).await.unwrap();
    }
    let batched = t0.elapsed().as_secs_f64();
    println!(
        "update {n} tickets over HTTP: one by one {one_by_one:.2} s, batches of 100 {batched:.2} s (x{:.1})",
        one_by_one / batched
    );
}
