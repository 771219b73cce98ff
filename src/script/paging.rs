//! Lazy ticket sequences for `tickets::search` and `tickets::list`: a script iterates them with
//! `for t in ...` and pages are fetched only as the loop reaches them.
//!
//! [`TicketQuery`] is the script-visible value (a description of the query, so iterating it
//! twice runs it twice); [`TicketIter`] is one iteration. Pages come from the shared
//! `crate::backend::paging` cursors, which also reach past HubSpot's 10,000-result search cap.

use std::collections::VecDeque;
use std::sync::Arc;

use rhai::{Dynamic, EvalAltResult, Position};

use crate::backend::paging::{ListCursor, SearchCursor};
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

/// Paging position of one iteration: the shared cursors of [`crate::backend::paging`], so a
/// script's search reaches past HubSpot's 10,000-result cap (keyset paging on `hs_object_id`)
/// exactly like every other caller.
pub(crate) enum Pager {
    List(ListCursor),
    Search(SearchCursor),
}

impl Pager {
    fn is_done(&self) -> bool {
        match self {
            Self::List(c) => c.is_done(),
            Self::Search(c) => c.is_done(),
        }
    }

    pub(super) fn new(source: Source, limit: Option<usize>) -> Self {
        match source {
            Source::List(p) => Self::List(ListCursor::new(p).with_total_limit(limit)),
            Source::Search(r) => Self::Search(SearchCursor::new(r).with_total_limit(limit)),
        }
    }
}

/// Fetches the next page, `None` when none is left.
pub(crate) async fn next_page(
    pager: &mut Pager,
    backend: &dyn TicketsBackend,
) -> BackendResult<Option<Vec<Ticket>>> {
    match pager {
        Pager::List(c) => c.next_page(backend).await,
        Pager::Search(c) => c.next_page(backend).await,
    }
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
    /// The same query, also asking for `names` (the REPL's table asks for the columns it
    /// shows, so they are never empty for lack of being requested). A query that asked for no
    /// properties gets HubSpot's default set spelled out plus `names`, so it still returns
    /// everything it would have. Costs no call: the query has not run yet.
    pub(crate) fn with_properties(mut self, names: &[&str]) -> Self {
        let props = match &mut self.source {
            Source::List(p) => &mut p.properties,
            Source::Search(r) => &mut r.properties,
        };
        if props.is_empty() {
            props.extend(
                crate::model::DEFAULT_TICKET_PROPERTIES
                    .iter()
                    .map(|p| (*p).to_string()),
            );
        }
        for name in names {
            if !props.iter().any(|p| p == name) {
                props.push((*name).to_string());
            }
        }
        self
    }

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
        let (source, extra) = if self.ctx.dry_run() {
            with_planning_properties(self.source.clone())
        } else {
            (self.source.clone(), Vec::new())
        };
        TicketIter {
            pager: Pager::new(source, self.limit),
            query: self,
            buf: VecDeque::new(),
            yielded: 0,
            failed: false,
            extra,
        }
    }
}

/// While planning, a search that names its properties also asks for the properties its
/// filters test, `hs_pipeline` and `hs_pipeline_stage`: the run then knows, for each match,
/// the current value of what it filtered on (typically what it is about to change) and what
/// validation checks a write against, so planning an update of a match needs no read of its
/// own. The extra
/// properties are removed from the maps the script sees (returned: the source and the names
/// added).
fn with_planning_properties(source: Source) -> (Source, Vec<String>) {
    let Source::Search(mut req) = source else {
        return (source, Vec::new());
    };
    if req.properties.is_empty() {
        return (Source::Search(req), Vec::new());
    }
    let mut extra = Vec::new();
    let filtered = req
        .filter_groups
        .iter()
        .flat_map(|g| g.filters.iter())
        .chain(req.filters.iter())
        .map(|f| f.property_name.clone());
    let context = ["hs_pipeline".to_string(), "hs_pipeline_stage".to_string()];
    for name in filtered.chain(context) {
        if !name.contains('.') && !req.properties.contains(&name) && !extra.contains(&name) {
            extra.push(name);
        }
    }
    req.properties.extend(extra.iter().cloned());
    (Source::Search(req), extra)
}

/// A search that matched nothing or was refused (400): warns about what the property
/// definitions can tell ([`crate::model::search_hints`]: a misspelled property, an option in
/// the wrong case), each hint once per run. The definitions cost one call, on this path only
/// (and none when the run has them already), so a search that finds tickets costs no extra
/// call.
fn explain(ctx: &RunCtx, pos: Position, source: &Source) {
    let Source::Search(req) = source else {
        return;
    };
    let defs = match ctx.cached_properties() {
        Some(d) => d,
        None => match ctx.call(pos, ctx.backend.properties()) {
            Ok(p) => ctx.cache_properties(p),
            Err(_) => return,
        },
    };
    for hint in crate::model::search_hints(req, &defs) {
        let line = format!("tickets::search: {hint}");
        if ctx.first_time(&line) {
            ctx.log("warn", line);
        }
    }
}

/// The HTTP status of a HubSpot error a call threw.
fn status_of(e: &EvalAltResult) -> Option<i64> {
    match e {
        EvalAltResult::ErrorRuntime(v, _) => v
            .read_lock::<rhai::Map>()
            .and_then(|m| m.get("status").and_then(|s| s.as_int().ok())),
        _ => None,
    }
}

/// One iteration over a [`TicketQuery`].
pub struct TicketIter {
    query: TicketQuery,
    pager: Pager,
    buf: VecDeque<Ticket>,
    yielded: usize,
    failed: bool,
    /// Properties asked for the plan only, removed before the script sees a ticket.
    extra: Vec<String>,
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
                    if self.pager.is_done() && self.buf.is_empty() {
                        if self.yielded == 0 {
                            explain(ctx, pos, &self.query.source);
                        }
                        return None;
                    }
                }
                Ok(None) => {
                    if self.yielded == 0 {
                        explain(ctx, pos, &self.query.source);
                    }
                    return None;
                }
                Err(e) => {
                    self.failed = true;
                    if status_of(&e) == Some(400) {
                        explain(ctx, pos, &self.query.source);
                    }
                    return Some(Err(e));
                }
            }
        }
        let mut t = self.buf.pop_front()?;
        ctx.apply_overlay(&mut t);
        for name in &self.extra {
            t.properties.remove(name);
        }
        self.yielded += 1;
        Some(convert::ticket(&t, pos))
    }
}
