//! `POST .../search`: compiles a HubSpot search request into one SQL WHERE clause over the
//! wide table of the object type (tickets, contacts, companies, notes, tasks), then counts and
//! pages. Other types than tickets search `query` over their text properties with
//! `hs_query_match` (no full-text index) and `associations.tickets` from their side. Rules (TICKETS_API.md §4), and our choices
//! where HubSpot is unconfirmed:
//!
//! - `filterGroups` are ORed, filters inside a group ANDed; top-level `filters` count as one
//!   more group (unconfirmed); a group with no filters matches everything.
//! - Limits: 5 groups, 6 filters per group, 18 in all, 100 values per `IN`/`NOT_IN`, `query`
//!   ≤ 3,000 characters, `limit` 1..=200 (default 10), position of the page + `limit` ≤
//!   10,000: else 400. `after` is the cursor of the previous page (see [`cursor`]: it holds
//!   the position, the sort key and the id of the last ticket served, so a page is one index
//!   seek wherever it starts) or, as HubSpot documents, an integer offset. HubSpot's documents give no figure for the values of
//!   one `IN` that we could find (unconfirmed); 100 is our choice, HubSpot's usual cap on a
//!   list in one request (page size, batch inputs), and it keeps SQLite far below its limit
//!   on bound parameters (which answered a 500 before).
//! - A filter or sort on a property that does not exist: 400 (our choice).
//! - Strings (`string`, `bool`): EQ/NEQ/LT.../BETWEEN case-insensitive; IN/NOT_IN compare the
//!   lowercased stored value with the values as given, so uppercase values never match
//!   (HubSpot requires lowercase IN values for strings).
//! - Enumerations: case-sensitive for every operator; multi-select values match when one of
//!   their `;`-joined options matches.
//! - Numbers numeric; dates and datetimes as epoch ms only (HubSpot's documented form; an ISO
//!   string is a 400 naming its epoch value: see [`crate::model::filter_millis`]).
//!   BETWEEN is inclusive.
//! - NEQ and NOT_IN also match tickets without a value; NOT_CONTAINS_TOKEN likewise.
//! - CONTAINS_TOKEN: see [`super::functions`]. `associations.{type}` supports EQ, NEQ, IN,
//!   NOT_IN, HAS_PROPERTY and NOT_HAS_PROPERTY.
//! - Only the first sort is applied, the others are ignored (HubSpot applies one); no sort: id
//!   ascending (creation order). Ties are broken by id in the sort's direction (HubSpot's
//!   tie order is unconfirmed; ours lets one index serve a descending sort and its cursor).
//!   Tickets without a value come first in an ascending sort and last in a descending one.
//! - Cost: every page is a fixed number of index seeks (migration 4 indexes the filters and
//!   sorts rules use most), and `total` is counted once per search and remembered while
//!   nothing is written ([`count`]), so the last page costs what the first does.
//! - `query`: every word must prefix a token of subject, content, hs_pipeline_stage,
//!   hs_ticket_category or hs_ticket_id, case-insensitively (served by the FTS5 index of
//!   schema migration 3; words with non-ASCII letters are also checked by `hs_query_match`).
//! - Archived and merged tickets are never returned.
//! - With a search lag (`--search-lag`), the search answers as of `now - lag`: see
//!   [`super::search_lag`] for the model and its cost.

mod count;
mod cursor;
mod filter;
mod page;
#[cfg(test)]
mod tests;

use rusqlite::types::Value;
use rusqlite::Connection;

use super::catalog::Catalog;
use super::reads::{render, Projection};
use super::search_lag;
use super::store::Db;
use crate::backend::{BackendError, BackendResult};
use crate::model::limits::{
    DEFAULT_PAGE_SIZE, MAX_FILTERS_PER_GROUP as MAX_PER_GROUP, MAX_FILTERS_TOTAL as MAX_FILTERS,
    MAX_FILTER_GROUPS as MAX_GROUPS, MAX_SEARCH_QUERY_CHARS as MAX_QUERY, SEARCH_PAGE_MAX,
    SEARCH_RESULT_CAP,
};
use crate::model::{ApiError, Filter, Operator, Paging, SearchPage, SearchRequest, SortDirection};

use count::Counting;
pub(crate) use count::Counts;
use cursor::{parse_after, Cursor, Start};
use filter::filter_sql;

/// Most results reachable by paging, in this module's offset arithmetic.
const MAX_RESULTS: u64 = SEARCH_RESULT_CAP as u64;

/// A compiled search.
#[derive(Debug, Clone)]
pub(super) struct Compiled {
    /// The WHERE clause (without `WHERE`).
    pub where_sql: String,
    /// Its parameters.
    pub params: Vec<Value>,
    /// Matches have `id > floor` (a `hs_object_id GT` filter present in every group, lifted
    /// out so counts and pages can use the primary key; 0 for none).
    pub floor: i64,
    /// The order.
    pub order: Order,
    /// Page size.
    pub limit: u64,
    /// Where the page starts.
    pub start: Start,
}

/// The one applied sort.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Order {
    /// The sorted property and its column; `None` for the id (no sort, or an id alias).
    pub prop: Option<(String, String)>,
    /// Descending (ties: id descending too).
    pub desc: bool,
}

impl Order {
    /// The ORDER BY clause (without `ORDER BY`).
    pub(super) fn sql(&self) -> String {
        let dir = if self.desc { "DESC" } else { "ASC" };
        match &self.prop {
            Some((_, col)) => format!("{col} {dir}, id {dir}"),
            None => format!("id {dir}"),
        }
    }
}

pub(crate) fn bad(msg: impl Into<String>) -> BackendError {
    ApiError::validation(msg).into()
}

/// Validates and compiles a search request.
pub(super) fn compile(cat: &Catalog, req: &SearchRequest) -> BackendResult<Compiled> {
    let mut groups: Vec<Vec<&Filter>> = req
        .filter_groups
        .iter()
        .map(|g| g.filters.iter().collect())
        .collect();
    if !req.filters.is_empty() {
        groups.push(req.filters.iter().collect());
    }
    if groups.len() > MAX_GROUPS {
        return Err(bad(format!(
            "Too many filter groups: at most {MAX_GROUPS}, got {}",
            groups.len()
        )));
    }
    let total: usize = groups.iter().map(|g| g.len()).sum();
    if let Some(g) = groups.iter().find(|g| g.len() > MAX_PER_GROUP) {
        return Err(bad(format!(
            "Too many filters in a group: at most {MAX_PER_GROUP}, got {}",
            g.len()
        )));
    }
    if total > MAX_FILTERS {
        return Err(bad(format!(
            "Too many filters: at most {MAX_FILTERS} in all, got {total}"
        )));
    }
    let limit = u64::from(req.limit.unwrap_or(DEFAULT_PAGE_SIZE));
    if limit == 0 || limit > u64::from(SEARCH_PAGE_MAX) {
        return Err(bad(format!(
            "limit must be between 1 and {SEARCH_PAGE_MAX}; got {limit}"
        )));
    }
    let start = parse_after(req.after.as_deref()).ok_or_else(|| {
        bad(format!(
            "after must be the paging.next.after of a previous page or an integer offset; got {}",
            req.after.as_deref().unwrap_or_default()
        ))
    })?;
    let offset = start.position();
    if offset + limit > MAX_RESULTS {
        return Err(bad(format!(
            "Search results are limited to {MAX_RESULTS}: after ({offset}) + limit ({limit}) goes past it"
        )));
    }
    let floor = lift_id_floor(&mut groups);
    let mut params = Vec::new();
    let mut clauses = vec!["archived = 0".to_string()];
    if !groups.is_empty() {
        let mut ors = Vec::new();
        for g in &groups {
            if g.is_empty() {
                ors.push("1".to_string());
                continue;
            }
            let ands = g
                .iter()
                .map(|f| filter_sql(cat, f, &mut params))
                .collect::<Result<Vec<_>, _>>()?;
            ors.push(format!("({})", ands.join(" AND ")));
        }
        clauses.push(format!("({})", ors.join(" OR ")));
    }
    if let Some(q) = req.query.as_deref().filter(|q| !q.trim().is_empty()) {
        if q.chars().count() > MAX_QUERY {
            return Err(bad(format!("query is longer than {MAX_QUERY} characters")));
        }
        // Per ASCII word: the full-text index (token prefix; ids by their digits). Words are
        // alphanumeric, so nothing needs quoting or escaping.
        if !cat.is_tickets() {
            // Other object types have no full-text index: the exact function over their
            // text properties (few records, so a scan is cheap).
            params.push(Value::Text(q.to_string()));
            let n = params.len();
            let cols: Vec<String> = cat
                .meta()
                .query
                .iter()
                .filter_map(|name| cat.prop(name).map(|p| p.sql()))
                .collect();
            clauses.push(format!("hs_query_match(?{n}, {}, id)", cols.join(", ")));
        }
        for word in q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| cat.is_tickets() && !w.is_empty() && w.is_ascii())
        {
            params.push(Value::Text(format!("\"{word}\"*")));
            let fts = format!(
                "id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?{})",
                params.len()
            );
            if word.bytes().all(|b| b.is_ascii_digit()) {
                params.push(Value::Text(format!("{word}%")));
                clauses.push(format!(
                    "({fts} OR CAST(id AS TEXT) LIKE ?{})",
                    params.len()
                ));
            } else {
                clauses.push(fts);
            }
        }
        // For ASCII words the index IS the rule (unicode61 splits on what is not a letter or
        // digit and folds case, like `query_match`); other words need the exact function.
        let all_ascii = q
            .split(|c: char| !c.is_alphanumeric())
            .all(|w| w.is_ascii());
        if cat.is_tickets() && !all_ascii {
            params.push(Value::Text(q.to_string()));
            let n = params.len();
            clauses.push(format!(
                "hs_query_match(?{n}, subject, content, hs_pipeline_stage, hs_ticket_category, id)"
            ));
        }
    }
    let order = match req.sorts.first() {
        None => Order {
            prop: None,
            desc: false,
        },
        Some(s) => {
            let p = cat.prop(&s.property_name).ok_or_else(|| {
                bad(format!(
                    "Cannot sort by unknown property {}",
                    s.property_name
                ))
            })?;
            Order {
                prop: p.col.map(|_| (s.property_name.clone(), p.sql())),
                desc: s.direction == SortDirection::Descending,
            }
        }
    };
    Ok(Compiled {
        where_sql: clauses.join(" AND "),
        params,
        floor,
        order,
        limit,
        start,
    })
}

/// When every group holds a `hs_object_id` (or `hs_ticket_id`) GT/GTE filter with the same
/// bound (the keyset walk past the 10,000 cap adds one to each group), removes those filters
/// and returns the bound as an id floor; else changes nothing and returns 0.
fn lift_id_floor(groups: &mut [Vec<&Filter>]) -> i64 {
    let floor_of = |f: &Filter| -> Option<i64> {
        if !matches!(f.property_name.as_str(), "hs_object_id" | "hs_ticket_id") {
            return None;
        }
        let v = f.value.as_deref()?.trim().parse::<i64>().ok()?;
        match f.operator {
            Operator::Gt => Some(v),
            Operator::Gte => v.checked_sub(1),
            _ => None,
        }
    };
    let mut found = None;
    for g in groups.iter() {
        let Some(f) = g.iter().find_map(|f| floor_of(f)) else {
            return 0;
        };
        if found.is_some_and(|x| x != f) {
            return 0;
        }
        found = Some(f);
    }
    let Some(floor) = found.filter(|f| *f > 0) else {
        return 0;
    };
    for g in groups.iter_mut() {
        if let Some(i) = g.iter().position(|f| floor_of(f) == Some(floor)) {
            g.remove(i);
        }
    }
    floor
}

/// Runs a search on `conn`, the reader connection numbered `slot` (for the remembered
/// counts), as of `cutoff` (epoch ms) when the search lags (see `search_lag`).
pub(super) fn search(
    conn: &Connection,
    cat: &Catalog,
    req: &SearchRequest,
    counts: &Counts,
    slot: usize,
    cutoff: Option<i64>,
) -> BackendResult<SearchPage> {
    let c = compile(cat, req)?;
    // Only when a write is younger than the lag does the search read the images.
    let lagged = match cutoff {
        Some(t) if search_lag::pending(conn, cat, t).db()? => Some(t),
        _ => None,
    };
    let counting = Counting {
        table: cat.table(),
        where_sql: &c.where_sql,
        params: &c.params,
        floor: c.floor,
    };
    let total = match lagged {
        None => counts.count(conn, slot, &counting).db()?,
        Some(t) => count::lagged(conn, cat, &counting, t).db()?,
    };
    let mut rows = page::rows(conn, cat, &c, lagged)?;
    let more = rows.len() as u64 > c.limit;
    rows.truncate(c.limit as usize);
    let proj = Projection::new(&req.properties, &[], &[]);
    let results = rows
        .iter()
        .map(|r| render(conn, cat, r, &proj))
        .collect::<BackendResult<Vec<_>>>()?;
    let next = c.start.position() + rows.len() as u64;
    let paging = match rows.last() {
        Some(last) if more && next < MAX_RESULTS => {
            let key = match &c.order.prop {
                Some((name, _)) => last.raw(cat, name).clone(),
                None => Value::Null,
            };
            Some(Paging::next(
                Cursor {
                    position: next,
                    id: last.id,
                    key,
                }
                .encode(),
            ))
        }
        _ => None,
    };
    Ok(SearchPage {
        total,
        results,
        paging,
    })
}
