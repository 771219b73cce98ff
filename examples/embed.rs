//! Embedding hubscript's script engine in another Rust program, with one extra function
//! (`slack::notify`) registered next to the ticket API.
//!
//! Run with `cargo run --example embed`. The backend here is a tiny in-memory one so the
//! example stands alone; in a real program pass the sandbox or the HubSpot client, both
//! `Arc<dyn TicketsBackend>` (see `demo_backend` below).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;
use hubscript::backend::{BackendResult, TicketsBackend};
use hubscript::model::*;
use hubscript::script::{RunOptions, RunRequest, ScriptHost};
use hubscript::state::StateDb;
use rhai::{FuncRegistration, ImmutableString, Module};
use tokio_util::sync::CancellationToken;

const SCRIPT: &str = r#"
//! description = "Escalate HIGH tickets and tell the team"
for t in tickets::search(#{ hs_ticket_priority: "HIGH" }) {
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

    let host = ScriptHost::new(
        demo_backend(),
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
                println!("{:5} {}", line.level, line.message)
            })),
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

/// The backend scripts talk to. A real program passes the sandbox
/// (`hubscript::sandbox`) or the HubSpot client (`hubscript::hubspot`) here.
fn demo_backend() -> Arc<dyn TicketsBackend> {
    let ticket = |id: &str, subject: &str, priority: &str| Ticket {
        id: id.into(),
        properties: [
            ("subject".to_string(), Some(subject.to_string())),
            ("hs_ticket_priority".to_string(), Some(priority.to_string())),
        ]
        .into(),
        properties_with_history: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        archived: false,
        archived_at: None,
        associations: None,
    };
    Arc::new(Demo(Mutex::new(vec![
        ticket("1", "Printer on fire", "HIGH"),
        ticket("2", "Password reset", "LOW"),
        ticket("3", "VPN down", "HIGH"),
    ])))
}

/// Three tickets in memory; search honours EQ filters; other endpoints are not supported.
struct Demo(Mutex<Vec<Ticket>>);

#[allow(clippy::result_large_err)] // BackendError is the trait's error type
fn unsupported<T>() -> BackendResult<T> {
    Err(ApiError::validation("not supported by the demo backend").into())
}

#[async_trait]
impl TicketsBackend for Demo {
    fn describe(&self) -> String {
        "demo (in memory)".into()
    }
    async fn list(&self, _: &ListParams) -> BackendResult<Page<Ticket>> {
        let results = self
            .0
            .lock()
            .map_err(|_| ApiError::internal("lock"))?
            .clone();
        Ok(Page {
            results,
            paging: None,
        })
    }
    async fn get(&self, id: &str, _: &GetParams) -> BackendResult<Ticket> {
        let all = self.0.lock().map_err(|_| ApiError::internal("lock"))?;
        all.iter()
            .find(|t| t.id == id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("no ticket {id}")).into())
    }
    async fn search(&self, r: &SearchRequest) -> BackendResult<SearchPage> {
        let all = self.0.lock().map_err(|_| ApiError::internal("lock"))?;
        let results: Vec<Ticket> = all
            .iter()
            .filter(|t| {
                r.filter_groups.iter().flat_map(|g| &g.filters).all(|f| {
                    f.operator != Operator::Eq || t.prop(&f.property_name) == f.value.as_deref()
                })
            })
            .cloned()
            .collect();
        Ok(SearchPage {
            total: results.len() as i64,
            results,
            paging: None,
        })
    }
    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        _: Option<&str>,
    ) -> BackendResult<Ticket> {
        let mut all = self.0.lock().map_err(|_| ApiError::internal("lock"))?;
        let t = all
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| ApiError::not_found(format!("no ticket {id}")))?;
        for (k, v) in input.properties.iter() {
            t.properties.insert(k.clone(), Some(v.clone()));
        }
        Ok(t.clone())
    }
    async fn create(&self, _: &CreateInput) -> BackendResult<Ticket> {
        unsupported()
    }
    async fn archive(&self, _: &str) -> BackendResult<()> {
        unsupported()
    }
    async fn batch_read(
        &self,
        _: &BatchReadInput,
        _: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        unsupported()
    }
    async fn batch_create(
        &self,
        _: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        unsupported()
    }
    async fn batch_update(
        &self,
        _: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        unsupported()
    }
    async fn batch_upsert(
        &self,
        _: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        unsupported()
    }
    async fn batch_archive(&self, _: &BatchInput<IdInput>) -> BackendResult<()> {
        unsupported()
    }
    async fn merge(&self, _: &MergeInput) -> BackendResult<Ticket> {
        unsupported()
    }
    async fn associate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<Ticket> {
        unsupported()
    }
    async fn dissociate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<()> {
        unsupported()
    }
    async fn associations(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        unsupported()
    }
    async fn associate_v4(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        unsupported()
    }
    async fn dissociate_v4(&self, _: &str, _: &str, _: &str) -> BackendResult<()> {
        unsupported()
    }
    async fn associations_v4(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        unsupported()
    }
    async fn properties(&self) -> BackendResult<Vec<Property>> {
        unsupported()
    }
    async fn property(&self, _: &str) -> BackendResult<Property> {
        unsupported()
    }
    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        unsupported()
    }
    async fn pipeline(&self, _: &str) -> BackendResult<Pipeline> {
        unsupported()
    }
    async fn pipeline_stages(&self, _: &str) -> BackendResult<Vec<PipelineStage>> {
        unsupported()
    }
}
