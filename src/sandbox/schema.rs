//! The on-disk layout: connection pragmas, the ordered schema migrations (tracked in
//! `PRAGMA user_version`) and the definition tables. Knows nothing of the API semantics.
//!
//! Layout: a wide `tickets` table (base columns plus one column per property; datetimes as
//! INTEGER epoch ms), `property_history`, `associations`, and the definitions as JSON text in
//! `property_defs`, `property_groups`, `pipelines` and `owners` (its `definition` column).
//! `schema_meta` holds the schema `revision`, which every schema write bumps (so a process that
//! sees a newer one reloads its catalog), and `next_id`, the next id a created pipeline or
//! stage gets. Properties created through the API add a column (`ALTER TABLE tickets ADD
//! COLUMN`, see `schema_writes`); the migrations themselves are frozen once released. Since
//! migration 6, one wide table per other stored object type (`contacts`, `companies`,
//! `notes`, `tasks`).

use std::path::Path;

use rusqlite::{params, Connection};

use super::catalog::{is_id_alias, sql_type, Catalog, Definitions, Kind};
use super::definitions::{default_group, default_pipeline, default_properties, demo_owners};
use super::error::SandboxError;
use super::functions;
use super::object_defs::{object_properties, OBJECTS};
use crate::model::{AssociationLabel, Owner, OwnerTeam, Pipeline, Property, PropertyGroup};

/// The newest schema version this build writes and understands.
pub const SCHEMA_VERSION: i64 = 8;

/// Applies the per-connection pragmas and registers the search functions.
pub(super) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(super::store::BUSY_WAIT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "cache_size", -16_000)?;
    conn.set_prepared_statement_cache_capacity(64);
    functions::register(conn)
}

/// Migration 1: the base tables and the definitions of a new sandbox.
fn migrate_v1(conn: &Connection) -> rusqlite::Result<()> {
    let mut cols = String::new();
    let defs = default_properties();
    for p in &defs {
        if is_id_alias(&p.name) {
            continue;
        }
        let kind = Kind::of(p);
        cols.push_str(&format!(",\n  \"{}\" {}", p.name, sql_type(kind)));
    }
    conn.execute_batch(&format!(
        "CREATE TABLE tickets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  archived INTEGER NOT NULL DEFAULT 0,
  archived_at INTEGER,
  merged_into INTEGER{cols}
);
CREATE TABLE property_history (
  seq INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  ts INTEGER NOT NULL,
  source_type TEXT NOT NULL
);
CREATE INDEX property_history_ticket ON property_history(ticket_id, name);
CREATE TABLE associations (
  ticket_id INTEGER NOT NULL,
  to_type TEXT NOT NULL,
  to_id INTEGER NOT NULL,
  type_id INTEGER NOT NULL,
  category TEXT NOT NULL,
  PRIMARY KEY (ticket_id, to_type, to_id, type_id)
) WITHOUT ROWID;
CREATE INDEX associations_target ON associations(to_type, to_id);
CREATE TABLE property_defs (name TEXT PRIMARY KEY, position INTEGER NOT NULL, definition TEXT NOT NULL);
CREATE TABLE pipelines (id TEXT PRIMARY KEY, definition TEXT NOT NULL);
CREATE TABLE owners (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);"
    ))?;
    for (i, p) in defs.iter().enumerate() {
        conn.execute(
            "INSERT INTO property_defs(name, position, definition) VALUES (?1, ?2, ?3)",
            params![p.name, i as i64, to_json(p)?],
        )?;
    }
    let pipeline = default_pipeline();
    conn.execute(
        "INSERT INTO pipelines(id, definition) VALUES (?1, ?2)",
        params![pipeline.id, to_json(&pipeline)?],
    )?;
    for o in demo_owners() {
        conn.execute(
            "INSERT INTO owners(id, name, email) VALUES (?1, ?2, ?3)",
            params![o.id, o.name, o.email],
        )?;
    }
    Ok(())
}

/// Migration 2: the search indexes and the uniqueness of `external_ticket_id`.
fn migrate_v2(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE INDEX tickets_stage ON tickets(archived, hs_pipeline_stage, hs_ticket_priority);
CREATE INDEX tickets_priority ON tickets(hs_ticket_priority);
CREATE INDEX tickets_owner ON tickets(hubspot_owner_id);
CREATE INDEX tickets_category ON tickets(hs_ticket_category);
CREATE INDEX tickets_createdate ON tickets(createdate);
CREATE INDEX tickets_lastmodified ON tickets(hs_lastmodifieddate);
CREATE UNIQUE INDEX tickets_external_id ON tickets(external_ticket_id) WHERE external_ticket_id IS NOT NULL;",
    )
}

/// Migration 3: a full-text index (FTS5, external content kept in sync by triggers) over the
/// text fields `query` searches, so a `query` no longer scans every ticket.
fn migrate_v3(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE VIRTUAL TABLE tickets_fts USING fts5(
  subject, content, hs_pipeline_stage, hs_ticket_category,
  content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
  INSERT INTO tickets_fts(rowid, subject, content, hs_pipeline_stage, hs_ticket_category)
  VALUES (new.id, new.subject, new.content, new.hs_pipeline_stage, new.hs_ticket_category);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
  INSERT INTO tickets_fts(tickets_fts, rowid, subject, content, hs_pipeline_stage, hs_ticket_category)
  VALUES ('delete', old.id, old.subject, old.content, old.hs_pipeline_stage, old.hs_ticket_category);
END;
CREATE TRIGGER tickets_fts_update
AFTER UPDATE OF subject, content, hs_pipeline_stage, hs_ticket_category ON tickets BEGIN
  INSERT INTO tickets_fts(tickets_fts, rowid, subject, content, hs_pipeline_stage, hs_ticket_category)
  VALUES ('delete', old.id, old.subject, old.content, old.hs_pipeline_stage, old.hs_ticket_category);
  INSERT INTO tickets_fts(rowid, subject, content, hs_pipeline_stage, hs_ticket_category)
  VALUES (new.id, new.subject, new.content, new.hs_pipeline_stage, new.hs_ticket_category);
END;
INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild');",
    )
}

/// The first id [`next_id`] hands out: above the default pipeline's ids, and far below HubSpot's
/// (nine digits), so a created pipeline or stage is easy to tell from a pulled one.
const FIRST_SCHEMA_ID: i64 = 1000;

/// Migration 4: a mutable schema. Owners become full records (name, user id, teams) in
/// `owners.definition`; property groups and the schema revision get their tables.
fn migrate_v4(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "ALTER TABLE owners ADD COLUMN definition TEXT;
CREATE TABLE property_groups (name TEXT PRIMARY KEY, position INTEGER NOT NULL, definition TEXT NOT NULL);
CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO schema_meta(key, value) VALUES ('revision', 1), ('next_id', {FIRST_SCHEMA_ID});"
    ))?;
    let group = default_group();
    conn.execute(
        "INSERT INTO property_groups(name, position, definition) VALUES (?1, 0, ?2)",
        params![group.name, to_json(&group)?],
    )?;
    let rows: Vec<(String, String, String)> = {
        let mut st = conn.prepare("SELECT id, name, email FROM owners")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, name, email) in rows {
        let record = match demo_owners().iter().find(|o| o.id == id) {
            Some(demo) => demo.record(),
            None => plain_owner(&id, &name, &email),
        };
        conn.execute(
            "UPDATE owners SET definition = ?2 WHERE id = ?1",
            params![id, to_json(&record)?],
        )?;
    }
    Ok(())
}

/// An owner known only by id, name and e-mail (a row of a version 1-3 file that is not a demo
/// owner): the name split at its first space, no user id, no team.
fn plain_owner(id: &str, name: &str, email: &str) -> Owner {
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    Owner {
        id: id.to_string(),
        email: Some(email.to_string()),
        kind: "PERSON".to_string(),
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        user_id: None,
        user_id_including_inactive: None,
        created_at: chrono::DateTime::default(),
        updated_at: chrono::DateTime::default(),
        archived: false,
        teams: Vec::<OwnerTeam>::new(),
    }
}

/// Migration 5: indexes that make every page cost the same wherever it starts (issue 18).
///
/// Every search carries `archived = 0` and every list `archived = ? AND merged_into IS NULL`,
/// so each index leads with `archived`; `tickets_live` on `archived` alone serves the pages in
/// id order without filters (lists, the unfiltered search) and their counts. An index on
/// `(archived, col)` holds its entries in `(archived, col, id)` order: a filter `col = v` paged
/// by id (`id > last`, the keyset walk) is one range seek that stops after a page, and counting
/// it reads the index alone. The
/// single-column indexes of migration 2 could do neither (they left `archived` to a lookup in
/// the table, and the planner often sorted every match to serve one page). Two composites
/// serve the rules' own searches: stage + priority + creation date (the escalation search and
/// its sort) and stage + last change (stale tickets).
fn migrate_v5(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "DROP INDEX tickets_stage;
DROP INDEX tickets_priority;
DROP INDEX tickets_owner;
DROP INDEX tickets_category;
DROP INDEX tickets_createdate;
DROP INDEX tickets_lastmodified;
CREATE INDEX tickets_live ON tickets(archived);
CREATE INDEX tickets_stage ON tickets(archived, hs_pipeline_stage);
CREATE INDEX tickets_priority ON tickets(archived, hs_ticket_priority);
CREATE INDEX tickets_owner ON tickets(archived, hubspot_owner_id);
CREATE INDEX tickets_pipeline ON tickets(archived, hs_pipeline);
CREATE INDEX tickets_category ON tickets(archived, hs_ticket_category);
CREATE INDEX tickets_createdate ON tickets(archived, createdate);
CREATE INDEX tickets_lastmodified ON tickets(archived, hs_lastmodifieddate);
CREATE INDEX tickets_closed_date ON tickets(archived, closed_date);
CREATE INDEX tickets_stage_priority_created ON tickets(archived, hs_pipeline_stage, hs_ticket_priority, createdate);
CREATE INDEX tickets_stage_modified ON tickets(archived, hs_pipeline_stage, hs_lastmodifieddate);",
    )
}

/// Drops the secondary indexes of the ticket tables and the full-text triggers before a bulk
/// load into a new file, returning the SQL that [`restore_after_bulk`] runs to bring them
/// back: building an index once from the finished table is several times cheaper than
/// maintaining it row by row (SQLite's own advice for bulk loads).
pub(super) fn drop_for_bulk(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let items: Vec<(String, String, String)> = {
        let mut st = conn.prepare(
            "SELECT type, name, sql FROM sqlite_master
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL
               AND tbl_name IN ('tickets', 'property_history', 'associations')",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (kind, name, _) in &items {
        let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
        conn.execute_batch(&format!("DROP {kind} \"{name}\""))?;
    }
    Ok(items.into_iter().map(|(_, _, sql)| sql).collect())
}

/// Recreates what [`drop_for_bulk`] dropped and fills the full-text index from the table.
pub(super) fn restore_after_bulk(conn: &Connection, saved: &[String]) -> rusqlite::Result<()> {
    for sql in saved {
        conn.execute_batch(sql)?;
    }
    conn.execute_batch("INSERT INTO tickets_fts(tickets_fts) VALUES ('rebuild')")
}

/// Migration 6: the records tickets point at (contacts, companies, notes, tasks), one wide
/// table each with the base columns of `tickets`, from [`object_properties`]. Associations now
/// need their target to exist, so every target an older file already points at becomes a
/// record (a generated demo contact or company, a placeholder note or task).
fn migrate_v6(conn: &Connection) -> rusqlite::Result<()> {
    for m in OBJECTS {
        let mut cols = String::new();
        for p in object_properties(m.table, None) {
            if is_id_alias(&p.name) {
                continue;
            }
            cols.push_str(&format!(",\n  \"{}\" {}", p.name, sql_type(Kind::of(&p))));
        }
        conn.execute_batch(&format!(
            "CREATE TABLE {t} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  archived INTEGER NOT NULL DEFAULT 0,
  archived_at INTEGER,
  merged_into INTEGER{cols}
);
CREATE INDEX {t}_modified ON {t}(\"{modified}\");",
            t = m.table,
            modified = m.modified,
        ))?;
    }
    conn.execute_batch(
        "CREATE INDEX contacts_email ON contacts(email);
CREATE INDEX companies_domain ON companies(domain);",
    )?;
    super::object_seed::fill_targets(conn, chrono::Utc::now().timestamp_millis(), None)?;
    Ok(())
}

/// Migration 7: the portal's USER_DEFINED association labels (one row per direction).
fn migrate_v7(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE association_labels (type_id INTEGER PRIMARY KEY, definition TEXT NOT NULL);",
    )
}

/// Migration 8: property definitions and groups of the other object types (contacts,
/// companies, notes, tasks), keyed by object type: the portal's custom ones, and HubSpot's own
/// ones once changed. The unchanged defaults stay in code (`object_defs`).
fn migrate_v8(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE object_property_defs (object_type TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL, definition TEXT NOT NULL, PRIMARY KEY (object_type, name));
CREATE TABLE object_property_groups (object_type TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL, definition TEXT NOT NULL, PRIMARY KEY (object_type, name));",
    )
}

type Migration = fn(&Connection) -> rusqlite::Result<()>;

/// The migrations in order; entry `i` brings a file from version `i` to `i + 1`.
const MIGRATIONS: &[Migration] = &[
    migrate_v1, migrate_v2, migrate_v3, migrate_v4, migrate_v5, migrate_v6, migrate_v7, migrate_v8,
];

/// The schema revision stored in the file.
pub(super) fn revision(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT value FROM schema_meta WHERE key = 'revision'",
        [],
        |r| r.get(0),
    )
}

/// Bumps the schema revision (inside a schema write's transaction).
pub(super) fn bump_revision(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE schema_meta SET value = value + 1 WHERE key = 'revision'",
        [],
    )
    .map(|_| ())
}

/// Takes the next pipeline or stage id (inside a schema write's transaction).
pub(super) fn next_id(conn: &Connection) -> rusqlite::Result<String> {
    let id: i64 = conn.query_row(
        "UPDATE schema_meta SET value = value + 1 WHERE key = 'next_id' RETURNING value - 1",
        [],
        |r| r.get(0),
    )?;
    Ok(id.to_string())
}

/// A definition as the JSON text the tables hold.
pub(super) fn to_json<T: serde::Serialize>(v: &T) -> rusqlite::Result<String> {
    serde_json::to_string(v).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

/// The file's schema version.
pub(super) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Whether the file is a blank database (version 0, no tables).
pub(super) fn is_blank(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(version(conn)? == 0 && table_count(conn)? == 0)
}

/// Whether the file is some other application's database (version 0 with tables).
pub(super) fn is_foreign(conn: &Connection) -> rusqlite::Result<bool> {
    Ok(version(conn)? == 0 && table_count(conn)? > 0)
}

fn table_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
        [],
        |r| r.get(0),
    )
}

/// Brings the file up to `target` (normally [`SCHEMA_VERSION`]), one transaction per step.
/// Refuses a file newer than this build.
pub(super) fn migrate_to(
    conn: &mut Connection,
    path: &Path,
    target: i64,
) -> Result<(), SandboxError> {
    let open_err = |source| SandboxError::Open {
        path: path.to_path_buf(),
        source,
    };
    let found = version(conn).map_err(open_err)?;
    if found > SCHEMA_VERSION {
        return Err(SandboxError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for v in found..target.min(SCHEMA_VERSION) {
        let step = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            MIGRATIONS[v as usize](&tx)?;
            tx.pragma_update(None, "user_version", v + 1)?;
            tx.commit()
        };
        step(conn).map_err(|source| SandboxError::Migrate {
            path: path.to_path_buf(),
            version: v + 1,
            source,
        })?;
    }
    Ok(())
}

/// Reads the definitions back into a [`Catalog`].
pub(super) fn load_catalog(conn: &Connection, path: &Path) -> Result<Catalog, SandboxError> {
    read_catalog(conn).map_err(|message| SandboxError::Corrupt {
        path: path.to_path_buf(),
        message,
    })
}

fn parse_all<T: serde::de::DeserializeOwned>(
    rows: &[String],
    what: &str,
) -> Result<Vec<T>, String> {
    rows.iter()
        .map(|s| serde_json::from_str::<T>(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{what} definition: {e}"))
}

/// Reads the definition tables into a [`Catalog`]; the error says what is wrong with them.
pub(super) fn read_catalog(conn: &Connection) -> Result<Catalog, String> {
    let col = |sql: &str| -> Result<Vec<String>, String> {
        let read = || -> rusqlite::Result<Vec<String>> {
            let mut st = conn.prepare(sql)?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect()
        };
        read().map_err(|e| e.to_string())
    };
    let props: Vec<Property> = parse_all(
        &col("SELECT definition FROM property_defs ORDER BY position")?,
        "property",
    )?;
    let groups: Vec<PropertyGroup> = parse_all(
        &col("SELECT definition FROM property_groups ORDER BY position, name")?,
        "property group",
    )?;
    let pipelines: Vec<Pipeline> = parse_all(
        &col("SELECT definition FROM pipelines ORDER BY id")?,
        "pipeline",
    )?;
    let owners: Vec<Owner> =
        parse_all(&col("SELECT definition FROM owners ORDER BY id")?, "owner")?;
    let labels: Vec<AssociationLabel> = parse_all(
        &col("SELECT definition FROM association_labels ORDER BY type_id")?,
        "association label",
    )?;
    if props.is_empty() {
        return Err("no property definitions".into());
    }
    let revision = revision(conn).map_err(|e| e.to_string())?;
    let search_lag_keep = super::search_lag::keep(conn).map_err(|e| e.to_string())?;
    let pairs = |sql: &str| -> Result<Vec<(String, String)>, String> {
        let read = || -> rusqlite::Result<Vec<(String, String)>> {
            let mut st = conn.prepare(sql)?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        };
        read().map_err(|e| e.to_string())
    };
    let object_props = pairs(
        "SELECT object_type, definition FROM object_property_defs ORDER BY object_type, position",
    )?
    .into_iter()
    .map(|(t, d)| {
        serde_json::from_str::<Property>(&d)
            .map(|p| (t, p))
            .map_err(|e| format!("property definition: {e}"))
    })
    .collect::<Result<Vec<_>, _>>()?;
    let object_groups = pairs(
        "SELECT object_type, definition FROM object_property_groups ORDER BY object_type, position, name",
    )?
    .into_iter()
    .map(|(t, d)| {
        serde_json::from_str::<PropertyGroup>(&d)
            .map(|g| (t, g))
            .map_err(|e| format!("property group definition: {e}"))
    })
    .collect::<Result<Vec<_>, _>>()?;
    Ok(Catalog::new(Definitions {
        props,
        groups,
        pipelines,
        owners,
        labels,
        revision,
        search_lag_keep,
        object_props,
        object_groups,
    }))
}

/// The property definitions of another object type: HubSpot's defaults (`object_defs`), each
/// replaced by its stored definition when the portal changed it, then the stored custom ones in
/// position order.
fn merged_object_properties(tickets: &Catalog, table: &str) -> Vec<Property> {
    let mut props = object_properties(table, None);
    for stored in tickets.object_props(table) {
        match props.iter_mut().find(|p| p.name == stored.name) {
            Some(p) => *p = stored.clone(),
            None => props.push(stored.clone()),
        }
    }
    props
}

/// The catalogs of the other stored object types: their definitions (see
/// [`merged_object_properties`]) and groups (HubSpot's own, then the portal's), with the
/// tickets' owners (the options of their `hubspot_owner_id`) and schema revision.
pub(super) fn object_catalogs(tickets: &Catalog) -> Vec<Catalog> {
    OBJECTS
        .iter()
        .map(|m| {
            let mut groups = vec![super::object_defs::default_group(m.table)];
            groups.extend(tickets.object_groups(m.table).cloned());
            Catalog::object(
                *m,
                Definitions {
                    props: merged_object_properties(tickets, m.table),
                    groups,
                    pipelines: Vec::new(),
                    owners: tickets.owner_records().to_vec(),
                    // The portal's labels: a record's side of a labelled association with a
                    // ticket (and its inline associations to tickets) names them.
                    labels: tickets.labels().to_vec(),
                    revision: tickets.revision(),
                    search_lag_keep: tickets.search_lag_keep(),
                    ..Definitions::default()
                },
            )
        })
        .collect()
}

/// The catalog of a stored object type other than tickets, by name (plural, singular or type
/// id), built from the current tickets catalog (whose owners its `hubspot_owner_id` offers);
/// HubSpot's 400 for a type it cannot infer.
pub(super) fn object_catalog(
    tickets: &Catalog,
    name: &str,
) -> crate::backend::BackendResult<Catalog> {
    let meta = super::object_defs::stored_object(name).ok_or_else(|| {
        crate::model::ApiError::validation(format!(
            "Unable to infer object type from: {name} (the sandbox stores tickets, contacts, companies, notes and tasks)"
        ))
    })?;
    Ok(object_catalogs(tickets)
        .into_iter()
        .find(|c| c.table() == meta.table)
        .unwrap_or_else(|| Catalog::new(Definitions::default())))
}

/// The catalog of any stored object type by name (tickets included), from the current tickets
/// catalog; HubSpot's 400 for a type it cannot infer.
pub(super) fn catalog_of(tickets: &Catalog, name: &str) -> crate::backend::BackendResult<Catalog> {
    match crate::model::object_types::object_type(name) {
        Some(o) if o.plural == "tickets" => Ok(tickets.clone()),
        _ => object_catalog(tickets, name),
    }
}
