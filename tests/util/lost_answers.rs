//! A backend wrapper that CARRIES OUT some creates and then loses their answer: every
//! `error_every`-th create is stored and then answered with a 500, every `hold_every`-th is
//! stored and then held for `hold` (longer than the client's timeout, so the client gives up
//! while the ticket exists). These are the two outcomes that make a retried create a duplicate;
//! `serve --faults` cannot produce them because its faults fire before the request is
//! processed. Every other endpoint is passed through untouched.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use hubscript::backend::{BackendResult, TicketsBackend};
use hubscript::model::{
    ApiError, AssociatedIdPage, AssociationSpec, BatchCreateItem, BatchInput, BatchReadInput,
    BatchResponse, BatchUpdateItem, CreateInput, GetParams, IdInput, LabelsBetweenObjectPair,
    ListParams, MergeInput, MultiAssociatedObjectWithLabel, Page, Pipeline, PipelineStage,
    Property, SearchPage, SearchRequest, Ticket, UpdateInput, UpsertResult,
};

/// See the module docs.
pub(crate) struct LostAnswers {
    inner: Arc<dyn TicketsBackend>,
    creates: AtomicUsize,
    error_every: usize,
    hold_every: usize,
    hold: Duration,
    /// Creates stored whose answer was lost (500 or held).
    pub lost: AtomicUsize,
}

impl LostAnswers {
    /// Wraps `inner`; `error_every`/`hold_every` of 0 disable that behaviour.
    pub(crate) fn new(
        inner: Arc<dyn TicketsBackend>,
        error_every: usize,
        hold_every: usize,
        hold: Duration,
    ) -> Self {
        Self {
            inner,
            creates: AtomicUsize::new(0),
            error_every,
            hold_every,
            hold,
            lost: AtomicUsize::new(0),
        }
    }
}

fn every(n: usize, k: usize) -> bool {
    k != 0 && n % k == 0
}

#[async_trait]
impl TicketsBackend for LostAnswers {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn list(&self, p: &ListParams) -> BackendResult<Page<Ticket>> {
        self.inner.list(p).await
    }
    async fn get(&self, id: &str, p: &GetParams) -> BackendResult<Ticket> {
        self.inner.get(id, p).await
    }
    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        let n = self.creates.fetch_add(1, Ordering::SeqCst) + 1;
        let created = self.inner.create(input).await?;
        if every(n, self.error_every) {
            self.lost.fetch_add(1, Ordering::SeqCst);
            return Err(ApiError::internal("stored, then failed (test: lost answer)").into());
        }
        if every(n, self.hold_every) {
            self.lost.fetch_add(1, Ordering::SeqCst);
            // The client times out and drops the connection, which drops this future.
            tokio::time::sleep(self.hold).await;
        }
        Ok(created)
    }
    async fn update(&self, id: &str, i: &UpdateInput, p: Option<&str>) -> BackendResult<Ticket> {
        self.inner.update(id, i, p).await
    }
    async fn archive(&self, id: &str) -> BackendResult<()> {
        self.inner.archive(id).await
    }
    async fn batch_read(
        &self,
        i: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.inner.batch_read(i, archived).await
    }
    async fn batch_create(
        &self,
        i: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.inner.batch_create(i).await
    }
    async fn batch_update(
        &self,
        i: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        self.inner.batch_update(i).await
    }
    async fn batch_upsert(
        &self,
        i: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        self.inner.batch_upsert(i).await
    }
    async fn batch_archive(&self, i: &BatchInput<IdInput>) -> BackendResult<()> {
        self.inner.batch_archive(i).await
    }
    async fn search(&self, r: &SearchRequest) -> BackendResult<SearchPage> {
        self.inner.search(r).await
    }
    async fn merge(&self, i: &MergeInput) -> BackendResult<Ticket> {
        self.inner.merge(i).await
    }
    async fn associate(&self, id: &str, t: &str, to: &str, ty: &str) -> BackendResult<Ticket> {
        self.inner.associate(id, t, to, ty).await
    }
    async fn dissociate(&self, id: &str, t: &str, to: &str, ty: &str) -> BackendResult<()> {
        self.inner.dissociate(id, t, to, ty).await
    }
    async fn associations(
        &self,
        id: &str,
        t: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        self.inner.associations(id, t, after, limit).await
    }
    async fn associate_v4(
        &self,
        id: &str,
        t: &str,
        to: &str,
        types: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        self.inner.associate_v4(id, t, to, types).await
    }
    async fn dissociate_v4(&self, id: &str, t: &str, to: &str) -> BackendResult<()> {
        self.inner.dissociate_v4(id, t, to).await
    }
    async fn associations_v4(
        &self,
        id: &str,
        t: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        self.inner.associations_v4(id, t, after, limit).await
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
}
