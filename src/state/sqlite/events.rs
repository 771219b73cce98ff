//! SQL of the ticket events on SQLite (see `state::events` for what each table holds).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::state::{
    Delivery, DeliveryStatus, FeedCursor, RunId, SnapshotUpdate, StateError, TicketSnapshot,
};

pub(super) fn feed_cursor(c: &mut Connection) -> Result<Option<FeedCursor>, StateError> {
    Ok(c.query_row(
        "SELECT modified_ms, ticket_id, baseline_ms FROM event_feed WHERE id = 1",
        [],
        |r| {
            Ok(FeedCursor {
                modified_ms: r.get(0)?,
                ticket_id: r.get(1)?,
                baseline_ms: r.get(2)?,
            })
        },
    )
    .optional()?)
}

pub(super) fn ticket_snapshot(
    c: &mut Connection,
    ticket: &str,
) -> Result<Option<TicketSnapshot>, StateError> {
    let archived: Option<bool> = c
        .query_row(
            "SELECT archived FROM event_tickets WHERE ticket = ?1",
            params![ticket],
            |r| r.get(0),
        )
        .optional()?;
    let Some(archived) = archived else {
        return Ok(None);
    };
    let mut st =
        c.prepare("SELECT property, value, at_ms FROM event_snapshot WHERE ticket = ?1")?;
    let properties = st
        .query_map(params![ticket], |r| {
            Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?)))
        })?
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    Ok(Some(TicketSnapshot {
        archived,
        properties,
    }))
}

pub(super) fn commit_events(
    c: &mut Connection,
    updates: &[SnapshotUpdate],
    deliveries: &[Delivery],
    cursor: Option<FeedCursor>,
) -> Result<Vec<Delivery>, StateError> {
    let tx = c.transaction()?;
    let mut fresh = Vec::new();
    {
        let mut ticket = tx.prepare(
            "INSERT INTO event_tickets (ticket, archived) VALUES (?1, ?2)
                 ON CONFLICT (ticket) DO UPDATE SET archived = excluded.archived",
        )?;
        let mut prop = tx.prepare(
                "INSERT INTO event_snapshot (ticket, property, value, at_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (ticket, property) DO UPDATE SET value = excluded.value, at_ms = excluded.at_ms",
            )?;
        for u in updates {
            ticket.execute(params![u.ticket, u.archived])?;
            for (name, (value, at)) in &u.properties {
                prop.execute(params![u.ticket, name, value, at])?;
            }
        }
        let mut ins = tx.prepare(
            "INSERT OR IGNORE INTO event_deliveries
                 (script, ticket, change_key, at_ms, event, round, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending')",
        )?;
        for d in deliveries {
            let n = ins.execute(params![
                d.script,
                d.ticket,
                d.change_key,
                d.at_ms,
                d.event,
                d.round
            ])?;
            if n == 1 {
                fresh.push(d.clone());
            }
        }
        if let Some(k) = cursor {
            tx.execute(
                    "INSERT INTO event_feed (id, modified_ms, ticket_id, baseline_ms) VALUES (1, ?1, ?2, ?3)
                     ON CONFLICT (id) DO UPDATE SET modified_ms = excluded.modified_ms,
                     ticket_id = excluded.ticket_id, baseline_ms = excluded.baseline_ms",
                    params![k.modified_ms, k.ticket_id, k.baseline_ms],
                )?;
        }
    }
    tx.commit()?;
    Ok(fresh)
}

pub(super) fn pending_deliveries(c: &mut Connection) -> Result<Vec<Delivery>, StateError> {
    let mut st = c.prepare(
        "SELECT script, ticket, change_key, at_ms, event, round FROM event_deliveries
             WHERE status = 'pending' ORDER BY at_ms, rowid",
    )?;
    let rows = st
        .query_map([], |r| {
            Ok(Delivery {
                script: r.get(0)?,
                ticket: r.get(1)?,
                change_key: r.get(2)?,
                at_ms: r.get(3)?,
                event: r.get(4)?,
                round: r.get(5)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub(super) fn mark_delivery(
    c: &mut Connection,
    d: &Delivery,
    status: DeliveryStatus,
    run_id: Option<RunId>,
) -> Result<(), StateError> {
    c.execute(
        "UPDATE event_deliveries SET status = ?1, run_id = COALESCE(?2, run_id)
             WHERE script = ?3 AND ticket = ?4 AND change_key = ?5 AND at_ms = ?6",
        params![
            status.as_str(),
            run_id,
            d.script,
            d.ticket,
            d.change_key,
            d.at_ms
        ],
    )?;
    Ok(())
}

pub(super) fn ran_for_ticket(
    c: &mut Connection,
    script: &str,
    ticket: &str,
) -> Result<bool, StateError> {
    Ok(c.query_row(
        "SELECT EXISTS (SELECT 1 FROM event_deliveries WHERE script = ?1 AND ticket = ?2)",
        params![script, ticket],
        |r| r.get(0),
    )?)
}

pub(super) fn webhook_event_new(
    c: &mut Connection,
    event_id: i64,
    now_ms: i64,
) -> Result<bool, StateError> {
    const KEEP_MS: i64 = 7 * 24 * 3600 * 1000;
    let n = c.execute(
        "INSERT OR IGNORE INTO webhook_events (event_id, received_ms) VALUES (?1, ?2)",
        params![event_id, now_ms],
    )?;
    if n == 1 && event_id % 1000 == 0 {
        c.execute(
            "DELETE FROM webhook_events WHERE received_ms < ?1",
            params![now_ms - KEEP_MS],
        )?;
    }
    Ok(n == 1)
}
