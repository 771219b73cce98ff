//! Issue 9, item 6 and 4 with the real binary: run history that survives crashes (a run whose
//! process was killed is marked `interrupted` by the next start; a run that cannot be recorded
//! says so and fails), and absurd durations refused as usage or header errors.

use std::time::Duration;

use hubscript::state::{RunFilter, RunRecord, RunStatus, StateDb};

use crate::util::bin::{stderr, stdout, Project};
use crate::util::child::{Spawned, Stream};

/// Start-up, seeding the sandbox included, on a noisy 2-core box.
const START: Duration = Duration::from_secs(60);

fn state(p: &Project) -> StateDb {
    StateDb::open(&p.path().join(".hubscript/state.db")).unwrap()
}

fn all_runs(p: &Project) -> Vec<RunRecord> {
    state(p)
        .runs(&RunFilter {
            limit: 0,
            ..RunFilter::default()
        })
        .unwrap()
}

#[test]
fn a_run_killed_hard_is_marked_interrupted_at_the_next_start() {
    let p = Project::new();
    p.file("slow.rhai", "print(\"started\");\nsleep(600);\n");
    p.file("quick.rhai", "print(\"hi\");\n");
    let mut run = Spawned::spawn(p.cmd(&["run", "slow.rhai", "--sandbox", "s.db"]));
    run.expect_line(Stream::Out, "started", START);
    let pid = run.pid();
    let running = all_runs(&p);
    assert_eq!(running[0].status, RunStatus::Running);
    assert_eq!(running[0].pid, Some(pid));
    run.sigkill();
    run.wait_exit(Duration::from_secs(10)).expect("killed");

    let o = p.run(&["run", "quick.rhai", "--sandbox", "s.db"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = running[0].id;
    assert!(
        stderr(&o).contains(&format!(
            "1 run(s) left running by a process that no longer exists marked interrupted: {id}"
        )),
        "{}",
        stderr(&o)
    );
    let r = state(&p).run(id).unwrap().unwrap();
    assert_eq!(r.status, RunStatus::Interrupted);
    let why = r.error.unwrap();
    assert!(why.contains(&format!("process {pid} on ")), "{why}");
    assert!(why.contains("found at "), "{why}");
    let listed = stdout(&p.run(&["runs", "--failed"]));
    assert!(listed.contains("interrupted"), "{listed}");
}

#[test]
fn a_run_that_cannot_be_recorded_says_so_and_exits_1() {
    let p = Project::new();
    p.file(
        "job.rhai",
        "print(\"started\");\nsleep(1);\nprint(\"done\");\n",
    );
    let mut run = Spawned::spawn(p.cmd(&["run", "job.rhai", "--sandbox", "s.db"]));
    run.expect_line(Stream::Out, "started", START);
    // Another process holds the write lock past the store's 5 s busy timeout, so the end of
    // the run cannot be written.
    let lock = rusqlite::Connection::open(p.path().join(".hubscript/state.db")).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    let status = run.wait_exit(Duration::from_secs(60)).expect("run ends");
    lock.execute_batch("COMMIT;").unwrap();
    assert_eq!(status.code(), Some(1), "{}", run.dump());
    assert_eq!(
        run.count(Stream::Err, |l| l.contains(
            "error: job: this run is missing from the run history: cannot record the end of run"
        ) && l
            .contains("state file .hubscript/state.db")),
        1,
        "{}",
        run.dump()
    );
}

#[test]
fn absurd_durations_are_usage_and_header_errors() {
    let p = Project::new();
    p.file("a.rhai", "let x = 1;\n");
    let o = p.run(&[
        "run",
        "a.rhai",
        "--sandbox",
        "s.db",
        "--timeout",
        "18446744073709551615s",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("too long: at most 7days"),
        "{}",
        stderr(&o)
    );
    let o = p.run(&["daemon", "--grace", "99999999999999s", "--sandbox", "s.db"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    p.file(
        "h.rhai",
        "//! description = \"x\"\n//! timeout = \"18446744073709551615s\"\nlet x = 1;\n",
    );
    let o = p.run(&["check", "h.rhai"]);
    assert_ne!(o.status.code(), Some(0));
    let err = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        err.contains("h.rhai:2") && err.contains("too long"),
        "{err}"
    );
    let o = p.run(&["run", "h.rhai", "--sandbox", "s.db"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_run_past_its_memory_budget_stops_at_its_line_and_is_recorded() {
    // Regression (issue 9): 400 variables of 3 MB each grew the process to 1.2 GB. Here 120
    // variables of 1 MiB, all declared on line 4, against a 64 MiB budget (the flag overrides
    // the header). (Logging a big string in a loop no longer grows memory at all: the run log
    // is bounded, see data_limits.)
    let p = Project::new();
    let lets: String = (0..120).map(|i| format!("let v{i} = s + {i}; ")).collect();
    p.file(
        "big.rhai",
        &format!("//! memory = \"1GiB\"\nlet s = \"x\";\nfor i in 0..20 {{ s += s; }}\n{lets}\n"),
    );
    let o = p.run(&[
        "run",
        "big.rhai",
        "--sandbox",
        "s.db",
        "-q",
        "--memory",
        "64MiB",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("big.rhai:4") && err.contains("memory limit of 64 MiB reached"),
        "{err}"
    );
    let runs = all_runs(&p);
    assert_eq!(runs[0].status, RunStatus::Failed);
    assert!(runs[0]
        .error
        .as_deref()
        .unwrap_or_default()
        .contains("memory limit of 64 MiB reached"));
}
