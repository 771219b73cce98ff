//! A small in-memory [`TicketsBackend`] for the paging and batching tests (test builds only).
//! Its search knows just enough of HubSpot's rules to be honest about the parts paging relies
//! on: numeric `hs_object_id` comparisons, `EQ` on other properties, one sort, `after` as an
//! offset, at most 200 per page and HubSpot's 10,000-result cap answered with a 400. Batches
//! record their sizes and can be told to fail whole calls.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::Utc;

use super::{BackendResult, TicketsBackend};
use crate::model::{
    ApiError, AssociatedIdPage, AssociationSpec, BatchCreateItem, BatchInput, BatchReadInput,
    BatchResponse, BatchUpdateItem, CreateInput, Filter, GetParams, IdInput,
    LabelsBetweenObjectPair, ListParams, MergeInput, MultiAssociatedObjectWithLabel, Operator,
    Page, Paging, Pipeline, PipelineStage, Property, SearchPage, SearchRequest, SortDirection,
    StandardError, Ticket, UpdateInput, UpsertResult,
};

pub(crate) struct FakeBackend {
    pub tickets: Mutex<BTreeMap<u64, Ticket>>,
    pub searches: Mutex<Vec<SearchRequest>>,
    pub lists: Mutex<Vec<ListParams>>,
    pub batch_sizes: Mutex<Vec<usize>>,
    /// Indexes (0-based, over all batch calls) of calls answered with a whole 400.
    pub failing_batch_calls: BTreeSet<usize>,
    /// Batch calls from this index on answer HubSpot's DAILY 429.
    pub daily_limit_from: Option<usize>,
}

pub(crate) fn ticket(id: u64, props: &[(&str, &str)]) -> Ticket {
    let mut properties: BTreeMap<String, Option<String>> = props
        .iter()
        .map(|(k, v)| ((*k).to_string(), Some((*v).to_string())))
        .collect();
    properties.insert("hs_object_id".into(), Some(id.to_string()));
    Ticket {
        id: id.to_string(),
        properties,
        properties_with_history: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        archived: false,
        archived_at: None,
        associations: None,
    }
}

fn not_supported() -> super::BackendError {
    ApiError::not_found("not supported by the fake backend").into()
}

fn matches(t: &Ticket, f: &Filter) -> bool {
    let id: u64 = t.id.parse().unwrap_or(0);
    if f.property_name == "hs_object_id" {
        let v: u64 = f.value.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
        return match f.operator {
            Operator::Gt => id > v,
            Operator::Gte => id >= v,
            Operator::Lt => id < v,
            Operator::Eq => id == v,
            _ => false,
        };
    }
    match f.operator {
        Operator::Eq => t.prop(&f.property_name) == f.value.as_deref(),
        Operator::Neq => t.prop(&f.property_name) != f.value.as_deref(),
        _ => false,
    }
}

impl FakeBackend {
    pub fn new(tickets: impl IntoIterator<Item = Ticket>) -> Self {
        Self {
            tickets: Mutex::new(
                tickets
                    .into_iter()
                    .map(|t| (t.id.parse().unwrap_or(0), t))
                    .collect(),
            ),
            searches: Mutex::new(Vec::new()),
            lists: Mutex::new(Vec::new()),
            batch_sizes: Mutex::new(Vec::new()),
            failing_batch_calls: BTreeSet::new(),
            daily_limit_from: None,
        }
    }

    /// Records a batch call; fails it whole when told to.
    fn batch_call(&self, size: usize) -> Result<(), Box<ApiError>> {
        let mut sizes = self.batch_sizes.lock().unwrap();
        let index = sizes.len();
        sizes.push(size);
        if size > crate::model::MAX_BATCH_INPUTS {
            return Err(Box::new(ApiError::validation("too many inputs")));
        }
        if self.daily_limit_from.is_some_and(|from| index >= from) {
            let mut e = ApiError::new(429, "RATE_LIMITS", "You have reached your daily limit.");
            e.policy_name = Some("DAILY".into());
            return Err(Box::new(e));
        }
        if self.failing_batch_calls.contains(&index) {
            return Err(Box::new(ApiError::validation(format!(
                "batch call {index} refused"
            ))));
        }
        Ok(())
    }

    fn missing(id: &str) -> StandardError {
        StandardError {
            status: "error".into(),
            category: "OBJECT_NOT_FOUND".into(),
            message: format!("ticket {id} not found"),
            errors: Vec::new(),
            context: BTreeMap::from([("ids".to_string(), vec![id.to_string()])]),
            links: BTreeMap::new(),
            id: None,
            sub_category: None,
        }
    }
}

#[async_trait]
impl TicketsBackend for FakeBackend {
    fn describe(&self) -> String {
        "fake".into()
    }

    async fn list(&self, params: &ListParams) -> BackendResult<Page<Ticket>> {
        self.lists.lock().unwrap().push(params.clone());
        let limit = params.limit.unwrap_or(10) as usize;
        if limit > 100 {
            return Err(ApiError::validation("limit above 100").into());
        }
        let after: u64 = params
            .after
            .as_deref()
            .map_or(0, |a| a.parse().unwrap_or(0));
        let all = self.tickets.lock().unwrap();
        let results: Vec<Ticket> = all
            .range(after + 1..)
            .take(limit)
            .map(|(_, t)| t.clone())
            .collect();
        let more = results.last().is_some_and(|t| {
            all.range(t.id.parse::<u64>().unwrap_or(0) + 1..)
                .next()
                .is_some()
        });
        let paging =
            more.then(|| Paging::next(results.last().map_or(String::new(), |t| t.id.clone())));
        Ok(Page { results, paging })
    }

    async fn get(&self, _: &str, _: &GetParams) -> BackendResult<Ticket> {
        Err(not_supported())
    }
    async fn create(&self, _: &CreateInput) -> BackendResult<Ticket> {
        Err(not_supported())
    }
    async fn update(&self, _: &str, _: &UpdateInput, _: Option<&str>) -> BackendResult<Ticket> {
        Err(not_supported())
    }
    async fn archive(&self, _: &str) -> BackendResult<()> {
        Err(not_supported())
    }

    async fn batch_read(
        &self,
        input: &BatchReadInput,
        _archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.batch_call(input.inputs.len()).map_err(|e| *e)?;
        let all = self.tickets.lock().unwrap();
        let (mut found, mut errors) = (Vec::new(), Vec::new());
        for i in &input.inputs {
            match i.id.parse::<u64>().ok().and_then(|id| all.get(&id)) {
                Some(t) => found.push(t.clone()),
                None => errors.push(Self::missing(&i.id)),
            }
        }
        Ok(BatchResponse::complete(found, Utc::now()).with_errors(errors))
    }

    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.batch_call(input.inputs.len()).map_err(|e| *e)?;
        let mut all = self.tickets.lock().unwrap();
        let mut created = Vec::new();
        for item in &input.inputs {
            let id = all.keys().next_back().copied().unwrap_or(0) + 1;
            let props: Vec<(&str, &str)> = item
                .properties
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let t = ticket(id, &props);
            all.insert(id, t.clone());
            created.push(t);
        }
        Ok(BatchResponse::complete(created, Utc::now()))
    }

    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.batch_call(input.inputs.len()).map_err(|e| *e)?;
        let mut all = self.tickets.lock().unwrap();
        let (mut done, mut errors) = (Vec::new(), Vec::new());
        for item in &input.inputs {
            match item.id.parse::<u64>().ok().and_then(|id| all.get_mut(&id)) {
                Some(t) => {
                    for (k, v) in item.properties.iter() {
                        t.properties.insert(k.clone(), Some(v.clone()));
                    }
                    done.push(t.clone());
                }
                None => errors.push(Self::missing(&item.id)),
            }
        }
        Ok(BatchResponse::complete(done, Utc::now()).with_errors(errors))
    }

    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        self.batch_call(input.inputs.len()).map_err(|e| *e)?;
        let results = input
            .inputs
            .iter()
            .map(|i| UpsertResult {
                ticket: ticket(i.id.parse().unwrap_or(0), &[]),
                new: true,
            })
            .collect();
        Ok(BatchResponse::complete(results, Utc::now()))
    }

    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        self.batch_call(input.inputs.len()).map_err(|e| *e)?;
        let mut all = self.tickets.lock().unwrap();
        for i in &input.inputs {
            if let Ok(id) = i.id.parse::<u64>() {
                all.remove(&id);
            }
        }
        Ok(())
    }

    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage> {
        self.searches.lock().unwrap().push(request.clone());
        let limit = request.limit.unwrap_or(10) as usize;
        if limit > 200 {
            return Err(ApiError::validation("limit above 200").into());
        }
        let offset: usize = request
            .after
            .as_deref()
            .map_or(0, |a| a.parse().unwrap_or(0));
        if offset + limit > 10_000 {
            return Err(ApiError::validation("paging past the 10,000th result").into());
        }
        let mut groups = request.filter_groups.clone();
        if !request.filters.is_empty() {
            groups.push(crate::model::FilterGroup {
                filters: request.filters.clone(),
            });
        }
        let all = self.tickets.lock().unwrap();
        let mut hits: Vec<&Ticket> = all
            .values()
            .filter(|t| {
                groups.is_empty()
                    || groups
                        .iter()
                        .any(|g| g.filters.iter().all(|f| matches(t, f)))
            })
            .collect();
        if let Some(sort) = request.sorts.first() {
            if sort.property_name != "hs_object_id" {
                hits.sort_by(|a, b| {
                    a.prop(&sort.property_name)
                        .cmp(&b.prop(&sort.property_name))
                });
            }
            if sort.direction == SortDirection::Descending {
                hits.reverse();
            }
        }
        let total = hits.len();
        let results: Vec<Ticket> = hits
            .iter()
            .skip(offset)
            .take(limit)
            .map(|t| (*t).clone())
            .collect();
        let paging = (offset + limit < total).then(|| Paging::next((offset + limit).to_string()));
        Ok(SearchPage {
            total: total as i64,
            results,
            paging,
        })
    }

    async fn merge(&self, _: &MergeInput) -> BackendResult<Ticket> {
        Err(not_supported())
    }
    async fn associate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<Ticket> {
        Err(not_supported())
    }
    async fn dissociate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<()> {
        Err(not_supported())
    }
    async fn associations(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        Err(not_supported())
    }
    async fn associate_v4(
        &self,
        _: &str,
        _: &str,
        _: &str,
        _: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        Err(not_supported())
    }
    async fn dissociate_v4(&self, _: &str, _: &str, _: &str) -> BackendResult<()> {
        Err(not_supported())
    }
    async fn associations_v4(
        &self,
        _: &str,
        _: &str,
        _: Option<&str>,
        _: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        Err(not_supported())
    }
    async fn properties(&self) -> BackendResult<Vec<Property>> {
        Err(not_supported())
    }
    async fn property(&self, _: &str) -> BackendResult<Property> {
        Err(not_supported())
    }
    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        Err(not_supported())
    }
    async fn pipeline(&self, _: &str) -> BackendResult<Pipeline> {
        Err(not_supported())
    }
    async fn pipeline_stages(&self, _: &str) -> BackendResult<Vec<PipelineStage>> {
        Err(not_supported())
    }
}
