//! [`Counted`]: a backend wrapper that counts one run's calls, split into reads and writes, and
//! (through a task-local set around each call) the retries and rate-limit (429) waits the HTTP
//! client made for them; and that keeps every change a write call landed, from HubSpot's answer
//! (so a failed call or a failed item of a batch is not in it). The run record and the daemon's
//! metrics report these.
//!
//! A call is counted once, when it is made, whatever its outcome; a retry of it is counted as a
//! retry, not as another call. Reads are the calls that change nothing on HubSpot (gets, lists,
//! searches, batch reads, schema and account reads); everything else is a write.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;

use super::{BackendResult, TicketsBackend};
use crate::model::{
    AccountDetails, AssociatedIdPage, AssociationBatchItem, AssociationLabelCreate,
    AssociationLabelUpdate, AssociationSpec, AssociationSpecWithLabel, BatchCreateItem, BatchInput,
    BatchReadInput, BatchResponse, BatchUpdateItem, CreateInput, GetParams, IdInput,
    LabelsBetweenObjectPair, ListParams, MergeInput, MultiAssociatedObjectWithLabel, Owner,
    OwnerIdProperty, OwnerQuery, Page, Pipeline, PipelineInput, PipelinePatch, PipelineStage,
    Property, PropertyBatchRead, PropertyCreate, PropertyGroup, PropertyGroupCreate,
    PropertyGroupUpdate, PropertyName, PropertyUpdate, SearchPage, SearchRequest, StageInput,
    StagePatch, Ticket, TicketChange, UpdateInput, UpsertResult,
};

/// Call counters of one run (or any scope); cheap to share.
#[derive(Debug, Default)]
pub struct CallStats {
    reads: AtomicU64,
    writes: AtomicU64,
    retries: AtomicU64,
    rate_limit_waits: AtomicU64,
    rate_limit_wait_ms: AtomicU64,
}

/// A snapshot of [`CallStats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CallCounts {
    /// Calls that change nothing.
    pub reads: u64,
    /// Calls that create, update, archive, merge or (dis)associate.
    pub writes: u64,
    /// Attempts repeated after a 429, a 5xx, a lock or a transport failure.
    pub retries: u64,
    /// How many of those retries waited out a 429.
    pub rate_limit_waits: u64,
    /// Total time spent waiting out 429s, in milliseconds.
    pub rate_limit_wait_ms: u64,
}

impl CallCounts {
    /// Reads plus writes.
    pub fn calls(&self) -> u64 {
        self.reads + self.writes
    }
}

impl CallStats {
    /// The counts so far.
    pub fn snapshot(&self) -> CallCounts {
        CallCounts {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            rate_limit_waits: self.rate_limit_waits.load(Ordering::Relaxed),
            rate_limit_wait_ms: self.rate_limit_wait_ms.load(Ordering::Relaxed),
        }
    }
}

tokio::task_local! {
    static CURRENT: Arc<CallStats>;
}

/// Called by an HTTP backend each time it repeats an attempt; `rate_limited` with the wait when
/// the repeat follows a 429. Outside a [`Counted`] call this does nothing.
pub fn note_retry(rate_limited: Option<Duration>) {
    let _ = CURRENT.try_with(|s| {
        s.retries.fetch_add(1, Ordering::Relaxed);
        if let Some(wait) = rate_limited {
            s.rate_limit_waits.fetch_add(1, Ordering::Relaxed);
            let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
            s.rate_limit_wait_ms.fetch_add(ms, Ordering::Relaxed);
        }
    });
}

/// Wraps a backend and counts every call into one [`CallStats`].
pub struct Counted {
    inner: Arc<dyn TicketsBackend>,
    stats: Arc<CallStats>,
    landed: Mutex<Vec<TicketChange>>,
}

impl Counted {
    /// Counts the calls made through it into `stats`.
    pub fn new(inner: Arc<dyn TicketsBackend>, stats: Arc<CallStats>) -> Self {
        Self {
            inner,
            stats,
            landed: Mutex::new(Vec::new()),
        }
    }

    /// The changes landed so far, in the order HubSpot answered; empties the list.
    pub fn take_landed(&self) -> Vec<TicketChange> {
        std::mem::take(&mut *self.landed.lock().expect("landed changes lock poisoned"))
    }

    fn landed(&self, changes: impl IntoIterator<Item = TicketChange>) {
        self.landed
            .lock()
            .expect("landed changes lock poisoned")
            .extend(changes);
    }

    fn sets(&self, ticket: &str, props: &BTreeMap<String, String>) {
        self.landed(props.iter().map(|(k, v)| TicketChange::set(ticket, k, v)));
    }

    fn read<F: Future>(&self, fut: F) -> impl Future<Output = F::Output> {
        self.stats.reads.fetch_add(1, Ordering::Relaxed);
        CURRENT.scope(self.stats.clone(), fut)
    }

    fn write<F: Future>(&self, fut: F) -> impl Future<Output = F::Output> {
        self.stats.writes.fetch_add(1, Ordering::Relaxed);
        CURRENT.scope(self.stats.clone(), fut)
    }
}

impl Counted {
    fn association_items_landed(&self, to_type: &str, added: bool, items: &[AssociationBatchItem]) {
        self.landed(items.iter().flat_map(|i| {
            i.types.iter().map(move |t| {
                TicketChange::association(
                    &i.from.id,
                    added,
                    to_type,
                    &i.to.id,
                    Some(t.association_type_id.to_string()),
                )
            })
        }));
    }

    fn associations_landed(&self, ticket: &str, inputs: &[crate::model::AssociationInput]) {
        self.landed(inputs.iter().flat_map(|a| {
            a.types.iter().map(|t| {
                // inline associations of a create name no object type; HubSpot infers it from
                // the type id
                TicketChange::association(
                    ticket,
                    true,
                    "(inline)",
                    &a.to.id,
                    Some(t.association_type_id.to_string()),
                )
            })
        }));
    }
}

#[async_trait]
impl TicketsBackend for Counted {
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
        self.read(self.inner.list(params)).await
    }
    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket> {
        self.read(self.inner.get(id, params)).await
    }
    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        let t = self.write(self.inner.create(input)).await?;
        self.landed([TicketChange::create(&t.id, input.properties.0.clone())]);
        self.associations_landed(&t.id, &input.associations);
        Ok(t)
    }
    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        let t = self
            .write(self.inner.update(id, input, id_property))
            .await?;
        self.sets(&t.id, &input.properties.0);
        Ok(t)
    }
    async fn archive(&self, id: &str) -> BackendResult<()> {
        self.write(self.inner.archive(id)).await?;
        self.landed([TicketChange::archive(id)]);
        Ok(())
    }
    async fn batch_read(
        &self,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.read(self.inner.batch_read(input, archived)).await
    }
    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let r = self.write(self.inner.batch_create(input)).await?;
        // HubSpot does not promise the order of results, and a result carries no trace id: a
        // result is matched to the first unused input whose every property it shows as sent.
        let mut used = vec![false; input.inputs.len()];
        for t in &r.results {
            let found = input.inputs.iter().enumerate().position(|(i, item)| {
                !used[i]
                    && item.properties.0.iter().all(|(k, v)| {
                        t.properties.get(k).and_then(|x| x.as_deref()).unwrap_or("") == v
                    })
            });
            if let Some(i) = found {
                used[i] = true;
            }
            let item = found.map(|i| &input.inputs[i]);
            let props = match item {
                Some(item) => item.properties.0.clone(),
                None => t
                    .properties
                    .iter()
                    .filter_map(|(k, v)| v.clone().map(|v| (k.clone(), v)))
                    .collect(),
            };
            self.landed([TicketChange::create(&t.id, props)]);
            if let Some(item) = item {
                self.associations_landed(&t.id, &item.associations);
            }
        }
        Ok(r)
    }
    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let r = self.write(self.inner.batch_update(input)).await?;
        for t in &r.results {
            if let Some(item) = input.inputs.iter().find(|i| i.id == t.id) {
                self.sets(&t.id, &item.properties.0);
            }
        }
        Ok(r)
    }
    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        let r = self.write(self.inner.batch_upsert(input)).await?;
        for u in &r.results {
            let t = &u.ticket;
            // an upsert names its ticket by a unique property's value: find the input by it
            let item = input.inputs.iter().find(|i| match &i.id_property {
                Some(p) => t.properties.get(p).and_then(|v| v.as_deref()) == Some(i.id.as_str()),
                None => i.id == t.id,
            });
            let Some(item) = item else { continue };
            if u.new {
                let mut props = item.properties.0.clone();
                if let Some(p) = &item.id_property {
                    props.insert(p.clone(), item.id.clone());
                }
                self.landed([TicketChange::create(&t.id, props)]);
            } else {
                self.sets(&t.id, &item.properties.0);
            }
        }
        Ok(r)
    }
    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        self.write(self.inner.batch_archive(input)).await?;
        self.landed(input.inputs.iter().map(|i| TicketChange::archive(&i.id)));
        Ok(())
    }
    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage> {
        self.read(self.inner.search(request)).await
    }
    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        let t = self.write(self.inner.merge(input)).await?;
        self.landed([TicketChange::merge(
            &input.object_id_to_merge,
            &input.primary_object_id,
        )]);
        Ok(t)
    }
    async fn associate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<Ticket> {
        let t = self
            .write(self.inner.associate(id, to_type, to_id, type_id))
            .await?;
        self.landed([TicketChange::association(
            id,
            true,
            to_type,
            to_id,
            Some(type_id.to_string()),
        )]);
        Ok(t)
    }
    async fn dissociate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<()> {
        self.write(self.inner.dissociate(id, to_type, to_id, type_id))
            .await?;
        self.landed([TicketChange::association(
            id,
            false,
            to_type,
            to_id,
            Some(type_id.to_string()),
        )]);
        Ok(())
    }
    async fn associations(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        self.read(self.inner.associations(id, to_type, after, limit))
            .await
    }
    async fn associate_v4(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        types: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        let r = self
            .write(self.inner.associate_v4(id, to_type, to_id, types))
            .await?;
        self.landed(types.iter().map(|t| {
            TicketChange::association(
                id,
                true,
                to_type,
                to_id,
                Some(t.association_type_id.to_string()),
            )
        }));
        Ok(r)
    }
    async fn dissociate_v4(&self, id: &str, to_type: &str, to_id: &str) -> BackendResult<()> {
        self.write(self.inner.dissociate_v4(id, to_type, to_id))
            .await?;
        self.landed([TicketChange::association(id, false, to_type, to_id, None)]);
        Ok(())
    }
    async fn associations_v4(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        self.read(self.inner.associations_v4(id, to_type, after, limit))
            .await
    }
    async fn batch_associate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<BatchResponse<LabelsBetweenObjectPair>> {
        let r = self
            .write(self.inner.batch_associate_v4(to_type, input))
            .await?;
        for pair in &r.results {
            let item = input
                .inputs
                .iter()
                .find(|i| i.from.id == pair.from_object_id && i.to.id == pair.to_object_id);
            if let Some(item) = item {
                self.association_items_landed(to_type, true, std::slice::from_ref(item));
            }
        }
        Ok(r)
    }
    async fn batch_dissociate_v4(
        &self,
        to_type: &str,
        input: &BatchInput<AssociationBatchItem>,
    ) -> BackendResult<()> {
        self.write(self.inner.batch_dissociate_v4(to_type, input))
            .await?;
        self.association_items_landed(to_type, false, &input.inputs);
        Ok(())
    }
    async fn object_property_call(
        &self,
        object_type: &str,
        call: super::PropertyCall,
    ) -> BackendResult<super::PropertyAnswer> {
        if call.is_write() {
            self.write(self.inner.object_property_call(object_type, call))
                .await
        } else {
            self.read(self.inner.object_property_call(object_type, call))
                .await
        }
    }
    async fn properties(&self) -> BackendResult<Vec<Property>> {
        self.read(self.inner.properties()).await
    }
    async fn property(&self, name: &str) -> BackendResult<Property> {
        self.read(self.inner.property(name)).await
    }
    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        self.read(self.inner.pipelines()).await
    }
    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        self.read(self.inner.pipeline(id)).await
    }
    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        self.read(self.inner.pipeline_stages(id)).await
    }
    async fn archived_properties(&self) -> BackendResult<Vec<Property>> {
        self.read(self.inner.archived_properties()).await
    }
    async fn create_property(&self, input: &PropertyCreate) -> BackendResult<Property> {
        self.write(self.inner.create_property(input)).await
    }
    async fn update_property(&self, name: &str, input: &PropertyUpdate) -> BackendResult<Property> {
        self.write(self.inner.update_property(name, input)).await
    }
    async fn archive_property(&self, name: &str) -> BackendResult<()> {
        self.write(self.inner.archive_property(name)).await
    }
    async fn batch_read_properties(
        &self,
        input: &PropertyBatchRead,
    ) -> BackendResult<BatchResponse<Property>> {
        self.read(self.inner.batch_read_properties(input)).await
    }
    async fn batch_create_properties(
        &self,
        input: &BatchInput<PropertyCreate>,
    ) -> BackendResult<BatchResponse<Property>> {
        self.write(self.inner.batch_create_properties(input)).await
    }
    async fn batch_archive_properties(
        &self,
        input: &BatchInput<PropertyName>,
    ) -> BackendResult<()> {
        self.write(self.inner.batch_archive_properties(input)).await
    }
    async fn create_pipeline(&self, input: &PipelineInput) -> BackendResult<Pipeline> {
        self.write(self.inner.create_pipeline(input)).await
    }
    async fn replace_pipeline(&self, id: &str, input: &PipelineInput) -> BackendResult<Pipeline> {
        self.write(self.inner.replace_pipeline(id, input)).await
    }
    async fn update_pipeline(&self, id: &str, input: &PipelinePatch) -> BackendResult<Pipeline> {
        self.write(self.inner.update_pipeline(id, input)).await
    }
    async fn delete_pipeline(&self, id: &str) -> BackendResult<()> {
        self.write(self.inner.delete_pipeline(id)).await
    }
    async fn create_stage(&self, id: &str, input: &StageInput) -> BackendResult<PipelineStage> {
        self.write(self.inner.create_stage(id, input)).await
    }
    async fn replace_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StageInput,
    ) -> BackendResult<PipelineStage> {
        self.write(self.inner.replace_stage(id, stage, input)).await
    }
    async fn update_stage(
        &self,
        id: &str,
        stage: &str,
        input: &StagePatch,
    ) -> BackendResult<PipelineStage> {
        self.write(self.inner.update_stage(id, stage, input)).await
    }
    async fn delete_stage(&self, id: &str, stage: &str) -> BackendResult<()> {
        self.write(self.inner.delete_stage(id, stage)).await
    }
    async fn association_labels(
        &self,
        from: &str,
        to: &str,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        self.read(self.inner.association_labels(from, to)).await
    }
    async fn create_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelCreate,
    ) -> BackendResult<Vec<AssociationSpecWithLabel>> {
        self.write(self.inner.create_association_label(from, to, input))
            .await
    }
    async fn update_association_label(
        &self,
        from: &str,
        to: &str,
        input: &AssociationLabelUpdate,
    ) -> BackendResult<()> {
        self.write(self.inner.update_association_label(from, to, input))
            .await
    }
    async fn delete_association_label(
        &self,
        from: &str,
        to: &str,
        type_id: i32,
    ) -> BackendResult<()> {
        self.write(self.inner.delete_association_label(from, to, type_id))
            .await
    }
    async fn property_groups(&self) -> BackendResult<Vec<PropertyGroup>> {
        self.read(self.inner.property_groups()).await
    }
    async fn property_group(&self, name: &str) -> BackendResult<PropertyGroup> {
        self.read(self.inner.property_group(name)).await
    }
    async fn create_property_group(
        &self,
        input: &PropertyGroupCreate,
    ) -> BackendResult<PropertyGroup> {
        self.write(self.inner.create_property_group(input)).await
    }
    async fn update_property_group(
        &self,
        name: &str,
        input: &PropertyGroupUpdate,
    ) -> BackendResult<PropertyGroup> {
        self.write(self.inner.update_property_group(name, input))
            .await
    }
    async fn archive_property_group(&self, name: &str) -> BackendResult<()> {
        self.write(self.inner.archive_property_group(name)).await
    }
    async fn owners(&self, query: &OwnerQuery) -> BackendResult<Page<Owner>> {
        self.read(self.inner.owners(query)).await
    }
    async fn owner(
        &self,
        id: &str,
        id_property: OwnerIdProperty,
        archived: bool,
    ) -> BackendResult<Owner> {
        self.read(self.inner.owner(id, id_property, archived)).await
    }
    async fn object_get(
        &self,
        object_type: &str,
        id: &str,
        params: &GetParams,
    ) -> BackendResult<Ticket> {
        self.read(self.inner.object_get(object_type, id, params))
            .await
    }
    async fn object_list(
        &self,
        object_type: &str,
        params: &ListParams,
    ) -> BackendResult<Page<Ticket>> {
        self.read(self.inner.object_list(object_type, params)).await
    }
    async fn object_create(&self, object_type: &str, input: &CreateInput) -> BackendResult<Ticket> {
        let r = self
            .write(self.inner.object_create(object_type, input))
            .await?;
        // The run record keeps changes to tickets: a record created with associations to
        // tickets is recorded as logged on each of those tickets (`log`, with the ticket-side
        // type of its first association type and the properties sent), so an undo knows to
        // archive it rather than only remove the association.
        let plural =
            crate::model::object_types::object_type(object_type).map_or(object_type, |o| o.plural);
        self.landed(input.associations.iter().filter_map(|a| {
            let t = a.types.first()?;
            let forward =
                crate::model::object_types::ticket_side_type(plural, t.association_type_id)
                    .unwrap_or(t.association_type_id);
            Some(TicketChange::logged(
                &a.to.id,
                true,
                plural,
                &r.id,
                Some(forward.to_string()),
                input.properties.0.clone(),
            ))
        }));
        Ok(r)
    }
    async fn object_update(
        &self,
        object_type: &str,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        self.write(
            self.inner
                .object_update(object_type, id, input, id_property),
        )
        .await
    }
    async fn object_archive(&self, object_type: &str, id: &str) -> BackendResult<()> {
        self.write(self.inner.object_archive(object_type, id)).await
    }
    async fn object_batch_read(
        &self,
        object_type: &str,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.read(self.inner.object_batch_read(object_type, input, archived))
            .await
    }
    async fn object_search(
        &self,
        object_type: &str,
        request: &SearchRequest,
    ) -> BackendResult<SearchPage> {
        self.read(self.inner.object_search(object_type, request))
            .await
    }
    async fn batch_read_associations_v4(
        &self,
        to_type: &str,
        input: &BatchInput<IdInput>,
    ) -> BackendResult<BatchResponse<crate::model::AssociationsOf>> {
        self.read(self.inner.batch_read_associations_v4(to_type, input))
            .await
    }
    async fn account_details(&self) -> BackendResult<AccountDetails> {
        self.read(self.inner.account_details()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::fake::FakeBackend;

    #[tokio::test]
    async fn splits_reads_from_writes_and_counts_retries_in_scope() {
        let stats = Arc::new(CallStats::default());
        let b = Counted::new(Arc::new(FakeBackend::numbered(2, 10)), stats.clone());
        b.get("1", &GetParams::default()).await.unwrap();
        b.pipelines().await.unwrap();
        let _ = b.archive("1").await;
        // a retry noted inside a counted call lands in its stats; outside, nowhere
        CURRENT
            .scope(stats.clone(), async {
                note_retry(None);
                note_retry(Some(Duration::from_millis(250)));
            })
            .await;
        note_retry(Some(Duration::from_secs(1)));
        let c = stats.snapshot();
        assert_eq!((c.reads, c.writes, c.calls()), (2, 1, 3));
        assert_eq!(
            (c.retries, c.rate_limit_waits, c.rate_limit_wait_ms),
            (2, 1, 250)
        );
    }
}
