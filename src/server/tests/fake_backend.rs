//! A small in-memory `TicketsBackend` for the server's tests: a map of tickets, a call counter
//! (to prove refused and faulted requests never reach the backend) and a record of the
//! parameters it was called with. It implements no HubSpot rules beyond "unknown id is 404".

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::Utc;
use serde_json::json;
use tokio::sync::Notify;

use crate::backend::{BackendResult, TicketsBackend};
use crate::model::{
    ApiError, AssociatedIdPage, AssociationSpec, BatchCreateItem, BatchInput, BatchReadInput,
    BatchResponse, BatchUpdateItem, CreateInput, GetParams, IdInput, InputProperties,
    LabelsBetweenObjectPair, ListParams, MergeInput, MultiAssociatedObjectWithLabel, Page,
    Pipeline, PipelineStage, Property, SearchPage, SearchRequest, StandardError, Ticket,
    UpdateInput, UpsertResult,
};

/// The id whose `get` waits for [`FakeBackend::release`] (graceful-shutdown test).
pub(crate) const SLOW_ID: &str = "slow";

#[derive(Default)]
pub(crate) struct FakeBackend {
    tickets: Mutex<BTreeMap<String, Ticket>>,
    next_id: AtomicU64,
    calls: AtomicUsize,
    pub(crate) last_list: Mutex<Option<ListParams>>,
    pub(crate) last_get: Mutex<Option<(String, GetParams)>>,
    pub(crate) last_v4_types: Mutex<Vec<AssociationSpec>>,
    pub(crate) last_assoc_query: Mutex<Option<(Option<String>, Option<u32>)>>,
    pub(crate) entered: Notify,
    pub(crate) release: Notify,
}

fn ticket(id: &str, props: &InputProperties) -> Ticket {
    let now = Utc::now();
    let mut properties: BTreeMap<String, Option<String>> = props
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
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

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Object not found. objectId are usually numeric. ({id})"
    ))
}

impl FakeBackend {
    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }

    fn insert(&self, props: &InputProperties) -> Ticket {
        let id = (self.next_id.fetch_add(1, Ordering::SeqCst) + 1).to_string();
        let t = ticket(&id, props);
        self.tickets.lock().unwrap().insert(id, t.clone());
        t
    }

    fn find(&self, id: &str) -> Option<Ticket> {
        self.tickets.lock().unwrap().get(id).cloned()
    }

    fn patch(&self, id: &str, props: &InputProperties) -> Option<Ticket> {
        let mut tickets = self.tickets.lock().unwrap();
        let t = tickets.get_mut(id)?;
        for (k, v) in props.iter() {
            t.properties.insert(k.clone(), Some(v.clone()));
        }
        Some(t.clone())
    }

    fn missing(ids: Vec<String>) -> StandardError {
        StandardError {
            status: "error".into(),
            category: "OBJECT_NOT_FOUND".into(),
            message: "Could not get some TICKET objects, they may be deleted or not exist.".into(),
            errors: Vec::new(),
            context: [("ids".to_string(), ids)].into(),
            links: BTreeMap::new(),
            id: None,
            sub_category: None,
        }
    }
}

fn pipeline() -> Pipeline {
    serde_json::from_value(json!({
        "id": "0", "label": "Support Pipeline", "displayOrder": 0, "archived": false,
        "createdAt": "1970-01-01T00:00:00.000Z", "updatedAt": "1970-01-01T00:00:00.000Z",
        "stages": [
            {"id": "1", "label": "New", "displayOrder": 0, "archived": false,
             "metadata": {"ticketState": "OPEN"},
             "createdAt": "1970-01-01T00:00:00.000Z", "updatedAt": "1970-01-01T00:00:00.000Z"},
            {"id": "4", "label": "Closed", "displayOrder": 3, "archived": false,
             "metadata": {"ticketState": "CLOSED"},
             "createdAt": "1970-01-01T00:00:00.000Z", "updatedAt": "1970-01-01T00:00:00.000Z"}
        ]
    }))
    .unwrap()
}

#[async_trait]
impl TicketsBackend for FakeBackend {
    fn describe(&self) -> String {
        "fake".into()
    }

    async fn list(&self, params: &ListParams) -> BackendResult<Page<Ticket>> {
        self.count();
        *self.last_list.lock().unwrap() = Some(params.clone());
        let results = self.tickets.lock().unwrap().values().cloned().collect();
        Ok(Page {
            results,
            paging: None,
        })
    }

    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket> {
        self.count();
        *self.last_get.lock().unwrap() = Some((id.to_string(), params.clone()));
        if id == SLOW_ID {
            self.entered.notify_one();
            self.release.notified().await;
            return Ok(ticket(SLOW_ID, &InputProperties::new()));
        }
        self.find(id).ok_or_else(|| not_found(id).into())
    }

    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        self.count();
        Ok(self.insert(&input.properties))
    }

    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        _id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        self.count();
        self.patch(id, &input.properties)
            .ok_or_else(|| not_found(id).into())
    }

    async fn archive(&self, id: &str) -> BackendResult<()> {
        self.count();
        match self.tickets.lock().unwrap().remove(id) {
            Some(_) => Ok(()),
            None => Err(not_found(id).into()),
        }
    }

    async fn batch_read(
        &self,
        input: &BatchReadInput,
        _archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.count();
        let started = Utc::now();
        let (found, missing): (Vec<_>, Vec<_>) = input
            .inputs
            .iter()
            .map(|i| (i.id.clone(), self.find(&i.id)))
            .partition(|(_, t)| t.is_some());
        let results = found.into_iter().filter_map(|(_, t)| t).collect();
        let missing: Vec<String> = missing.into_iter().map(|(id, _)| id).collect();
        let errors = if missing.is_empty() {
            Vec::new()
        } else {
            vec![Self::missing(missing)]
        };
        Ok(BatchResponse::complete(results, started).with_errors(errors))
    }

    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.count();
        let started = Utc::now();
        let results = input
            .inputs
            .iter()
            .map(|i| self.insert(&i.properties))
            .collect();
        Ok(BatchResponse::complete(results, started))
    }

    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.count();
        let started = Utc::now();
        let mut results = Vec::new();
        let mut missing = Vec::new();
        for i in &input.inputs {
            match self.patch(&i.id, &i.properties) {
                Some(t) => results.push(t),
                None => missing.push(i.id.clone()),
            }
        }
        let errors = if missing.is_empty() {
            Vec::new()
        } else {
            vec![Self::missing(missing)]
        };
        Ok(BatchResponse::complete(results, started).with_errors(errors))
    }

    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        self.count();
        let started = Utc::now();
        let results = input
            .inputs
            .iter()
            .map(|i| UpsertResult {
                ticket: self.insert(&i.properties),
                new: true,
            })
            .collect();
        Ok(BatchResponse::complete(results, started))
    }

    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        self.count();
        let mut tickets = self.tickets.lock().unwrap();
        for i in &input.inputs {
            tickets.remove(&i.id);
        }
        Ok(())
    }

    async fn search(&self, _request: &SearchRequest) -> BackendResult<SearchPage> {
        self.count();
        let results: Vec<Ticket> = self.tickets.lock().unwrap().values().cloned().collect();
        Ok(SearchPage {
            total: results.len() as i64,
            results,
            paging: None,
        })
    }

    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        self.count();
        let primary = self.find(&input.primary_object_id);
        primary.ok_or_else(|| not_found(&input.primary_object_id).into())
    }

    async fn associate(
        &self,
        id: &str,
        _to_type: &str,
        _to_id: &str,
        _type_id: &str,
    ) -> BackendResult<Ticket> {
        self.count();
        self.find(id).ok_or_else(|| not_found(id).into())
    }

    async fn dissociate(&self, _: &str, _: &str, _: &str, _: &str) -> BackendResult<()> {
        self.count();
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
        Ok(vec![serde_json::from_value(json!({
            "name": "subject", "label": "Ticket name", "type": "string",
            "fieldType": "text", "groupName": "ticketinformation"
        }))
        .unwrap()])
    }

    async fn property(&self, name: &str) -> BackendResult<Property> {
        let all = self.properties().await?;
        all.into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| not_found(name).into())
    }

    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        self.count();
        Ok(vec![pipeline()])
    }

    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        self.count();
        (id == "0")
            .then(pipeline)
            .ok_or_else(|| not_found(id).into())
    }

    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        Ok(self.pipeline(id).await?.stages)
    }
}
