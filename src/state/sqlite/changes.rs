//! The changes of each run: one row per [`TicketChange`], in the order the run made them, keyed
//! by run and sequence number. Ticket, action and property are columns (to find every run that
//! touched a ticket); the whole change is kept as JSON.

use rusqlite::{params, Connection, Transaction};

use crate::model::TicketChange;
use crate::state::{RunId, StateError};

/// Stores `changes` as the changes of run `id` (after any stored already).
pub(super) fn insert(
    tx: &Transaction<'_>,
    id: RunId,
    changes: &[TicketChange],
) -> Result<(), StateError> {
    let first: i64 = tx.query_row(
        "SELECT COALESCE(MAX(seq) + 1, 0) FROM run_changes WHERE run_id = ?1",
        params![id],
        |r| r.get(0),
    )?;
    let mut st = tx.prepare(
        "INSERT INTO run_changes (run_id, seq, ticket, action, property, change)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (i, c) in changes.iter().enumerate() {
        st.execute(params![
            id,
            first + i as i64,
            c.ticket,
            c.action.as_str(),
            c.property,
            serde_json::to_string(c)?
        ])?;
    }
    Ok(())
}

/// The changes of run `id`, in order.
pub(super) fn of_run(c: &Connection, id: RunId) -> Result<Vec<TicketChange>, StateError> {
    let mut st = c.prepare("SELECT change FROM run_changes WHERE run_id = ?1 ORDER BY seq")?;
    let texts = st
        .query_map(params![id], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(texts
        .iter()
        .map(|t| serde_json::from_str(t))
        .collect::<Result<Vec<_>, _>>()?)
}
