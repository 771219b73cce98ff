//! The change feed's queries: tickets modified after a watermark, by keyset on
//! (last-modified time, id), so no change is skipped when many tickets share a timestamp and no
//! query ever pages towards HubSpot's 10,000-result cap (each query starts from the watermark,
//! never from an offset). Only the watched properties are asked for. Pure: the engine sends the
//! requests and stores the cursor.
//!
//! A query is `hs_lastmodifieddate > ms OR (hs_lastmodifieddate = ms AND hs_object_id > id)`,
//! sorted by last-modified time (HubSpot applies one sort; ties come in no promised order):
//! - a page that is not full is everything: the cursor moves to its newest (time, id);
//! - a full page with several times is complete for every time but its last: the cursor moves
//!   to "everything before that last time" and the next query starts there;
//! - a full page of one time (a burst sharing a millisecond) switches to paging that time by id
//!   (`hs_lastmodifieddate = ms AND hs_object_id > id`, sorted by id), then moves on.
//!
//! A result seen twice is harmless: the snapshot makes detection idempotent.

use crate::model::{Filter, FilterGroup, Operator, SearchRequest, Sort, SortDirection, Ticket};
use crate::state::FeedCursor;

/// Results per query (HubSpot's largest search page).
pub(crate) const PAGE: u32 = 200;

/// "Every ticket modified at the cursor's time was seen" (only later times remain).
pub(crate) const ALL_AT_TIME: i64 = i64::MAX;

const MODIFIED: &str = "hs_lastmodifieddate";
const ID: &str = "hs_object_id";

fn request(groups: Vec<FilterGroup>, sort: &str, watched: &[String]) -> SearchRequest {
    let mut properties: Vec<String> = watched.to_vec();
    properties.extend([MODIFIED.to_string(), "createdate".to_string()]);
    SearchRequest {
        filter_groups: groups,
        sorts: vec![Sort {
            property_name: sort.into(),
            direction: SortDirection::Ascending,
        }],
        properties,
        limit: Some(PAGE),
        ..SearchRequest::default()
    }
}

/// The query after `cursor`.
pub(crate) fn after(cursor: &FeedCursor, watched: &[String]) -> SearchRequest {
    let later = FilterGroup {
        filters: vec![Filter::new(
            MODIFIED,
            Operator::Gt,
            cursor.modified_ms.to_string(),
        )],
    };
    let mut groups = vec![later];
    if cursor.ticket_id != ALL_AT_TIME {
        groups.push(FilterGroup {
            filters: vec![
                Filter::new(MODIFIED, Operator::Eq, cursor.modified_ms.to_string()),
                Filter::new(ID, Operator::Gt, cursor.ticket_id.to_string()),
            ],
        });
    }
    request(groups, MODIFIED, watched)
}

/// The query of one burst's time `ms`, after ticket id `id`.
pub(crate) fn within(ms: i64, id: i64, watched: &[String]) -> SearchRequest {
    request(
        vec![FilterGroup {
            filters: vec![
                Filter::new(MODIFIED, Operator::Eq, ms.to_string()),
                Filter::new(ID, Operator::Gt, id.to_string()),
            ],
        }],
        ID,
        watched,
    )
}

/// A ticket's place in the keyset.
pub(crate) fn key(t: &Ticket) -> (i64, i64) {
    (
        t.updated_at.timestamp_millis(),
        t.id.parse::<i64>().unwrap_or(0),
    )
}

/// What to do after a page of [`after`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Caught up: store this cursor and wait for the next interval.
    Done(FeedCursor),
    /// More to read: store this cursor and query again.
    More(FeedCursor),
    /// A full page of one time: page that time by id (from the cursor's id at that time).
    Burst(i64),
}

/// Where the cursor goes after `results` (a page of [`after`] for `cursor`).
pub(crate) fn advance(cursor: &FeedCursor, results: &[Ticket]) -> Next {
    let newest = results.iter().map(key).max();
    if results.len() < PAGE as usize {
        return Next::Done(match newest {
            Some((ms, id)) => FeedCursor {
                modified_ms: ms,
                ticket_id: id,
                ..*cursor
            },
            None => *cursor,
        });
    }
    let oldest = results
        .iter()
        .map(|t| key(t).0)
        .min()
        .unwrap_or(cursor.modified_ms);
    let last = newest.map_or(cursor.modified_ms, |k| k.0);
    if oldest == last {
        return Next::Burst(last);
    }
    Next::More(FeedCursor {
        modified_ms: last - 1,
        ticket_id: ALL_AT_TIME,
        ..*cursor
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PropertyMap;

    fn ticket(id: i64, ms: i64) -> Ticket {
        let at = super::super::detect::from_ms(ms);
        Ticket {
            id: id.to_string(),
            properties: PropertyMap::default(),
            properties_with_history: None,
            created_at: at,
            updated_at: at,
            archived: false,
            archived_at: None,
            associations: None,
        }
    }

    const C: FeedCursor = FeedCursor {
        modified_ms: 100,
        ticket_id: 5,
        baseline_ms: 1,
    };

    #[test]
    fn the_query_asks_for_later_times_and_later_ids_at_the_same_time() {
        let r = after(&C, &["hs_pipeline_stage".to_string()]);
        assert_eq!(r.filter_groups.len(), 2);
        assert_eq!(r.filter_groups[1].filters[1].value.as_deref(), Some("5"));
        assert_eq!(r.sorts[0].property_name, MODIFIED);
        assert!(r.properties.contains(&"hs_pipeline_stage".to_string()));
        assert_eq!(r.after, None, "never an offset: no 10,000 cap");
        let done = FeedCursor {
            ticket_id: ALL_AT_TIME,
            ..C
        };
        assert_eq!(after(&done, &[]).filter_groups.len(), 1);
        let w = within(100, 9, &[]);
        assert_eq!(w.sorts[0].property_name, ID);
    }

    #[test]
    fn the_cursor_moves_to_the_newest_key_of_a_short_page() {
        let next = advance(&C, &[ticket(9, 150), ticket(3, 200), ticket(4, 200)]);
        assert_eq!(
            next,
            Next::Done(FeedCursor {
                modified_ms: 200,
                ticket_id: 4,
                baseline_ms: 1
            })
        );
        assert_eq!(advance(&C, &[]), Next::Done(C));
    }

    #[test]
    fn a_full_page_keeps_its_last_time_open_and_a_burst_pages_by_id() {
        let mut page: Vec<Ticket> = (0..199).map(|i| ticket(i, 150)).collect();
        page.push(ticket(500, 160));
        assert_eq!(
            advance(&C, &page),
            Next::More(FeedCursor {
                modified_ms: 159,
                ticket_id: ALL_AT_TIME,
                baseline_ms: 1
            })
        );
        let burst: Vec<Ticket> = (0..200).map(|i| ticket(i, 150)).collect();
        assert_eq!(advance(&C, &burst), Next::Burst(150));
    }
}
