//! One stored ticket row as the store sees it (base columns plus one SQL value per property
//! column) and the rendering of a value as HubSpot's string form. No API rules here.

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension};

use super::catalog::{Catalog, Kind, PropInfo, BASE_COLS};
use crate::model::time::format_millis;

/// A ticket row.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Row {
    /// The record id.
    pub id: i64,
    /// In the recycle bin (or merged away).
    pub archived: bool,
    /// When archived, epoch ms.
    pub archived_at: Option<i64>,
    /// The ticket this one was merged into.
    pub merged_into: Option<i64>,
    /// One value per stored column, in catalog order.
    pub values: Vec<Value>,
}

impl Row {
    /// An empty row (for creation).
    pub(super) fn empty(cat: &Catalog) -> Row {
        Row {
            id: 0,
            archived: false,
            archived_at: None,
            merged_into: None,
            values: vec![Value::Null; cat.stored_len()],
        }
    }

    /// Reads a row selected with [`Catalog::select_list`].
    pub(super) fn from_sql(r: &rusqlite::Row<'_>, cat: &Catalog) -> rusqlite::Result<Row> {
        let mut values = Vec::with_capacity(cat.stored_len());
        for i in 0..cat.stored_len() {
            values.push(r.get::<_, Value>(BASE_COLS + i)?);
        }
        Ok(Row {
            id: r.get(0)?,
            archived: r.get::<_, i64>(1)? != 0,
            archived_at: r.get(2)?,
            merged_into: r.get(3)?,
            values,
        })
    }

    /// The raw value of a stored column by property name.
    pub(super) fn raw(&self, cat: &Catalog, name: &str) -> &Value {
        match cat.col(name) {
            Some(i) => &self.values[i],
            None => &Value::Null,
        }
    }

    /// An integer column (datetimes) by property name.
    pub(super) fn int(&self, cat: &Catalog, name: &str) -> Option<i64> {
        match self.raw(cat, name) {
            Value::Integer(i) => Some(*i),
            Value::Real(f) => Some(*f as i64),
            _ => None,
        }
    }

    /// A text column by property name.
    pub(super) fn text(&self, cat: &Catalog, name: &str) -> Option<&str> {
        match self.raw(cat, name) {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The HubSpot string form of a property's value (`None` when empty).
    pub(super) fn string(&self, prop: &PropInfo) -> Option<String> {
        match prop.col {
            None => Some(self.id.to_string()),
            Some(i) => render(prop.kind, &self.values[i]),
        }
    }
}

/// Renders a stored value as HubSpot's string form.
pub(super) fn render(kind: Kind, v: &Value) -> Option<String> {
    match (kind, v) {
        (_, Value::Null) => None,
        (Kind::DateTime, Value::Integer(i)) => Some(format_millis(*i)),
        (_, Value::Integer(i)) => Some(i.to_string()),
        (_, Value::Real(f)) => Some(f.to_string()),
        (_, Value::Text(s)) => Some(s.clone()),
        (_, Value::Blob(b)) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Loads a row by id, archived or not.
pub(super) fn load(conn: &Connection, cat: &Catalog, id: i64) -> rusqlite::Result<Option<Row>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = ?1",
        cat.select_list(),
        cat.table()
    );
    let mut st = conn.prepare_cached(&sql)?;
    st.query_row(params![id], |r| Row::from_sql(r, cat))
        .optional()
}

/// Loads the id of the row whose stored property `name` equals `value`.
pub(super) fn find_by(
    conn: &Connection,
    cat: &Catalog,
    prop: &PropInfo,
    value: &str,
) -> rusqlite::Result<Option<i64>> {
    let sql = format!(
        "SELECT id FROM {} WHERE {} = ?1 LIMIT 1",
        cat.table(),
        prop.sql()
    );
    let mut st = conn.prepare_cached(&sql)?;
    st.query_row(params![value], |r| r.get(0)).optional()
}
