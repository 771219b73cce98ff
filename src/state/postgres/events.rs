//! SQL of the ticket events on PostgreSQL (see `state::events` for what each table holds): the
//! same tables as the SQLite file. A delivery is inserted with `ON CONFLICT DO NOTHING`, so
//! when several daemons share the database and see the same change, exactly one of them gets
//! the delivery back as new and runs it: the (script, event) claim.

use std::collections::BTreeMap;

use deadpool_postgres::Pool;

use crate::state::{
    Delivery, DeliveryStatus, FeedCursor, RunId, SnapshotUpdate, StateError, TicketSnapshot,
};

pub(super) async fn feed_cursor(pool: &Pool) -> Result<Option<FeedCursor>, StateError> {
    let c = pool.get().await?;
    Ok(c.query_opt(
        "SELECT modified_ms, ticket_id, baseline_ms FROM event_feed WHERE id = 1",
        &[],
    )
    .await?
    .map(|r| FeedCursor {
        modified_ms: r.get(0),
        ticket_id: r.get(1),
        baseline_ms: r.get(2),
    }))
}

pub(super) async fn ticket_snapshot(
    pool: &Pool,
    ticket: &str,
) -> Result<Option<TicketSnapshot>, StateError> {
    let c = pool.get().await?;
    let Some(row) = c
        .query_opt(
            "SELECT archived FROM event_tickets WHERE ticket = $1",
            &[&ticket],
        )
        .await?
    else {
        return Ok(None);
    };
    let properties = c
        .query(
            "SELECT property, value, at_ms FROM event_snapshot WHERE ticket = $1",
            &[&ticket],
        )
        .await?
        .iter()
        .map(|r| (r.get::<_, String>(0), (r.get(1), r.get(2))))
        .collect::<BTreeMap<_, _>>();
    Ok(Some(TicketSnapshot {
        archived: row.get(0),
        properties,
    }))
}

pub(super) async fn commit_events(
    pool: &Pool,
    updates: &[SnapshotUpdate],
    deliveries: &[Delivery],
    cursor: Option<FeedCursor>,
) -> Result<Vec<Delivery>, StateError> {
    let mut c = pool.get().await?;
    let tx = c.transaction().await?;
    let ticket = tx
        .prepare(
            "INSERT INTO event_tickets (ticket, archived) VALUES ($1, $2)
             ON CONFLICT (ticket) DO UPDATE SET archived = excluded.archived",
        )
        .await?;
    let prop = tx
        .prepare(
            "INSERT INTO event_snapshot (ticket, property, value, at_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (ticket, property) DO UPDATE SET value = excluded.value,
             at_ms = excluded.at_ms",
        )
        .await?;
    for u in updates {
        tx.execute(&ticket, &[&u.ticket, &u.archived]).await?;
        for (name, (value, at)) in &u.properties {
            tx.execute(&prop, &[&u.ticket, name, value, at]).await?;
        }
    }
    let ins = tx
        .prepare(
            "INSERT INTO event_deliveries
                 (script, ticket, change_key, at_ms, event, round, status)
             VALUES ($1, $2, $3, $4, $5, $6, 'pending')
             ON CONFLICT (script, ticket, change_key, at_ms) DO NOTHING",
        )
        .await?;
    let mut fresh = Vec::new();
    for d in deliveries {
        let n = tx
            .execute(
                &ins,
                &[
                    &d.script,
                    &d.ticket,
                    &d.change_key,
                    &d.at_ms,
                    &d.event,
                    &i64::from(d.round),
                ],
            )
            .await?;
        if n == 1 {
            fresh.push(d.clone());
        }
    }
    if let Some(k) = cursor {
        tx.execute(
            "INSERT INTO event_feed (id, modified_ms, ticket_id, baseline_ms) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET modified_ms = excluded.modified_ms,
             ticket_id = excluded.ticket_id, baseline_ms = excluded.baseline_ms",
            &[&k.modified_ms, &k.ticket_id, &k.baseline_ms],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(fresh)
}

pub(super) async fn pending_deliveries(pool: &Pool) -> Result<Vec<Delivery>, StateError> {
    let c = pool.get().await?;
    Ok(c.query(
        "SELECT script, ticket, change_key, at_ms, event, round FROM event_deliveries
         WHERE status = 'pending' ORDER BY at_ms, seq",
        &[],
    )
    .await?
    .iter()
    .map(|r| Delivery {
        script: r.get(0),
        ticket: r.get(1),
        change_key: r.get(2),
        at_ms: r.get(3),
        event: r.get(4),
        round: u32::try_from(r.get::<_, i64>(5)).unwrap_or(u32::MAX),
    })
    .collect())
}

pub(super) async fn mark_delivery(
    pool: &Pool,
    d: &Delivery,
    status: DeliveryStatus,
    run_id: Option<RunId>,
) -> Result<(), StateError> {
    let c = pool.get().await?;
    c.execute(
        "UPDATE event_deliveries SET status = $1, run_id = COALESCE($2, run_id)
         WHERE script = $3 AND ticket = $4 AND change_key = $5 AND at_ms = $6",
        &[
            &status.as_str(),
            &run_id,
            &d.script,
            &d.ticket,
            &d.change_key,
            &d.at_ms,
        ],
    )
    .await?;
    Ok(())
}

pub(super) async fn ran_for_ticket(
    pool: &Pool,
    script: &str,
    ticket: &str,
) -> Result<bool, StateError> {
    let c = pool.get().await?;
    Ok(c.query_one(
        "SELECT EXISTS (SELECT 1 FROM event_deliveries WHERE script = $1 AND ticket = $2)",
        &[&script, &ticket],
    )
    .await?
    .get(0))
}

pub(super) async fn webhook_event_new(
    pool: &Pool,
    event_id: i64,
    now_ms: i64,
) -> Result<bool, StateError> {
    const KEEP_MS: i64 = 7 * 24 * 3600 * 1000;
    let c = pool.get().await?;
    let n = c
        .execute(
            "INSERT INTO webhook_events (event_id, received_ms) VALUES ($1, $2)
             ON CONFLICT (event_id) DO NOTHING",
            &[&event_id, &now_ms],
        )
        .await?;
    if n == 1 && event_id % 1000 == 0 {
        c.execute(
            "DELETE FROM webhook_events WHERE received_ms < $1",
            &[&(now_ms - KEEP_MS)],
        )
        .await?;
    }
    Ok(n == 1)
}
