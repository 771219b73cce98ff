//! Benchmark of issue 9's run isolation with the real binary, printing figures rather than
//! asserting them:
//!
//! (a) the added cost of running a script in a process of its own: the median of 50 runs of a
//!     one-line script in process (`ScriptHost::run`, what `run` and the REPL do) against the
//!     median of 50 fresh processes running it (`hubscript run`, which opens the sandbox and
//!     the state file and starts a runtime like the daemon's child processes do);
//! (b) the scheduling delay of a healthy every-2-seconds script (from its fire time to its first
//!     statement, which prints `now()`), alone and side by side with a script that aborts
//!     (deep nesting), one that exhausts its memory budget and one that hangs until its
//!     timeout, about 20 s each.
//!
//! Run with `cargo bench --bench isolation` (release build) or, reusing a debug build,
//! `cargo bench --bench isolation --profile dev`.

#[path = "../tests/util/child.rs"]
mod child;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hubscript::sandbox::{Sandbox, SeedOptions};
use hubscript::script::{RunOptions, RunRequest, ScriptHost};
use hubscript::state::StateDb;
use tokio_util::sync::CancellationToken;

use child::{Spawned, Stream};

const RUNS: usize = 50;
const START: Duration = Duration::from_secs(120);

fn cmd(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hubscript"));
    c.current_dir(dir)
        .args(args)
        .env_remove("HUBSPOT_ACCESS_TOKEN")
        .env_remove("HUBSPOT_API_URL")
        .env_remove("RUST_LOG");
    c
}

fn median_ms(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn startup_cost() {
    let dir = tempfile::tempdir().expect("temp dir");
    Sandbox::create(
        &dir.path().join("s.db"),
        &SeedOptions {
            tickets: 500,
            seed: 42,
        },
    )
    .expect("sandbox");
    std::fs::write(dir.path().join("one.rhai"), "let x = 1;\n").expect("script");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sandbox = Arc::new(Sandbox::open(&dir.path().join("s.db")).expect("open sandbox"));
    let state = StateDb::open(&dir.path().join("state.db")).expect("state");
    let host = ScriptHost::new(sandbox, state, rt.handle().clone());
    let mut inside = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = rt.block_on(host.run(RunRequest {
            path: "one.rhai".into(),
            source: "let x = 1;\n".into(),
            options: RunOptions {
                trigger: "bench".into(),
                ..Default::default()
            },
            cancel: CancellationToken::new(),
            on_log: None,
            on_print: None,
            on_start: None,
        }));
        inside.push(t.elapsed());
        assert!(out.error.is_none());
    }
    let mut outside = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = cmd(dir.path(), &["run", "one.rhai", "--sandbox", "s.db", "-q"])
            .output()
            .expect("run the binary");
        outside.push(t.elapsed());
        assert!(out.status.success(), "{out:?}");
    }
    let (a, b) = (median_ms(inside), median_ms(outside));
    println!(
        "(a) one-line run, median of {RUNS}: in process {a:.2} ms, in a fresh process {b:.2} ms: added cost {:.2} ms",
        b - a
    );
}

/// Fire time to first statement of the healthy script, for about 20 s, with `others` besides.
fn healthy_delay(others: &[(&str, String)]) -> (usize, i64, i64) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("scripts")).expect("scripts dir");
    std::fs::write(
        dir.path().join("scripts/healthy.rhai"),
        "//! schedule = \"*/2 * * * * *\"\nprint(\"T \" + now());\n",
    )
    .expect("write script");
    for (name, body) in others {
        std::fs::write(dir.path().join(format!("scripts/{name}.rhai")), body).expect("write");
    }
    let mut d = Spawned::spawn(cmd(dir.path(), &["daemon", "scripts", "--sandbox", "s.db"]));
    d.expect_line(Stream::Err, "daemon started", START);
    let wanted = 11;
    if !d.wait_count(Stream::Err, wanted, Duration::from_secs(60), |l| {
        l.contains("healthy: T ")
    }) {
        println!("(b) fewer than {wanted} runs within 60 s\n{}", d.dump());
    }
    let _ = d.terminate(Duration::from_secs(30));
    // Fire times are whole 2-second marks (no jitter): the delay is past the last mark.
    let mut delays: Vec<i64> = d
        .lines()
        .iter()
        .filter_map(|l| {
            l.text
                .split("healthy: T ")
                .nth(1)?
                .trim()
                .parse::<i64>()
                .ok()
        })
        .map(|ran| ran % 2_000)
        .skip(1) // the first run includes the first compile
        .collect();
    delays.sort_unstable();
    let median = delays.get(delays.len() / 2).copied().unwrap_or_default();
    let max = delays.last().copied().unwrap_or_default();
    (delays.len(), median, max)
}

fn main() {
    startup_cost();
    let mut hog = String::from(
        "//! schedule = \"*/3 * * * * *\"\n//! memory = \"64MiB\"\nlet s = \"x\";\nfor i in 0..20 { s += s; }\n",
    );
    for i in 0..200 {
        hog.push_str(&format!("let v{i} = s + {i};\n"));
    }
    let others = [
        (
            "abort",
            "//! schedule = \"*/3 * * * * *\"\nlet a = [];\nfor i in 0..2000 { a = [a]; }\nprint(a);\n"
                .to_string(),
        ),
        ("hog", hog),
        (
            "hang",
            "//! schedule = \"*/5 * * * * *\"\n//! timeout = \"4s\"\nloop { }\n".to_string(),
        ),
    ];
    let (n, median, max) = healthy_delay(&[]);
    println!("(b) healthy script alone: {n} runs, fire -> first statement median {median} ms, max {max} ms");
    let (n, median, max) = healthy_delay(&others);
    println!("(b) beside abort, memory hog and hang: {n} runs, fire -> first statement median {median} ms, max {max} ms");
}
