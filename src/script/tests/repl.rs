//! The REPL session: state kept between inputs, errors that do not end the session.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::host;
use crate::backend::fake::FakeBackend;
use crate::script::{ReplSession, RunOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repl_session_keeps_variables_and_functions_and_survives_errors() {
    let fake = Arc::new(FakeBackend::numbered(2, 10));
    let h = host(&fake);
    let out = tokio::task::spawn_blocking(move || {
        let mut s = h.repl(RunOptions {
            dry_run: true,
            ..RunOptions::default()
        });
        let mut out = Vec::new();
        let eval = |s: &mut ReplSession, line: &str| match s.eval(line, CancellationToken::new()) {
            Ok(v) => format!("{v:?}"),
            Err(e) => format!("error: {}", e.kind()),
        };
        out.push(eval(&mut s, "let t = tickets::get(\"1\");"));
        out.push(eval(
            &mut s,
            "fn prio(t) { t.properties.hs_ticket_priority }",
        ));
        out.push(eval(&mut s, "prio(t)"));
        out.push(eval(&mut s, "tickets::get(\"999\")"));
        out.push(eval(
            &mut s,
            "tickets::update(t.id, #{ subject: \"x\" }).properties.subject",
        ));
        out.push(format!("{}", s.needs_more_input("if true {")));
        out.push(format!("{}", s.take_plan().entries.len()));
        out
    })
    .await
    .unwrap();
    assert_eq!(
        out,
        vec![
            "None",
            "None",
            "Some(\"\\\"HIGH\\\"\")",
            "error: hubspot",
            "Some(\"\\\"x\\\"\")",
            "true",
            "1"
        ]
    );
    assert_eq!(fake.writes(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repl_input_that_writes_is_recorded_and_one_that_reads_is_not() {
    let fake = Arc::new(FakeBackend::numbered(2, 10));
    let h = host(&fake);
    let state = h.state().clone();
    tokio::task::spawn_blocking(move || {
        let mut s = h.repl(RunOptions::default());
        s.eval("tickets::get(\"1\")", CancellationToken::new())
            .unwrap();
        s.eval(
            "tickets::update(\"2\", #{ subject: \"from the prompt\" });",
            CancellationToken::new(),
        )
        .unwrap();
    })
    .await
    .unwrap();
    let runs = state.runs(&crate::state::RunFilter::default()).unwrap();
    assert_eq!(runs.len(), 1, "only the input that wrote: {runs:#?}");
    let run = state.run(runs[0].id).unwrap().unwrap();
    assert_eq!(
        (run.script.as_str(), run.trigger.as_str()),
        ("repl", "repl")
    );
    assert_eq!(run.changes.len(), 1);
    assert_eq!(run.changes[0].ticket, "2");
    assert_eq!(run.changes[0].new.as_deref(), Some("from the prompt"));
    assert_eq!(
        state.script_text(&run.script_hash).unwrap().as_deref(),
        Some("tickets::update(\"2\", #{ subject: \"from the prompt\" });")
    );
    assert_eq!(run.api_writes, 1);
}
