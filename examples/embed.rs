//! Embedding hubscript's script engine in another Rust program, with one extra function
//! (`slack::notify`) registered next to the ticket API.
//!
//! Run with `cargo run --example embed`. It runs against a throw-away sandbox seeded with the
//! demo tickets; in your program pass any `Arc<dyn TicketsBackend>`: `Sandbox::open(path)` or
//! `HubspotClient::new(ClientConfig::new(url).with_token(..))`.

use std::sync::Arc;

use hubscript::sandbox::{Sandbox, SeedOptions};
use hubscript::script::{RunOptions, RunRequest, ScriptHost};
use hubscript::state::StateDb;
use rhai::{FuncRegistration, ImmutableString, Module};
use tokio_util::sync::CancellationToken;

const SCRIPT: &str = r#"
//! description = "Escalate HIGH tickets waiting on us and tell the team"
let waiting = pipelines::stage_id("Support Pipeline", "Waiting on us");
for t in tickets::search(#{ hs_ticket_priority: "HIGH", hs_pipeline_stage: waiting }, #{ limit: 3 }) {
    tickets::update(t.id, #{ hs_ticket_priority: "URGENT" });
    slack::notify(`escalated ticket ${t.id}: ${t.properties.subject}`);
}
"#;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    // The extension: any rhai::Module, mounted as `slack::`.
    let mut slack = Module::new();
    FuncRegistration::new("notify")
        .with_volatility(true)
        .set_into_module(&mut slack, |msg: ImmutableString| {
            println!("[slack] {msg}");
        });

    let dir = tempfile::tempdir()?;
    let sandbox = Sandbox::create(&dir.path().join("demo.db"), &SeedOptions::default())?;
    let host = ScriptHost::new(
        Arc::new(sandbox),
        StateDb::in_memory()?,
        tokio::runtime::Handle::current(),
    )
    .with_module("slack", slack);

    let outcome = host
        .run(RunRequest {
            path: "escalate.rhai".into(),
            source: SCRIPT.to_string(),
            options: RunOptions {
                dry_run: true,
                trigger: "run".into(),
                ..RunOptions::default()
            },
            cancel: CancellationToken::new(),
            on_log: Some(Arc::new(|line| {
                println!("{:5} {}", line.level, line.message);
            })),
            // `print` lines go to `on_log` too when no print sink is given.
            on_print: None,
            on_start: None,
        })
        .await;
    if let Some(e) = &outcome.error {
        eprint!("{}", e.render());
        std::process::exit(i32::from(e.exit_code()));
    }
    print!("{}", outcome.plan.render_table());
    println!("{}", outcome.summary.render());
    Ok(())
}
