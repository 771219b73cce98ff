//! The scale benchmark of issue 18 (run with `cargo bench --bench scale`; not a test, prints
//! medians). Sizes come from `SCALE_SIZES` (default `10000,100000`; the README's figures add
//! `1000000`, which takes several minutes and a few GB of disk).
//!
//! For each size, on a fresh sandbox (seed 42):
//! - seeding: `hubscript sandbox reset --tickets N` as a child process, wall time and peak
//!   resident memory (`getrusage` of the child);
//! - in process (the sandbox through the `TicketsBackend` trait) and through `serve` (the same
//!   sandbox behind the HTTP server on 127.0.0.1, read by `HubspotClient`):
//!   - a list page of 100: the first, and the last (from the cursor of the page before it);
//!   - a search page of 200 sorted by `createdate` descending: the first, and the last one
//!     HubSpot's cap lets a client reach (position 9,800, reached by following the cursors);
//!   - the escalation search (stage, priority and creation-date filters, one sort, page of 10);
//!     `cold` is its first request after opening (the count not yet remembered);
//!   - a full walk of every ticket: `list_stream` and `search_stream` (the keyset walk past the
//!     cap), tickets per second;
//!   - `update_many` of 100,000 items (batches of 100), wall time.
//!
//! Page latencies are the median of 7 requests (after one warm-up).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark: a failed unwrap is a broken setup"
)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use hubscript::backend::{batching, paging, TicketsBackend};
use hubscript::model::{
    BatchUpdateItem, Filter, FilterGroup, InputProperties, ListParams, Operator, SearchRequest,
    Sort, SortDirection,
};
use hubscript::sandbox::Sandbox;

const REPEAT: usize = 7;
const UPDATES: usize = 100_000;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Wall time of `hubscript sandbox reset --tickets n` and the peak RSS of the biggest child so
/// far, in MiB (children run in increasing sizes, so that is this one's).
fn seed(path: &Path, n: usize) -> (Duration, f64) {
    let t0 = Instant::now();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_hubscript"))
        .args(["sandbox", "reset", "--tickets", &n.to_string(), "--sandbox"])
        .arg(path)
        .env_remove("HUBSPOT_ACCESS_TOKEN")
        .env_remove("HUBSPOT_API_URL")
        .status()
        .unwrap();
    assert!(status.success());
    let took = t0.elapsed();
    // SAFETY: getrusage writes one rusage struct we own.
    let rss_kib = unsafe {
        let mut u: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &raw mut u);
        u.ru_maxrss
    };
    (took, rss_kib as f64 / 1024.0)
}

async fn timed<T, F: std::future::Future<Output = T>>(f: impl Fn() -> F) -> Duration {
    f().await;
    let mut v = Vec::new();
    for _ in 0..REPEAT {
        let t0 = Instant::now();
        f().await;
        v.push(t0.elapsed());
    }
    median(v)
}

fn sorted_by_created() -> SearchRequest {
    SearchRequest {
        sorts: vec![Sort {
            property_name: "createdate".into(),
            direction: SortDirection::Descending,
        }],
        limit: Some(200),
        ..SearchRequest::default()
    }
}

fn escalation() -> SearchRequest {
    let month_ago = chrono::Utc::now().timestamp_millis() - 30 * 86_400_000;
    SearchRequest {
        filter_groups: vec![FilterGroup {
            filters: vec![
                Filter::new("hs_pipeline_stage", Operator::Eq, "3"),
                Filter::new("hs_ticket_priority", Operator::Eq, "HIGH"),
                Filter::new("createdate", Operator::Gte, month_ago.to_string()),
            ],
        }],
        sorts: vec![Sort {
            property_name: "createdate".into(),
            direction: SortDirection::Descending,
        }],
        limit: Some(10),
        ..SearchRequest::default()
    }
}

/// Every figure of one backend, printed under `label`.
async fn measure(label: &str, b: Arc<dyn TicketsBackend>, n: usize, category: &str) {
    let cold = Instant::now();
    b.search(&escalation()).await.unwrap();
    let cold = cold.elapsed();
    // List: first page, and the last (cursor = the id before the last 100).
    let first_list = ListParams {
        limit: Some(100),
        ..ListParams::default()
    };
    let last_list = ListParams {
        after: Some((n - 100).to_string()),
        ..first_list.clone()
    };
    let lf = timed(|| b.list(&first_list)).await;
    let ll = timed(|| b.list(&last_list)).await;
    // Search: first page, and the last one reachable under the cap (position 9,800).
    let first = sorted_by_created();
    let mut last = first.clone();
    for _ in 0..49 {
        let page = b.search(&last).await.unwrap();
        last.after = Some(page.paging.unwrap().next.unwrap().after);
    }
    let sf = timed(|| b.search(&first)).await;
    let sl = timed(|| b.search(&last)).await;
    let esc_req = escalation();
    let esc = timed(|| b.search(&esc_req)).await;
    println!(
        "{label}: list first {} last {} (x{:.2}); search first {} last {} (x{:.2}); escalation {} (cold {})",
        ms(lf),
        ms(ll),
        ll.as_secs_f64() / lf.as_secs_f64(),
        ms(sf),
        ms(sl),
        sl.as_secs_f64() / sf.as_secs_f64(),
        ms(esc),
        ms(cold)
    );
    let t0 = Instant::now();
    let walked = paging::list_stream(b.clone(), ListParams::default())
        .fold(0usize, |k, t| async move {
            t.unwrap();
            k + 1
        })
        .await;
    let list_walk = t0.elapsed();
    assert_eq!(walked, n);
    let t0 = Instant::now();
    let walked = paging::search_stream(b.clone(), SearchRequest::default(), None)
        .fold(0usize, |k, t| async move {
            t.unwrap();
            k + 1
        })
        .await;
    let search_walk = t0.elapsed();
    assert_eq!(walked, n);
    println!(
        "{label}: full walk: list {:.1} s ({:.0} tickets/s), search {:.1} s ({:.0} tickets/s)",
        list_walk.as_secs_f64(),
        n as f64 / list_walk.as_secs_f64(),
        search_walk.as_secs_f64(),
        n as f64 / search_walk.as_secs_f64()
    );
    {
        let count = UPDATES.min(n);
        let items: Vec<BatchUpdateItem> = (1..=count)
            .map(|id| BatchUpdateItem {
                id: id.to_string(),
                properties: InputProperties::new().with("hs_ticket_category", category),
                ..Default::default()
            })
            .collect();
        let t0 = Instant::now();
        let done = batching::batch_update_all(b.as_ref(), items).await.unwrap();
        assert_eq!(done.results.len(), count);
        println!(
            "{label}: update_many of {count}: {:.1} s",
            t0.elapsed().as_secs_f64()
        );
    }
}

async fn size(n: usize) {
    let dir =
        tempfile::tempdir_in(std::env::var_os("SCALE_DIR").unwrap_or_else(|| ".".into())).unwrap();
    let path = dir.path().join("scale.db");
    let (took, rss) = seed(&path, n);
    println!(
        "== {n} tickets: seed {:.1} s, peak memory {rss:.0} MiB",
        took.as_secs_f64()
    );
    let sandbox = Sandbox::open(&path).unwrap();
    let local: Arc<dyn TicketsBackend> = Arc::new(sandbox.clone());
    measure("in process", local.clone(), n, "GENERAL_INQUIRY").await;

    let config = hubscript::server::ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    let (listener, addr) = hubscript::server::bind(&config).await.unwrap();
    let served = local.clone();
    let server = tokio::spawn(async move {
        let _ =
            hubscript::server::serve_on(listener, served, &config, std::future::pending()).await;
    });
    let mut cc = hubscript::hubspot::ClientConfig::new(format!("http://{addr}"));
    cc.rate.per_10s = 1_000_000;
    cc.rate.search_per_sec = 1_000_000;
    let client: Arc<dyn TicketsBackend> =
        Arc::new(hubscript::hubspot::HubspotClient::new(cc).unwrap());
    measure("through serve", client, n, "FEATURE_REQUEST").await;
    server.abort();
}

fn main() {
    let sizes: Vec<usize> = std::env::var("SCALE_SIZES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    for n in sizes {
        rt.block_on(size(n));
    }
}
