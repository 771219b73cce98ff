//! Benchmark of exactly-once claims (issue 17), printing figures rather than asserting them:
//!
//! (a) claim overhead per fire: one daemon claiming 500 fires one after another, on a SQLite
//!     file and on PostgreSQL (median and p95 of each claim's latency);
//! (b) how many scheduled scripts one database takes at one fire a minute each: every
//!     `* * * * *` script fires at second 0, so K scripts mean K fires at one instant, and
//!     every daemon tries to claim every one of them. Three daemons (three store handles, as
//!     three processes have), each claiming 2 at a time (a daemon claims on its runtime's
//!     workers, one per core of a 2-core node), start together; a claim's latency is from that instant to its answer. Printed per
//!     K: median, p99 and max over all claims of all daemons, and whether every fire was won
//!     exactly once; the figure asked for is the largest K whose max stays under 100 ms;
//! (c) the same with the fires spread evenly over the minute (`jitter`, or schedules at other
//!     seconds): N scripts a minute, played for 10 s at that rate (N/6 fires), each claim's
//!     latency counted from its fire time; the largest N whose max stays under 100 ms.
//!
//! PostgreSQL comes from `HUBSCRIPT_BENCH_PG_URL` (else `HUBSCRIPT_TEST_PG_URL`); each round
//! uses a fresh schema. Run with `cargo bench --bench claims` (release build) or
//! `cargo bench --bench claims --profile dev`.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark: a failed unwrap is a broken setup"
)]

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use hubscript::state::{Claim, ClaimSubject, StateDb, StateLocation};

const LEASE: Duration = Duration::from_secs(30);
const DAEMONS: usize = 3;
/// Claims one daemon makes at once: one per runtime worker (a 2-core node).
const THREADS: usize = 2;

fn pg_base() -> Option<String> {
    ["HUBSCRIPT_BENCH_PG_URL", "HUBSCRIPT_TEST_PG_URL"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
}

/// A fresh schema of the PostgreSQL database as a store location.
fn pg_location(base: &str) -> StateLocation {
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (c, conn) = tokio_postgres::connect(base, tokio_postgres::NoTls)
            .await
            .unwrap();
        let conn = tokio::spawn(conn);
        c.batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        drop(c);
        let _ = conn.await;
    });
    let sep = if base.contains('?') { '&' } else { '?' };
    StateLocation::Postgres(format!("{base}{sep}options=-csearch_path%3D{schema}"))
}

fn sqlite_location(dir: &tempfile::TempDir) -> StateLocation {
    StateLocation::File(
        dir.path()
            .join(format!("{}.db", uuid::Uuid::new_v4().simple())),
    )
}

fn minute(i: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + i * 60, 0).unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// (a): 500 claims one after another.
fn overhead(name: &str, loc: &StateLocation) {
    let db = StateDb::open_location(loc).unwrap();
    let mut lat = Vec::new();
    for i in 0..500 {
        let t = Instant::now();
        let c = db
            .claim("s", &ClaimSubject::Fire(minute(i)), "bench", LEASE)
            .unwrap();
        lat.push(t.elapsed());
        assert!(matches!(c, Claim::Won(_)));
    }
    lat.sort();
    println!(
        "claim per fire, {name:10}: median {:.2} ms, p95 {:.2} ms (500 fires, one daemon)",
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.95))
    );
}

/// (b): K scripts firing at one instant, claimed by 3 daemons 2 at a time each. Returns the
/// max latency.
fn burst(name: &str, loc: &StateLocation, k: usize) -> Duration {
    let daemons: Vec<StateDb> = (0..DAEMONS)
        .map(|_| StateDb::open_location(loc).unwrap())
        .collect();
    // Warm each handle's connections, as a running daemon's are.
    for d in &daemons {
        d.claim("warm", &ClaimSubject::Fire(minute(0)), "w", LEASE)
            .unwrap();
    }
    let barrier = Arc::new(Barrier::new(DAEMONS * THREADS + 1));
    let mut handles = Vec::new();
    for (d, db) in daemons.iter().enumerate() {
        for t in 0..THREADS {
            let (db, barrier) = (db.clone(), barrier.clone());
            handles.push(std::thread::spawn(move || {
                barrier.wait();
                let start = Instant::now();
                let mut out = Vec::new();
                for s in (t..k).step_by(THREADS) {
                    let c = db
                        .claim(
                            &format!("script{s}"),
                            &ClaimSubject::Fire(minute(1)),
                            &format!("daemon{d}"),
                            LEASE,
                        )
                        .unwrap();
                    out.push((start.elapsed(), matches!(c, Claim::Won(_))));
                }
                out
            }));
        }
    }
    barrier.wait();
    let results: Vec<(Duration, bool)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let won = results.iter().filter(|(_, w)| *w).count();
    let mut lat: Vec<Duration> = results.iter().map(|(l, _)| *l).collect();
    lat.sort();
    let max = *lat.last().unwrap();
    println!(
        "{k:5} scripts at one instant, {name:10}: claim latency median {:.1} ms, p99 {:.1} ms, max {:.1} ms; {won} of {k} fires won once ({} claims)",
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(max),
        lat.len()
    );
    assert_eq!(won, k, "every fire must be won exactly once");
    max
}

/// (c): `per_minute` scripts a minute spread evenly, played for 10 s; returns the max latency.
fn spread(name: &str, loc: &StateLocation, per_minute: usize) -> Duration {
    const WINDOW: Duration = Duration::from_secs(10);
    let fires = per_minute / 6;
    let gap = WINDOW / u32::try_from(fires).unwrap();
    let daemons: Vec<StateDb> = (0..DAEMONS)
        .map(|_| StateDb::open_location(loc).unwrap())
        .collect();
    for d in &daemons {
        d.claim("warm", &ClaimSubject::Fire(minute(0)), "w", LEASE)
            .unwrap();
    }
    let barrier = Arc::new(Barrier::new(DAEMONS * THREADS + 1));
    let mut handles = Vec::new();
    for (d, db) in daemons.iter().enumerate() {
        for t in 0..THREADS {
            let (db, barrier) = (db.clone(), barrier.clone());
            handles.push(std::thread::spawn(move || {
                barrier.wait();
                let start = Instant::now();
                let mut out = Vec::new();
                for s in (t..fires).step_by(THREADS) {
                    let due = gap * u32::try_from(s).unwrap();
                    if let Some(wait) = due.checked_sub(start.elapsed()) {
                        std::thread::sleep(wait);
                    }
                    let c = db
                        .claim(
                            &format!("script{s}"),
                            &ClaimSubject::Fire(minute(1)),
                            &format!("daemon{d}"),
                            LEASE,
                        )
                        .unwrap();
                    out.push((
                        start.elapsed().saturating_sub(due),
                        matches!(c, Claim::Won(_)),
                    ));
                }
                out
            }));
        }
    }
    barrier.wait();
    let results: Vec<(Duration, bool)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let won = results.iter().filter(|(_, w)| *w).count();
    let mut lat: Vec<Duration> = results.iter().map(|(l, _)| *l).collect();
    lat.sort();
    let max = *lat.last().unwrap();
    println!(
        "{per_minute:6} scripts a minute spread over it, {name:10}: claim latency median {:.1} ms, p99 {:.1} ms, max {:.1} ms; {won} of {fires} fires won once",
        ms(pct(&lat, 0.5)),
        ms(pct(&lat, 0.99)),
        ms(max),
    );
    assert_eq!(won, fires, "every fire must be won exactly once");
    max
}

/// Makes a fresh, empty store location for one round.
type Fresh<'a> = Box<dyn Fn() -> StateLocation + 'a>;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let pg = pg_base();
    if pg.is_none() {
        println!("PostgreSQL: skipped: no HUBSCRIPT_BENCH_PG_URL or HUBSCRIPT_TEST_PG_URL");
    }
    overhead("SQLite", &sqlite_location(&dir));
    if let Some(base) = &pg {
        overhead("PostgreSQL", &pg_location(base));
    }
    let mut stores: Vec<(&str, Fresh<'_>)> = vec![("SQLite", Box::new(|| sqlite_location(&dir)))];
    if let Some(base) = pg.clone() {
        stores.push(("PostgreSQL", Box::new(move || pg_location(&base))));
    }
    for (name, fresh) in &stores {
        let mut best = 0;
        for k in [25, 50, 100, 200, 400, 800, 1600, 3200] {
            let max = burst(name, &fresh(), k);
            if max < Duration::from_millis(100) {
                best = k;
            } else {
                break;
            }
        }
        println!("{name}: largest burst with every claim under 100 ms: {best} scripts");
        let mut best = 0;
        for n in [600, 1200, 2400, 4800, 9600, 19200, 38400] {
            let max = spread(name, &fresh(), n);
            if max < Duration::from_millis(100) {
                best = n;
            } else {
                break;
            }
        }
        println!("{name}: largest number of scripts a minute, spread, with every claim under 100 ms: {best}");
    }
}
