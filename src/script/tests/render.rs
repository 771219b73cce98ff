//! Snapshot tests of the caret rendering: a runtime error, a syntax error, an error inside a
//! nested script function, and a header error.

use std::path::Path;
use std::sync::Arc;

use super::{host, run};
use crate::backend::fake::FakeBackend;
use crate::script::RunOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_runtime_error_points_at_the_spot() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let o = run(
        &fake,
        "let x = 1;\nlet y = x + \"a\" * 2;\n",
        RunOptions::default(),
    )
    .await;
    let r = o.error.unwrap().render();
    assert_eq!(
        r,
        "error at t.rhai:2:17\n  |\n2 | let y = x + \"a\" * 2;\n  |                 ^ Function not found: * (&str | ImmutableString | String, i64)\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_syntax_error_points_at_the_spot() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let e = host(&fake)
        .check(Path::new("t.rhai"), "let x = 1;\nlet y = (x + ;\n")
        .unwrap_err();
    assert_eq!(
        e.render(),
        "error at t.rhai:2:14\n  |\n2 | let y = (x + ;\n  |              ^ Unexpected ';'\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_in_a_nested_function_shows_the_call_chain() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let src = "fn inner(id) {\n\ttickets::get(id)\n}\nfn outer(id) {\n    inner(id)\n}\nouter(\"999\");\n";
    let o = run(&fake, src, RunOptions::default()).await;
    let r = o.error.unwrap().render();
    let r = r.replace(
        r.split("correlationId ")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .unwrap_or("-"),
        "ID",
    );
    assert_eq!(
        r,
        "error at t.rhai:2:2\n  |\n2 |     tickets::get(id)\n  |     ^ HubSpot 404 OBJECT_NOT_FOUND: Object not found. objectId are usually numeric. id=999 (correlationId ID)\n  = in call to fn `inner` at t.rhai:5:5\n  = in call to fn `outer` at t.rhai:7:1\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_error_names_its_line() {
    let fake = Arc::new(FakeBackend::numbered(1, 10));
    let e = host(&fake)
        .check(
            Path::new("t.rhai"),
            "//! description = \"x\"\n//! colour = 1\nprint(1);\n",
        )
        .unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert_eq!(
        e.render(),
        "error at t.rhai:2:1\n  |\n2 | //! colour = 1\n  | ^ unknown field `colour`, expected one of `description`, `schedule`, `timezone`, `overlap`, `catch_up`, `jitter`, `timeout`, `max_writes`, `apply`, `memory`, `calendar`, `http`, `env`, `on`, `reenroll`, `self_trigger`\n"
    );
}
