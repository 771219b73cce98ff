//! The drift check: before anything is sent, each existing ticket's planned properties are
//! compared with the values the plan read. A ticket whose value changed since (and is not
//! already the planned value) is a conflict: none of its changes are sent.
//!
//! Two ways to look, same verdicts:
//! - [`DriftCheck::Read`]: one batch read per 100 planned tickets (exact; for saved plans and
//!   undo, whose reads may be an hour old).
//! - [`DriftCheck::ModifiedSince`]: one search for the tickets modified since the plan started
//!   reading (pages of 200, normally one call, since few tickets change in the seconds between
//!   planning and applying); only those can have drifted, and the search returns the values to
//!   compare. When that search would cost more calls than the batch reads, it falls back to
//!   them. Limit: HubSpot's search index trails writes by a few seconds (unconfirmed figure), so
//!   an edit made in the last seconds before the apply may not be seen; that is the same window
//!   as an immediate write that reads and then writes.
//!
//! Archives, merges and associations carry no read values and are not checked.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::backend::batching::batch_read_all;
use crate::backend::paging::SearchCursor;
use crate::backend::{BackendResult, TicketsBackend};
use crate::model::limits::{MAX_BATCH_INPUTS, SEARCH_PAGE_MAX};
use crate::model::{BatchReadInput, Filter, FilterGroup, IdInput, Operator, SearchRequest, Ticket};

use super::outcome::ChangeStatus;
use super::Calls;

/// How the drift check looks for changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriftCheck {
    /// Batch-read every planned ticket (one call per 100).
    Read,
    /// Search for tickets modified at or after this time (the plan's first read, minus a
    /// margin for clock skew); read only those.
    ModifiedSince(DateTime<Utc>),
    /// No check (the plan was read moments ago under a lock the caller holds; tests).
    Off,
}

/// What the plan expects of one ticket: per property, the value it read and the value it
/// will write.
pub(super) type Expected = BTreeMap<String, (Option<String>, Option<String>)>;

/// Search pages and batch reads as large as HubSpot serves them.
const SEARCH_PAGE: u64 = SEARCH_PAGE_MAX as u64;
const READ_CHUNK: u64 = MAX_BATCH_INPUTS as u64;

/// The conflicts among `expected` (ticket id -> expectations), by ticket.
pub(super) async fn conflicts(
    b: &dyn TicketsBackend,
    expected: &HashMap<String, Expected>,
    mode: DriftCheck,
    calls: &Calls,
) -> BackendResult<HashMap<String, ChangeStatus>> {
    if expected.is_empty() {
        return Ok(HashMap::new());
    }
    let mut properties: Vec<String> = expected.values().flat_map(|e| e.keys().cloned()).collect();
    properties.sort();
    properties.dedup();
    let ids: Vec<String> = match mode {
        DriftCheck::Off => return Ok(HashMap::new()),
        DriftCheck::Read => expected.keys().cloned().collect(),
        DriftCheck::ModifiedSince(since) => {
            match modified_since(b, expected, &properties, since, calls).await? {
                Some(found) => return Ok(compare(expected, found, false)),
                None => expected.keys().cloned().collect(),
            }
        }
    };
    let found = read(b, ids, properties, calls).await?;
    Ok(compare(expected, found, true))
}

/// Tickets of the plan modified since `since`, or `None` when reading them all is cheaper.
async fn modified_since(
    b: &dyn TicketsBackend,
    expected: &HashMap<String, Expected>,
    properties: &[String],
    since: DateTime<Utc>,
    calls: &Calls,
) -> BackendResult<Option<HashMap<String, Ticket>>> {
    let read_cost = (expected.len() as u64).div_ceil(READ_CHUNK);
    let mut props = properties.to_vec();
    props.push("hs_lastmodifieddate".into());
    let request = SearchRequest {
        filter_groups: vec![FilterGroup {
            filters: vec![Filter::new(
                "hs_lastmodifieddate",
                Operator::Gte,
                since.timestamp_millis().to_string(),
            )],
        }],
        properties: props,
        limit: Some(SEARCH_PAGE as u32),
        ..SearchRequest::default()
    };
    let mut cursor = SearchCursor::new(request);
    let mut found = HashMap::new();
    while let Some(page) = {
        calls.read();
        cursor.next_page(b).await?
    } {
        let total = cursor.total().unwrap_or(0).max(0) as u64;
        if total.div_ceil(SEARCH_PAGE) > read_cost {
            return Ok(None);
        }
        for t in page {
            if expected.contains_key(&t.id) {
                found.insert(t.id.clone(), t);
            }
        }
        if cursor.is_done() {
            break;
        }
    }
    Ok(Some(found))
}

async fn read(
    b: &dyn TicketsBackend,
    ids: Vec<String>,
    properties: Vec<String>,
    calls: &Calls,
) -> BackendResult<HashMap<String, Ticket>> {
    let n = ids.len() as u64;
    let input = BatchReadInput {
        inputs: ids.into_iter().map(IdInput::new).collect(),
        properties,
        properties_with_history: Vec::new(),
        id_property: None,
    };
    let outcome = batch_read_all(b, input, false).await?;
    calls.reads(outcome.calls as u64);
    debug_assert!(outcome.calls as u64 == n.div_ceil(READ_CHUNK));
    if let Some(chunk) = outcome.failed_chunks.first() {
        return Err(chunk.error.clone());
    }
    Ok(outcome
        .results
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect())
}

/// Conflicts among the tickets `found`; with `complete`, a planned ticket missing from `found`
/// no longer exists (archived or merged away) and is a conflict too.
fn compare(
    expected: &HashMap<String, Expected>,
    found: HashMap<String, Ticket>,
    complete: bool,
) -> HashMap<String, ChangeStatus> {
    let mut out = HashMap::new();
    for (id, props) in expected {
        let Some(t) = found.get(id) else {
            if complete {
                out.insert(
                    id.clone(),
                    ChangeStatus::Conflict {
                        property: "(ticket)".into(),
                        read: Some(id.clone()),
                        found: None,
                    },
                );
            }
            continue;
        };
        for (name, (read, new)) in props {
            let now = t
                .properties
                .get(name)
                .cloned()
                .flatten()
                .filter(|v| !v.is_empty());
            // Already the planned value (an earlier apply whose answer was lost, or someone
            // made the same change): not a conflict.
            if now == *read || now == *new {
                continue;
            }
            out.insert(
                id.clone(),
                ChangeStatus::Conflict {
                    property: name.clone(),
                    read: read.clone(),
                    found: now,
                },
            );
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(id: &str, props: &[(&str, Option<&str>)]) -> Ticket {
        let now = Utc::now();
        Ticket {
            id: id.into(),
            properties: props
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.map(str::to_string)))
                .collect(),
            properties_with_history: None,
            created_at: now,
            updated_at: now,
            archived: false,
            archived_at: None,
            associations: None,
        }
    }

    fn expect(props: &[(&str, Option<&str>, Option<&str>)]) -> Expected {
        props
            .iter()
            .map(|(k, r, n)| {
                (
                    (*k).to_string(),
                    (r.map(str::to_string), n.map(str::to_string)),
                )
            })
            .collect()
    }

    #[test]
    fn a_changed_value_is_a_conflict_the_planned_one_is_not() {
        let mut expected = HashMap::new();
        expected.insert(
            "1".to_string(),
            expect(&[("p", Some("HIGH"), Some("URGENT"))]),
        );
        expected.insert(
            "2".to_string(),
            expect(&[("p", Some("HIGH"), Some("URGENT"))]),
        );
        expected.insert("3".to_string(), expect(&[("p", None, Some("x"))]));
        expected.insert(
            "4".to_string(),
            expect(&[("p", Some("HIGH"), Some("URGENT"))]),
        );
        let found: HashMap<String, Ticket> = [
            ticket("1", &[("p", Some("LOW"))]),
            ticket("2", &[("p", Some("URGENT"))]),
            ticket("3", &[("p", Some(""))]),
        ]
        .into_iter()
        .map(|t| (t.id.clone(), t))
        .collect();
        let c = compare(&expected, found.clone(), true);
        assert_eq!(c.len(), 2, "{c:?}");
        assert_eq!(
            c["1"],
            ChangeStatus::Conflict {
                property: "p".into(),
                read: Some("HIGH".into()),
                found: Some("LOW".into())
            }
        );
        assert!(
            matches!(&c["4"], ChangeStatus::Conflict { property, .. } if property == "(ticket)")
        );
        // From a modified-since search, a ticket not found did not change.
        assert_eq!(compare(&expected, found, false).len(), 1);
    }
}
