//! Benchmark of the triggers with the real binary (issue 5), printing figures rather than
//! asserting them:
//!
//! (a) the CPU time and memory of an idle `hubscript daemon` with 100 scheduled scripts, from
//!     `/proc/<pid>/stat` (utime + stime) and `/proc/<pid>/status` (VmRSS, VmHWM) over a window
//!     (60 s by default; `HUBSCRIPT_BENCH_IDLE_SECS` changes it);
//! (b) the delay from a scheduled fire time to the run's start: a `* * * * * *` script prints
//!     `now()` as its first statement; the delay is that minus the fire time the daemon logged
//!     for the run (about 20 runs; median and max);
//! (c) the delay from a save to the run's start in `watch`: the script prints `now()`; the delay
//!     is that minus the time just before the file was written (10 saves; median and max). It
//!     includes the 50 ms debounce.
//!
//! Linux only (reads /proc). Run with `cargo bench --bench daemon` (release build) or, to
//! reuse a debug build, `cargo bench --bench daemon --profile dev`.
#![allow(
    clippy::unwrap_used,
    reason = "a benchmark: a failed unwrap is a broken setup"
)]

#[path = "../tests/util/child.rs"]
mod child;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use chrono::{NaiveDateTime, Timelike};

use child::{now_ms, Spawned, Stream};

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

fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the `(comm)`: state is field 3, utime field 14, stime field 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let get = |n: usize| {
        f.get(n - 3)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    get(14) + get(15)
}

/// A `Key:` line of `/proc/<pid>/status` (e.g. `VmRSS:    12345 kB`).
fn status_field(pid: u32, key: &str) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .map_or_else(|| "?".into(), |l| l[key.len()..].trim().to_string())
}

fn median_max(mut v: Vec<i64>) -> (i64, i64, i64) {
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return (0, 0, 0);
    }
    (v[n / 2], v[n - 1], v[0])
}

fn idle_daemon() {
    let window = std::env::var("HUBSCRIPT_BENCH_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60u64);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("scripts")).expect("scripts dir");
    // Hourly, at a minute half an hour away: idle for the whole window.
    let minute = (chrono::Utc::now().minute() + 30) % 60;
    for i in 0..100 {
        let body = format!(
            "//! description = \"idle rule {i}\"\n//! schedule = \"0 {minute} * * * *\"\nlet open = tickets::search(#{{ hs_pipeline_stage: \"1\" }});\n"
        );
        std::fs::write(dir.path().join(format!("scripts/rule{i:03}.rhai")), body)
            .expect("write script");
    }
    let mut d = Spawned::spawn(cmd(dir.path(), &["daemon", "scripts", "--sandbox", "s.db"]));
    d.expect_line(Stream::Err, "daemon started", START);
    let scheduled = d.count(Stream::Err, |l| l.contains(" scheduled script="));
    std::thread::sleep(Duration::from_secs(2));
    let pid = d.pid();
    let rss_start = status_field(pid, "VmRSS:");
    let t0 = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(window));
    let t1 = cpu_ticks(pid);
    let rss = status_field(pid, "VmRSS:");
    let hwm = status_field(pid, "VmHWM:");
    let threads = status_field(pid, "Threads:");
    let runs = d.count(Stream::Out, |l| l.contains(": ok"));
    let status = d.terminate(Duration::from_secs(30));
    let tck = clock_ticks_per_second();
    let cpu_s = (t1 - t0) as f64 / tck;
    println!("(a) idle daemon, {scheduled} scheduled scripts (hourly at minute {minute}), window {window} s:");
    println!(
        "    CPU {cpu_s:.2} s over {window} s = {:.3} % of one core ({} ticks); runs during window: {runs}",
        100.0 * cpu_s / window as f64,
        t1 - t0
    );
    println!(
        "    CPU from launch to window end (sandbox seeding, compiling 100 scripts, then idle): {:.2} s",
        t1 as f64 / tck
    );
    println!("    VmRSS {rss} (at window start {rss_start}), VmHWM {hwm}, threads {threads}; exit after SIGTERM: {status}");
}

fn schedule_delay() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir_all(dir.path().join("scripts")).expect("scripts dir");
    std::fs::write(
        dir.path().join("scripts/tick.rhai"),
        "//! schedule = \"* * * * * *\"\nprint(\"T \" + now());\n",
    )
    .expect("write script");
    let mut d = Spawned::spawn(cmd(dir.path(), &["daemon", "scripts", "--sandbox", "s.db"]));
    d.expect_line(Stream::Err, "daemon started", START);
    let wanted = 21;
    if !d.wait_count(Stream::Err, wanted, Duration::from_secs(90), |l| {
        l.contains("tick: T ")
    }) {
        println!("(b) fewer than {wanted} runs within 90 s\n{}", d.dump());
    }
    let _ = d.terminate(Duration::from_secs(30));
    // Pair each run's print with the fire line logged just before it.
    let mut fire_ms: Option<i64> = None;
    let mut delays = Vec::new();
    for l in d.lines().iter().filter(|l| l.stream == Stream::Err) {
        if let Some(fire) = l.text.split("fire=").nth(1) {
            fire_ms = NaiveDateTime::parse_from_str(fire.trim(), "%Y-%m-%d %H:%M:%S UTC")
                .ok()
                .map(|t| t.and_utc().timestamp_millis());
        } else if let Some(v) = l.text.split("tick: T ").nth(1) {
            if let (Some(f), Ok(ran)) = (fire_ms.take(), v.trim().parse::<i64>()) {
                delays.push(ran - f);
            }
        }
    }
    // The first run may include warm-up (first compile); report it apart.
    let first = delays.first().copied().unwrap_or_default();
    let rest: Vec<i64> = delays.iter().skip(1).copied().collect();
    let (median, max, min) = median_max(rest.clone());
    println!(
        "(b) scheduled time -> run start, {} runs after the first: median {median} ms, max {max} ms, min {min} ms (first run {first} ms)",
        rest.len()
    );
}

fn watch_delay() {
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("w/s.rhai");
    std::fs::create_dir_all(dir.path().join("w")).expect("w dir");
    std::fs::write(&script, "let a = 1;\n").expect("write script");
    let mut w = Spawned::spawn(cmd(dir.path(), &["watch", "w", "--sandbox", "s.db"]));
    w.expect_line(Stream::Err, "watching for changes", START);
    let mut delays = Vec::new();
    for i in 0..10 {
        std::thread::sleep(Duration::from_millis(700));
        let marker = format!("s: W{i} ");
        let written = now_ms();
        std::fs::write(&script, format!("print(\"W{i} \" + now());\n")).expect("save");
        if !w.wait_count(Stream::Err, 1, Duration::from_secs(30), |l| {
            l.contains(&marker)
        }) {
            println!("(c) save {i}: no run within 30 s");
            continue;
        }
        let ran = w
            .matching(Stream::Err, |l| l.contains(&marker))
            .first()
            .and_then(|l| l.text.split(&marker).nth(1)?.trim().parse::<i64>().ok());
        if let Some(ran) = ran {
            delays.push(ran - written);
        }
        // Let the run finish before the next save.
        let _ = w.wait_count(Stream::Out, i + 1, Duration::from_secs(30), |l| {
            l.starts_with("s: ")
        });
    }
    let runs = w.count(Stream::Out, |l| l.starts_with("s: "));
    let _ = w.terminate(Duration::from_secs(30));
    let (median, max, min) = median_max(delays.clone());
    println!(
        "(c) save -> run start in watch, {} saves ({runs} runs): median {median} ms, max {max} ms, min {min} ms (debounce 50 ms included)",
        delays.len()
    );
}

fn main() {
    if !Path::new("/proc/self/stat").exists() {
        println!("daemon bench: needs Linux /proc; skipped");
        return;
    }
    // `cargo bench` passes `--bench`; any other argument is a filter on a, b, c.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wants = |k: &str| filter.is_empty() || filter.iter().any(|f| f == k);
    println!("binary: {}", env!("CARGO_BIN_EXE_hubscript"));
    if wants("b") {
        schedule_delay();
    }
    if wants("c") {
        watch_delay();
    }
    if wants("a") {
        idle_daemon();
    }
}
