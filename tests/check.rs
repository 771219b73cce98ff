//! `check` catches what it can know before a run, and `run` refuses the same (issue 16, item 2):
//! every header error of a file in one pass, a bad cron expression for both commands, calls to
//! API functions that do not exist or take other arguments, with the nearest name.

use crate::util::bin::{stderr, stdout, Project};

#[test]
fn check_lists_every_header_error_of_a_file_in_one_pass() {
    let p = Project::new();
    p.file(
        "bad.rhai",
        "//! schedule = \"*/5 * *\"\n//! overlap = \"sometimes\"\n//! timezone = \"Mars/Olympus\"\n//! schedul = \"@hourly\"\nprint(1);\n",
    );
    p.file("good.rhai", "//! description = \"fine\"\nprint(1);\n");
    let out = p.run(&["check", "bad.rhai", "good.rhai"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for (line, what) in [
        (1, "invalid cron expression \"*/5 * *\""),
        (2, "unknown variant `sometimes`"),
        (3, "unknown time zone \"Mars/Olympus\""),
        (4, "unknown field `schedul`"),
    ] {
        assert!(
            err.contains(&format!("error at bad.rhai:{line}:1\n")),
            "line {line}: {err}"
        );
        assert!(err.contains(what), "{what}: {err}");
    }
    assert!(err.contains("(did you mean `schedule`?)"), "{err}");
    let out_text = stdout(&out);
    assert!(out_text.contains("FAILED  bad.rhai"), "{out_text}");
    assert!(out_text.contains("ok      good.rhai"), "{out_text}");
}

#[test]
fn run_refuses_a_header_exactly_as_check_does() {
    let p = Project::new();
    p.file(
        "cron.rhai",
        "//! schedule = \"61 * * * *\"\nprint(\"ran anyway\");\n",
    );
    let check = p.run(&["check", "cron.rhai"]);
    let run = p.run(&["run", "cron.rhai", "--sandbox", "s.db"]);
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert_eq!(run.status.code(), Some(2), "{}", stderr(&run));
    assert!(!stdout(&run).contains("ran anyway"), "{}", stdout(&run));
    for out in [&check, &run] {
        assert!(
            stderr(out).contains("error at cron.rhai:1:1\n")
                && stderr(out).contains("invalid cron expression \"61 * * * *\""),
            "{}",
            stderr(out)
        );
    }
}

#[test]
fn check_refuses_unknown_api_functions_and_wrong_arity_with_did_you_mean() {
    let p = Project::new();
    p.file(
        "typos.rhai",
        "let found = tickets::serch(#{ limit: 1 });\nlog::inf(\"hello\");\nfn helper() {\n    tickets::get()\n}\nlet x = ago(\"1h\");\n",
    );
    let out = p.run(&["check", "typos.rhai"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error at typos.rhai:1:13\n")
            && err.contains("unknown function `tickets::serch` (did you mean `tickets::search`?)"),
        "{err}"
    );
    assert!(
        err.contains("error at typos.rhai:2:1\n")
            && err.contains("unknown function `log::inf` (did you mean `log::info`?)"),
        "{err}"
    );
    assert!(
        err.contains("error at typos.rhai:4:5\n") && err.contains("`tickets::get` takes "),
        "{err}"
    );
    // The same script is refused by `run` before it reads or writes anything.
    let run = p.run(&["run", "typos.rhai", "--sandbox", "s.db"]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("unknown function `tickets::serch`"),
        "{}",
        stderr(&run)
    );
}
