//! Creates, 100 per call, never sent twice and never silently lost.
//!
//! Each create carries its later property changes (folded in) and an `objectWriteTraceId`
//! (its placeholder), so one refused create is a per-item error and the others are created.
//!
//! Exactly once, when the portal allows it: a create that sets a property HubSpot declares
//! `hasUniqueValue` (a custom "external id" property; a portal admin creates it with "unique
//! values" on) goes through `batch/upsert` on that property. Repeating an upsert cannot create a
//! second ticket, so when its answer is lost (timeout, dropped connection, 5xx) it is sent once
//! more. Inline associations cannot ride on an upsert, so such creates use `batch/create`.
//!
//! Without a unique property, a `batch/create` whose answer is lost is NOT sent again (the
//! transport does not retry it either). Instead the tickets are looked for (a search for
//! tickets created since the apply started, compared property by property): each one found is
//! applied with its id; each one not found is reported `uncertain` (it may exist, and HubSpot's
//! search index trails writes by a few seconds). Nothing is lost silently, but exactly once is
//! only guaranteed with a unique property.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{Duration, Utc};

use crate::backend::paging::SearchCursor;
use crate::backend::{BackendError, TicketsBackend};
use crate::model::limits::SEARCH_PAGE_MAX;
use crate::model::{
    AssociationInput, BatchCreateItem, BatchInput, BatchUpdateItem, Filter, FilterGroup,
    InputProperties, Operator, Property, SearchRequest, Ticket, MAX_BATCH_INPUTS,
};

use super::super::plan::PlanChange;
use super::outcome::ChangeStatus;
use super::{error_text, Work};

/// One create to send: the plan entries it stands for and what to send.
struct Create {
    placeholder: String,
    /// The `Created` entry and the folded `Set` entries.
    entries: Vec<usize>,
    properties: BTreeMap<String, String>,
    associations: Vec<AssociationInput>,
    /// `(property, value)` when it sets a unique-value property.
    unique: Option<(String, String)>,
}

/// How far back the read-back looks before the apply started (clock skew).
const READ_BACK_MARGIN_SECS: i64 = 60;
/// The read-back gives up after this many search pages.
const READ_BACK_MAX_PAGES: usize = 10;

/// Whether a failure may have happened after HubSpot carried the request out.
fn answer_lost(e: &BackendError) -> bool {
    match e {
        BackendError::Cancelled => false,
        _ => e.api().is_none_or(|a| a.http_status >= 500),
    }
}

pub(super) async fn apply(
    b: &dyn TicketsBackend,
    w: &mut Work<'_>,
    properties: Option<Arc<Vec<Property>>>,
) {
    let mut creates = collect(w);
    if creates.is_empty() {
        return;
    }
    let defs = match properties {
        Some(p) => Some(p),
        None => {
            w.calls.read();
            b.properties().await.ok().map(Arc::new)
        }
    };
    let unique: HashSet<String> = defs
        .iter()
        .flat_map(|d| d.iter())
        .filter(|p| p.has_unique_value && p.name != "hs_object_id")
        .map(|p| p.name.clone())
        .collect();
    for c in &mut creates {
        if c.associations.is_empty() {
            c.unique = c
                .properties
                .iter()
                .find(|(k, v)| unique.contains(*k) && !v.is_empty())
                .map(|(k, v)| (k.clone(), v.clone()));
        }
    }
    let started = Utc::now();
    let (upserts, plain): (Vec<Create>, Vec<Create>) =
        creates.into_iter().partition(|c| c.unique.is_some());
    for chunk in upserts.chunks(MAX_BATCH_INPUTS) {
        if w.cancelled() {
            return;
        }
        upsert_chunk(b, w, chunk).await;
    }
    for chunk in plain.chunks(MAX_BATCH_INPUTS) {
        if w.cancelled() {
            return;
        }
        create_chunk(b, w, chunk, started).await;
    }
}

/// The creates of the plan, with later `Set`s of the same ticket folded in.
fn collect(w: &mut Work<'_>) -> Vec<Create> {
    let mut out: Vec<Create> = Vec::new();
    for (i, e) in w.plan.entries.iter().enumerate() {
        match &e.change {
            PlanChange::Created {
                properties,
                associations,
            } if w.pending(i) => out.push(Create {
                placeholder: e.ticket.clone(),
                entries: vec![i],
                properties: properties.clone(),
                associations: associations.clone(),
                unique: None,
            }),
            PlanChange::Set { property, new, .. } => {
                if let Some(c) = out.iter_mut().find(|c| c.placeholder == e.ticket) {
                    c.entries.push(i);
                    c.properties.insert(property.clone(), new.clone());
                }
            }
            _ => {}
        }
    }
    out
}

fn done(w: &mut Work<'_>, c: &Create, id: &str) {
    w.created.insert(c.placeholder.clone(), id.to_string());
    for &i in &c.entries {
        w.set(i, ChangeStatus::Applied);
    }
}

fn mark(w: &mut Work<'_>, c: &Create, status: &ChangeStatus) {
    for &i in &c.entries {
        w.set(i, status.clone());
    }
}

fn props(c: &Create) -> InputProperties {
    let mut p = InputProperties::new();
    for (k, v) in &c.properties {
        p = p.with(k.as_str(), v.as_str());
    }
    p
}

async fn upsert_chunk(b: &dyn TicketsBackend, w: &mut Work<'_>, chunk: &[Create]) {
    let input = BatchInput::new(
        chunk
            .iter()
            .map(|c| {
                let (prop, value) = c.unique.clone().unwrap_or_default();
                BatchUpdateItem {
                    id: value,
                    id_property: Some(prop),
                    properties: props(c),
                    object_write_trace_id: Some(c.placeholder.clone()),
                }
            })
            .collect(),
    );
    let mut answer = None;
    // Safe to repeat once: an upsert on a unique value cannot create a second ticket.
    for _ in 0..2 {
        w.calls.write();
        match b.batch_upsert(&input).await {
            Ok(r) => {
                answer = Some(Ok(r));
                break;
            }
            Err(e) if answer_lost(&e) => answer = Some(Err(e)),
            Err(e) => {
                answer = Some(Err(e));
                break;
            }
        }
    }
    match answer {
        Some(Ok(r)) => {
            let failed = failed_traces(&r.errors);
            for c in chunk {
                if let Some(msg) = failed.iter().find(|(t, _)| *t == c.placeholder) {
                    mark(
                        w,
                        c,
                        &ChangeStatus::Failed {
                            message: msg.1.clone(),
                        },
                    );
                    continue;
                }
                let (prop, value) = c.unique.clone().unwrap_or_default();
                match r
                    .results
                    .iter()
                    .find(|u| u.ticket.prop(&prop) == Some(value.as_str()))
                {
                    Some(u) => done(w, c, &u.ticket.id.clone()),
                    None => mark(
                        w,
                        c,
                        &ChangeStatus::Uncertain {
                            message: format!("HubSpot's answer did not include {prop}={value}"),
                        },
                    ),
                }
            }
        }
        Some(Err(e)) if answer_lost(&e) => {
            let status = ChangeStatus::Uncertain {
                message: format!(
                    "the upsert's answer was lost twice ({}); it is safe to apply again",
                    error_text(&e)
                ),
            };
            for c in chunk {
                mark(w, c, &status);
            }
        }
        Some(Err(e)) => {
            let status = ChangeStatus::Failed {
                message: error_text(&e),
            };
            for c in chunk {
                mark(w, c, &status);
            }
        }
        None => {}
    }
}

/// `(trace id, message)` of each per-item error.
fn failed_traces(errors: &[crate::model::StandardError]) -> Vec<(String, String)> {
    errors
        .iter()
        .flat_map(|e| {
            e.context
                .get("objectWriteTraceId")
                .into_iter()
                .flatten()
                .map(|t| (t.clone(), format!("{} ({})", e.message, e.category)))
        })
        .collect()
}

/// Whether `t` carries every property `c` sets.
fn matches(t: &Ticket, c: &Create) -> bool {
    c.properties
        .iter()
        .all(|(k, v)| t.prop(k).unwrap_or("") == v.as_str())
}

async fn create_chunk(
    b: &dyn TicketsBackend,
    w: &mut Work<'_>,
    chunk: &[Create],
    started: chrono::DateTime<Utc>,
) {
    let input = BatchInput::new(
        chunk
            .iter()
            .map(|c| BatchCreateItem {
                properties: props(c),
                associations: c.associations.clone(),
                object_write_trace_id: Some(c.placeholder.clone()),
            })
            .collect(),
    );
    w.calls.write();
    match b.batch_create(&input).await {
        Ok(r) => {
            let failed = failed_traces(&r.errors);
            let mut unused: Vec<&Ticket> = r.results.iter().collect();
            for c in chunk {
                if let Some(msg) = failed.iter().find(|(t, _)| *t == c.placeholder) {
                    mark(
                        w,
                        c,
                        &ChangeStatus::Failed {
                            message: msg.1.clone(),
                        },
                    );
                    continue;
                }
                // HubSpot does not document the order of results: match by properties, else
                // take the next one.
                let pick = unused
                    .iter()
                    .position(|t| matches(t, c))
                    .or((!unused.is_empty()).then_some(0));
                match pick {
                    Some(k) => {
                        let id = unused.remove(k).id.clone();
                        done(w, c, &id);
                    }
                    None => mark(
                        w,
                        c,
                        &ChangeStatus::Uncertain {
                            message: "HubSpot answered without this ticket".into(),
                        },
                    ),
                }
            }
        }
        Err(e) if answer_lost(&e) => read_back(b, w, chunk, started, &e).await,
        Err(e) => {
            let status = ChangeStatus::Failed {
                message: error_text(&e),
            };
            for c in chunk {
                mark(w, c, &status);
            }
        }
    }
}

/// After a lost `batch/create` answer: looks for the tickets instead of sending them again.
async fn read_back(
    b: &dyn TicketsBackend,
    w: &mut Work<'_>,
    chunk: &[Create],
    started: chrono::DateTime<Utc>,
    lost: &BackendError,
) {
    let since = started - Duration::seconds(READ_BACK_MARGIN_SECS);
    let mut properties: Vec<String> = chunk
        .iter()
        .flat_map(|c| c.properties.keys().cloned())
        .collect();
    properties.sort();
    properties.dedup();
    let request = SearchRequest {
        filter_groups: vec![FilterGroup {
            filters: vec![Filter::new(
                "createdate",
                Operator::Gte,
                since.timestamp_millis().to_string(),
            )],
        }],
        properties,
        limit: Some(SEARCH_PAGE_MAX),
        ..SearchRequest::default()
    };
    let mut cursor = SearchCursor::new(request);
    let mut seen: Vec<Ticket> = Vec::new();
    let mut complete = true;
    for _ in 0..READ_BACK_MAX_PAGES {
        w.calls.read();
        match cursor.next_page(b).await {
            Ok(Some(page)) => seen.extend(page),
            Ok(None) => break,
            Err(_) => {
                complete = false;
                break;
            }
        }
        if cursor.is_done() {
            break;
        }
    }
    let taken: HashSet<String> = w.created.values().cloned().collect();
    let mut used: HashSet<String> = HashSet::new();
    for c in chunk {
        let found = seen
            .iter()
            .find(|t| !taken.contains(&t.id) && !used.contains(&t.id) && matches(t, c));
        match found {
            Some(t) => {
                used.insert(t.id.clone());
                let id = t.id.clone();
                done(w, c, &id);
            }
            None => mark(
                w,
                c,
                &ChangeStatus::Uncertain {
                    message: format!(
                        "the create's answer was lost ({}) and {} no ticket with these \
                         properties; it was not sent again (it may still appear: HubSpot's \
                         search trails writes). Give creates a unique-value property for \
                         exactly-once creates",
                        error_text(lost),
                        if complete {
                            "a search found"
                        } else {
                            "the search for it failed, so it found"
                        }
                    ),
                },
            ),
        }
    }
}
