//! `serve --webhook-url URL --webhook-secret-env NAME`: the sandbox sends HubSpot-shaped
//! webhook batches for every write it serves, signed like HubSpot's (v3), so the daemon's
//! webhook receiver can be run and tested on one machine.
//!
//! A backend wrapper: each successful write becomes events (`ticket.creation` for a create,
//! `ticket.propertyChange` for each property a write carried, `ticket.deletion` for an archive
//! or the ticket merged away); a sender task posts them in order, in batches of at most 100
//! (HubSpot's batch size), retrying a failed post 3 times before dropping it (logged). Our
//! choices where HubSpot's behaviour is not ours to copy: a write that sets a property to the
//! value it had still sends a propertyChange (the receiver compares values anyway); creating
//! a ticket sends only `ticket.creation`; associations send nothing; `occurredAt` is the
//! ticket's new last-modified time (now for an archive).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::backend::{BackendResult, TicketsBackend};
use crate::model::webhook::{
    sign_v3, WebhookEvent, CREATION, DELETION, PROPERTY_CHANGE, SIGNATURE_V3_HEADER,
    TIMESTAMP_HEADER,
};
use crate::model::{
    AccountDetails, AssociatedIdPage, AssociationBatchItem, AssociationSpec, BatchCreateItem,
    BatchInput, BatchReadInput, BatchResponse, BatchUpdateItem, CreateInput, GetParams, IdInput,
    InputProperties, LabelsBetweenObjectPair, ListParams, MergeInput,
    MultiAssociatedObjectWithLabel, Page, Pipeline, PipelineStage, Property, SearchPage,
    SearchRequest, Ticket, UpdateInput, UpsertResult,
};

/// Events per request at most (HubSpot's batch size).
const BATCH: usize = 100;
/// Posts of one batch before it is dropped.
const ATTEMPTS: u32 = 3;

/// Where and how to send.
#[derive(Clone)]
pub struct WebhookTarget {
    /// The receiver's URL.
    pub url: reqwest::Url,
    /// The app's client secret.
    pub secret: Arc<Vec<u8>>,
}

impl std::fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

/// A backend that reports its writes as webhook events.
pub struct EmittingBackend {
    inner: Arc<dyn TicketsBackend>,
    tx: mpsc::UnboundedSender<WebhookEvent>,
    next_id: AtomicI64,
}

impl EmittingBackend {
    /// Wraps `inner`; starts the sender task (it ends when the wrapper is dropped).
    pub fn new(inner: Arc<dyn TicketsBackend>, target: WebhookTarget) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(send_loop(rx, target));
        Self {
            inner,
            tx,
            // Unique across restarts of serve: ids start at the start time in microseconds.
            next_id: AtomicI64::new(chrono::Utc::now().timestamp_micros()),
        }
    }

    fn emit(&self, kind: &str, ticket: &str, at_ms: i64, property: Option<(&str, &str)>) {
        let Ok(object_id) = ticket.parse::<i64>() else {
            return;
        };
        let _ = self.tx.send(WebhookEvent {
            event_id: self.next_id.fetch_add(1, Ordering::Relaxed),
            subscription_id: 1,
            portal_id: 1,
            app_id: 1,
            occurred_at: at_ms,
            subscription_type: kind.to_string(),
            attempt_number: 0,
            object_id,
            property_name: property.map(|p| p.0.to_string()),
            property_value: property.map(|p| p.1.to_string()),
            change_source: Some("API".into()),
        });
    }

    fn created(&self, t: &Ticket) {
        self.emit(CREATION, &t.id, t.updated_at.timestamp_millis(), None);
    }

    fn changed(&self, t: &Ticket, written: &InputProperties) {
        let at = t.updated_at.timestamp_millis();
        for (name, sent) in &written.0 {
            let value = t.prop(name).unwrap_or(sent.as_str());
            self.emit(PROPERTY_CHANGE, &t.id, at, Some((name, value)));
        }
    }

    fn deleted(&self, id: &str) {
        self.emit(DELETION, id, chrono::Utc::now().timestamp_millis(), None);
    }
}

async fn send_loop(mut rx: mpsc::UnboundedReceiver<WebhookEvent>, target: WebhookTarget) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(e) => batch.push(e),
                Err(_) => break,
            }
        }
        let Ok(body) = serde_json::to_vec(&batch) else {
            continue;
        };
        let mut sent = false;
        for attempt in 0..ATTEMPTS {
            let ts = chrono::Utc::now().timestamp_millis().to_string();
            let sig = sign_v3(&target.secret, "POST", target.url.as_str(), &body, &ts);
            let r = client
                .post(target.url.clone())
                .header("content-type", "application/json")
                .header(TIMESTAMP_HEADER, &ts)
                .header(SIGNATURE_V3_HEADER, sig)
                .body(body.clone())
                .send()
                .await;
            match r {
                Ok(resp) if resp.status().is_success() => {
                    sent = true;
                    break;
                }
                Ok(resp) => {
                    tracing::warn!(status = %resp.status(), attempt, "webhook post refused");
                }
                Err(e) => tracing::warn!(error = %e, attempt, "webhook post failed"),
            }
            tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
        }
        if !sent {
            tracing::error!(events = batch.len(), url = %target.url, "webhook batch dropped after {ATTEMPTS} attempts");
        }
    }
}

#[async_trait]
impl TicketsBackend for EmittingBackend {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn is_live(&self) -> bool {
        self.inner.is_live()
    }
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
    fn location(&self) -> String {
        self.inner.location()
    }
    async fn list(&self, params: &ListParams) -> BackendResult<Page<Ticket>> {
        self.inner.list(params).await
    }
    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket> {
        self.inner.get(id, params).await
    }
    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        let t = self.inner.create(input).await?;
        self.created(&t);
        Ok(t)
    }
    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        let t = self.inner.update(id, input, id_property).await?;
        self.changed(&t, &input.properties);
        Ok(t)
    }
    async fn archive(&self, id: &str) -> BackendResult<()> {
        self.inner.archive(id).await?;
        self.deleted(id);
        Ok(())
    }
    async fn batch_read(
        &self,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.inner.batch_read(input, archived).await
    }
    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let r = self.inner.batch_create(input).await?;
        for t in &r.results {
            self.created(t);
        }
        Ok(r)
    }
    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let r = self.inner.batch_update(input).await?;
        for t in &r.results {
            if let Some(item) = input.inputs.iter().find(|i| i.id == t.id) {
                self.changed(t, &item.properties);
            }
        }
        Ok(r)
    }
    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        let r = self.inner.batch_upsert(input).await?;
        for u in &r.results {
            if u.new {
                self.created(&u.ticket);
            } else {
                let written: InputProperties = InputProperties(
                    input
                        .inputs
                        .iter()
                        .flat_map(|i| i.properties.0.keys())
                        .filter_map(|k| u.ticket.prop(k).map(|v| (k.clone(), v.to_string())))
                        .collect(),
                );
                self.changed(&u.ticket, &written);
            }
        }
        Ok(r)
    }
    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        self.inner.batch_archive(input).await?;
        for i in &input.inputs {
            self.deleted(&i.id);
        }
        Ok(())
    }
    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage> {
        self.inner.search(request).await
    }
    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        let t = self.inner.merge(input).await?;
        self.deleted(&input.object_id_to_merge);
        Ok(t)
    }
    async fn associate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<Ticket> {
        self.inner.associate(id, to_type, to_id, type_id).await
    }
    async fn dissociate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<()> {
        self.inner.dissociate(id, to_type, to_id, type_id).await
    }
    async fn associations(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        self.inner.associations(id, to_type, after, limit).await
    }
    async fn associate_v4(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        types: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        self.inner.associate_v4(id, to_type, to_id, types).await
    }
    async fn dissociate_v4(&self, id: &str, to_type: &str, to_id: &str) -> BackendResult<()> {
        self.inner.dissociate_v4(id, to_type, to_id).await
    }
    async fn associations_v4(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        self.inner.associations_v4(id, to_type, after, limit).await
    }
    async fn batch_associate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<BatchResponse<LabelsBetweenObjectPair>> {
        self.inner.batch_associate_v4(to_type, input).await
    }
    async fn batch_dissociate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<()> {
        self.inner.batch_dissociate_v4(to_type, input).await
    }
    async fn object_property_call(
        &self,
        object_type: &str,
        call: crate::backend::PropertyCall,
    ) -> BackendResult<crate::backend::PropertyAnswer> {
        // Schema calls send no webhooks (HubSpot's ticket subscriptions are about records).
        self.inner.object_property_call(object_type, call).await
    }
    async fn properties(&self) -> BackendResult<Vec<Property>> {
        self.inner.properties().await
    }
    async fn property(&self, name: &str) -> BackendResult<Property> {
        self.inner.property(name).await
    }
    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        self.inner.pipelines().await
    }
    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        self.inner.pipeline(id).await
    }
    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        self.inner.pipeline_stages(id).await
    }
    async fn account_details(&self) -> BackendResult<AccountDetails> {
        self.inner.account_details().await
    }
}
