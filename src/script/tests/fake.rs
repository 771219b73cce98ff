//! A small in-memory backend for the script tests: a few tickets, search honouring `EQ`
//! filters, fixed-size pages, 404s for unknown ids, counters of writes and searches, and a
//! `get("block")` that never answers (for cancellation).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::Notify;

use crate::backend::{BackendResult, TicketsBackend};
use crate::model::*;

pub struct Fake {
    pub tickets: Mutex<BTreeMap<u64, Ticket>>,
    pub writes: AtomicU64,
    pub searches: AtomicU64,
    pub page: usize,
    pub blocked: Notify,
}

pub fn ticket(id: u64, props: &[(&str, &str)]) -> Ticket {
    let now = Utc::now();
    let mut properties: PropertyMap = props
        .iter()
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect();
    properties.insert("hs_object_id".into(), Some(id.to_string()));
    Ticket {
        id: id.to_string(),
        properties,
        properties_with_history: None,
        created_at: now,
        updated_at: now,
        archived: false,
        archived_at: None,
        associations: None,
    }
}

impl Fake {
    /// Tickets 1..=n, priority HIGH for odd ids and LOW for even ones, stage "3".
    pub fn with(n: u64, page: usize) -> Self {
        let tickets = (1..=n)
            .map(|i| {
                let prio = if i % 2 == 1 { "HIGH" } else { "LOW" };
                let subject = format!("ticket {i}");
                (
                    i,
                    ticket(
                        i,
                        &[
                            ("hs_ticket_priority", prio),
                            ("hs_pipeline_stage", "3"),
                            ("subject", &subject),
                        ],
                    ),
                )
            })
            .collect();
        Self {
            tickets: Mutex::new(tickets),
            writes: AtomicU64::new(0),
            searches: AtomicU64::new(0),
            page,
            blocked: Notify::new(),
        }
    }

    pub fn prop(&self, id: u64, name: &str) -> Option<String> {
        self.tickets
            .lock()
            .unwrap()
            .get(&id)
            .and_then(|t| t.prop(name).map(str::to_string))
    }

    #[allow(clippy::result_large_err)] // BackendError is the trait's error type
    fn find(&self, id: &str) -> BackendResult<Ticket> {
        id.parse::<u64>()
            .ok()
            .and_then(|i| self.tickets.lock().unwrap().get(&i).cloned())
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Object not found. objectId are usually numeric. id={id}"
                ))
                .into()
            })
    }
}

#[async_trait]
impl TicketsBackend for Fake {
    fn describe(&self) -> String {
        "fake".into()
    }
    async fn list(&self, p: &ListParams) -> BackendResult<Page<Ticket>> {
        let all: Vec<Ticket> = self.tickets.lock().unwrap().values().cloned().collect();
        let from: usize = p.after.as_deref().and_then(|a| a.parse().ok()).unwrap_or(0);
        let to = (from + self.page).min(all.len());
        Ok(Page {
            results: all[from..to].to_vec(),
            paging: (to < all.len()).then(|| Paging::next(to.to_string())),
        })
    }
    async fn get(&self, id: &str, _: &GetParams) -> BackendResult<Ticket> {
        if id == "block" {
            self.blocked.notify_one();
            std::future::pending::<()>().await;
        }
        self.find(id)
    }
    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        let mut m = self.tickets.lock().unwrap();
        let id = m.keys().max().copied().unwrap_or(0) + 1;
        let props: Vec<(&str, &str)> = input
            .properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let t = ticket(id, &props);
        m.insert(id, t.clone());
        Ok(t)
    }
    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        _: Option<&str>,
    ) -> BackendResult<Ticket> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        let mut t = self.find(id)?;
        for (k, v) in input.properties.iter() {
            t.properties.insert(k.clone(), Some(v.clone()));
        }
        self.tickets
            .lock()
            .unwrap()
            .insert(id.parse().unwrap_or(0), t.clone());
        Ok(t)
    }
    async fn archive(&self, id: &str) -> BackendResult<()> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.tickets
            .lock()
            .unwrap()
            .remove(&id.parse().unwrap_or(0));
        Ok(())
    }
    async fn batch_read(
        &self,
        input: &BatchReadInput,
        _: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let results = input
            .inputs
            .iter()
            .filter_map(|i| self.find(&i.id).ok())
            .collect();
        Ok(BatchResponse::complete(results, Utc::now()))
    }
    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let mut out = Vec::new();
        for i in &input.inputs {
            out.push(
                self.create(&CreateInput {
                    properties: i.properties.clone(),
                    associations: vec![],
                })
                .await?,
            );
        }
        Ok(BatchResponse::complete(out, Utc::now()))
    }
    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let mut out = Vec::new();
        for i in &input.inputs {
            out.push(
                self.update(
                    &i.id,
                    &UpdateInput {
                        properties: i.properties.clone(),
                    },
                    None,
                )
                .await?,
            );
        }
        Ok(BatchResponse::complete(out, Utc::now()))
    }
    async fn batch_upsert(
        &self,
        _: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        Err(ApiError::validation("not in the fake").into())
    }
    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        for i in &input.inputs {
            self.archive(&i.id).await?;
        }
        Ok(())
    }
    async fn search(&self, r: &SearchRequest) -> BackendResult<SearchPage> {
        self.searches.fetch_add(1, Ordering::SeqCst);
        let eqs: Vec<&Filter> = r
            .filter_groups
            .iter()
            .flat_map(|g| g.filters.iter())
            .filter(|f| f.operator == Operator::Eq)
            .collect();
        // The shared search cursor pages by keyset (`hs_object_id GT last`); honour it.
        let after_id: Option<u64> = r
            .filter_groups
            .iter()
            .flat_map(|g| g.filters.iter())
            .find(|f| f.operator == Operator::Gt && f.property_name == "hs_object_id")
            .and_then(|f| f.value.as_deref()?.parse().ok());
        let all: Vec<Ticket> = self
            .tickets
            .lock()
            .unwrap()
            .values()
            .filter(|t| {
                eqs.iter()
                    .all(|f| t.prop(&f.property_name) == f.value.as_deref())
                    && after_id.is_none_or(|a| t.id.parse::<u64>().is_ok_and(|id| id > a))
            })
            .cloned()
            .collect();
        let from: usize = r.after.as_deref().and_then(|a| a.parse().ok()).unwrap_or(0);
        let size = self.page.min(r.limit.unwrap_or(10) as usize);
        let to = (from + size).min(all.len());
        Ok(SearchPage {
            total: all.len() as i64,
            results: all[from..to].to_vec(),
            paging: (to < all.len()).then(|| Paging::next(to.to_string())),
        })
    }
    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.find(&input.primary_object_id)
    }
    async fn associate(&self, id: &str, _: &str, _: &str, _: &str) -> BackendResult<Ticket> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        self.find(id)
    }
    async fn dissociate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<()> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
    async fn associations(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        Ok(AssociatedIdPage {
            results: vec![],
            paging: None,
        })
    }
    async fn associate_v4(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        Err(ApiError::validation("not in the fake").into())
    }
    async fn dissociate_v4(&self, _: &str, _: &str, _: &str) -> BackendResult<()> {
        Err(ApiError::validation("not in the fake").into())
    }
    async fn associations_v4(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        Err(ApiError::validation("not in the fake").into())
    }
    async fn properties(&self) -> BackendResult<Vec<Property>> {
        Ok(vec![])
    }
    async fn property(&self, name: &str) -> BackendResult<Property> {
        Err(ApiError::not_found(format!("no property {name}")).into())
    }
    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        let now = Utc::now();
        let stage = |id: &str, label: &str, closed: bool| PipelineStage {
            id: id.into(),
            label: label.into(),
            display_order: 0,
            metadata: [(
                "ticketState".to_string(),
                if closed { "CLOSED" } else { "OPEN" }.to_string(),
            )]
            .into(),
            archived: false,
            created_at: now,
            updated_at: now,
            write_permissions: None,
        };
        Ok(vec![Pipeline {
            id: "0".into(),
            label: "Support Pipeline".into(),
            display_order: 0,
            stages: vec![
                stage("1", "New", false),
                stage("3", "Waiting on us", false),
                stage("4", "Closed", true),
            ],
            archived: false,
            created_at: now,
            updated_at: now,
        }])
    }
    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        Err(ApiError::not_found(format!("no pipeline {id}")).into())
    }
    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        Err(ApiError::not_found(format!("no pipeline {id}")).into())
    }
}
