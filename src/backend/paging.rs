//! Walking every page of a list or a search, for any backend (the HTTP client and the sandbox
//! alike): [`ListCursor`] and [`SearchCursor`] fetch one page per call, and [`list_stream`] /
//! [`search_stream`] wrap them as lazy `Stream`s that hold at most one page in memory.
//!
//! Search and HubSpot's 10,000-result cap: HubSpot refuses to page past the 10,000th result of
//! one query. When the request has no sort (or sorts by `hs_object_id` ascending), the cursor
//! pages by KEYSET instead of by offset: every page is a fresh query sorted by `hs_object_id`
//! ascending with `hs_object_id GT <last id seen>` added to every filter group (a group is
//! created when there is none) and `after` unset. Each query starts at offset 0, so the cap
//! never applies and every match comes back exactly once, even while tickets are created
//! behind the cursor.
//!
//! Keyset paging is impossible when the request sorts by another property, starts at an
//! explicit `after` offset, or when the extra filter would break HubSpot's filter limits (6 per
//! group, 18 in all, 5 groups once top-level `filters` become a group). Then the cursor pages by
//! offset like HubSpot's own clients (following the backend's `paging.next.after`, which the
//! sandbox makes a cursor that costs the same on every page), and, instead of letting HubSpot answer an opaque 400 at
//! the cap, stops with a 400 `VALIDATION_ERROR` naming the reason and the remedy. (We chose the
//! offset fallback over refusing such searches outright: below 10,000 matches they work.)
//!
//! This module only composes backend calls; it performs no I/O of its own.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::Stream;

use super::{BackendError, BackendResult, TicketsBackend};
use crate::model::limits::{
    LIST_PAGE_MAX, MAX_FILTERS_PER_GROUP, MAX_FILTERS_TOTAL, MAX_FILTER_GROUPS, SEARCH_PAGE_MAX,
    SEARCH_RESULT_CAP,
};
use crate::model::{
    ApiError, Filter, FilterGroup, ListParams, Operator, SearchRequest, Sort, SortDirection, Ticket,
};

const ID_PROPERTY: &str = "hs_object_id";

/// A malformed paging answer (a cursor that does not advance).
fn stuck(b: &dyn TicketsBackend, what: &str) -> BackendError {
    BackendError::Decode {
        url: b.describe(),
        message: format!("{what}; stopping instead of looping"),
    }
}

/// A 400 raised by hubscript itself, before HubSpot would have answered the same status. It
/// carries no correlation id: there is no HubSpot request to quote.
pub(crate) fn local_validation_error(message: String) -> BackendError {
    let mut e = ApiError::validation(message);
    e.correlation_id = String::new();
    e.into()
}

/// Pages through `GET /crm/v3/objects/tickets`, following `paging.next.after`.
#[derive(Debug, Clone)]
pub struct ListCursor {
    params: ListParams,
    next_after: Option<String>,
    remaining: Option<usize>,
    done: bool,
}

impl ListCursor {
    /// A cursor starting at `params.after` with pages of `params.limit` (default 100, at most
    /// 100).
    pub fn new(mut params: ListParams) -> Self {
        let next_after = params.after.take();
        params.limit = Some(
            params
                .limit
                .unwrap_or(LIST_PAGE_MAX)
                .clamp(1, LIST_PAGE_MAX),
        );
        Self {
            params,
            next_after,
            remaining: None,
            done: false,
        }
    }

    /// Stops after `total` tickets in all.
    pub fn with_total_limit(mut self, total: Option<usize>) -> Self {
        self.remaining = total;
        self.done |= total == Some(0);
        self
    }

    /// Whether every page has been returned.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The next page, or `None` once all were returned. After an error the cursor is
    /// unchanged, so calling again retries the same page.
    pub async fn next_page(
        &mut self,
        b: &dyn TicketsBackend,
    ) -> BackendResult<Option<Vec<Ticket>>> {
        if self.done {
            return Ok(None);
        }
        let mut params = self.params.clone();
        params.after = self.next_after.clone();
        if let (Some(rem), Some(limit)) = (self.remaining, params.limit) {
            params.limit = Some(limit.min(u32::try_from(rem).unwrap_or(u32::MAX)));
        }
        let page = b.list(&params).await?;
        let next = page.next_after().map(str::to_string);
        if next.is_some() && next == params.after {
            return Err(stuck(b, "the list returned the same `after` cursor twice"));
        }
        let mut results = page.results;
        if let Some(rem) = self.remaining.as_mut() {
            results.truncate(*rem);
            *rem -= results.len();
        }
        self.next_after = next;
        self.done = self.next_after.is_none() || results.is_empty() || self.remaining == Some(0);
        Ok((!results.is_empty()).then_some(results))
    }
}

/// How a [`SearchCursor`] moves from page to page.
#[derive(Debug, Clone, PartialEq)]
enum Mode {
    /// `hs_object_id GT last` in every group, offset always 0.
    Keyset { groups: Vec<FilterGroup> },
    /// `after` as an offset; `why` says why keyset paging was impossible.
    Offset { why: String },
}

/// Pages through `POST /crm/v3/objects/tickets/search`, past the 10,000-result cap where
/// possible (see the module docs).
#[derive(Debug, Clone)]
pub struct SearchCursor {
    request: SearchRequest,
    mode: Mode,
    page_size: u32,
    last_id: Option<String>,
    offset: usize,
    /// The `after` of the next page in offset mode: the backend's own `paging.next.after`
    /// (the sandbox answers a cursor that seeks instead of skipping; HubSpot the offset).
    next_after: Option<String>,
    remaining: Option<usize>,
    total: Option<i64>,
    done: bool,
}

impl SearchCursor {
    /// A cursor over every match of `request`, with pages of 200 (or `request.limit` when
    /// smaller).
    pub fn new(request: SearchRequest) -> Self {
        let page_size = request
            .limit
            .unwrap_or(SEARCH_PAGE_MAX)
            .clamp(1, SEARCH_PAGE_MAX);
        let offset = request
            .after
            .as_deref()
            .and_then(|a| a.trim().parse().ok())
            .unwrap_or(0);
        let mode = choose_mode(&request);
        let next_after = request.after.clone();
        Self {
            request,
            mode,
            page_size,
            last_id: None,
            offset,
            next_after,
            remaining: None,
            total: None,
            done: false,
        }
    }

    /// How many records matched, as HubSpot reported on the first page (for progress
    /// display; `None` before the first page).
    pub fn total(&self) -> Option<i64> {
        self.total
    }

    /// Stops after `total` results in all.
    pub fn with_total_limit(mut self, total: Option<usize>) -> Self {
        self.remaining = total;
        self.done |= total == Some(0);
        self
    }

    /// Whether the cursor pages past the cap by keyset (`true`) or by offset.
    pub fn is_keyset(&self) -> bool {
        matches!(self.mode, Mode::Keyset { .. })
    }

    /// Whether every page has been returned.
    pub fn is_done(&self) -> bool {
        self.done
    }

    fn limit(&self) -> u32 {
        match self.remaining {
            Some(rem) => self.page_size.min(u32::try_from(rem).unwrap_or(u32::MAX)),
            None => self.page_size,
        }
    }

    /// The request for the next page, or the cap message in offset mode.
    fn next_request(&self) -> Result<SearchRequest, String> {
        let mut req = self.request.clone();
        match &self.mode {
            Mode::Keyset { groups } => {
                req.filters = Vec::new();
                req.filter_groups = groups.clone();
                if let Some(last) = &self.last_id {
                    let gt = Filter::new(ID_PROPERTY, Operator::Gt, last.clone());
                    if req.filter_groups.is_empty() {
                        req.filter_groups.push(FilterGroup::default());
                    }
                    for g in &mut req.filter_groups {
                        g.filters.push(gt.clone());
                    }
                }
                req.sorts = vec![Sort {
                    property_name: ID_PROPERTY.into(),
                    direction: SortDirection::Ascending,
                }];
                req.after = None;
                req.limit = Some(self.limit());
            }
            Mode::Offset { why } => {
                if self.offset >= SEARCH_RESULT_CAP {
                    return Err(format!(
                        "this search has more than {SEARCH_RESULT_CAP} results and HubSpot does not page past \
                         the {SEARCH_RESULT_CAP}th; hubscript can only go further by paging on hs_object_id, \
                         which is impossible here because {why}. Remove the sort (or sort by hs_object_id \
                         ascending), or narrow the filters"
                    ));
                }
                let room = u32::try_from(SEARCH_RESULT_CAP - self.offset).unwrap_or(u32::MAX);
                req.after = self
                    .next_after
                    .clone()
                    .or_else(|| (self.offset > 0).then(|| self.offset.to_string()));
                req.limit = Some(self.limit().min(room));
            }
        }
        Ok(req)
    }

    /// The next page, or `None` once all were returned. After an error the cursor is
    /// unchanged, so calling again retries the same page.
    pub async fn next_page(
        &mut self,
        b: &dyn TicketsBackend,
    ) -> BackendResult<Option<Vec<Ticket>>> {
        if self.done {
            return Ok(None);
        }
        let req = self.next_request().map_err(local_validation_error)?;
        let page = b.search(&req).await?;
        let has_next = page.paging.as_ref().is_some_and(|p| p.next.is_some());
        // Later keyset pages report only what is left after the last id: keep the first.
        self.total.get_or_insert(page.total);
        let mut results = page.results;
        if let Some(rem) = self.remaining {
            results.truncate(rem);
        }
        match &self.mode {
            Mode::Keyset { .. } => {
                check_ascending(self.last_id.as_deref(), &results).map_err(|m| stuck(b, &m))?;
                if let Some(last) = results.last() {
                    self.last_id = Some(last.id.clone());
                }
            }
            Mode::Offset { .. } => {
                self.offset += results.len();
                self.next_after = page
                    .paging
                    .as_ref()
                    .and_then(|p| p.next.as_ref())
                    .map(|n| n.after.clone());
            }
        }
        if let Some(rem) = self.remaining.as_mut() {
            *rem -= results.len();
        }
        self.done = !has_next || results.is_empty() || self.remaining == Some(0);
        Ok((!results.is_empty()).then_some(results))
    }
}

/// Keyset paging needs ids that strictly increase; a backend that ignores the sort would make
/// the cursor loop or skip, so that is an error.
fn check_ascending<'a>(mut last: Option<&'a str>, page: &'a [Ticket]) -> Result<(), String> {
    for t in page {
        if let Some(prev) = last {
            if let (Ok(p), Ok(c)) = (prev.parse::<u64>(), t.id.parse::<u64>()) {
                if c <= p {
                    return Err(format!(
                        "search returned id {c} after {p} although it was asked to sort by hs_object_id ascending"
                    ));
                }
            }
        }
        last = Some(&t.id);
    }
    Ok(())
}

/// Keyset when the order allows it and the extra filter fits HubSpot's limits.
fn choose_mode(req: &SearchRequest) -> Mode {
    if req.after.is_some() {
        return Mode::Offset {
            why: "the search starts at an explicit `after` offset".into(),
        };
    }
    match req.sorts.as_slice() {
        [] => {}
        [s] if s.property_name == ID_PROPERTY && s.direction == SortDirection::Ascending => {}
        [s, ..] => {
            return Mode::Offset {
                why: format!("it is sorted by {}", s.property_name),
            }
        }
    }
    let mut groups = req.filter_groups.clone();
    if !req.filters.is_empty() {
        // Top-level filters act as one more group (the sandbox's reading of HubSpot's
        // unconfirmed behaviour); make that explicit so the keyset filter reaches them too.
        groups.push(FilterGroup {
            filters: req.filters.clone(),
        });
    }
    let total: usize = groups.iter().map(|g| g.filters.len()).sum();
    let added = groups.len().max(1);
    if groups.len() > MAX_FILTER_GROUPS
        || groups
            .iter()
            .any(|g| g.filters.len() >= MAX_FILTERS_PER_GROUP)
        || total + added > MAX_FILTERS_TOTAL
    {
        return Mode::Offset {
            why: format!(
                "adding the hs_object_id filter would exceed HubSpot's filter limits \
                 ({MAX_FILTERS_PER_GROUP} per group, {MAX_FILTERS_TOTAL} in all)"
            ),
        };
    }
    Mode::Keyset { groups }
}

/// Every ticket of a list, fetched page by page as the stream is polled. An error ends the
/// stream after being yielded.
pub fn list_stream(
    b: Arc<dyn TicketsBackend>,
    params: ListParams,
) -> impl Stream<Item = BackendResult<Ticket>> + Send {
    let cursor = ListCursor::new(params);
    paged(b, cursor, |c, b| {
        Box::pin(async move { c.next_page(b).await })
    })
}

/// Every match of a search (past the 10,000 cap where possible), at most `total_limit`,
/// fetched page by page as the stream is polled. An error ends the stream after being yielded.
pub fn search_stream(
    b: Arc<dyn TicketsBackend>,
    request: SearchRequest,
    total_limit: Option<usize>,
) -> impl Stream<Item = BackendResult<Ticket>> + Send {
    let cursor = SearchCursor::new(request).with_total_limit(total_limit);
    paged(b, cursor, |c, b| {
        Box::pin(async move { c.next_page(b).await })
    })
}

type PageFuture<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = BackendResult<Option<Vec<Ticket>>>> + Send + 'a>,
>;

/// Flattens a cursor's pages into a stream of tickets, one page buffered at a time.
fn paged<C: Send + 'static>(
    b: Arc<dyn TicketsBackend>,
    cursor: C,
    next: for<'a> fn(&'a mut C, &'a dyn TicketsBackend) -> PageFuture<'a>,
) -> impl Stream<Item = BackendResult<Ticket>> + Send {
    let state = Some((b, cursor, VecDeque::<Ticket>::new()));
    futures::stream::unfold(state, move |state| async move {
        let (b, mut cursor, mut buf) = state?;
        loop {
            if let Some(t) = buf.pop_front() {
                return Some((Ok(t), Some((b, cursor, buf))));
            }
            match next(&mut cursor, b.as_ref()).await {
                Ok(Some(page)) => buf.extend(page),
                Ok(None) => return None,
                Err(e) => return Some((Err(e), None)),
            }
        }
    })
}

#[cfg(test)]
#[path = "paging_tests.rs"]
mod tests;
