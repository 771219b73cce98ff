//! The versioned schema of the SQLite `state.db`: one migration per version, applied in order inside one
//! transaction each, with SQLite's `user_version` holding the version reached. A file written by
//! a newer hubscript is refused rather than guessed at.
//!
//! - 1: `kv` (script state), `runs` (history), `fires` (the daemon's last fire per script).
//! - 2: the complete run record: backend, script path/hash, arguments, header, user and host,
//!   change counts and API call counts on `runs`; `scripts` (each script text once, by SHA-256);
//!   `run_changes` (every change a run made, in order).
//! - 3: `pid` on `runs`: the process that runs it, so a run left `running` by a process that is
//!   gone can be settled as `interrupted` (see `owner`).
//! - 4: `claims` (exactly-once fires and events, with leases; see `state::claims`) and
//!   `claim_id` on `runs` (the claim a daemon's run fulfils).
//! - 5: ticket events (`events.rs`): `event_feed` (the change feed's cursor), `event_tickets`
//!   and `event_snapshot` (the watched properties last seen), `event_deliveries` (each change
//!   for each script, with its run), `webhook_events` (webhook event ids received).

use rusqlite::Connection;

/// The version this hubscript writes.
pub const SCHEMA_VERSION: i64 = 5;

const V1: &str = "
    CREATE TABLE IF NOT EXISTS kv (
        script TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        updated_at INTEGER NOT NULL, PRIMARY KEY (script, key));
    CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY, script TEXT NOT NULL, trigger TEXT NOT NULL,
        started_at INTEGER NOT NULL, ended_at INTEGER, status TEXT NOT NULL,
        reads INTEGER NOT NULL DEFAULT 0, writes INTEGER NOT NULL DEFAULT 0,
        api_calls INTEGER NOT NULL DEFAULT 0, dry_run INTEGER NOT NULL DEFAULT 0,
        error TEXT, log TEXT NOT NULL DEFAULT '[]');
    CREATE INDEX IF NOT EXISTS runs_script ON runs (script, id);
    CREATE TABLE IF NOT EXISTS fires (
        script TEXT PRIMARY KEY, last_fire INTEGER NOT NULL);";

// Runs recorded before version 2 keep empty values in the new columns (backend '' reads as
// "unknown" in listings).
const V2: &str = "
    ALTER TABLE runs ADD COLUMN backend_kind TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN backend TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN live INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN portal_id INTEGER;
    ALTER TABLE runs ADD COLUMN script_path TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN script_hash TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN args TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE runs ADD COLUMN header TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE runs ADD COLUMN user TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN host TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN undo_of INTEGER;
    ALTER TABLE runs ADD COLUMN planned INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN applied INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN api_reads INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN api_writes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN rate_limit_waits INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at);
    CREATE TABLE IF NOT EXISTS scripts (hash TEXT PRIMARY KEY, text TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS run_changes (
        run_id INTEGER NOT NULL, seq INTEGER NOT NULL, ticket TEXT NOT NULL,
        action TEXT NOT NULL, property TEXT, change TEXT NOT NULL,
        PRIMARY KEY (run_id, seq));
    CREATE INDEX IF NOT EXISTS run_changes_ticket ON run_changes (ticket);";

const V3: &str = "ALTER TABLE runs ADD COLUMN pid INTEGER;";

const V4: &str = "
    CREATE TABLE IF NOT EXISTS claims (
        id INTEGER PRIMARY KEY, script TEXT NOT NULL, subject TEXT NOT NULL,
        owner TEXT NOT NULL, status TEXT NOT NULL, attempt INTEGER NOT NULL DEFAULT 1,
        claimed_at INTEGER NOT NULL, lease_until INTEGER NOT NULL, ended_at INTEGER,
        UNIQUE (script, subject));
    CREATE INDEX IF NOT EXISTS claims_running ON claims (status, lease_until);
    ALTER TABLE runs ADD COLUMN claim_id INTEGER;
    CREATE INDEX IF NOT EXISTS runs_claim ON runs (claim_id);";

const V5: &str = "
    CREATE TABLE IF NOT EXISTS event_feed (
        id INTEGER PRIMARY KEY CHECK (id = 1), modified_ms INTEGER NOT NULL,
        ticket_id INTEGER NOT NULL, baseline_ms INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS event_tickets (
        ticket TEXT PRIMARY KEY, archived INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS event_snapshot (
        ticket TEXT NOT NULL, property TEXT NOT NULL, value TEXT, at_ms INTEGER NOT NULL,
        PRIMARY KEY (ticket, property));
    CREATE TABLE IF NOT EXISTS event_deliveries (
        script TEXT NOT NULL, ticket TEXT NOT NULL, change_key TEXT NOT NULL,
        at_ms INTEGER NOT NULL, event TEXT NOT NULL, round INTEGER NOT NULL,
        status TEXT NOT NULL, run_id INTEGER,
        PRIMARY KEY (script, ticket, change_key, at_ms));
    CREATE INDEX IF NOT EXISTS event_deliveries_status ON event_deliveries (status);
    CREATE TABLE IF NOT EXISTS webhook_events (
        event_id INTEGER PRIMARY KEY, received_ms INTEGER NOT NULL);";

const MIGRATIONS: [&str; 5] = [V1, V2, V3, V4, V5];

/// Brings `conn` from version `found` to [`SCHEMA_VERSION`].
pub(super) fn migrate(conn: &mut Connection, found: i64) -> rusqlite::Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if found >= version {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_1_file_is_upgraded_in_place_keeping_its_runs() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate_to(&mut c, 1);
        c.execute(
            "INSERT INTO runs (script, trigger, started_at, status) VALUES ('a', 'run', 1, 'ok')",
            [],
        )
        .unwrap();
        migrate(&mut c, 1).unwrap();
        let v: i64 = c
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(v, SCHEMA_VERSION);
        let (script, backend): (String, String) = c
            .query_row("SELECT script, backend FROM runs", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((script.as_str(), backend.as_str()), ("a", ""));
        // running it again changes nothing
        migrate(&mut c, SCHEMA_VERSION).unwrap();
    }

    fn migrate_to(c: &mut Connection, version: usize) {
        for sql in &MIGRATIONS[..version] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", version as i64)
            .unwrap();
    }
}
