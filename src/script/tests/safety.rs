//! Safety: timeouts, cancellation, limits and disabled language features.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::{host, messages, request, run};
use crate::backend::fake::FakeBackend;
use crate::script::{RunOptions, ScriptError};
use crate::state::RunStatus;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_infinite_loop_stops_at_the_timeout() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let o = run(
        &fake,
        "let n = 0;\nloop { n += 1; }\n",
        RunOptions {
            timeout: Some(Duration::from_millis(200)),
            ..RunOptions::default()
        },
    )
    .await;
    assert_eq!(o.status, RunStatus::TimedOut);
    let Some(ScriptError::Timeout(d)) = &o.error else {
        panic!("{:?}", o.error)
    };
    assert!(d.message.contains("timed out after 200ms"), "{}", d.message);
}

/// Issue 16, item 4: `--timeout 0` means no limit (as the help says), not "stop at once".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_timeout_means_no_limit() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let o = run(
        &fake,
        "let n = 0;\nwhile n < 20000 { n += 1; }\nprint(`done ${n}`);\n",
        RunOptions {
            timeout: Some(Duration::ZERO),
            ..RunOptions::default()
        },
    )
    .await;
    assert_eq!(o.status, RunStatus::Ok, "{:?}", o.error);
    assert!(
        o.log.iter().any(|l| l.message == "done 20000"),
        "{:?}",
        o.log
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_header_timeout_also_stops_a_sleep() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let o = run(
        &fake,
        "//! timeout = \"150ms\"\nsleep(3600);\n",
        RunOptions::default(),
    )
    .await;
    assert_eq!(o.status, RunStatus::TimedOut, "{:?}", o.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sleep_refuses_negative_non_finite_and_absurd_durations() {
    // Regression (issue 9): a negative sleep silently did nothing and NaN slept zero.
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    for (arg, want) in [
        ("-1", "seconds must be 0 or more, not -1"),
        ("-0.5", "finite number, 0 or more, not -0.5"),
        ("0.0 / 0.0", "finite number, 0 or more, not NaN"),
        ("1.0 / 0.0", "finite number, 0 or more, not inf"),
        ("9223372036854775807", "too long: at most 7days"),
        ("1e300", "too long"),
    ] {
        let o = run(
            &fake,
            &format!("let x = 1;\nsleep({arg});\n"),
            RunOptions::default(),
        )
        .await;
        assert_eq!(o.status, RunStatus::Failed, "{arg}");
        let e = o.error.as_ref().unwrap();
        assert_eq!(e.diagnostic().unwrap().line, Some(2), "{arg}");
        assert!(e.render().contains(want), "{arg}: {}", e.render());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_stops_a_script_blocked_in_a_host_call() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let req = request(
        "print(\"before\");\ntickets::get(\"block\");\nprint(\"after\");\n",
        RunOptions::default(),
    );
    let cancel = req.cancel.clone();
    let h = host(&fake);
    let task = tokio::spawn(async move { h.run(req).await });
    fake.entered.notified().await;
    cancel.cancel();
    let o = task.await.unwrap();
    assert_eq!(o.status, RunStatus::Cancelled);
    let e = o.error.as_ref().unwrap();
    assert_eq!(e.exit_code(), 130);
    assert_eq!(e.diagnostic().unwrap().line, Some(2));
    assert_eq!(messages(&o), vec!["info: before"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_cancelled_before_it_starts_does_not_run() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let req = request("print(\"ran\");", RunOptions::default());
    req.cancel.cancel();
    let o = host(&fake).run(req).await;
    assert_eq!(o.status, RunStatus::Cancelled);
    assert!(o.log.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safety_limits_end_runaway_scripts() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let o = run(
        &fake,
        "fn f(n) { f(n + 1) }\nf(0);\n",
        RunOptions::default(),
    )
    .await;
    assert!(
        matches!(o.error, Some(ScriptError::Limit(_))),
        "{:?}",
        o.error
    );
    let o = run(
        &fake,
        "let s = \"x\";\nloop { s += s; }\n",
        RunOptions::default(),
    )
    .await;
    assert!(
        matches!(o.error, Some(ScriptError::Limit(_))),
        "{:?}",
        o.error
    );
    let huge = "// padding\n".repeat(crate::script::limits::MAX_SCRIPT_BYTES / 10);
    let e = host(&fake).check(Path::new("t.rhai"), &huge).unwrap_err();
    assert!(matches!(e, ScriptError::Limit(_)), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eval_and_import_are_disabled() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let h = host(&fake);
    for src in ["eval(\"1 + 1\")", "import \"other\" as o;"] {
        let e = h.check(Path::new("t.rhai"), src).unwrap_err();
        assert!(matches!(e, ScriptError::Syntax(_)), "{src}: {e:?}");
    }
}
