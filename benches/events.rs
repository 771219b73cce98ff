//! Benchmark of ticket events with the real binary (issue 13), printing figures rather than
//! asserting them:
//!
//! (a) change -> script start, change feed at its default interval (10 s): a script on
//!     `ticket.changed:hs_ticket_priority` prints `now() - event::at()` as its first statement
//!     (`event::at()` is the ticket's last-modified time: when the change was made); 20 changes
//!     a few seconds apart; median and p95;
//! (b) the same through webhooks: `serve --webhook-url` sends them to `daemon --webhooks
//!     --no-feed` (`event::at()` is the webhook's `occurredAt`, the same instant);
//! (c) API calls of an idle feed: the daemon's own count of searches over a window (60 s by
//!     default; `HUBSCRIPT_BENCH_IDLE_SECS` changes it), per hour;
//! (d) a burst of 5,000 changes (one batch update of 5,000 tickets' priority): time until the
//!     feed has detected all 5,000 events (each logged as it is handed to a run), until all
//!     5,000 runs (one child process each, 4 slots) ended, and the searches it took.
//!
//! Run with `cargo bench --bench events` (release build) or, to reuse a debug build,
//! `cargo bench --bench events --profile dev`. Linux (the runs are child processes).
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark: a failed unwrap is a broken setup"
)]

#[path = "../tests/util/child.rs"]
mod child;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use child::{Spawned, Stream};

const START: Duration = Duration::from_secs(120);
const SECRET: &str = "bench-secret";

fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hubscript"));
    c.current_dir(dir)
        .args(args)
        .env_remove("HUBSPOT_ACCESS_TOKEN")
        .env_remove("HUBSPOT_API_URL")
        .env_remove("RUST_LOG")
        .env("HUBSPOT_CLIENT_SECRET", SECRET);
    c
}

fn run(dir: &Path, args: &[&str]) {
    let out = cmd(dir, args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn project(tickets: usize, script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let n = tickets.to_string();
    run(
        dir.path(),
        &["sandbox", "reset", "--tickets", &n, "--sandbox", "s.db"],
    );
    std::fs::create_dir(dir.path().join("scripts")).unwrap();
    std::fs::write(dir.path().join("scripts/bench.rhai"), script).unwrap();
    std::fs::write(
        dir.path().join("flip.rhai"),
        "let id = run::arg(\"id\"); let t = tickets::get(id); \
         tickets::update(id, #{ hs_ticket_priority: if t.properties.hs_ticket_priority == \"HIGH\" { \"LOW\" } else { \"HIGH\" } });",
    )
    .unwrap();
    dir
}

const LATENCY: &str = "//! on = [\"ticket.changed:hs_ticket_priority\"]\nlet lat = now() - event::at();\nprint(`LAT ${lat}`);\n";

fn daemon(dir: &Path, extra: &[&str]) -> Spawned {
    let mut args = vec!["daemon", "scripts", "--sandbox", "s.db"];
    args.extend_from_slice(extra);
    let d = Spawned::spawn(cmd(dir, &args));
    d.expect_line(Stream::Err, "daemon started", START);
    d
}

fn percentiles(mut v: Vec<i64>) -> (i64, i64, i64) {
    v.sort_unstable();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95), *v.last().unwrap())
}

fn latencies(d: &Spawned) -> Vec<i64> {
    d.matching(Stream::Err, |l| l.contains("INFO  bench: LAT "))
        .iter()
        .filter_map(|l| l.text.rsplit(' ').next()?.parse().ok())
        .collect()
}

/// Flips a ticket's priority `n` times through `backend`, waiting for each run, then `gap(i)`.
fn changes(
    dir: &Path,
    d: &Spawned,
    backend: &[&str],
    n: usize,
    gap: impl Fn(usize) -> Duration,
) -> Vec<i64> {
    for i in 0..n {
        let id = format!("id={}", 1 + i % 5);
        let mut args = vec!["run", "flip.rhai"];
        args.extend_from_slice(backend);
        args.extend(["--arg", &id]);
        run(dir, &args);
        assert!(
            d.wait_count(Stream::Err, i + 1, Duration::from_secs(60), |l| l
                .contains("INFO  bench: LAT ")),
            "change {i}: no run\n{}",
            d.dump()
        );
        std::thread::sleep(gap(i));
    }
    latencies(d)
}

fn feed_latency() {
    let dir = project(20, LATENCY);
    let mut d = daemon(dir.path(), &[]);
    // Waiting for each run puts the next change just after a poll; gaps of 0 to 9.5 s spread
    // the changes over every phase of the 10 s interval.
    let lat = changes(dir.path(), &d, &["--sandbox", "s.db"], 20, |i| {
        Duration::from_millis((i as u64 * 3_700) % 10_000)
    });
    d.terminate(START);
    let (median, p95, max) = percentiles(lat.clone());
    println!("(a) change -> run start, change feed every 10 s (default), {} changes: median {median} ms, p95 {p95} ms, max {max} ms", lat.len());
}

fn webhook_latency() {
    let dir = project(20, LATENCY);
    let mut d = daemon(dir.path(), &["--webhooks", "127.0.0.1:0", "--no-feed"]);
    let line = d
        .matching(Stream::Err, |l| l.contains("receiving HubSpot webhooks on"))
        .remove(0)
        .text;
    let hooks = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    let server = Spawned::spawn(cmd(
        dir.path(),
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--sandbox",
            "s.db",
            "--webhook-url",
            &format!("{hooks}/hooks"),
        ],
    ));
    server.expect_line(Stream::Out, "listening on http://", START);
    let url = server
        .matching(Stream::Out, |l| l.contains("listening on http://"))
        .remove(0)
        .text
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let lat = changes(dir.path(), &d, &["--api", &url], 20, |_| {
        Duration::from_millis(300)
    });
    d.terminate(START);
    let mut server = server;
    server.terminate(START);
    let (median, p95, max) = percentiles(lat.clone());
    println!("(b) change -> run start, webhooks from serve, {} changes: median {median} ms, p95 {p95} ms, max {max} ms", lat.len());
}

/// The `N searches` of the daemon's summary line at shutdown.
fn searches(d: &Spawned) -> u64 {
    d.matching(Stream::Err, |l| {
        l.contains("change feed ") && l.contains(" searches")
    })
    .last()
    .and_then(|l| {
        let after = l.text.split("change feed ").nth(1)?;
        after.split_whitespace().next()?.parse().ok()
    })
    .unwrap_or(0)
}

fn idle_feed() {
    let secs: u64 = std::env::var("HUBSCRIPT_BENCH_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = project(20, LATENCY);
    let started = Instant::now();
    let mut d = daemon(dir.path(), &[]);
    std::thread::sleep(Duration::from_secs(secs));
    d.terminate(START);
    let window = started.elapsed().as_secs_f64();
    let n = searches(&d);
    // The first search is at start; then one per interval.
    println!(
        "(c) idle change feed (default 10 s interval), {window:.0} s: {n} searches (one at start) = {:.0} API calls per hour",
        n.saturating_sub(1) as f64 * 3600.0 / window
    );
}

/// Sets every ticket's priority to `p` with 50 batch updates. The run fails after them (the
/// 5,000 tickets it returns are over a script's value limits): the writes are what matters.
fn burst_write(dir: &Path, p: &str) {
    let arg = format!("p={p}");
    let out = cmd(
        dir,
        &[
            "run",
            "burst.rhai",
            "--sandbox",
            "s.db",
            "--max-writes",
            "5000",
            "--arg",
            &arg,
        ],
    )
    .output()
    .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("wrote 5000"), "{said}");
}

/// Ended event runs in the project's state file: how many, the first start and the last end
/// (epoch ms).
fn event_runs(dir: &Path) -> (i64, i64, i64) {
    let db = rusqlite::Connection::open(dir.join(".hubscript/state.db")).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db.query_row(
        "SELECT count(*), COALESCE(min(started_at), 0), COALESCE(max(ended_at), 0) FROM runs
         WHERE trigger = 'event' AND ended_at IS NOT NULL",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap()
}

fn burst() {
    const N: i64 = 5_000;
    let dir = project(
        N as usize,
        "//! on = [\"ticket.changed:hs_ticket_priority\"]\nlet x = event::ticket().id;\n",
    );
    std::fs::write(
        dir.path().join("burst.rhai"),
        "//! apply = \"immediate\"\nlet p = run::arg(\"p\"); let items = []; for i in 1..=5000 { items.push(#{ id: `${i}`, properties: #{ hs_ticket_priority: p } }); } tickets::update_many(items);",
    )
    .unwrap();
    // Every ticket LOW first (some are seeded URGENT), so the burst changes all 5,000.
    burst_write(dir.path(), "LOW");
    let mut d = daemon(dir.path(), &["--feed-interval", "1s"]);
    let t0 = chrono::Utc::now().timestamp_millis();
    burst_write(dir.path(), "URGENT");
    let written = chrono::Utc::now().timestamp_millis() - t0;
    // The run history is the clock: polling it costs the daemon nothing.
    let deadline = Instant::now() + Duration::from_secs(1800);
    let (mut n, mut first, mut last) = event_runs(dir.path());
    while n < N && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        (n, first, last) = event_runs(dir.path());
    }
    d.terminate(START);
    println!(
        "(d) burst of {N} changes (50 batch updates in {:.1} s): {n} event runs, each once; first started {:.1} s after the burst began, last ended after {:.1} s ({:.0} runs/s, 4 slots, one process per run); {} searches",
        written as f64 / 1000.0,
        (first - t0) as f64 / 1000.0,
        (last - t0) as f64 / 1000.0,
        n as f64 * 1000.0 / (last - t0).max(1) as f64,
        searches(&d)
    );
}

fn main() {
    println!("binary: {}", env!("CARGO_BIN_EXE_hubscript"));
    // `cargo bench --bench events -- ad` runs (a) and (d) only (cargo adds `--bench`).
    let only = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    if only.is_empty() || only.contains('a') {
        feed_latency();
    }
    if only.is_empty() || only.contains('b') {
        webhook_latency();
    }
    if only.is_empty() || only.contains('c') {
        idle_feed();
    }
    if only.is_empty() || only.contains('d') {
        burst();
    }
}
