//! `--search-lag`: HubSpot's search index trails its writes ("a few moments", up to about 30 s
//! by third-party reports), so a rule that writes and then searches sees the old state for a
//! while. With a lag `L`, the sandbox's search answers as of `now - L`: a record created less
//! than `L` ago is not found, one updated or archived less than `L` ago is found (or not) with
//! its values from before that write. GET by id, list and batch read see every write at once,
//! as on HubSpot. This module owns what that needs; `search` uses it.
//!
//! The model, and why it stays proportional at a million records:
//!
//! - **What is recorded.** Every create, update, archive and merge of a stored record adds one
//!   row to `search_lag`: the record, the write's time and the record's *image before the
//!   write* (NULL for a creation), as JSON keyed by property name. The state as of a cutoff is
//!   then exact: for a record written after the cutoff, the image of its earliest write after
//!   the cutoff; for any other record, the live row. Rows older than the file's *keep* (the
//!   largest lag any process declared on it) can never matter again and are pruned by the
//!   writes themselves.
//! - **Who records.** The lag is each process's own setting (`--search-lag` of `serve`, `run`,
//!   `watch`, `daemon`, `repl`...), but the writes that must lag may come from another process
//!   sharing the file (a `run --sandbox` beside a `serve`). So declaring a lag stores the keep
//!   in the file and bumps the schema revision: every process sharing it reloads its catalog
//!   at its next call and records from then on. A file never opened with a lag records nothing
//!   (the default costs nothing); the keep only ever grows (`sandbox reset` starts afresh).
//! - **How search uses it.** A search first asks whether any write of its object type is younger
//!   than its cutoff (one seek on `search_lag_written`). If none, it is the plain search, counts
//!   remembered. Otherwise each page is two arms under one `ORDER BY ... LIMIT`: the live table
//!   without the recently written ids (on its own indexes, with its own `ORDER BY ... LIMIT`, so
//!   a keyset page is still one seek) and the images of those ids (a handful of rows); the
//!   count adds the two arms' counts and is not remembered (it changes with time alone).
//! - **Not lagged** (our choices, written down): associations (a search on `associations.*`
//!   sees them at once: HubSpot's timing for them is unconfirmed); the full-text `query` of
//!   tickets, whose index holds the current text (filters and sorts see the old values; the
//!   returned properties are the old ones); demo seeding and `sandbox pull`, which are not
//!   API writes.

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};

use super::catalog::Catalog;
use super::row::{self, Row};

/// The `schema_meta` key holding the keep, in milliseconds.
const KEEP_KEY: &str = "search_lag_keep_ms";

/// The table, created when a lag is first declared (an older file without it is simply a file
/// that never lagged). `seq` orders the writes of one millisecond.
const CREATE: &str = "CREATE TABLE IF NOT EXISTS search_lag (
  seq INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  id INTEGER NOT NULL,
  written_at INTEGER NOT NULL,
  image TEXT
);
CREATE INDEX IF NOT EXISTS search_lag_written ON search_lag(type, written_at);
CREATE INDEX IF NOT EXISTS search_lag_record ON search_lag(type, id);";

/// How long the file keeps the images of its writes (0: it records none).
pub(super) fn keep(conn: &Connection) -> rusqlite::Result<i64> {
    Ok(conn
        .query_row(
            "SELECT value FROM schema_meta WHERE key = ?1",
            params![KEEP_KEY],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Declares a lag of `lag_ms` on the file (inside a write transaction): creates the table and
/// raises the keep to it. Returns whether the keep changed (the caller then bumps the schema
/// revision so every process sharing the file starts recording).
pub(super) fn declare(conn: &Connection, lag_ms: i64) -> rusqlite::Result<bool> {
    if lag_ms <= keep(conn)? {
        return Ok(false);
    }
    conn.execute_batch(CREATE)?;
    conn.execute(
        "INSERT INTO schema_meta(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![KEEP_KEY, lag_ms],
    )?;
    Ok(true)
}

/// The image of `row` as stored: its base columns and stored properties by name.
fn image(cat: &Catalog, row: &Row) -> String {
    let json = |v: &Value| match v {
        Value::Null | Value::Blob(_) => serde_json::Value::Null,
        Value::Integer(i) => (*i).into(),
        Value::Real(r) => {
            serde_json::Number::from_f64(*r).map_or(serde_json::Value::Null, Into::into)
        }
        Value::Text(s) => s.clone().into(),
    };
    let mut map = serde_json::Map::new();
    map.insert("archived".into(), i64::from(row.archived).into());
    map.insert("archived_at".into(), row.archived_at.into());
    map.insert("merged_into".into(), row.merged_into.into());
    for (p, v) in cat.stored().zip(&row.values) {
        map.insert(p.def.name.clone(), json(v));
    }
    serde_json::Value::Object(map).to_string()
}

fn record(
    conn: &Connection,
    cat: &Catalog,
    id: i64,
    now: i64,
    image: Option<String>,
) -> rusqlite::Result<()> {
    let keep = cat.search_lag_keep();
    conn.prepare_cached("DELETE FROM search_lag WHERE type = ?1 AND written_at < ?2")?
        .execute(params![cat.table(), now - keep])?;
    conn.prepare_cached(
        "INSERT INTO search_lag(type, id, written_at, image) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![cat.table(), id, now, image])?;
    Ok(())
}

/// Records that record `id` is about to change at `now` (update, archive, merge), with its
/// image before the change. Nothing when the file records no lag.
pub(super) fn before_write(
    conn: &Connection,
    cat: &Catalog,
    id: i64,
    now: i64,
) -> rusqlite::Result<()> {
    if cat.search_lag_keep() <= 0 {
        return Ok(());
    }
    let Some(old) = row::load(conn, cat, id)? else {
        return Ok(());
    };
    record(conn, cat, id, now, Some(image(cat, &old)))
}

/// Records that record `id` was created at `now` (no image: it did not exist before).
pub(super) fn created(conn: &Connection, cat: &Catalog, id: i64, now: i64) -> rusqlite::Result<()> {
    if cat.search_lag_keep() <= 0 {
        return Ok(());
    }
    record(conn, cat, id, now, None)
}

/// Whether a record of `cat`'s type was written after `cutoff` (then the search must read the
/// images). Always false when the table was never created.
pub(super) fn pending(conn: &Connection, cat: &Catalog, cutoff: i64) -> rusqlite::Result<bool> {
    let exists: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_lag')",
        )?
        .query_row([], |r| r.get(0))?;
    if !exists {
        return Ok(false);
    }
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM search_lag WHERE type = ?1 AND written_at > ?2)",
    )?
    .query_row(params![cat.table(), cutoff], |r| r.get(0))
}

/// `WITH {table} AS (...)`: the images a search as of the cutoff (parameter `?{cutoff}`) sees
/// instead of the live rows, with the live table's column names, so the search's own WHERE
/// clause applies to them unchanged. The live table stays reachable as `main.{table}`.
pub(super) fn images_cte(cat: &Catalog, cutoff: usize) -> String {
    let mut cols = vec![
        "b.id AS id".to_string(),
        "json_extract(b.image, '$.archived') AS archived".to_string(),
        "json_extract(b.image, '$.archived_at') AS archived_at".to_string(),
        "json_extract(b.image, '$.merged_into') AS merged_into".to_string(),
    ];
    for p in cat.stored() {
        cols.push(format!(
            "json_extract(b.image, '$.\"{n}\"') AS \"{n}\"",
            n = p.def.name
        ));
    }
    format!(
        "WITH {t} AS (SELECT {cols} FROM main.search_lag b WHERE b.type = '{t}' \
         AND b.written_at > ?{cutoff} AND b.image IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \
         main.search_lag e WHERE e.type = b.type AND e.id = b.id AND e.written_at > ?{cutoff} \
         AND e.seq < b.seq)) ",
        t = cat.table(),
        cols = cols.join(", ")
    )
}

/// The condition that leaves out of the live arm the records written after the cutoff.
pub(super) fn not_recent(cat: &Catalog, cutoff: usize) -> String {
    format!(
        "id NOT IN (SELECT id FROM main.search_lag WHERE type = '{}' AND written_at > ?{cutoff})",
        cat.table()
    )
}

/// `sql` with every bare `?` given its number (SQLite numbers a bare `?` one past the largest
/// number used so far), so the clause can be repeated in one statement and still name the
/// same parameters. Quoted text is left alone.
pub(super) fn explicit_params(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut max = 0usize;
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                let n = match digits.parse::<usize>() {
                    Ok(n) => n,
                    Err(_) => max + 1,
                };
                max = max.max(n);
                out.push_str(&format!("?{n}"));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::explicit_params;

    #[test]
    fn bare_parameters_get_the_numbers_sqlite_would_give_them() {
        assert_eq!(
            explicit_params(
                "a = ? AND b IN (?, ?) AND c = ?2 AND d = ? AND e = '?' AND \"f?\" = ?"
            ),
            "a = ?1 AND b IN (?2, ?3) AND c = ?2 AND d = ?4 AND e = '?' AND \"f?\" = ?5"
        );
        assert_eq!(explicit_params("x = ?7 AND y = ?"), "x = ?7 AND y = ?8");
    }
}
