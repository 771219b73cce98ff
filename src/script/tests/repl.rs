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
