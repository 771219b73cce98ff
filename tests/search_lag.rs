//! `--search-lag` (issue 12, item 5): a script that writes and then searches sees the old state
//! while the lag runs and the new one after it, on the embedded sandbox and through `serve`,
//! while reads by id see the write at once; a write by another process sharing the file lags
//! in `serve`'s search too. The lag is 30 s, so "not visible right after the write" cannot be
//! raced by a loaded machine; "visible after it" is waited for with a deadline.

use std::time::{Duration, Instant};

use crate::util::bin::{stderr, stdout, Project};

const LAG: &str = "30s";

/// How long the new state may take to show (the lag plus a generous margin for a loaded
/// machine: a bound against hangs, not a timing claim).
const DEADLINE: Duration = Duration::from_secs(150);

/// Creates a ticket, raises an existing ticket's priority, then searches for both at once and
/// reads the updated one by id. Writes are sent as they run (`apply = "immediate"`), as a rule
/// that writes then searches would on HubSpot.
const WRITE: &str = r#"
let old = tickets::search(#{ hs_ticket_priority: "LOW" }, #{ properties: ["hs_ticket_priority"], limit: 1 }).to_array()[0];
let t = tickets::create(#{ subject: `lag probe ${tag}` });
tickets::update(old.id, #{ hs_ticket_priority: "HIGH" });
let found = tickets::search(#{ subject: `lag probe ${tag}` }).to_array();
let seen = tickets::search(#{ hs_object_id: old.id }, #{ properties: ["hs_ticket_priority"] }).to_array();
print(`created=${t.id}`);
print(`updated=${old.id}`);
print(`created_found=${found.len()}`);
print(`search_priority=${seen[0].properties.hs_ticket_priority}`);
print(`get_priority=${tickets::get(old.id, #{ properties: ["hs_ticket_priority"] }).properties.hs_ticket_priority}`);
"#;

/// Searches for what WRITE did.
const LOOK: &str = r#"
let found = tickets::search(#{ subject: `lag probe ${tag}` }).to_array();
let seen = tickets::search(#{ hs_object_id: updated }, #{ properties: ["hs_ticket_priority"] }).to_array();
print(`created_found=${found.len()}`);
print(`search_priority=${seen[0].properties.hs_ticket_priority}`);
"#;

fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}\n{}", stdout(out), stderr(out));
    stdout(out)
}

fn value(out: &str, key: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in {out}"))
        .trim()
        .to_string()
}

fn script(p: &Project, name: &str, body: &str, vars: &[(&str, &str)]) {
    let mut head = "//! apply = \"immediate\"\n".to_string();
    for (k, v) in vars {
        head.push_str(&format!("let {k} = \"{v}\";\n"));
    }
    p.file(name, &format!("{head}{body}"));
}

/// Runs LOOK with `backend` until the search shows the writes, within [`DEADLINE`].
fn wait_until_visible(p: &Project, backend: &[&str], updated: &str) {
    let start = Instant::now();
    script(p, "look.rhai", LOOK, &[("tag", "t"), ("updated", updated)]);
    loop {
        let mut args = vec!["run", "look.rhai"];
        args.extend_from_slice(backend);
        let out = ok(&p.run(&args));
        if value(&out, "created_found") == "1" && value(&out, "search_priority") == "HIGH" {
            return;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "the writes never became searchable: {out}"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// WRITE's checks right after its writes: search shows the old state, GET the new one.
fn assert_lagging(out: &str) {
    assert_eq!(value(out, "created_found"), "0", "{out}");
    assert_eq!(value(out, "search_priority"), "LOW", "{out}");
    assert_eq!(value(out, "get_priority"), "HIGH", "{out}");
}

#[test]
fn a_script_on_the_sandbox_searches_the_old_state_until_the_lag_has_passed() {
    let p = Project::new();
    p.reset_sandbox(40);
    script(&p, "write.rhai", WRITE, &[("tag", "t")]);
    let lagging = ["--sandbox", "s.db", "--search-lag", LAG];
    let mut args = vec!["run", "write.rhai"];
    args.extend_from_slice(&lagging);
    let out = ok(&p.run(&args));
    assert_lagging(&out);
    wait_until_visible(&p, &lagging, &value(&out, "updated"));

    // Without the lag (the default) the same script sees its writes at once.
    script(&p, "write.rhai", WRITE, &[("tag", "u")]);
    let out = ok(&p.run(&["run", "write.rhai", "--sandbox", "s.db"]));
    assert_eq!(value(&out, "created_found"), "1", "{out}");
    assert_eq!(value(&out, "search_priority"), "HIGH", "{out}");
}

#[test]
fn serve_lags_its_search_for_its_own_writes_and_another_process_s() {
    let p = Project::new();
    p.reset_sandbox(40);
    let (mut server, url) = p.serve(&["--search-lag", LAG]);
    script(&p, "write.rhai", WRITE, &[("tag", "t")]);
    let out = ok(&p.run(&["run", "write.rhai", "--api", &url]));
    assert_lagging(&out);
    let updated = value(&out, "updated");

    // A write straight into the file by a process without a lag: serve's search lags it.
    script(&p, "other.rhai", WRITE, &[("tag", "o")]);
    let other = ok(&p.run(&["run", "other.rhai", "--sandbox", "s.db"]));
    assert_eq!(
        value(&other, "created_found"),
        "1",
        "its own search: {other}"
    );
    script(
        &p,
        "look_other.rhai",
        LOOK,
        &[("tag", "o"), ("updated", &value(&other, "updated"))],
    );
    let seen = ok(&p.run(&["run", "look_other.rhai", "--api", &url]));
    assert_eq!(value(&seen, "created_found"), "0", "{seen}");
    assert_eq!(value(&seen, "search_priority"), "LOW", "{seen}");

    wait_until_visible(&p, &["--api", &url], &updated);
    server.terminate(Duration::from_secs(30));
}

#[test]
fn a_lag_is_refused_for_a_server_backend() {
    let p = Project::new();
    p.file("noop.rhai", "print(1);");
    let out = p.run(&[
        "run",
        "noop.rhai",
        "--api",
        "http://127.0.0.1:9",
        "--search-lag",
        "5s",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--search-lag"), "{}", stderr(&out));
    let out = p.run(&[
        "run",
        "noop.rhai",
        "--sandbox",
        "s.db",
        "--search-lag",
        "30",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("30s"), "{}", stderr(&out));
}
