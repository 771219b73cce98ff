//! Lazy ticket sequences for `tickets::search` and `tickets::list`: a script iterates them with
//! `for t in ...` and pages are fetched only as the loop reaches them.
//!
//! [`TicketQuery`] is the script-visible value (a description of the query, so iterating it
//! twice runs it twice); [`TicketIter`] is one iteration. The fetching of ONE page is the single
//! function [`next_page`]: at merge it is swapped for `crate::backend::paging::{ListCursor,
//! SearchCursor}` (which also reach past HubSpot's 10,000-result search cap by keyset paging).

use std::collections::VecDeque;
use std::sync::Arc;

use rhai::{Dynamic, EvalAltResult, Position};

use crate::backend::{BackendResult, TicketsBackend};
use crate::model::{ListParams, SearchRequest, Ticket};

use super::context::RunCtx;
use super::convert;

/// What to page through.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    List(ListParams),
    Search(SearchRequest),
}

/// Paging position of one iteration.
#[derive(Debug, Clone)]
pub(crate) struct Pager {
    source: Source,
    after: Option<String>,
    done: bool,
}

impl Pager {
    pub fn new(source: Source) -> Self {
        let after = match &source {
            Source::List(p) => p.after.clone(),
            Source::Search(r) => r.after.clone(),
        };
        Self {
            source,
            after,
            done: false,
        }
    }
}

/// Fetches the next page, `None` when none is left. (Swapped for the shared cursors at merge.)
pub(crate) async fn next_page(
    pager: &mut Pager,
    backend: &dyn TicketsBackend,
) -> BackendResult<Option<Vec<Ticket>>> {
    if pager.done {
        return Ok(None);
    }
    let (results, next) = match &pager.source {
        Source::List(p) => {
            let mut p = p.clone();
            p.after = pager.after.clone();
            let page = backend.list(&p).await?;
            let next = page.next_after().map(str::to_string);
            (page.results, next)
        }
        Source::Search(r) => {
            let mut r = r.clone();
            r.after = pager.after.clone();
            let page = backend.search(&r).await?;
            let next = page
                .paging
                .as_ref()
                .and_then(|p| p.next.as_ref())
                .map(|n| n.after.clone());
            (page.results, next)
        }
    };
    pager.done = next.is_none();
    pager.after = next;
    Ok(Some(results))
}

/// A lazy sequence of tickets (the value `tickets::search` and `tickets::list` return).
#[derive(Clone)]
pub struct TicketQuery {
    pub(crate) ctx: Arc<RunCtx>,
    pub(crate) source: Source,
    pub(crate) limit: Option<usize>,
    pub(crate) pos: Position,
}

impl TicketQuery {
    /// Every ticket, capped at `limit` and at `max` (the engine's array size).
    pub(crate) fn collect(&self, max: usize) -> Result<Vec<Dynamic>, Box<EvalAltResult>> {
        let mut out = Vec::new();
        for t in self.clone() {
            if out.len() >= max {
                return Err(super::bridge::usage(
                    self.pos,
                    format!(
                        "to_array: more than {max} tickets; add a `limit` or iterate with `for`"
                    ),
                ));
            }
            out.push(t?);
        }
        Ok(out)
    }
}

impl IntoIterator for TicketQuery {
    type Item = Result<Dynamic, Box<EvalAltResult>>;
    type IntoIter = TicketIter;

    fn into_iter(self) -> TicketIter {
        TicketIter {
            pager: Pager::new(self.source.clone()),
            query: self,
            buf: VecDeque::new(),
            yielded: 0,
            failed: false,
        }
    }
}

/// One iteration over a [`TicketQuery`].
pub struct TicketIter {
    query: TicketQuery,
    pager: Pager,
    buf: VecDeque<Ticket>,
    yielded: usize,
    failed: bool,
}

impl Iterator for TicketIter {
    type Item = Result<Dynamic, Box<EvalAltResult>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.query.limit.is_some_and(|l| self.yielded >= l) {
            return None;
        }
        let ctx = &self.query.ctx;
        let pos = self.query.pos;
        if let Some(reason) = ctx.should_stop() {
            self.failed = true;
            return Some(Err(ctx.stop(reason, pos)));
        }
        while self.buf.is_empty() {
            let backend = ctx.backend.clone();
            match ctx.call(pos, next_page(&mut self.pager, backend.as_ref())) {
                Ok(Some(page)) => {
                    ctx.add_reads(page.len());
                    self.buf.extend(page);
                    if self.pager.done && self.buf.is_empty() {
                        return None;
                    }
                }
                Ok(None) => return None,
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        let mut t = self.buf.pop_front()?;
        ctx.apply_overlay(&mut t);
        self.yielded += 1;
        Some(convert::ticket(&t, pos))
    }
}
