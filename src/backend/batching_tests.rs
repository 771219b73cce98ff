//! Tests of batch splitting and merging against the in-memory fake backend.

use super::*;
use crate::backend::fake::{ticket, FakeBackend};
use crate::model::InputProperties;

fn fake(n: u64) -> FakeBackend {
    FakeBackend::new((1..=n).map(|i| ticket(i, &[("subject", "old")])))
}

fn update(id: u64) -> BatchUpdateItem {
    BatchUpdateItem {
        id: id.to_string(),
        properties: InputProperties::new().with("subject", "new"),
        ..BatchUpdateItem::default()
    }
}

#[tokio::test]
async fn splits_250_into_100_100_50_and_merges_207_errors() {
    let b = fake(300);
    // ids 1..=245 exist; 301..=305 do not
    let items: Vec<_> = (1..=245).chain(301..=305).map(update).collect();
    let out = batch_update_all(&b, items).await.unwrap();
    assert_eq!(*b.batch_sizes.lock().unwrap(), vec![100, 100, 50]);
    assert_eq!(out.calls, 3);
    assert_eq!(out.results.len(), 245);
    assert_eq!(out.errors.len(), 5);
    assert!(out.failed_chunks.is_empty());
    assert!(!out.is_complete());
    assert_eq!(out.errors[0].context["ids"], vec!["301".to_string()]);
    assert!(out.results.iter().all(|t| t.prop("subject") == Some("new")));
}

#[tokio::test]
async fn a_failed_chunk_is_reported_per_input_and_the_others_still_run() {
    let mut b = fake(300);
    b.failing_batch_calls.insert(1);
    let items: Vec<_> = (1..=250).map(update).collect();
    let out = batch_update_all(&b, items).await.unwrap();
    assert_eq!(out.calls, 3);
    assert_eq!(out.results.len(), 150);
    assert_eq!(out.failed_chunks.len(), 1);
    let failed = &out.failed_chunks[0];
    assert_eq!((failed.index, failed.inputs.clone()), (1, 100..200));
    assert_eq!(failed.error.http_status(), Some(400));
    assert_eq!(out.errors.len(), 100);
    assert_eq!(out.errors[0].id.as_deref(), Some("101"));
    assert_eq!(out.errors[99].context["ids"], vec!["200".to_string()]);
    assert_eq!(out.errors[0].category, "VALIDATION_ERROR");
    // the untouched chunk kept its old values
    let all = b.tickets.lock().unwrap();
    assert_eq!(all[&150].prop("subject"), Some("old"));
    assert_eq!(all[&201].prop("subject"), Some("new"));
}

#[tokio::test]
async fn create_read_and_archive_split_too() {
    let b = fake(0);
    let items: Vec<_> = (0..230)
        .map(|i| BatchCreateItem {
            properties: InputProperties::new().with("subject", format!("t{i}")),
            ..BatchCreateItem::default()
        })
        .collect();
    let created = batch_create_all(&b, items).await.unwrap();
    assert_eq!(created.results.len(), 230);
    let ids: Vec<String> = created.results.iter().map(|t| t.id.clone()).collect();

    let read = BatchReadInput {
        inputs: ids.iter().map(IdInput::new).collect(),
        properties: vec!["subject".into()],
        ..BatchReadInput::default()
    };
    let out = batch_read_all(&b, read.clone(), false).await.unwrap();
    assert_eq!(out.results.len(), 230);

    let with_history = BatchReadInput {
        properties_with_history: vec!["subject".into()],
        ..read
    };
    batch_read_all(&b, with_history, false).await.unwrap();

    let archived = batch_archive_all(&b, ids).await.unwrap();
    assert_eq!(archived.results.len(), 230);
    assert!(b.tickets.lock().unwrap().is_empty());
    assert_eq!(
        *b.batch_sizes.lock().unwrap(),
        vec![100, 100, 30, 100, 100, 30, 50, 50, 50, 50, 30, 100, 100, 30]
    );
}

#[tokio::test]
async fn failed_create_chunks_name_inputs_by_trace_id_or_index() {
    let mut b = fake(0);
    b.failing_batch_calls.insert(0);
    let items = vec![
        BatchCreateItem {
            object_write_trace_id: Some("t-1".into()),
            ..BatchCreateItem::default()
        },
        BatchCreateItem::default(),
    ];
    let out = batch_create_all(&b, items).await.unwrap();
    assert_eq!(out.errors[0].context["objectWriteTraceId"], vec!["t-1"]);
    assert_eq!(out.errors[1].context["inputIndex"], vec!["1"]);
}

#[tokio::test]
async fn upsert_without_id_property_is_refused_before_sending() {
    let b = fake(0);
    let e = batch_upsert_all(&b, vec![update(1)]).await.unwrap_err();
    assert_eq!(e.http_status(), Some(400));
    assert!(b.batch_sizes.lock().unwrap().is_empty());
    let ok = BatchUpdateItem {
        id_property: Some("external_id".into()),
        ..update(1)
    };
    let out = batch_upsert_all(&b, vec![ok]).await.unwrap();
    assert!(out.results[0].new);
}

#[tokio::test]
async fn empty_input_sends_nothing() {
    let b = fake(0);
    let out = batch_update_all(&b, Vec::new()).await.unwrap();
    assert_eq!(out.calls, 0);
    assert!(out.is_complete());
}

#[tokio::test]
async fn the_daily_limit_stops_the_remaining_chunks_without_sending_them() {
    let mut b = fake(400);
    b.daily_limit_from = Some(1);
    let items: Vec<_> = (1..=350).map(update).collect();
    let out = batch_update_all(&b, items).await.unwrap();
    assert_eq!(out.calls, 2, "chunks after the daily limit are not sent");
    assert_eq!(out.results.len(), 100);
    assert_eq!(out.failed_chunks.len(), 3);
    assert!(out
        .failed_chunks
        .iter()
        .all(|c| matches!(c.error, BackendError::DailyLimit(_))));
    assert_eq!(out.errors.len(), 250);
    assert_eq!(out.errors[0].category, "RATE_LIMITS");
}
