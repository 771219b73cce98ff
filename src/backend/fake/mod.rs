//! The one in-memory [`TicketsBackend`] fake every unit test uses (test builds only): the
//! paging and batching tests, the script tests and the server tests.
//!
//! It holds seeded tickets keyed by numeric id and records what it was asked: every call
//! ([`FakeBackend::calls`]), writes per ticket touched, each search and list request, each batch
//! call's size and the last parameters of a few routes. It is configurable where tests need it:
//! a page size cap (`page`), batch calls that fail whole, HubSpot's DAILY 429 from some call
//! on. Two ids block in `get`: [`BLOCK_ID`] never answers (cancellation) and [`SLOW_ID`] waits
//! for [`FakeBackend::release`] (graceful shutdown); both signal [`FakeBackend::entered`].
//! Search rules live in `search.rs`, canned data in `fixtures.rs`.

mod fixtures;
mod search;
mod store;

pub(crate) use fixtures::ticket;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::Utc;
use tokio::sync::Notify;

use super::{BackendResult, TicketsBackend};
use crate::model::limits::{DEFAULT_PAGE_SIZE, LIST_PAGE_MAX};
use crate::model::{
    ApiError, AssociatedIdPage, AssociationSpec, BatchCreateItem, BatchInput, BatchReadInput,
    BatchResponse, BatchUpdateItem, CreateInput, GetParams, IdInput, LabelsBetweenObjectPair,
    ListParams, MergeInput, MultiAssociatedObjectWithLabel, Page, Paging, Pipeline, PipelineStage,
    Property, SearchPage, SearchRequest, Ticket, UpdateInput, UpsertResult,
};

/// The id whose `get` signals `entered` and never answers.
pub(crate) const BLOCK_ID: &str = "block";
/// The id whose `get` signals `entered`, then waits for `release`.
pub(crate) const SLOW_ID: &str = "slow";

#[derive(Default)]
pub(crate) struct FakeBackend {
    pub tickets: Mutex<BTreeMap<u64, Ticket>>,
    /// Largest page `list` and `search` return, whatever the limit (`None`: no cap).
    pub page: Option<usize>,
    /// Indexes (0-based, over all batch calls) of calls answered with a whole 400.
    pub failing_batch_calls: BTreeSet<usize>,
    /// Batch calls from this index on answer HubSpot's DAILY 429.
    pub daily_limit_from: Option<usize>,
    calls: AtomicUsize,
    /// Tickets written: one per ticket created, updated, archived, merged or (dis)associated.
    pub writes: AtomicU64,
    pub searches: Mutex<Vec<SearchRequest>>,
    pub lists: Mutex<Vec<ListParams>>,
    pub batch_sizes: Mutex<Vec<usize>>,
    pub last_get: Mutex<Option<(String, GetParams)>>,
    pub last_v4_types: Mutex<Vec<AssociationSpec>>,
    pub last_assoc_query: Mutex<Option<(Option<String>, Option<u32>)>>,
    pub entered: Notify,
    pub release: Notify,
}

impl FakeBackend {
    pub(crate) fn new(tickets: impl IntoIterator<Item = Ticket>) -> Self {
        Self {
            tickets: Mutex::new(
                tickets
                    .into_iter()
                    .map(|t| (t.id.parse().unwrap_or(0), t))
                    .collect(),
            ),
            ..Self::default()
        }
    }

    /// Tickets 1..=n, priority HIGH for odd ids and LOW for even ones, stage "3", subject
    /// "ticket N"; pages of at most `page`.
    pub(crate) fn numbered(n: u64, page: usize) -> Self {
        let tickets = (1..=n).map(|i| {
            let prio = if i % 2 == 1 { "HIGH" } else { "LOW" };
            let subject = format!("ticket {i}");
            ticket(
                i,
                &[
                    ("hs_ticket_priority", prio),
                    ("hs_pipeline_stage", "3"),
                    ("subject", &subject),
                ],
            )
        });
        Self {
            page: Some(page),
            ..Self::new(tickets)
        }
    }

    /// Calls received, of every kind.
    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Tickets written so far.
    pub(crate) fn writes(&self) -> u64 {
        self.writes.load(Ordering::SeqCst)
    }

    /// Searches received so far.
    pub(crate) fn search_count(&self) -> usize {
        self.searches.lock().unwrap().len()
    }

    /// A property of a stored ticket.
    pub(crate) fn prop(&self, id: u64, name: &str) -> Option<String> {
        let all = self.tickets.lock().unwrap();
        all.get(&id).and_then(|t| t.prop(name).map(str::to_string))
    }
}

#[async_trait]
impl TicketsBackend for FakeBackend {
    fn describe(&self) -> String {
        "fake".into()
    }

    async fn list(&self, params: &ListParams) -> BackendResult<Page<Ticket>> {
        self.count();
        self.lists.lock().unwrap().push(params.clone());
        let limit = params.limit.unwrap_or(DEFAULT_PAGE_SIZE) as usize;
        if limit > LIST_PAGE_MAX as usize {
            return Err(ApiError::validation(format!("limit above {LIST_PAGE_MAX}")).into());
        }
        let after: u64 = params
            .after
            .as_deref()
            .map_or(0, |a| a.parse().unwrap_or(0));
        let all = self.tickets.lock().unwrap();
        let results: Vec<Ticket> = all
            .range(after + 1..)
            .take(limit.min(self.page_size()))
            .map(|(_, t)| t.clone())
            .collect();
        let last: Option<u64> = results.last().and_then(|t| t.id.parse().ok());
        let paging = last
            .filter(|l| all.range(l + 1..).next().is_some())
            .map(|l| Paging::next(l.to_string()));
        Ok(Page { results, paging })
    }

    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket> {
        self.count();
        *self.last_get.lock().unwrap() = Some((id.to_string(), params.clone()));
        if id == BLOCK_ID {
            self.entered.notify_one();
            std::future::pending::<()>().await;
        }
        if id == SLOW_ID {
            self.entered.notify_one();
            self.release.notified().await;
            return Ok(fixtures::ticket_with_id(SLOW_ID, &[]));
        }
        self.find(id).ok_or_else(|| fixtures::not_found(id).into())
    }

    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        self.count();
        self.wrote(1);
        Ok(self.insert(&input.properties))
    }

    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        _: Option<&str>,
    ) -> BackendResult<Ticket> {
        self.count();
        self.wrote(1);
        let patched = self.patch(id, &input.properties);
        patched.ok_or_else(|| fixtures::not_found(id).into())
    }

    async fn archive(&self, id: &str) -> BackendResult<()> {
        self.count();
        self.wrote(1);
        let key: Option<u64> = id.parse().ok();
        match key.and_then(|k| self.tickets.lock().unwrap().remove(&k)) {
            Some(_) => Ok(()),
            None => Err(fixtures::not_found(id).into()),
        }
    }

    async fn batch_read(
        &self,
        input: &BatchReadInput,
        _archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.batch_call(input.inputs.len())?;
        let (mut found, mut errors) = (Vec::new(), Vec::new());
        for i in &input.inputs {
            match self.find(&i.id) {
                Some(t) => found.push(t),
                None => errors.push(fixtures::missing(&i.id)),
            }
        }
        Ok(BatchResponse::complete(found, Utc::now()).with_errors(errors))
    }

    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.batch_call(input.inputs.len())?;
        self.wrote(input.inputs.len());
        let created = input.inputs.iter().map(|i| self.insert(&i.properties));
        Ok(BatchResponse::complete(created.collect(), Utc::now()))
    }

    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.batch_call(input.inputs.len())?;
        let (mut done, mut errors) = (Vec::new(), Vec::new());
        for item in &input.inputs {
            match self.patch(&item.id, &item.properties) {
                Some(t) => done.push(t),
                None => errors.push(fixtures::missing(&item.id)),
            }
        }
        self.wrote(done.len());
        Ok(BatchResponse::complete(done, Utc::now()).with_errors(errors))
    }

    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        self.batch_call(input.inputs.len())?;
        self.wrote(input.inputs.len());
        // Every upsert creates: the fake keeps no unique-property index.
        let results = input.inputs.iter().map(|i| UpsertResult {
            ticket: self.insert(&i.properties),
            new: true,
        });
        Ok(BatchResponse::complete(results.collect(), Utc::now()))
    }

    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        self.batch_call(input.inputs.len())?;
        self.wrote(input.inputs.len());
        let mut all = self.tickets.lock().unwrap();
        for i in &input.inputs {
            if let Ok(id) = i.id.parse::<u64>() {
                all.remove(&id);
            }
        }
        Ok(())
    }

    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage> {
        self.count();
        self.searches.lock().unwrap().push(request.clone());
        let all = self.tickets.lock().unwrap();
        Ok(search::search(&all, request, self.page_size())?)
    }

    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        self.count();
        self.wrote(1);
        let id = &input.primary_object_id;
        self.find(id).ok_or_else(|| fixtures::not_found(id).into())
    }

    async fn associate(&self, id: &str, _: &str, _: &str, _: &str) -> BackendResult<Ticket> {
        self.count();
        self.wrote(1);
        self.find(id).ok_or_else(|| fixtures::not_found(id).into())
    }

    async fn dissociate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<()> {
        self.count();
        self.wrote(1);
        Ok(())
    }

    async fn associations(
        &self,
        _id: &str,
        _to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        self.count();
        *self.last_assoc_query.lock().unwrap() = Some((after.map(str::to_string), limit));
        Ok(AssociatedIdPage {
            results: Vec::new(),
            paging: None,
        })
    }

    async fn associate_v4(
        &self,
        id: &str,
        _to_type: &str,
        to_id: &str,
        types: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        self.count();
        self.wrote(1);
        *self.last_v4_types.lock().unwrap() = types.to_vec();
        Ok(LabelsBetweenObjectPair {
            from_object_type_id: "0-5".into(),
            from_object_id: id.into(),
            to_object_type_id: "0-1".into(),
            to_object_id: to_id.into(),
            labels: Vec::new(),
        })
    }

    async fn dissociate_v4(&self, _: &str, _: &str, _: &str) -> BackendResult<()> {
        self.count();
        self.wrote(1);
        Ok(())
    }

    async fn associations_v4(
        &self,
        _id: &str,
        _to_type: &str,
        _after: Option<&str>,
        _limit: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        self.count();
        Ok(Page {
            results: Vec::new(),
            paging: None,
        })
    }

    async fn properties(&self) -> BackendResult<Vec<Property>> {
        self.count();
        Ok(fixtures::properties())
    }

    async fn property(&self, name: &str) -> BackendResult<Property> {
        self.count();
        let found = fixtures::properties().into_iter().find(|p| p.name == name);
        found.ok_or_else(|| fixtures::not_found(name).into())
    }

    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        self.count();
        Ok(vec![fixtures::pipeline()])
    }

    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        self.count();
        let found = (id == "0").then(fixtures::pipeline);
        found.ok_or_else(|| fixtures::not_found(id).into())
    }

    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        self.count();
        let found = (id == "0").then(|| fixtures::pipeline().stages);
        found.ok_or_else(|| fixtures::not_found(id).into())
    }
}
