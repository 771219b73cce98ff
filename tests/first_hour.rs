//! The numbers a newcomer compares (issue 16, items 4 and 5): a dry run and a real run of one
//! script read the same number of tickets, a ticket created then updated is one changed ticket
//! (for `--max-writes` and the summary), a dry run's history does not say "written", and a
//! dry-run create answers with the properties the backend fills in.

use crate::util::bin::{stderr, stdout, Project};

/// Runs `script` against the project's `s.db` with `extra` arguments; returns (exit code,
/// stdout, stderr).
fn run(p: &Project, script: &str, extra: &[&str]) -> (Option<i32>, String, String) {
    let mut args = vec!["run", script, "--sandbox", "s.db"];
    args.extend_from_slice(extra);
    let out = p.run(&args);
    (out.status.code(), stdout(&out), stderr(&out))
}

/// The summary line of a run (`name: ok — ...`).
fn summary<'a>(err: &'a str, name: &str) -> &'a str {
    err.lines()
        .rev()
        .find(|l| l.starts_with(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no summary line for {name}: {err}"))
}

const IMMEDIATE: &str = "//! apply = \"immediate\"\n";

#[test]
fn a_dry_run_create_answers_with_what_the_backend_fills_in() {
    let p = Project::new();
    p.reset_sandbox(3);
    let body = "let t = tickets::create(#{ subject: \"printer on fire\", hs_ticket_priority: \"HIGH\" });\nlet keys = t.properties.keys();\nkeys.sort();\nprint(keys);\nprint(`stage=${t.properties.hs_pipeline_stage} pipeline=${t.properties.hs_pipeline} created=${t.properties.createdate != ()}`);\n";
    p.file("dry.rhai", body);
    p.file("real.rhai", &format!("{IMMEDIATE}{body}"));
    let (code, dry, err) = run(&p, "dry.rhai", &["--dry-run"]);
    assert_eq!(code, Some(0), "{err}");
    let (code, real, err) = run(&p, "real.rhai", &[]);
    assert_eq!(code, Some(0), "{err}");
    // The same property names, and the same defaults, whether the create was sent or planned.
    assert_eq!(dry, real);
    assert!(dry.contains("stage=1 pipeline=0 created=true"), "{dry}");
    assert!(dry.contains("\"createdate\""), "{dry}");
}

#[test]
fn a_created_then_updated_ticket_is_one_changed_ticket() {
    let p = Project::new();
    p.reset_sandbox(3);
    let body = "let t = tickets::create(#{ subject: \"new\" });\ntickets::update(t.id, #{ hs_ticket_priority: \"HIGH\" });\n";
    p.file("planned.rhai", body);
    p.file("immediate.rhai", &format!("{IMMEDIATE}{body}"));
    // Regression: the update was refused as "ticket number 2 of this run".
    let (code, _, err) = run(&p, "planned.rhai", &["--dry-run", "--max-writes", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        summary(&err, "planned").contains("would write 1 (dry run)"),
        "{err}"
    );
    let (code, _, err) = run(&p, "planned.rhai", &["--max-writes", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(summary(&err, "planned").contains("wrote 1,"), "{err}");
    let (code, _, err) = run(&p, "immediate.rhai", &["--max-writes", "1"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(summary(&err, "immediate").contains("wrote 1,"), "{err}");
}

#[test]
fn read_counts_agree_between_dry_and_real_runs_and_dry_history_says_would() {
    let p = Project::new();
    p.reset_sandbox(6);
    // Reads 2 tickets, then updates two others it never read: their look-ups (for the plan's
    // old values) are not tickets the script read.
    let body = "let found = tickets::search(#{ limit: 2, sorts: [\"hs_object_id\"] });\nfor t in found { print(t.id); }\ntickets::update(\"5\", #{ subject: \"five\" });\ntickets::update_many([#{ id: \"6\", properties: #{ subject: \"six\" } }]);\n";
    p.file("dry.rhai", body);
    p.file("real.rhai", &format!("{IMMEDIATE}{body}"));
    let (code, _, dry_err) = run(&p, "dry.rhai", &["--dry-run"]);
    assert_eq!(code, Some(0), "{dry_err}");
    let (code, _, real_err) = run(&p, "real.rhai", &[]);
    assert_eq!(code, Some(0), "{real_err}");
    assert!(
        summary(&dry_err, "dry").starts_with("dry: ok — read 2 tickets, would write 2"),
        "{dry_err}"
    );
    assert!(
        summary(&real_err, "real").starts_with("real: ok — read 2 tickets, wrote 2"),
        "{real_err}"
    );
    // The dry run's history entry says what it would have written, never "written".
    let show = p.run(&["runs", "show", "1"]);
    let text = stdout(&show);
    assert!(text.contains("(run, dry run)"), "{text}");
    assert!(
        text.contains("tickets  2 read, would write 2 (dry run: nothing written)"),
        "{text}"
    );
    let list = stdout(&p.run(&["runs"]));
    assert!(list.contains("0 (would 2)"), "{list}");
}

/// Runs `script` against a served sandbox at `url` (a token set, as against a portal).
fn run_against(p: &Project, script: &str, url: &str) -> (Option<i32>, String, String) {
    let mut cmd = p.cmd(&["run", script, "--api", url]);
    cmd.env("HUBSPOT_ACCESS_TOKEN", "pat-na1-test");
    let out = cmd.output().unwrap();
    (out.status.code(), stdout(&out), stderr(&out))
}

/// Issue 16, item 3: a rate-limited run says so at default verbosity (one status line per
/// wait), and the summary counts the retries and the 429 waits.
#[test]
fn rate_limit_waits_show_a_status_line_and_are_counted() {
    let p = Project::new();
    p.reset_sandbox(3);
    // Every request is refused with a 429: the client waits and retries until its budget
    // (5 retries) is spent.
    let (_server, url) = p.serve(&["--faults", "429=1"]);
    p.file("get.rhai", "let t = tickets::get(\"1\");\nprint(t.id);\n");
    let (code, _, err) = run_against(&p, "get.rhai", &url);
    assert_eq!(code, Some(1), "{err}");
    let status_lines = err
        .lines()
        .filter(|l| l.contains("INFO") && l.contains("429 rate limited: retrying GET"))
        .count();
    assert_eq!(status_lines, 5, "{err}");
    assert!(
        summary(&err, "get").contains("5 retries, 5 rate-limit waits"),
        "{err}"
    );
}

/// Issue 16, item 3: a server slower than 5 s gets a status line instead of silence.
#[test]
fn a_slow_server_gets_a_status_line() {
    let p = Project::new();
    p.reset_sandbox(3);
    // Every answer takes 6 s: the 5 s status line always comes first.
    let (_server, url) = p.serve(&["--faults", "latency=6s"]);
    p.file("get.rhai", "let t = tickets::get(\"1\");\nprint(t.id);\n");
    let (code, out, err) = run_against(&p, "get.rhai", &url);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "1");
    assert!(
        err.contains("slow server: GET /crm/v3/objects/tickets/1 has not answered after 5s"),
        "{err}"
    );
}

/// Issue 16, item 3: a search on an enumeration with a value that is not an option warns
/// with the right casing; a misspelled property gets the nearest name, in searches and writes.
#[test]
fn wrong_option_casing_and_misspelled_properties_get_hints() {
    let p = Project::new();
    p.reset_sandbox(5);
    p.file(
        "hints.rhai",
        "let n = 0;\nfor t in tickets::search(#{ hs_ticket_priority: \"high\" }) { n += 1; }\nprint(`found ${n}`);\nfor t in tickets::search(#{ hs_ticket_priorty: \"HIGH\" }) { n += 1; }\n",
    );
    let (code, out, err) = run(&p, "hints.rhai", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(out.starts_with("found 0\n"), "{out}");
    assert!(
        err.contains("WARN  hints: tickets::search: `high` is not an option of `hs_ticket_priority`, so it matches no ticket: option values are compared exactly (did you mean `HIGH`?)"),
        "{err}"
    );
    assert!(
        err.contains("WARN  hints: tickets::search: tickets have no property `hs_ticket_priorty` (did you mean `hs_ticket_priority`?)"),
        "{err}"
    );
    p.file(
        "write.rhai",
        "tickets::update(\"1\", #{ hs_ticket_priorty: \"HIGH\" });\n",
    );
    let (code, _, err) = run(&p, "write.rhai", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("WARN  write: tickets have no property `hs_ticket_priorty` (did you mean `hs_ticket_priority`?)"),
        "{err}"
    );
}

const WAIT: std::time::Duration = std::time::Duration::from_secs(30);
const START: std::time::Duration = std::time::Duration::from_secs(60);

/// Whether `line` is a log line in the one format of run, watch and daemon:
/// `HH:MM:SS LEVEL text`, the level padded to 5.
fn log_line(line: &str, level: &str, text: &str) -> bool {
    let b = line.as_bytes();
    b.len() > 9
        && b[..8].iter().enumerate().all(|(i, c)| {
            if i == 2 || i == 5 {
                *c == b':'
            } else {
                c.is_ascii_digit()
            }
        })
        && line[8..].starts_with(&format!(" {level:5} {text}"))
}

/// Issue 16, item 8: `watch --run-now` runs every watched script once at start, reacts to a
/// `touch`, and logs in the one format (hubscript's lines and the script's alike).
#[test]
fn watch_runs_now_reacts_to_touch_and_logs_in_one_format() {
    use crate::util::child::{Spawned, Stream};
    let p = Project::new();
    p.reset_sandbox(2);
    let a = p.file("w/a.rhai", "log::info(\"a-log\");\nprint(\"a-ran\");\n");
    p.file("w/sub/b.rhai", "print(\"b-ran\");\n");
    let mut w = Spawned::spawn(p.cmd(&["watch", "w", "--run-now", "--sandbox", "s.db"]));
    w.expect_line(Stream::Err, "watching for changes", START);
    // Both scripts ran once without any change.
    w.expect_line(Stream::Out, "a-ran", WAIT);
    w.expect_line(Stream::Out, "b-ran", WAIT);
    // `touch`: only the modification time changes.
    let f = std::fs::File::options().write(true).open(&a).unwrap();
    f.set_modified(std::time::SystemTime::now()).unwrap();
    drop(f);
    assert!(
        w.wait_count(Stream::Out, 2, WAIT, |l| l == "a-ran"),
        "touch did not rerun a.rhai\n{}",
        w.dump()
    );
    let err = w.raw(Stream::Err);
    assert!(
        err.iter()
            .any(|l| log_line(l, "INFO", "watching for changes")),
        "{err:?}"
    );
    assert!(
        err.iter().any(|l| log_line(l, "INFO", "a: a-log")),
        "{err:?}"
    );
    let status = w.terminate(WAIT);
    assert_eq!(status.code(), Some(0), "{}", w.dump());
}

/// Issue 16, item 8: RUST_LOG filters a script's log lines as it filters hubscript's own
/// (target `script`), as the help says.
#[test]
fn rust_log_filters_script_log_lines() {
    let p = Project::new();
    p.reset_sandbox(2);
    p.file(
        "lg.rhai",
        "log::info(\"info-line\");\ndebug(\"debug-line\");\nlog::warn(\"warn-line\");\n",
    );
    let with = |filter: &str| {
        let mut cmd = p.cmd(&["run", "lg.rhai", "--sandbox", "s.db"]);
        cmd.env("RUST_LOG", filter);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        stderr(&out)
    };
    let warn = with("warn");
    assert!(warn.contains("warn-line"), "{warn}");
    assert!(!warn.contains("info-line"), "{warn}");
    let debug = with("info,script=debug");
    assert!(
        debug.contains("info-line") && debug.contains("debug-line"),
        "{debug}"
    );
    let default = p.run(&["run", "lg.rhai", "--sandbox", "s.db"]);
    let default = stderr(&default);
    assert!(
        default.contains("info-line") && !default.contains("debug-line"),
        "{default}"
    );
}

/// Issue 16, item 6: the plan table fits the terminal (long values cut with an ellipsis, full
/// values in --json) and shows stage and owner labels next to their ids.
#[test]
fn the_plan_table_fits_the_terminal_and_labels_stages_and_owners() {
    let p = Project::new();
    p.reset_sandbox(3);
    let long = "A really long subject line that goes on and on past any reasonable terminal width";
    p.file(
        "tbl.rhai",
        &format!("tickets::update(\"1\", #{{ hs_pipeline_stage: \"3\", subject: \"{long}\" }});\ntickets::update(\"2\", #{{ hubspot_owner_id: \"52550154\" }});\n"),
    );
    let mut cmd = p.cmd(&["run", "tbl.rhai", "--dry-run", "--sandbox", "s.db"]);
    cmd.env("COLUMNS", "80");
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let table: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with(['┌', '│', '╞', '└']))
        .collect();
    assert!(table.len() >= 5, "{err}");
    for l in &table {
        assert!(l.chars().count() <= 80, "wider than 80: {l}\n{err}");
    }
    assert!(err.contains("Waiting on us (3)"), "{err}");
    assert!(err.contains("Bruno Costa (525"), "{err}");
    assert!(
        err.contains("A really long su") && err.contains('…'),
        "{err}"
    );
    assert!(!err.contains(long), "{err}");
    // --json keeps every value whole.
    let mut cmd = p.cmd(&[
        "run",
        "tbl.rhai",
        "--dry-run",
        "--json",
        "--sandbox",
        "s.db",
    ]);
    cmd.env("COLUMNS", "80");
    let out = cmd.output().unwrap();
    assert!(stdout(&out).contains(long), "{}", stdout(&out));
}
