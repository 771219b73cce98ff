//! End-to-end proof of issue 5's triggers with the real binary, real files and the sandbox:
//! `hubscript daemon` runs a `* * * * * *` script every second, picks up edits without a
//! restart, keeps the last good version after a broken edit (and says where the error is),
//! stops a deleted script, and shuts down gracefully on SIGTERM; `hubscript watch` runs a script
//! once per save, a save by rename included; `hubscript schedule` lists fire times and reports
//! invalid headers.
//!
//! The binary runs as a child process in a temp project (`--sandbox s.db`, no token). Scripts
//! make themselves observable by printing a marker (script `print` goes to stderr as
//! `HH:MM:SS INFO  name: text`); the run history in `.hubscript/state.db` is checked too.
//! Deadlines are generous (the machine is a noisy 2-core box): the tests wait *for* events, and
//! never assert how fast something happened.

use std::path::Path;
use std::time::Duration;

use hubscript::state::{RunFilter, RunRecord, RunStatus, StateDb};

use crate::util::bin::{stderr, stdout, Project};
use crate::util::child::{Spawned, Stream};
use crate::util::wait::wait_for;

/// How long to wait for an expected event.
const WAIT: Duration = Duration::from_secs(30);
/// How long to wait for start-up (the first open of the sandbox seeds 500 demo tickets).
const START: Duration = Duration::from_secs(60);
/// The daemon's default grace period is 10 s; exit must come within it (plus slack).
const EXIT: Duration = Duration::from_secs(30);

fn every_second(body: &str) -> String {
    format!("//! schedule = \"* * * * * *\"\n{body}\n")
}

/// A predicate for the stderr line a script's `print(marker)` produces.
fn printed(script: &str, marker: &str) -> impl Fn(&str) -> bool {
    let needle = format!("INFO  {script}: {marker}");
    move |l: &str| l.contains(&needle)
}

fn start_daemon(p: &Project, extra: &[&str]) -> Spawned {
    let mut args = vec!["daemon", "scripts", "--sandbox", "s.db"];
    args.extend_from_slice(extra);
    let d = Spawned::spawn(p.cmd(&args));
    d.expect_line(Stream::Err, "daemon started", START);
    d
}

fn runs_of(p: &Project, script: &str) -> Vec<RunRecord> {
    let db = StateDb::open(&p.path().join(".hubscript/state.db")).unwrap();
    db.runs(&RunFilter {
        script: Some(script.into()),
        failed: false,
        limit: 10_000,
        ..RunFilter::default()
    })
    .unwrap()
}

fn stop_ok(d: &mut Spawned) {
    let status = d.terminate(EXIT);
    assert_eq!(status.code(), Some(0), "{}", d.dump());
    // Issue 16, item 8: the SIGTERM message names SIGTERM and does not mention Ctrl-C.
    assert!(
        d.count(Stream::Err, |l| l.contains("SIGTERM received")) == 1
            && d.count(Stream::Err, |l| l.contains("press Ctrl-C")) == 0,
        "{}",
        d.dump()
    );
    assert!(
        d.count(Stream::Err, |l| l.contains("daemon stopped")) == 1,
        "{}",
        d.dump()
    );
}

fn write(path: &Path, body: &str) {
    std::fs::write(path, body).unwrap();
}

#[test]
fn daemon_runs_an_every_second_script_every_second() {
    let p = Project::new();
    p.file("scripts/tick.rhai", &every_second(r#"print("tick-v1");"#));
    let mut d = start_daemon(&p, &[]);
    assert!(
        d.wait_count(Stream::Err, 3, WAIT, printed("tick", "tick-v1")),
        "fewer than 3 runs\n{}",
        d.dump()
    );
    stop_ok(&mut d);

    // One run per fire time: no fire time is used twice, and each fire is a different second.
    let fires: Vec<String> = d
        .matching(Stream::Err, |l| {
            l.contains(" fire ") && l.contains("script=tick")
        })
        .into_iter()
        .map(|l| l.text.split("fire=").nth(1).unwrap_or_default().to_string())
        .collect();
    let mut unique = fires.clone();
    unique.dedup();
    assert!(fires.len() >= 3, "{}", d.dump());
    assert_eq!(unique, fires, "a fire time ran twice\n{}", d.dump());

    // Every run is recorded, with trigger "schedule", and ended ok.
    let runs = runs_of(&p, "tick");
    let prints = d.count(Stream::Err, printed("tick", "tick-v1"));
    assert_eq!(runs.len(), prints, "{runs:?}");
    assert!(runs.iter().all(|r| r.trigger == "schedule"), "{runs:?}");
    assert!(runs.iter().all(|r| r.status == RunStatus::Ok), "{runs:?}");
    let listed = p.run(&["runs", "--script", "tick"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert!(stdout(&listed).contains("schedule"), "{}", stdout(&listed));
}

#[test]
fn daemon_edits_apply_from_the_next_run_and_broken_edits_keep_the_old_version() {
    let p = Project::new();
    let path = p.file("scripts/tick.rhai", &every_second(r#"print("tick-v1");"#));
    let mut d = start_daemon(&p, &[]);
    d.expect_line(Stream::Err, "tick: tick-v1", WAIT);

    // An edit takes effect without a restart, and once v2 ran, v1 never runs again.
    write(&path, &every_second(r#"print("tick-v2");"#));
    d.expect_line(Stream::Err, "tick: tick-v2", WAIT);
    let v1_before = d.count(Stream::Err, printed("tick", "tick-v1"));
    assert!(d.wait_count(Stream::Err, 2, WAIT, printed("tick", "tick-v2")));
    assert_eq!(d.count(Stream::Err, printed("tick", "tick-v1")), v1_before);

    // A syntax error (line 3, column 9) is reported with its position, and v2 keeps running.
    write(&path, &every_second("print(\"tick-v3\");\nlet x = ;"));
    d.expect_line(Stream::Err, "keeping the last good version running", WAIT);
    let error_at = d
        .lines()
        .iter()
        .position(|l| l.text.contains("keeping the last good version"))
        .unwrap();
    let report = d.dump();
    assert!(
        report.contains("tick.rhai:3:9"),
        "the error does not give line 3, column 9\n{report}"
    );
    let v2_after = |d: &Spawned| {
        d.lines()[error_at..]
            .iter()
            .filter(|l| printed("tick", "tick-v2")(&l.text))
            .count()
    };
    assert!(
        wait_for(WAIT, || v2_after(&d) >= 2),
        "v2 stopped after the broken edit\n{}",
        d.dump()
    );
    assert_eq!(d.count(Stream::Err, printed("tick", "tick-v3")), 0);

    // Regression: log lines on a pipe carry no ANSI colour codes (they did before: the
    // subscriber always coloured, which garbled log files and `journalctl`).
    let raw = d.raw(Stream::Err).join("\n");
    assert!(!raw.contains('\u{1b}'), "ANSI codes on a pipe:\n{raw}");
    stop_ok(&mut d);
}

#[test]
fn daemon_stops_running_a_deleted_script() {
    let p = Project::new();
    let gone = p.file("scripts/gone.rhai", &every_second(r#"print("gone-run");"#));
    p.file("scripts/stay.rhai", &every_second(r#"print("stay-run");"#));
    let mut d = start_daemon(&p, &[]);
    assert!(d.wait_count(Stream::Err, 2, WAIT, printed("gone", "gone-run")));

    std::fs::remove_file(&gone).unwrap();
    d.expect_line(Stream::Err, "unscheduled: file deleted", WAIT);
    // A run that had already started may still print; wait for the other script to run twice
    // after the unschedule, then take the count.
    let stay_then = d.count(Stream::Err, printed("stay", "stay-run"));
    assert!(d.wait_count(
        Stream::Err,
        stay_then + 2,
        WAIT,
        printed("stay", "stay-run")
    ));
    let gone_then = d.count(Stream::Err, printed("gone", "gone-run"));
    // Several seconds during which the other script keeps running (so the daemon is alive
    // and would have run the deleted one): no new run of the deleted script.
    let stay_mid = d.count(Stream::Err, printed("stay", "stay-run"));
    assert!(d.wait_count(Stream::Err, stay_mid + 3, WAIT, printed("stay", "stay-run")));
    assert_eq!(
        d.count(Stream::Err, printed("gone", "gone-run")),
        gone_then,
        "the deleted script still runs\n{}",
        d.dump()
    );
    stop_ok(&mut d);
}

#[test]
fn daemon_schedules_a_script_added_while_it_runs() {
    let p = Project::new();
    p.file(
        "scripts/first.rhai",
        &every_second(r#"print("first-run");"#),
    );
    let mut d = start_daemon(&p, &[]);
    d.expect_line(Stream::Err, "first: first-run", WAIT);
    // Added the way editors save: a temporary file renamed into place.
    let tmp = p.path().join("scripts/.later.swp");
    write(&tmp, &every_second(r#"print("later-run");"#));
    std::fs::rename(&tmp, p.path().join("scripts/later.rhai")).unwrap();
    assert!(
        d.wait_count(Stream::Err, 2, WAIT, printed("later", "later-run")),
        "the new script was not scheduled\n{}",
        d.dump()
    );
    stop_ok(&mut d);
}

#[test]
fn sigterm_lets_a_running_run_finish_within_the_grace_period() {
    let p = Project::new();
    p.file(
        "scripts/slow.rhai",
        "//! schedule = \"* * * * * *\"\nprint(\"slow-begin\");\nsleep(2);\nprint(\"slow-end\");\n",
    );
    let mut d = start_daemon(&p, &[]);
    d.expect_line(Stream::Err, "slow: slow-begin", WAIT);
    d.sigterm();
    let status = d.wait_exit(EXIT).expect("exit within the grace period");
    assert_eq!(status.code(), Some(0), "{}", d.dump());
    let out = d.dump();
    assert!(
        out.contains("slow: slow-end"),
        "the run was not let finish\n{out}"
    );
    assert!(out.contains("daemon stopped"), "{out}");
    // No new run started after the signal: every begin has its end.
    assert_eq!(
        d.count(Stream::Err, printed("slow", "slow-begin")),
        d.count(Stream::Err, printed("slow", "slow-end")),
        "{out}"
    );
    let runs = runs_of(&p, "slow");
    assert!(runs.iter().all(|r| r.status == RunStatus::Ok), "{runs:?}");
}

#[test]
fn sigterm_cancels_a_run_that_outlasts_the_grace_period() {
    let p = Project::new();
    p.file(
        "scripts/stuck.rhai",
        "//! schedule = \"* * * * * *\"\nprint(\"stuck-begin\");\nsleep(600);\nprint(\"stuck-end\");\n",
    );
    let mut d = start_daemon(&p, &["--grace", "1s"]);
    d.expect_line(Stream::Err, "stuck: stuck-begin", WAIT);
    d.sigterm();
    let status = d.wait_exit(EXIT).expect("exit soon after the 1 s grace");
    assert_eq!(status.code(), Some(0), "{}", d.dump());
    assert_eq!(d.count(Stream::Err, printed("stuck", "stuck-end")), 0);
    let runs = runs_of(&p, "stuck");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].status, RunStatus::Cancelled, "{runs:?}");
    assert!(runs[0].ended_at.is_some(), "{runs:?}");
}

fn start_watch(p: &Project) -> Spawned {
    let w = Spawned::spawn(p.cmd(&["watch", "w", "--sandbox", "s.db"]));
    w.expect_line(Stream::Err, "watching for changes", START);
    w
}

/// Run summaries of `script` on stderr (`a: ok — ...`; log lines start with a time).
fn summaries(w: &Spawned, script: &str) -> usize {
    let prefix = format!("{script}: ");
    w.count(Stream::Err, |l| l.starts_with(&prefix))
}

/// Saves `w/clock.rhai` and waits for its run: every file event before the save (say, a
/// duplicate event of an earlier save) has then been handled. Used instead of sleeping.
fn tick(p: &Project, w: &Spawned, n: usize) {
    write(
        &p.path().join("w/clock.rhai"),
        &format!("print(\"tick-{n}\");\n"),
    );
    // `watch` prints a script's `print` lines plain on stdout, its summary on stderr.
    w.expect_line(Stream::Out, &format!("tick-{n}"), WAIT);
    assert!(w.wait_count(Stream::Err, n, WAIT, |l| l.starts_with("clock: ")));
}

#[test]
fn watch_runs_a_script_once_per_save_including_a_save_by_rename() {
    let p = Project::new();
    let path = p.file("w/a.rhai", "print(\"save-0\");\n");
    let mut w = start_watch(&p);

    // A plain write: exactly one run, and still one a while after the debounce.
    write(&path, "print(\"save-1\");\n");
    w.expect_line(Stream::Out, "save-1", WAIT);
    assert!(w.wait_count(Stream::Err, 1, WAIT, |l| l.starts_with("a: ")));
    tick(&p, &w, 1);
    assert_eq!(summaries(&w, "a"), 1, "{}", w.dump());

    // A save by rename (write a temporary file, then rename it over the script): one run.
    let tmp = p.path().join("w/a.rhai.tmp~");
    write(&tmp, "print(\"save-2\");\n");
    std::fs::rename(&tmp, &path).unwrap();
    w.expect_line(Stream::Out, "save-2", WAIT);
    assert!(w.wait_count(Stream::Err, 2, WAIT, |l| l.starts_with("a: ")));
    tick(&p, &w, 2);
    assert_eq!(summaries(&w, "a"), 2, "{}", w.dump());
    assert_eq!(w.count(Stream::Out, |l| l == "save-0"), 0);

    let status = w.terminate(EXIT);
    assert_eq!(status.code(), Some(0), "{}", w.dump());
    let runs = runs_of(&p, "a");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(runs.iter().all(|r| r.trigger == "watch"), "{runs:?}");
}

#[test]
fn schedule_prints_the_next_five_fire_times_and_reports_invalid_headers() {
    let p = Project::new();
    p.file(
        "scripts/morning.rhai",
        "//! description = \"weekday mornings\"\n//! schedule = \"0 9 * * MON-FRI\"\n//! timezone = \"Europe/Berlin\"\nlet a = 1;\n",
    );
    p.file("scripts/plain.rhai", "let b = 2;\n");
    let ok = p.run(&["schedule", "scripts"]);
    let text = stdout(&ok);
    assert_eq!(ok.status.code(), Some(0), "{text}{}", stderr(&ok));
    assert!(text.contains("morning.rhai"), "{text}");
    assert!(!text.contains("plain.rhai"), "{text}");
    let next: Vec<&str> = text.lines().filter(|l| l.contains("next: ")).collect();
    assert_eq!(next.len(), 5, "{text}");
    assert!(next.iter().all(|l| l.contains(" 09:00:00 +0")), "{text}");
    let mut sorted = next.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, next, "fire times out of order\n{text}");

    p.file(
        "scripts/bad.rhai",
        "//! schedule = \"61 * * * *\"\nlet c = 3;\n",
    );
    let bad = p.run(&["schedule", "scripts"]);
    let text = stdout(&bad);
    assert_eq!(bad.status.code(), Some(2), "{text}{}", stderr(&bad));
    assert!(text.contains("bad.rhai  INVALID"), "{text}");
    assert!(text.contains("morning.rhai"), "{text}");
    assert!(stderr(&bad).contains("invalid header"), "{}", stderr(&bad));
}

/// Issue 16, item 8: the daemon says which scripts it ignored (no `schedule`) and warns when it
/// has nothing to do.
#[test]
fn the_daemon_names_ignored_scripts_and_warns_when_idle() {
    let p = Project::new();
    p.file("scripts/plain.rhai", "let b = 2;\n");
    let mut d = start_daemon(&p, &[]);
    d.expect_line(Stream::Err, "nothing to do yet", WAIT);
    assert_eq!(
        d.count(Stream::Err, |l| l
            .contains("ignored: its header has no `schedule`")
            && l.contains("plain.rhai")),
        1,
        "{}",
        d.dump()
    );
    stop_ok(&mut d);
}
