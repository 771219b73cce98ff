//! Script engine costs (`cargo bench --bench script`):
//! - creating a script host (engine with the whole ticket API) and compiling a 100-line script;
//! - `tickets::get` called from a script on the in-process sandbox, against calling the store
//!   directly from Rust (from async code, and from a blocking thread as the script bridge
//!   does), 1,000 gets each, measured side by side in one run.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented pub fn"
)]
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark: a failed unwrap is a broken setup"
)]

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use hubscript::backend::TicketsBackend;
use hubscript::model::GetParams;
use hubscript::sandbox::{Sandbox, SeedOptions};
use hubscript::script::{RunOptions, RunRequest, ScriptHost};
use hubscript::state::StateDb;
use tokio_util::sync::CancellationToken;

/// A 100-line script in the style of the shipped rules.
fn hundred_lines() -> String {
    let mut s = String::from("//! description = \"bench\"\nlet total = 0;\n");
    for i in 0..24 {
        s.push_str(&format!(
            "fn rule_{i}(t) {{\n    if t.prop(\"hs_ticket_priority\") == \"HIGH\" {{ return {i}; }}\n    0\n}}\n"
        ));
    }
    s.push_str("total += 1;\ntotal\n");
    s
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Arc::new(
        Sandbox::create(
            &dir.path().join("b.db"),
            &SeedOptions {
                tickets: 500,
                seed: 42,
            },
        )
        .unwrap(),
    );
    let source = hundred_lines();
    assert_eq!(source.lines().count(), 100);

    let mut g = c.benchmark_group("script");
    g.bench_function("host creation + compile 100-line script", |b| {
        b.iter(|| {
            let host = ScriptHost::new(
                sandbox.clone(),
                StateDb::in_memory().unwrap(),
                rt.handle().clone(),
            );
            host.check(std::path::Path::new("bench.rhai"), &source)
                .unwrap();
        });
    });

    let host = ScriptHost::new(
        sandbox.clone(),
        StateDb::in_memory().unwrap(),
        rt.handle().clone(),
    );
    let gets = "for i in 0..1000 { tickets::get(\"1\"); }";
    g.bench_function("1000 x tickets::get from a script", |b| {
        b.iter(|| {
            let out = rt.block_on(host.run(RunRequest {
                path: "gets.rhai".into(),
                source: gets.to_string(),
                options: RunOptions {
                    trigger: "bench".into(),
                    ..Default::default()
                },
                cancel: CancellationToken::new(),
                on_log: None,
                on_print: None,
                on_start: None,
            }));
            assert!(out.error.is_none());
        });
    });
    g.bench_function("1000 x Sandbox::get from Rust", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..1000 {
                    sandbox.get("1", &GetParams::default()).await.unwrap();
                }
            });
        });
    });
    let handle = rt.handle().clone();
    g.bench_function(
        "1000 x Sandbox::get from a blocking thread (the script's path without Rhai)",
        |b| {
            b.iter(|| {
                let sandbox = sandbox.clone();
                let handle = handle.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        handle
                            .block_on(sandbox.get("1", &GetParams::default()))
                            .unwrap();
                    }
                })
                .join()
                .unwrap();
            });
        },
    );
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
