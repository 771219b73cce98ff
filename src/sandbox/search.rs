//! `POST .../search`: compiles a HubSpot search request into one SQL WHERE clause over the
//! wide `tickets` table, then counts and pages. Rules (TICKETS_API.md §4), and our choices
//! where HubSpot is unconfirmed:
//!
//! - `filterGroups` are ORed, filters inside a group ANDed; top-level `filters` count as one
//!   more group (unconfirmed); a group with no filters matches everything.
//! - Limits: 5 groups, 6 filters per group, 18 in all, `query` ≤ 3,000 characters, `limit`
//!   1..=200 (default 10), `after` an integer offset, `after + limit` ≤ 10,000: else 400.
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
//!   hs_ticket_category or hs_ticket_id, case-insensitively.
//! - Archived and merged tickets are never returned.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use super::assoc_types::object_type;
use super::catalog::{Catalog, Kind};
use super::reads::{render, Projection};
use super::row::Row;
use super::store::Db;
use crate::backend::BackendResult;
use crate::model::time::parse_to_millis;
use crate::model::{ApiError, Filter, Operator, Paging, SearchPage, SearchRequest, SortDirection};

/// Most filter groups per request.
pub const MAX_GROUPS: usize = 5;
/// Most filters per group.
pub const MAX_PER_GROUP: usize = 6;
/// Most filters in all.
pub const MAX_FILTERS: usize = 18;
/// Most results reachable by paging.
pub const MAX_RESULTS: u64 = 10_000;
/// Longest `query`.
pub const MAX_QUERY: usize = 3_000;

/// A compiled search.
#[derive(Debug, Clone)]
pub struct Compiled {
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

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::validation(msg)
}

fn operand(kind: Kind, prop: &str, v: &str) -> Result<Value, ApiError> {
    match kind {
        Kind::Number => {
            if let Ok(i) = v.trim().parse::<i64>() {
                Ok(Value::Integer(i))
            } else {
                v.trim()
                    .parse::<f64>()
                    .map(Value::Real)
                    .map_err(|_| bad(format!("{v} is not a number; {prop} is a number property")))
            }
        }
        Kind::DateTime => parse_to_millis(v).map(Value::Integer).ok_or_else(|| {
            bad(format!(
                "{v} is not a datetime; use epoch milliseconds or ISO-8601 for {prop}"
            ))
        }),
        _ => Ok(Value::Text(v.to_string())),
    }
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

fn assoc_filter(f: &Filter, ty: &str, params: &mut Vec<Value>) -> Result<String, ApiError> {
    let obj = object_type(ty).ok_or_else(|| {
        bad(format!(
            "{} is not a searchable association",
            f.property_name
        ))
    })?;
    params.push(Value::Text(obj.plural.to_string()));
    let base = "SELECT 1 FROM associations a WHERE a.ticket_id = tickets.id AND a.to_type = ?";
    let ids = |vals: &[String], params: &mut Vec<Value>| -> Result<usize, ApiError> {
        for v in vals {
            let id = v
                .trim()
                .parse::<i64>()
                .map_err(|_| bad(format!("{v} is not a record id")))?;
            params.push(Value::Integer(id));
        }
        Ok(vals.len())
    };
    let one = |f: &Filter| -> Result<Vec<String>, ApiError> {
        f.value.clone().map(|v| vec![v]).ok_or_else(|| {
            bad(format!(
                "{:?} on {} needs a value",
                f.operator, f.property_name
            ))
        })
    };
    Ok(match f.operator {
        Operator::Eq => {
            ids(&one(f)?, params)?;
            format!("EXISTS ({base} AND a.to_id = ?)")
        }
        Operator::Neq => {
            ids(&one(f)?, params)?;
            format!("NOT EXISTS ({base} AND a.to_id = ?)")
        }
        Operator::In | Operator::NotIn => {
            if f.values.is_empty() {
                return Err(bad(format!("{:?} needs values", f.operator)));
            }
            let n = ids(&f.values, params)?;
            let not = if f.operator == Operator::NotIn {
                "NOT "
            } else {
                ""
            };
            format!("{not}EXISTS ({base} AND a.to_id IN ({}))", marks(n))
        }
        Operator::HasProperty => format!("EXISTS ({base})"),
        Operator::NotHasProperty => format!("NOT EXISTS ({base})"),
        op => {
            return Err(bad(format!(
                "{op:?} is not supported on {}",
                f.property_name
            )))
        }
    })
}

/// Compiles one filter into SQL, pushing its parameters.
pub fn filter_sql(cat: &Catalog, f: &Filter, params: &mut Vec<Value>) -> Result<String, ApiError> {
    if let Some(ty) = f.property_name.strip_prefix("associations.") {
        return assoc_filter(f, ty, params);
    }
    let p = cat.prop(&f.property_name).ok_or_else(|| {
        bad(format!(
            "There is no property {} on tickets (filterGroups)",
            f.property_name
        ))
    })?;
    let e = p.sql();
    let name = &f.property_name;
    let kind = p.kind;
    let value = || -> Result<Value, ApiError> {
        let v = f
            .value
            .as_deref()
            .ok_or_else(|| bad(format!("{:?} on {name} needs a value", f.operator)))?;
        operand(kind, name, v)
    };
    let nocase = if matches!(kind, Kind::Text | Kind::Bool) {
        " COLLATE NOCASE"
    } else {
        ""
    };
    let multi = matches!(kind, Kind::Enum { multi: true });
    use Operator::*;
    let sql = match f.operator {
        HasProperty => format!("{e} IS NOT NULL"),
        NotHasProperty => format!("{e} IS NULL"),
        ContainsToken | NotContainsToken => {
            let v = f
                .value
                .clone()
                .ok_or_else(|| bad(format!("{:?} on {name} needs a value", f.operator)))?;
            params.push(Value::Text(v));
            let not = if f.operator == NotContainsToken {
                "NOT "
            } else {
                ""
            };
            format!("{not}hs_contains_token({e}, ?)")
        }
        Eq | Neq if multi => {
            params.push(value()?);
            let not = if f.operator == Neq { "NOT " } else { "" };
            format!("{not}hs_multi_has({e}, ?)")
        }
        Eq => {
            params.push(value()?);
            format!("{e} = ?{nocase}")
        }
        Neq => {
            params.push(value()?);
            format!("({e} IS NULL OR {e} <> ?{nocase})")
        }
        Lt | Lte | Gt | Gte => {
            params.push(value()?);
            let op = match f.operator {
                Lt => "<",
                Lte => "<=",
                Gt => ">",
                _ => ">=",
            };
            format!("{e} {op} ?{nocase}")
        }
        Between => {
            params.push(value()?);
            let high = f
                .high_value
                .as_deref()
                .ok_or_else(|| bad(format!("BETWEEN on {name} needs highValue")))?;
            params.push(operand(kind, name, high)?);
            format!("({e} >= ?{nocase} AND {e} <= ?{nocase})")
        }
        In | NotIn => {
            if f.values.is_empty() {
                return Err(bad(format!("{:?} on {name} needs values", f.operator)));
            }
            for v in &f.values {
                params.push(operand(kind, name, v)?);
            }
            let n = f.values.len();
            let not = f.operator == NotIn;
            if multi {
                let any = vec![format!("hs_multi_has({e}, ?)"); n].join(" OR ");
                if not {
                    format!("NOT ({any})")
                } else {
                    format!("({any})")
                }
            } else {
                let lhs = if matches!(kind, Kind::Text | Kind::Bool) {
                    format!("lower({e})")
                } else {
                    e.clone()
                };
                if not {
                    format!("({e} IS NULL OR {lhs} NOT IN ({}))", marks(n))
                } else {
                    format!("{lhs} IN ({})", marks(n))
                }
            }
        }
    };
    Ok(sql)
}

/// Validates and compiles a search request.
pub fn compile(cat: &Catalog, req: &SearchRequest) -> Result<Compiled, ApiError> {
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
    let limit = u64::from(req.limit.unwrap_or(10));
    if limit == 0 || limit > 200 {
        return Err(bad(format!("limit must be between 1 and 200; got {limit}")));
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
        params.push(Value::Text(q.to_string()));
        clauses.push(
            "hs_query_match(?, subject, content, hs_pipeline_stage, hs_ticket_category, id)".into(),
        );
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
pub fn search(conn: &Connection, cat: &Catalog, req: &SearchRequest) -> BackendResult<SearchPage> {
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
