//! Batch operations of any size, for any backend: the inputs are split into calls of at most
//! [`MAX_BATCH_INPUTS`] (50 for reads with `propertiesWithHistory`, the official clients'
//! figure), sent one after another (the backend's rate limiter paces them), and their answers
//! merged into one [`BatchOutcome`].
//!
//! Failure semantics:
//! - a 207 is not a failure: its `errors[]` go into [`BatchOutcome::errors`] per input, its
//!   `results` into [`BatchOutcome::results`];
//! - a whole-call failure (a 400 for one chunk, a timeout after retries) is recorded in
//!   [`BatchOutcome::failed_chunks`] and as one `StandardError` per input of that chunk (with
//!   the input's id, trace id or index in `context`), and the other chunks still run;
//! - after `DailyLimit` or `Cancelled` no further call can succeed, so the remaining chunks are
//!   recorded as failed with that error without being sent.
//!
//! The functions return `Err` only for input that HubSpot would refuse before anything is sent
//! (an upsert input without `idProperty`). This module only composes backend calls.

use std::future::Future;
use std::ops::Range;
use std::pin::Pin;

use super::{BackendError, BackendResult, TicketsBackend};
use crate::model::limits::{MAX_BATCH_INPUTS, MAX_BATCH_INPUTS_WITH_HISTORY};
use crate::model::{
    BatchCreateItem, BatchInput, BatchReadInput, BatchUpdateItem, IdInput, StandardError, Ticket,
    UpsertResult,
};

/// One call whose whole request failed.
#[derive(Debug, Clone)]
pub struct FailedChunk {
    /// Which call (0-based).
    pub index: usize,
    /// Which inputs it carried (indexes into the caller's list).
    pub inputs: Range<usize>,
    /// Why it failed.
    pub error: BackendError,
}

/// The merged outcome of a split batch.
#[derive(Debug, Clone)]
pub struct BatchOutcome<T> {
    /// What succeeded, in call order.
    pub results: Vec<T>,
    /// One error per input that failed: from 207 answers, and one per input of a failed call.
    pub errors: Vec<StandardError>,
    /// The calls that failed as a whole.
    pub failed_chunks: Vec<FailedChunk>,
    /// How many calls were sent.
    pub calls: usize,
}

impl<T> BatchOutcome<T> {
    fn empty() -> Self {
        Self {
            results: Vec::new(),
            errors: Vec::new(),
            failed_chunks: Vec::new(),
            calls: 0,
        }
    }

    /// Whether every input succeeded.
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty() && self.failed_chunks.is_empty()
    }
}

type CallFuture<'b, T> =
    Pin<Box<dyn Future<Output = BackendResult<(Vec<T>, Vec<StandardError>)>> + Send + 'b>>;

/// How a failed input is named in its error: a `context` key and value, plus the record id
/// when there is one.
struct Label {
    key: &'static str,
    value: String,
    id: Option<String>,
}

fn chunk_error(err: &BackendError, label: Label) -> StandardError {
    let api = err.api();
    let category = match (api, err) {
        (Some(a), _) => a.category.clone(),
        (None, BackendError::Timeout { .. }) => "TIMEOUT".into(),
        (None, BackendError::Cancelled) => "CANCELLED".into(),
        (None, BackendError::Decode { .. }) => "DECODE_ERROR".into(),
        (None, _) => "TRANSPORT_ERROR".into(),
    };
    let mut context = std::collections::BTreeMap::new();
    context.insert(label.key.to_string(), vec![label.value]);
    StandardError {
        status: "error".into(),
        category,
        message: err.to_string(),
        errors: api.map(|a| a.errors.clone()).unwrap_or_default(),
        context,
        links: Default::default(),
        id: label.id,
        sub_category: None,
    }
}

/// Whether no later call can succeed.
fn stops_the_run(err: &BackendError) -> bool {
    matches!(err, BackendError::DailyLimit(_) | BackendError::Cancelled)
}

async fn run_chunks<'b, I, T>(
    items: Vec<I>,
    chunk_size: usize,
    label: fn(usize, &I) -> Label,
    mut call: impl FnMut(Vec<I>) -> CallFuture<'b, T>,
) -> BatchOutcome<T> {
    let mut out = BatchOutcome::empty();
    let mut stop: Option<BackendError> = None;
    let mut iter = items.into_iter();
    let mut start = 0usize;
    for index in 0.. {
        let chunk: Vec<I> = iter.by_ref().take(chunk_size.max(1)).collect();
        if chunk.is_empty() {
            break;
        }
        let range = start..start + chunk.len();
        let labels: Vec<Label> = chunk
            .iter()
            .enumerate()
            .map(|(i, x)| label(start + i, x))
            .collect();
        start = range.end;
        let result = match &stop {
            Some(e) => Err(e.clone()),
            None => {
                out.calls += 1;
                call(chunk).await
            }
        };
        match result {
            Ok((results, errors)) => {
                out.results.extend(results);
                out.errors.extend(errors);
            }
            Err(error) => {
                tracing::debug!(chunk = index, inputs = ?range, %error, "batch chunk failed");
                out.errors
                    .extend(labels.into_iter().map(|l| chunk_error(&error, l)));
                if stop.is_none() && stops_the_run(&error) {
                    stop = Some(error.clone());
                }
                out.failed_chunks.push(FailedChunk {
                    index,
                    inputs: range,
                    error,
                });
            }
        }
    }
    out
}

fn id_label(_: usize, id: &str) -> Label {
    Label {
        key: "ids",
        value: id.to_string(),
        id: Some(id.to_string()),
    }
}

fn update_label(i: usize, item: &BatchUpdateItem) -> Label {
    match &item.object_write_trace_id {
        Some(trace) => Label {
            key: "objectWriteTraceId",
            value: trace.clone(),
            id: Some(item.id.clone()),
        },
        None => id_label(i, &item.id),
    }
}

fn create_label(i: usize, item: &BatchCreateItem) -> Label {
    match &item.object_write_trace_id {
        Some(trace) => Label {
            key: "objectWriteTraceId",
            value: trace.clone(),
            id: None,
        },
        None => Label {
            key: "inputIndex",
            value: i.to_string(),
            id: None,
        },
    }
}

/// `batch/create` for any number of inputs.
pub async fn batch_create_all(
    b: &dyn TicketsBackend,
    items: Vec<BatchCreateItem>,
) -> BackendResult<BatchOutcome<Ticket>> {
    Ok(run_chunks(items, MAX_BATCH_INPUTS, create_label, |chunk| {
        Box::pin(async move {
            let r = b.batch_create(&BatchInput::new(chunk)).await?;
            Ok((r.results, r.errors))
        })
    })
    .await)
}

/// `batch/update` for any number of inputs.
pub async fn batch_update_all(
    b: &dyn TicketsBackend,
    items: Vec<BatchUpdateItem>,
) -> BackendResult<BatchOutcome<Ticket>> {
    Ok(run_chunks(items, MAX_BATCH_INPUTS, update_label, |chunk| {
        Box::pin(async move {
            let r = b.batch_update(&BatchInput::new(chunk)).await?;
            Ok((r.results, r.errors))
        })
    })
    .await)
}

/// `batch/upsert` for any number of inputs; each needs `idProperty`, else `Err` (400) before
/// anything is sent.
pub async fn batch_upsert_all(
    b: &dyn TicketsBackend,
    items: Vec<BatchUpdateItem>,
) -> BackendResult<BatchOutcome<UpsertResult>> {
    if let Some((i, item)) = items
        .iter()
        .enumerate()
        .find(|(_, it)| it.id_property.as_deref().is_none_or(str::is_empty))
    {
        return Err(super::paging::local_validation_error(format!(
            "upsert input {i} (id `{}`) has no idProperty: an upsert needs the name of a unique property",
            item.id
        )));
    }
    Ok(run_chunks(items, MAX_BATCH_INPUTS, update_label, |chunk| {
        Box::pin(async move {
            let r = b.batch_upsert(&BatchInput::new(chunk)).await?;
            Ok((r.results, r.errors))
        })
    })
    .await)
}

/// `batch/read` for any number of ids (chunks of 50 when `propertiesWithHistory` is set).
pub async fn batch_read_all(
    b: &dyn TicketsBackend,
    input: BatchReadInput,
    archived: bool,
) -> BackendResult<BatchOutcome<Ticket>> {
    let size = if input.properties_with_history.is_empty() {
        MAX_BATCH_INPUTS
    } else {
        MAX_BATCH_INPUTS_WITH_HISTORY
    };
    let template = BatchReadInput {
        inputs: Vec::new(),
        ..input.clone()
    };
    let template = &template;
    Ok(run_chunks(
        input.inputs,
        size,
        |i, x: &IdInput| id_label(i, &x.id),
        |chunk| {
            Box::pin(async move {
                let req = BatchReadInput {
                    inputs: chunk,
                    ..template.clone()
                };
                let r = b.batch_read(&req, archived).await?;
                Ok((r.results, r.errors))
            })
        },
    )
    .await)
}

/// `batch/archive` for any number of ids; `results` lists the ids of the calls that
/// succeeded (HubSpot answers 204 without detail).
pub async fn batch_archive_all(
    b: &dyn TicketsBackend,
    ids: Vec<String>,
) -> BackendResult<BatchOutcome<String>> {
    Ok(run_chunks(
        ids,
        MAX_BATCH_INPUTS,
        |i, id: &String| id_label(i, id),
        |chunk| {
            Box::pin(async move {
                let input = BatchInput::new(chunk.iter().map(IdInput::new).collect());
                b.batch_archive(&input).await?;
                Ok((chunk, Vec::new()))
            })
        },
    )
    .await)
}

#[cfg(test)]
#[path = "batching_tests.rs"]
mod tests;
