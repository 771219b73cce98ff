//! Issue 9 (item 7): `hubscript serve` and the sandbox file under bad input, through the real
//! binary: idle sockets at a low open-file limit, a database locked by another process, an
//! oversized search `IN`, the token from the environment, damaged and concurrently created
//! sandbox files.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::util::bin::{start_serve as start, stderr, stdout, Project};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_at_a_1024_file_limit_do_not_lock_out_clients() {
    let p = Project::new();
    p.reset_sandbox(5);
    // `ulimit -n 1024` in a shell that then becomes the server.
    let mut cmd = Command::new("sh");
    cmd.current_dir(p.path())
        .arg("-c")
        .arg("ulimit -n 1024 && exec \"$0\" serve --addr 127.0.0.1:0 --sandbox s.db")
        .arg(crate::util::bin::exe())
        .env_remove("HUBSCRIPT_SERVE_TOKEN")
        .env_remove("RUST_LOG");
    let (mut server, url) = start(cmd);
    let addr = url.trim_start_matches("http://").to_string();
    let mut idle = Vec::with_capacity(1_100);
    for _ in 0..1_100 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    for _ in 0..3 {
        let r = http
            .get(format!("{url}/crm/v3/objects/tickets"))
            .send()
            .await
            .expect("a client gets through 1,100 idle sockets");
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["results"].as_array().unwrap().len(), 5);
    }
    drop(idle);
    let status = server.terminate(Duration::from_secs(30));
    assert!(status.success(), "{}", server.dump());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_locked_by_another_process_is_a_423_after_a_bounded_wait() {
    let p = Project::new();
    p.reset_sandbox(5);
    let (mut server, url) = p.serve(&[]);
    let http = reqwest::Client::new();
    let create = json!({"properties": {"subject": "while locked", "hs_pipeline": "0", "hs_pipeline_stage": "1"}});

    let other = rusqlite::Connection::open(p.path().join("s.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = Instant::now();
    let r = http
        .post(format!("{url}/crm/v3/objects/tickets"))
        .json(&create)
        .send()
        .await
        .unwrap();
    let waited = started.elapsed();
    assert_eq!(r.status().as_u16(), 423);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "error", "{body}");
    assert_eq!(body["category"], "LOCKED", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("locked"),
        "{body}"
    );
    assert!(
        waited >= Duration::from_secs(4),
        "it waited for the lock first: {waited:?}"
    );
    // Reads go on while the lock is held (WAL).
    let r = http
        .get(format!("{url}/crm/v3/objects/tickets"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    other.execute_batch("ROLLBACK").unwrap();
    let r = http
        .post(format!("{url}/crm/v3/objects/tickets"))
        .json(&create)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    server.terminate(Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_search_in_is_a_400_that_never_echoes_sql() {
    let p = Project::new();
    p.reset_sandbox(5);
    let (mut server, url) = p.serve(&[]);
    let http = reqwest::Client::new();
    for n in [101usize, 40_000] {
        let values: Vec<String> = (0..n).map(|i| i.to_string()).collect();
        let r = http
            .post(format!("{url}/crm/v3/objects/tickets/search"))
            .json(&json!({"filterGroups": [{"filters": [
                {"propertyName": "hs_object_id", "operator": "IN", "values": values}
            ]}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 400, "{n} values");
        let text = r.text().await.unwrap();
        assert!(text.contains("at most 100"), "{text}");
        for sql in ["SELECT", "WHERE", "archived = 0"] {
            assert!(!text.contains(sql), "{text}");
        }
    }
    let values: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
    let r = http
        .post(format!("{url}/crm/v3/objects/tickets/search"))
        .json(&json!({"filterGroups": [{"filters": [
            {"propertyName": "hs_object_id", "operator": "IN", "values": values}
        ]}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.terminate(Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_serve_token_can_come_from_the_environment() {
    let p = Project::new();
    p.reset_sandbox(5);
    let secret = "env-token-not-in-ps-4242";
    let mut cmd = p.cmd(&["serve", "--addr", "127.0.0.1:0", "--sandbox", "s.db"]);
    cmd.env("HUBSCRIPT_SERVE_TOKEN", secret);
    let (mut server, url) = start(cmd);
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", server.pid())).unwrap_or_default();
    assert!(!String::from_utf8_lossy(&cmdline).contains(secret));
    let http = reqwest::Client::new();
    let list = format!("{url}/crm/v3/objects/tickets");
    assert_eq!(http.get(&list).send().await.unwrap().status(), 401);
    let ok = http.get(&list).bearer_auth(secret).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    server.terminate(Duration::from_secs(30));
    assert!(!server.dump().contains(secret), "the token is never logged");

    let mut empty = p.cmd(&["serve", "--addr", "127.0.0.1:0", "--sandbox", "s.db"]);
    empty.env("HUBSCRIPT_SERVE_TOKEN", "");
    let out = empty.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("HUBSCRIPT_SERVE_TOKEN"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn damaged_sandbox_files_are_reported_and_replaced_only_by_reset_force() {
    let p = Project::new();
    let file = p.file("s.db", "");
    for args in [
        &["sandbox", "seed", "--tickets", "5", "--sandbox", "s.db"][..],
        &["serve", "--addr", "127.0.0.1:0", "--sandbox", "s.db"],
        &["sandbox", "reset", "--sandbox", "s.db"],
    ] {
        let out = p.run(args);
        assert!(!out.status.success(), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("s.db") && err.contains("damaged"),
            "{args:?}: {err}"
        );
        assert!(err.contains("empty (0 bytes)"), "{err}");
        assert!(err.contains("sandbox reset --force"), "{err}");
        assert_eq!(std::fs::metadata(&file).unwrap().len(), 0, "never refilled");
    }
    std::fs::write(&file, "not a database, just a damaged file of some length").unwrap();
    let out = p.run(&["sandbox", "seed", "--tickets", "5", "--sandbox", "s.db"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("damaged"), "{}", stderr(&out));

    let out = p.run(&[
        "sandbox",
        "reset",
        "--force",
        "--tickets",
        "7",
        "--sandbox",
        "s.db",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("recreated with 7 demo tickets"),
        "{}",
        stdout(&out)
    );
    let out = p.run(&["sandbox", "seed", "--tickets", "3", "--sandbox", "s.db"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("added 3"), "{}", stdout(&out));
}

#[test]
fn two_processes_creating_one_new_sandbox_both_open_it() {
    let p = Project::new();
    let spawn = || {
        p.cmd(&["sandbox", "seed", "--tickets", "0", "--sandbox", "new/s.db"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let c = rusqlite::Connection::open(p.path().join("new/s.db")).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 500, "one complete sandbox with the default demo tickets");
    let stray: Vec<_> = std::fs::read_dir(p.path().join("new"))
        .unwrap()
        .filter_map(std::result::Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}
