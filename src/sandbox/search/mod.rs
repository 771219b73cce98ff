//! `POST .../search`: compiles a HubSpot search request into one SQL WHERE clause over the
//! wide `tickets` table, then counts and pages. Rules (TICKETS_API.md §4), and our choices
//! where HubSpot is unconfirmed:
//!
//! - `filterGroups` are ORed, filters inside a group ANDed; top-level `filters` count as one
//!   more group (unconfirmed); a group with no filters matches everything.
//! - Limits: 5 groups, 6 filters per group, 18 in all, 100 values per `IN`/`NOT_IN`, `query`
//!   ≤ 3,000 characters, `limit` 1..=200 (default 10), `after` an integer offset,
//!   `after + limit` ≤ 10,000: else 400. HubSpot's documents give no figure for the values of
//!   one `IN` that we could find (unconfirmed); 100 is our choice, HubSpot's usual cap on a
//!   list in one request (page size, batch inputs), and it keeps SQLite far below its limit
//!   on bound parameters (which answered a 500 before).
//! - A filter or sort on a property that does not exist: 400 (our choice).
//! - Strings (`string`, `bool`): EQ/NEQ/LT.../BETWEEN case-insensitive; IN/NOT_IN compare the
//!   lowercased stored value with the values as given, so uppercase values never match
//!   (HubSpot requires lowercase IN values for strings).
//! - Enumerations: case-sensitive for every operator; multi-select values match when one of
//!   their `;`-joined options matches.
//! - Numbers numeric; datetimes as epoch ms, ISO-8601 accepted too. BETWEEN is inclusive.
//! - NEQ and NOT_IN also match tickets without a value; NOT_CONTAINS_TOKEN likewise.
//! - CONTAINS_TOKEN: see [`super::functions`]. `associations.{type}` supports EQ, NEQ, IN,
//!   NOT_IN, HAS_PROPERTY and NOT_HAS_PROPERTY.
//! - Only the first sort is applied, the others are ignored (HubSpot applies one); ties and no
//!   sort: id ascending (creation order).
//! - `query`: every word must prefix a token of subject, content, hs_pipeline_stage,
//!   hs_ticket_category or hs_ticket_id, case-insensitively (served by the FTS5 index of
//!   schema migration 3; words with non-ASCII letters are also checked by `hs_query_match`).
//! - Archived and merged tickets are never returned.

mod filter;
#[cfg(test)]
mod tests;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use super::catalog::Catalog;
use super::reads::{render, Projection};
use super::row::Row;
use super::store::Db;
use crate::backend::{BackendError, BackendResult};
use crate::model::limits::{
    DEFAULT_PAGE_SIZE, MAX_FILTERS_PER_GROUP as MAX_PER_GROUP, MAX_FILTERS_TOTAL as MAX_FILTERS,
    MAX_FILTER_GROUPS as MAX_GROUPS, MAX_SEARCH_QUERY_CHARS as MAX_QUERY, SEARCH_PAGE_MAX,
    SEARCH_RESULT_CAP,
};
use crate::model::{ApiError, Filter, Paging, SearchPage, SearchRequest, SortDirection};

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
    /// The ORDER BY clause (without `ORDER BY`).
    pub order_sql: String,
    /// Page size.
    pub limit: u64,
    /// Offset.
    pub offset: u64,
}

pub(crate) fn bad(msg: impl Into<String>) -> BackendError {
    ApiError::validation(msg).into()
}

/// Validates and compiles a search request.
pub(super) fn compile(cat: &Catalog, req: &SearchRequest) -> BackendResult<Compiled> {
    let mut groups: Vec<&[Filter]> = req
        .filter_groups
        .iter()
        .map(|g| g.filters.as_slice())
        .collect();
    if !req.filters.is_empty() {
        groups.push(&req.filters);
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
    let offset = match req.after.as_deref().map(str::trim) {
        None | Some("") => 0,
        Some(a) => a
            .parse::<u64>()
            .map_err(|_| bad(format!("after must be an integer offset; got {a}")))?,
    };
    if offset + limit > MAX_RESULTS {
        return Err(bad(format!(
            "Search results are limited to {MAX_RESULTS}: after ({offset}) + limit ({limit}) goes past it"
        )));
    }
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
        for word in q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && w.is_ascii())
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
        if !all_ascii {
            params.push(Value::Text(q.to_string()));
            let n = params.len();
            clauses.push(format!(
                "hs_query_match(?{n}, subject, content, hs_pipeline_stage, hs_ticket_category, id)"
            ));
        }
    }
    let order_sql = match req.sorts.first() {
        None => "id ASC".to_string(),
        Some(s) => {
            let p = cat.prop(&s.property_name).ok_or_else(|| {
                bad(format!(
                    "Cannot sort by unknown property {}",
                    s.property_name
                ))
            })?;
            let dir = match s.direction {
                SortDirection::Ascending => "ASC",
                SortDirection::Descending => "DESC",
            };
            format!("{} {dir}, id ASC", p.sql())
        }
    };
    Ok(Compiled {
        where_sql: clauses.join(" AND "),
        params,
        order_sql,
        limit,
        offset,
    })
}

/// Runs a search.
pub(super) fn search(
    conn: &Connection,
    cat: &Catalog,
    req: &SearchRequest,
) -> BackendResult<SearchPage> {
    let c = compile(cat, req)?;
    let total: i64 = conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM tickets WHERE {}",
            c.where_sql
        ))
        .db()?
        .query_row(params_from_iter(c.params.iter()), |r| r.get(0))
        .db()?;
    let sql = format!(
        "SELECT {} FROM tickets WHERE {} ORDER BY {} LIMIT {} OFFSET {}",
        cat.select_list(),
        c.where_sql,
        c.order_sql,
        c.limit,
        c.offset
    );
    let rows: Vec<Row> = conn
        .prepare_cached(&sql)
        .db()?
        .query_map(params_from_iter(c.params.iter()), |r| Row::from_sql(r, cat))
        .db()?
        .collect::<rusqlite::Result<Vec<_>>>()
        .db()?;
    let proj = Projection::new(&req.properties, &[], &[]);
    let results = rows
        .iter()
        .map(|r| render(conn, cat, r, &proj))
        .collect::<BackendResult<Vec<_>>>()?;
    let next = c.offset + c.limit;
    let paging =
        (next < (total.max(0) as u64).min(MAX_RESULTS)).then(|| Paging::next(next.to_string()));
    Ok(SearchPage {
        total,
        results,
        paging,
    })
}
