//! The rows of one search page, fetched so that the cost does not depend on where the page
//! starts: a cursor page continues from the last ticket's sort key and id with a row-value
//! comparison, which an index on `(archived, column)` (whose entries are ordered by
//! `(column, id)`) answers with one seek. An integer `after` is still served with OFFSET.
//!
//! Tickets without a value sort first ascending and last descending (SQLite's order, kept
//! since before cursors). A row-value comparison never matches NULL, so a cursor page is read
//! as up to two segments in order: the tickets with a value and those without, each with its
//! own seek.

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use super::cursor::{Cursor, Start};
use super::Compiled;
use crate::backend::BackendResult;
use crate::sandbox::catalog::Catalog;
use crate::sandbox::row::Row;
use crate::sandbox::search_lag;
use crate::sandbox::store::Db;

/// One contiguous run of the order: a condition (its parameters numbered after the search's
/// own) and how it is sorted.
struct Segment {
    cond: String,
    params: Vec<Value>,
    order: String,
}

/// The segments a page reads, in order. `first` is the number of the first free parameter.
fn segments(c: &Compiled, first: usize) -> Vec<Segment> {
    let desc = c.order.desc;
    let dir = if desc { "DESC" } else { "ASC" };
    let cmp = if desc { "<" } else { ">" };
    let whole = || Segment {
        cond: "1".into(),
        params: Vec::new(),
        order: c.order.sql(),
    };
    let k: &Cursor = match &c.start {
        Start::Offset(_) => return vec![whole()],
        Start::After(k) => k,
    };
    let Some((_, col)) = &c.order.prop else {
        return vec![Segment {
            cond: format!("id {cmp} ?{first}"),
            params: vec![Value::Integer(k.id)],
            order: format!("id {dir}"),
        }];
    };
    let with_values = |after: Option<&Cursor>| match after {
        Some(k) => Segment {
            cond: format!("({col}, id) {cmp} (?{first}, ?{})", first + 1),
            params: vec![k.key.clone(), Value::Integer(k.id)],
            order: c.order.sql(),
        },
        None => Segment {
            cond: format!("{col} IS NOT NULL"),
            params: Vec::new(),
            order: c.order.sql(),
        },
    };
    let without_values = |after: Option<&Cursor>| match after {
        Some(k) => Segment {
            cond: format!("{col} IS NULL AND id {cmp} ?{first}"),
            params: vec![Value::Integer(k.id)],
            order: format!("id {dir}"),
        },
        None => Segment {
            cond: format!("{col} IS NULL"),
            params: Vec::new(),
            order: format!("id {dir}"),
        },
    };
    match (k.key == Value::Null, desc) {
        // Ascending: the tickets without a value came first.
        (true, false) => vec![without_values(Some(k)), with_values(None)],
        (false, false) => vec![with_values(Some(k))],
        // Descending: they come last.
        (true, true) => vec![without_values(Some(k))],
        (false, true) => vec![with_values(Some(k)), without_values(None)],
    }
}

/// The SQL of one segment's query (also used by the query-plan test). With `lagged` (the
/// number of the cutoff's parameter), the search as of the cutoff: the live rows not written
/// since, and the images of those that were (see `search_lag`), each arm ordered and limited
/// on its own so the live one stays an index seek.
fn segment_sql(
    cat: &Catalog,
    c: &Compiled,
    seg: &Segment,
    want: u64,
    lagged: Option<usize>,
) -> String {
    let n = c.params.len();
    let floor = if c.floor > 0 {
        format!(" AND id > ?{}", n + 1)
    } else {
        String::new()
    };
    let skip = match c.start {
        Start::Offset(o) => o,
        Start::After(_) => 0,
    };
    let offset = if skip > 0 {
        format!(" OFFSET {skip}")
    } else {
        String::new()
    };
    let Some(cutoff) = lagged else {
        return format!(
            "SELECT {} FROM {} WHERE ({}){floor} AND {} ORDER BY {} LIMIT {want}{offset}",
            cat.select_list(),
            cat.table(),
            c.where_sql,
            seg.cond,
            seg.order
        );
    };
    let where_sql = search_lag::explicit_params(&c.where_sql);
    let arm = |from: String, extra: String| {
        format!(
            "SELECT * FROM (SELECT {} FROM {from} WHERE ({where_sql}){floor} AND {}{extra} \
             ORDER BY {} LIMIT {})",
            cat.select_list(),
            seg.cond,
            seg.order,
            want + skip
        )
    };
    let live = arm(
        format!("main.{}", cat.table()),
        format!(" AND {}", search_lag::not_recent(cat, cutoff)),
    );
    let images = arm(cat.table().to_string(), String::new());
    format!(
        "{}SELECT * FROM ({live} UNION ALL {images}) ORDER BY {} LIMIT {want}{offset}",
        search_lag::images_cte(cat, cutoff),
        seg.order
    )
}

/// Each segment's SQL and parameters, for a page of up to `want` rows; as of `cutoff` when
/// the search lags and writes are pending.
pub(super) fn queries(
    cat: &Catalog,
    c: &Compiled,
    want: u64,
    cutoff: Option<i64>,
) -> Vec<(String, Vec<Value>)> {
    let first = c.params.len() + 1 + usize::from(c.floor > 0);
    segments(c, first)
        .into_iter()
        .map(|seg| {
            let lagged = cutoff.map(|_| first + seg.params.len());
            let sql = segment_sql(cat, c, &seg, want, lagged);
            let mut values = c.params.clone();
            if c.floor > 0 {
                values.push(Value::Integer(c.floor));
            }
            values.extend(seg.params);
            if let Some(t) = cutoff {
                values.push(Value::Integer(t));
            }
            (sql, values)
        })
        .collect()
}

/// Up to `limit + 1` rows of the page (one more than the page tells whether another follows).
pub(super) fn rows(
    conn: &Connection,
    cat: &Catalog,
    c: &Compiled,
    cutoff: Option<i64>,
) -> BackendResult<Vec<Row>> {
    let want = c.limit + 1;
    let mut out: Vec<Row> = Vec::new();
    for (sql, values) in queries(cat, c, want, cutoff) {
        let left = want - out.len() as u64;
        if left == 0 {
            break;
        }
        // Each segment asks for the whole page; LIMIT only bounds it.
        let rows = conn
            .prepare_cached(&sql)
            .db()?
            .query_map(params_from_iter(values.iter()), |r| Row::from_sql(r, cat))
            .db()?
            .take(left as usize)
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        out.extend(rows);
    }
    Ok(out)
}
