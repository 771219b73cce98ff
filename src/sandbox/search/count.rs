//! The `total` of a search without recounting every match on every page (issue 18).
//!
//! Counting is the one part of a page whose cost grows with the number of matches. Two
//! patterns would pay it again and again: following `after` through one search, and the
//! keyset walk every client uses past the 10,000 cap (the same filters plus
//! `hs_object_id > last`, a "new" search per page; see `backend::paging`). [`Counts`]
//! remembers, per reader connection, the count of a search's filters above an id floor, and
//! answers:
//!
//! - the same filters and floor: the remembered count;
//! - the same filters, another floor: the remembered count minus (or plus) the matches
//!   between the two floors, counted on the primary key, so a page of the walk counts
//!   about one page of rows.
//!
//! An entry is valid only while SQLite's `PRAGMA data_version` of its connection is
//! unchanged, i.e. until any connection (this process's writer, or another process) commits
//! a write; then the count is taken afresh. Counts are exact either way.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

use crate::sandbox::catalog::Catalog;
use crate::sandbox::search_lag;

/// Remembered counts (a handful: one per search being paged).
const ENTRIES: usize = 32;

#[derive(Debug)]
struct Entry {
    slot: usize,
    data_version: i64,
    key: String,
    floor: i64,
    count: i64,
}

/// Search counts remembered across pages (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Counts {
    entries: Mutex<VecDeque<Entry>>,
}

/// What to count: the WHERE clause of a search's filters (its parameters `?1..?len`, bare `?`
/// placeholders included, so anything added comes after it), and the id floor (`id > floor`,
/// 0 for none).
pub(super) struct Counting<'a> {
    /// The table searched (`tickets`, `companies`, ...).
    pub table: &'a str,
    pub where_sql: &'a str,
    pub params: &'a [Value],
    pub floor: i64,
}

impl Counts {
    /// The number of matches of `q` on `conn`, the reader connection numbered `slot`.
    pub(super) fn count(
        &self,
        conn: &Connection,
        slot: usize,
        q: &Counting<'_>,
    ) -> rusqlite::Result<i64> {
        // Read before counting: a write committed in between makes the entry stale sooner,
        // never wrong.
        let data_version: i64 = conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        let key = format!("{}\u{1f}{}\u{1f}{:?}", q.table, q.where_sql, q.params);
        let known = {
            let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            entries
                .iter()
                .find(|e| e.slot == slot && e.key == key && e.data_version == data_version)
                .map(|e| (e.floor, e.count))
        };
        let count = match known {
            Some((floor, count)) if floor == q.floor => return Ok(count),
            Some((floor, count)) if floor < q.floor => count - between(conn, q, floor, q.floor)?,
            Some((floor, count)) => count + between(conn, q, q.floor, floor)?,
            None => conn.prepare_cached(&full_sql(q))?.query_row(
                params_from_iter(q.params.iter().chain([&Value::Integer(q.floor)])),
                |r| r.get(0),
            )?,
        };
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|e| !(e.slot == slot && e.key == key));
        if entries.len() >= ENTRIES {
            entries.pop_front();
        }
        entries.push_back(Entry {
            slot,
            data_version,
            key,
            floor: q.floor,
            count,
        });
        Ok(count)
    }
}

/// Matches of `q` with `low < id <= high`, read along the primary key (`NOT INDEXED`: the
/// range is what is small, whatever the filters' own indexes would select).
fn between(conn: &Connection, q: &Counting<'_>, low: i64, high: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached(&between_sql(q))?.query_row(
        params_from_iter(
            q.params
                .iter()
                .chain([&Value::Integer(low), &Value::Integer(high)]),
        ),
        |r| r.get(0),
    )
}

/// Counts every match above the floor (`?{len+1}`).
pub(super) fn full_sql(q: &Counting<'_>) -> String {
    format!(
        "SELECT count(*) FROM {} WHERE ({}) AND id > ?{}",
        q.table,
        q.where_sql,
        q.params.len() + 1
    )
}

/// Counts the matches with `?{len+1} < id <= ?{len+2}`.
pub(super) fn between_sql(q: &Counting<'_>) -> String {
    let n = q.params.len();
    format!(
        "SELECT count(*) FROM {} NOT INDEXED WHERE ({}) AND id > ?{} AND id <= ?{}",
        q.table,
        q.where_sql,
        n + 1,
        n + 2
    )
}

/// The count of a search as of `cutoff` while writes are pending (see `search_lag`): the live
/// matches not written since plus the matching images of those that were. Not remembered: it
/// changes as time passes, without any write.
pub(super) fn lagged(
    conn: &Connection,
    cat: &Catalog,
    q: &Counting<'_>,
    cutoff: i64,
) -> rusqlite::Result<i64> {
    conn.prepare_cached(&lagged_sql(cat, q))?.query_row(
        params_from_iter(
            q.params
                .iter()
                .chain([&Value::Integer(q.floor), &Value::Integer(cutoff)]),
        ),
        |r| r.get(0),
    )
}

/// The SQL of [`lagged`]: the floor is `?{len+1}`, the cutoff `?{len+2}`.
pub(super) fn lagged_sql(cat: &Catalog, q: &Counting<'_>) -> String {
    let n = q.params.len();
    let w = search_lag::explicit_params(q.where_sql);
    format!(
        "{cte}SELECT (SELECT count(*) FROM main.{t} WHERE ({w}) AND id > ?{f} AND {recent}) \
         + (SELECT count(*) FROM {t} WHERE ({w}) AND id > ?{f})",
        cte = search_lag::images_cte(cat, n + 2),
        t = q.table,
        f = n + 1,
        recent = search_lag::not_recent(cat, n + 2),
    )
}
