//! Sandbox benchmarks at 100,000 tickets: seeding (timed once, printed), a search with three
//! filters and one sort (first page), a full-text `query` of one word, and get by id, all
//! through the `TicketsBackend` trait (so they include the hop to the blocking pool).
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark: a failed unwrap is a broken setup"
)]

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use hubscript::backend::TicketsBackend;
use hubscript::model::{
    Filter, FilterGroup, GetParams, Operator, SearchRequest, Sort, SortDirection,
};
use hubscript::sandbox::{Sandbox, SeedOptions};

const TICKETS: usize = 100_000;

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let start = Instant::now();
    let sb = Sandbox::create(
        &dir.path().join("bench.db"),
        &SeedOptions {
            tickets: TICKETS,
            seed: 42,
        },
    )
    .expect("seed");
    println!("seeding {TICKETS} tickets: {:.2?}", start.elapsed());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let month_ago = chrono::Utc::now().timestamp_millis() - 30 * 86_400_000;
    let req = SearchRequest {
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
        ..SearchRequest::default()
    };
    let found = rt.block_on(sb.search(&req)).expect("search");
    println!("search total: {}", found.total);
    c.bench_function("search_3_filters_1_sort_100k", |b| {
        b.iter(|| rt.block_on(sb.search(&req)).expect("search"));
    });
    let query = SearchRequest {
        query: Some("refund".into()),
        ..SearchRequest::default()
    };
    c.bench_function("search_query_word_100k", |b| {
        b.iter(|| rt.block_on(sb.search(&query)).expect("search"));
    });
    let params = GetParams::default();
    let mut id = 0u64;
    c.bench_function("get_by_id_100k", |b| {
        b.iter(|| {
            id = (id * 7919 + 13) % TICKETS as u64 + 1;
            rt.block_on(sb.get(&id.to_string(), &params)).expect("get")
        });
    });
}

criterion_group!(sandbox, benches);
criterion_main!(sandbox);
