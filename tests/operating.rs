//! Operating the daemon (issue 11): `/metrics` parses as Prometheus text and counts a failing
//! and a healthy script; `/healthz` and `/status` answer; an alert webhook gets exactly one
//! failure and one recovery message for a script that fails several times, then succeeds;
//! `hubscript status` shows the failure streak.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hubscript::state::{RunFilter, RunStatus, StateDb};

use crate::util::bin::{stderr, stdout, Project};
use crate::util::child::{Spawned, Stream};

const START: Duration = Duration::from_secs(60);
const EXIT: Duration = Duration::from_secs(30);
/// How long a test waits for runs to happen before it gives up.
const DEADLINE: Duration = Duration::from_secs(90);

const EVERY_SECOND: &str = "//! schedule = \"* * * * * *\"\n";

/// A plain HTTP GET on 127.0.0.1; returns (status, body).
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

/// Finished runs of `script` with `status`, from the state file.
fn count_runs(p: &Project, script: &str, status: RunStatus) -> usize {
    let db = StateDb::open(&p.path().join(".hubscript/state.db")).unwrap();
    db.runs(&RunFilter {
        script: Some(script.into()),
        status: Some(status),
        limit: 0,
        ..RunFilter::default()
    })
    .unwrap()
    .len()
}

/// Waits (polling, with a deadline) until `done` holds.
fn wait_until(what: &str, d: &Spawned, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + DEADLINE;
    while !done() {
        assert!(
            Instant::now() < until,
            "timed out waiting for {what}\n{}",
            d.dump()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The address the daemon's `--listen` bound, from its start-up line.
fn listen_addr(d: &Spawned) -> String {
    d.expect_line(Stream::Err, "/metrics", START);
    let line = d
        .matching(Stream::Err, |l| l.contains("/metrics"))
        .remove(0)
        .text;
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap();
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// A strict check of the text exposition format: every line is a HELP, TYPE or UNIT comment,
/// the final `# EOF`, or a sample `name{label="value",...} number`.
fn check_exposition(text: &str) {
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars().enumerate().all(|(i, c)| {
                c == '_' || c == ':' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit())
            })
    };
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.last(), Some(&"# EOF"), "{text}");
    for line in &lines[..lines.len() - 1] {
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let kind = parts.next().unwrap();
            assert!(
                matches!(kind, "HELP" | "TYPE" | "UNIT"),
                "bad comment: {line}"
            );
            assert!(name_ok(parts.next().unwrap_or("")), "bad name: {line}");
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("bad sample: {line}"));
        assert!(
            value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value),
            "bad value: {line}"
        );
        let (name, labels) = match series.split_once('{') {
            Some((n, l)) => (
                n,
                Some(
                    l.strip_suffix('}')
                        .unwrap_or_else(|| panic!("bad labels: {line}")),
                ),
            ),
            None => (series, None),
        };
        assert!(name_ok(name), "bad name: {line}");
        if let Some(labels) = labels {
            for pair in labels.split("\",").filter(|p| !p.is_empty()) {
                let (k, v) = pair
                    .split_once("=\"")
                    .unwrap_or_else(|| panic!("bad label: {line}"));
                assert!(name_ok(k), "bad label name: {line}");
                assert!(
                    !v.trim_end_matches('"').contains('"'),
                    "unescaped quote: {line}"
                );
            }
        }
    }
}

fn sample_value(
    scrape: &prometheus_parse::Scrape,
    metric: &str,
    labels: &[(&str, &str)],
) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v)
            | prometheus_parse::Value::Gauge(v)
            | prometheus_parse::Value::Untyped(v) => v,
            _ => f64::NAN,
        })
}

#[test]
fn metrics_count_a_failing_and_a_healthy_script() {
    let p = Project::new();
    p.file("scripts/good.rhai", &format!("{EVERY_SECOND}let a = 1;\n"));
    p.file(
        "scripts/bad.rhai",
        &format!("{EVERY_SECOND}throw \"broken on purpose\";\n"),
    );
    let mut d = Spawned::spawn(p.cmd(&[
        "daemon",
        "scripts",
        "--sandbox",
        "s.db",
        "--listen",
        "127.0.0.1:0",
    ]));
    let addr = listen_addr(&d);
    d.expect_line(Stream::Err, "daemon started", START);
    // Three failed runs of `bad`: the metrics are fed after a run is recorded, so the scrape
    // may lag the history by one run, and the streak must still be at least two.
    wait_until("two runs of good, three of bad", &d, || {
        count_runs(&p, "good", RunStatus::Ok) >= 2 && count_runs(&p, "bad", RunStatus::Failed) >= 3
    });
    let (ok_before, failed_before) = (
        count_runs(&p, "good", RunStatus::Ok),
        count_runs(&p, "bad", RunStatus::Failed),
    );
    let (status, text) = get(&addr, "/metrics");
    let (ok_after, failed_after) = (
        count_runs(&p, "good", RunStatus::Ok),
        count_runs(&p, "bad", RunStatus::Failed),
    );
    assert_eq!(status, 200);
    check_exposition(&text);
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
    let runs = |script, status| {
        sample_value(
            &scrape,
            "hubscript_runs_total",
            &[("script", script), ("status", status)],
        )
    };
    // the metric is fed after a run is recorded: between the two reads of the history
    let good = runs("good", "ok").unwrap();
    assert!(
        (ok_before.saturating_sub(1) as f64..=ok_after as f64).contains(&good),
        "good: {good} not in {ok_before}..={ok_after}\n{text}"
    );
    let bad = runs("bad", "failed").unwrap();
    assert!(
        (failed_before.saturating_sub(1) as f64..=failed_after as f64).contains(&bad),
        "bad: {bad} not in {failed_before}..={failed_after}\n{text}"
    );
    assert_eq!(runs("good", "failed"), None, "{text}");
    assert_eq!(runs("bad", "ok"), None, "{text}");
    assert!(
        sample_value(&scrape, "hubscript_failure_streak", &[("script", "bad")]).unwrap() >= 2.0
    );
    assert_eq!(
        sample_value(&scrape, "hubscript_failure_streak", &[("script", "good")]),
        Some(0.0)
    );
    assert!(
        sample_value(
            &scrape,
            "hubscript_last_success_timestamp_seconds",
            &[("script", "good")]
        )
        .unwrap()
            > 1.7e9
    );
    assert_eq!(
        sample_value(
            &scrape,
            "hubscript_last_success_timestamp_seconds",
            &[("script", "bad")]
        ),
        None
    );
    assert!(sample_value(&scrape, "hubscript_uptime_seconds", &[]).unwrap() > 0.0);
    assert_eq!(
        sample_value(&scrape, "hubscript_scheduled_scripts", &[]),
        Some(2.0)
    );
    assert!(
        text.contains("hubscript_run_duration_seconds_bucket{le=\"+Inf\",script=\"good\"}")
            || text.contains("hubscript_run_duration_seconds_bucket{script=\"good\",le=\"+Inf\"}"),
        "{text}"
    );

    let (status, body) = get(&addr, "/healthz");
    assert_eq!((status, body.trim()), (200, "ok"));
    let (status, body) = get(&addr, "/status");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let bad_row = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["script"] == "bad")
        .unwrap();
    assert!(bad_row["failure_streak"].as_u64().unwrap() >= 2, "{body}");
    assert_eq!(bad_row["last_status"], "failed");

    // another process holds the state store's write lock: unhealthy, with the reason
    let db = p.path().join(".hubscript/state.db");
    let holder = rusqlite::Connection::open(&db).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    let (status, body) = get(&addr, "/healthz");
    holder.execute_batch("ROLLBACK;").unwrap();
    drop(holder);
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("not writable"), "{body}");
    let (status, _) = get(&addr, "/healthz");
    assert_eq!(status, 200, "healthy again once the lock is gone");

    let exit = d.terminate(EXIT);
    assert_eq!(exit.code(), Some(0), "{}", d.dump());

    // and the same table from the command line
    let o = p.run(&["status", "scripts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("NEXT") && out.contains("LEFT") && out.contains("LAST"),
        "{out}"
    );
    assert!(out.contains("in a row"), "{out}");
}

/// A webhook receiver on 127.0.0.1: records each POST body, answers 200.
fn receiver() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut len = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
                if line == "\r\n" {
                    break;
                }
            }
            let mut body = vec![0u8; len];
            if reader.read_exact(&mut body).is_ok() {
                if let Ok(v) = serde_json::from_slice(&body) {
                    sink.lock().unwrap().push(v);
                }
            }
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (url, got)
}

#[test]
fn one_alert_when_a_script_starts_failing_and_one_when_it_recovers() {
    let p = Project::new();
    let reset = p.run(&["sandbox", "reset", "--tickets", "5", "--sandbox", "s.db"]);
    assert!(reset.status.success(), "{}", stderr(&reset));
    // fails until the test fixes ticket 1's subject
    p.file(
        "scripts/flaky.rhai",
        &format!(
            "{EVERY_SECOND}let t = tickets::get(\"1\");\nif t.properties.subject != \"fixed\" {{ throw \"ticket 1 is not fixed yet\"; }}\n"
        ),
    );
    let (url, got) = receiver();
    let token = "pat-secret-should-never-leak";
    let mut cmd = p.cmd(&[
        "daemon",
        "scripts",
        "--sandbox",
        "s.db",
        "--alert-webhook",
        &url,
    ]);
    cmd.env("HUBSPOT_ACCESS_TOKEN", token);
    let mut d = Spawned::spawn(cmd);
    d.expect_line(Stream::Err, "daemon started", START);
    wait_until("three failed runs", &d, || {
        count_runs(&p, "flaky", RunStatus::Failed) >= 3
    });
    let sandbox = hubscript::sandbox::Sandbox::open(&p.path().join("s.db")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use hubscript::backend::TicketsBackend;
        let input = hubscript::model::UpdateInput {
            properties: hubscript::model::InputProperties::new().with("subject", "fixed"),
        };
        sandbox.update("1", &input, None).await.unwrap();
    });
    wait_until("a successful run", &d, || {
        count_runs(&p, "flaky", RunStatus::Ok) >= 1
    });
    wait_until("the recovery alert", &d, || got.lock().unwrap().len() >= 2);
    // a few more healthy runs send nothing more
    let ok_now = count_runs(&p, "flaky", RunStatus::Ok);
    wait_until("two more healthy runs", &d, || {
        count_runs(&p, "flaky", RunStatus::Ok) >= ok_now + 2
    });
    let exit = d.terminate(EXIT);
    assert_eq!(exit.code(), Some(0), "{}", d.dump());

    let alerts = got.lock().unwrap().clone();
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    assert_eq!(alerts[0]["hubscript"]["event"], "failing");
    assert_eq!(alerts[0]["hubscript"]["script"], "flaky");
    assert_eq!(
        alerts[0]["hubscript"]["error"]
            .as_str()
            .map(|e| e.contains("ticket 1 is not fixed yet")),
        Some(true),
        "{alerts:#?}"
    );
    assert!(alerts[0]["text"]
        .as_str()
        .unwrap()
        .contains("flaky is failing"));
    assert_eq!(alerts[1]["hubscript"]["event"], "recovered");
    assert!(
        alerts[1]["hubscript"]["run_id"].as_i64().unwrap()
            > alerts[0]["hubscript"]["run_id"].as_i64().unwrap()
    );
    for a in &alerts {
        assert!(!a.to_string().contains(token), "the token leaked: {a}");
        assert_eq!(a["hubscript"]["backend"]["kind"], "sandbox");
    }
}
