//! Opening, creating, migrating and seeding files; the definition endpoints.

use super::*;

#[tokio::test]
async fn open_creates_seeds_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/dir/s.db");
    let sb = Sandbox::open(&path).unwrap();
    assert_eq!(sb.describe(), format!("sandbox {}", path.display()));
    let page = sb
        .list(&ListParams {
            limit: Some(100),
            ..ListParams::default()
        })
        .await
        .unwrap();
    assert_eq!(page.results.len(), 100);
    assert!(page.paging.is_some());
    drop(sb);
    let again = Sandbox::open(&path).unwrap();
    let n = again.search(&SearchRequest::default()).await.unwrap().total;
    assert_eq!(n, 500);
    assert_eq!(again.seed_more(5, 1).unwrap(), 5);
    assert_eq!(
        again.search(&SearchRequest::default()).await.unwrap().total,
        505
    );
    drop(again);
    let reset = Sandbox::create(
        &path,
        &SeedOptions {
            tickets: 3,
            seed: 1,
        },
    )
    .unwrap();
    assert_eq!(
        reset.search(&SearchRequest::default()).await.unwrap().total,
        3
    );
}

#[test]
fn refuses_newer_schema_and_non_sqlite_files() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(
        &junk,
        "this is not a database at all, just some text that is long enough",
    )
    .unwrap();
    let e = Sandbox::open(&junk).unwrap_err();
    assert!(matches!(e, SandboxError::Damaged { .. }), "{e}");
    assert!(e.to_string().contains("junk.db"));
    let foreign = dir.path().join("foreign.db");
    let c = rusqlite::Connection::open(&foreign).unwrap();
    c.execute_batch("CREATE TABLE accounts(id INTEGER)")
        .unwrap();
    drop(c);
    let e = Sandbox::open(&foreign).unwrap_err();
    assert!(matches!(e, SandboxError::Foreign { .. }), "{e}");
    let reset = Sandbox::create(&foreign, &SeedOptions::default()).unwrap_err();
    assert!(matches!(reset, SandboxError::Foreign { .. }), "{reset}");
    // Another application's database is refused even with force.
    let reset = Sandbox::reset(&foreign, &SeedOptions::default(), true).unwrap_err();
    assert!(matches!(reset, SandboxError::Foreign { .. }), "{reset}");
    let reset = Sandbox::create(&junk, &SeedOptions::default()).unwrap_err();
    assert!(matches!(reset, SandboxError::Damaged { .. }), "{reset}");
    assert!(junk.exists() && foreign.exists());
    let newer = dir.path().join("newer.db");
    drop(
        Sandbox::create(
            &newer,
            &SeedOptions {
                tickets: 0,
                seed: 1,
            },
        )
        .unwrap(),
    );
    let c = rusqlite::Connection::open(&newer).unwrap();
    c.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(c);
    let e = Sandbox::open(&newer).unwrap_err();
    assert!(matches!(e, SandboxError::TooNew { .. }), "{e}");
}

#[tokio::test]
async fn migrates_an_older_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut c = rusqlite::Connection::open(&path).unwrap();
    schema::configure(&c).unwrap();
    schema::migrate_to(&mut c, &path, 1).unwrap();
    assert_eq!(schema::version(&c).unwrap(), 1);
    c.execute(
        "INSERT INTO tickets(subject, hs_pipeline, hs_pipeline_stage, createdate, hs_lastmodifieddate) VALUES ('Old printer jam', '0', '1', 1, 1)",
        [],
    )
    .unwrap();
    drop(c);
    let sb = Sandbox::open(&path).unwrap();
    let c = rusqlite::Connection::open(sb.path()).unwrap();
    assert_eq!(schema::version(&c).unwrap(), SCHEMA_VERSION);
    let idx: i64 = c
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'tickets_external_id'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(idx, 1);
    // The full-text index of migration 3 covers tickets written before it.
    let q = SearchRequest {
        query: Some("print".into()),
        ..SearchRequest::default()
    };
    assert_eq!(sb.search(&q).await.unwrap().total, 1);
    // Migration 4's indexes lead with `archived` (issue 18) and serve the old ticket too.
    let live: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'tickets_stage'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(live.contains("archived, hs_pipeline_stage"), "{live}");
    let by_stage = SearchRequest {
        filter_groups: vec![crate::model::FilterGroup {
            filters: vec![crate::model::Filter::new(
                "hs_pipeline_stage",
                crate::model::Operator::Eq,
                "1",
            )],
        }],
        ..SearchRequest::default()
    };
    assert_eq!(sb.search(&by_stage).await.unwrap().total, 1);
}

/// Seeding commits in chunks (issue 18): more tickets than one chunk all arrive, in
/// creation order, and the same seed gives the same tickets as before chunking.
#[test]
fn seeding_past_one_chunk_keeps_every_ticket_in_creation_order() {
    let dir = tempfile::tempdir().unwrap();
    let n = super::super::store::SEED_CHUNK + 7;
    let sb = Sandbox::create(
        &dir.path().join("s.db"),
        &SeedOptions {
            tickets: n,
            seed: 3,
        },
    )
    .unwrap();
    let c = rusqlite::Connection::open(sb.path()).unwrap();
    let (count, unordered): (i64, i64) = c
        .query_row(
            "SELECT count(*), (SELECT count(*) FROM tickets a JOIN tickets b ON b.id = a.id + 1 WHERE b.createdate < a.createdate) FROM tickets",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(count as usize, n);
    assert_eq!(unordered, 0);
    // The bulk load dropped the indexes and the full-text triggers and built them again: the
    // file has every one a small sandbox has, and the full-text index covers every ticket.
    let small = tempfile::tempdir().unwrap();
    let reference = Sandbox::create(&small.path().join("s.db"), &SeedOptions::default()).unwrap();
    let objects = |c: &rusqlite::Connection| -> Vec<String> {
        let mut st = c
            .prepare("SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY 1")
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let small_conn = rusqlite::Connection::open(reference.path()).unwrap();
    assert_eq!(objects(&c), objects(&small_conn));
    let indexed: i64 = c
        .query_row(
            "SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'ticket* OR the* OR a*'",
            [],
            |r| r.get(0),
        )
        .unwrap_or(-1);
    assert!(indexed > 0, "{indexed}");
    let (fts_rows,): (i64,) = c
        .query_row("SELECT count(*) FROM tickets_fts_docsize", [], |r| {
            Ok((r.get(0)?,))
        })
        .unwrap();
    assert_eq!(fts_rows as usize, n);
}

#[tokio::test]
async fn migration_4_makes_owners_full_records_and_keeps_other_owners() {
    use crate::model::{OwnerIdProperty, OwnerQuery};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let mut c = rusqlite::Connection::open(&path).unwrap();
    schema::configure(&c).unwrap();
    schema::migrate_to(&mut c, &path, 3).unwrap();
    // An owner a version 3 file may hold beside the demo ones (written by hand).
    c.execute(
        "INSERT INTO owners(id, name, email) VALUES ('777', 'Zoe van Dijk', 'zoe@example.com')",
        [],
    )
    .unwrap();
    drop(c);
    let sb = Sandbox::open(&path).unwrap();
    let page = sb.owners(&OwnerQuery::default()).await.unwrap();
    assert_eq!(page.results.len(), 6);
    let alice = sb
        .owner("52550153", OwnerIdProperty::Id, false)
        .await
        .unwrap();
    assert_eq!(alice.last_name.as_deref(), Some("Martin"));
    assert_eq!(alice.teams[0].name, "Tier 1 Support");
    let zoe = sb.owner("777", OwnerIdProperty::Id, false).await.unwrap();
    assert_eq!(zoe.first_name.as_deref(), Some("Zoe"));
    assert_eq!(zoe.last_name.as_deref(), Some("van Dijk"));
    assert_eq!(zoe.user_id, None);
    // The new owner is a valid ticket owner at once.
    let props = crate::model::InputProperties::new()
        .with("subject", "x")
        .with("hubspot_owner_id", "777");
    let t = sb
        .create(&crate::model::CreateInput {
            properties: props,
            associations: Vec::new(),
        })
        .await
        .unwrap();
    assert_eq!(t.prop("hubspot_owner_id"), Some("777"));
}

#[test]
fn seeding_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let read = |dir: &std::path::Path| -> Vec<(String, String)> {
        let sb = Sandbox::create(
            &dir.join("s.db"),
            &SeedOptions {
                tickets: 50,
                seed: 9,
            },
        )
        .unwrap();
        let c = rusqlite::Connection::open(sb.path()).unwrap();
        let mut st = c
            .prepare("SELECT subject, hs_pipeline_stage || coalesce(hubspot_owner_id,'-') FROM tickets ORDER BY id")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let b = tempfile::tempdir().unwrap();
    assert_eq!(read(a.path()), read(b.path()));
}

#[tokio::test]
async fn definitions_endpoints() {
    let (_d, sb) = fresh(0);
    let all = sb.properties().await.unwrap();
    assert!(all
        .iter()
        .any(|p| p.name == UNIQUE_PROPERTY && p.has_unique_value));
    let prio = sb.property("hs_ticket_priority").await.unwrap();
    assert_eq!(prio.options.len(), 4);
    assert!(sb.property("createdate").await.unwrap().is_read_only());
    assert_eq!(status(sb.property("nope").await.unwrap_err()), 404);
    let p = sb.pipeline("0").await.unwrap();
    assert_eq!(p.stages.len(), 4);
    assert!(p.stage("4").unwrap().is_closed());
    assert_eq!(sb.pipeline_stages("0").await.unwrap().len(), 4);
    assert_eq!(status(sb.pipeline("9").await.unwrap_err()), 404);
}

#[tokio::test]
async fn demo_data_gives_the_shipped_rules_work() {
    let (_d, sb) = fresh(500);
    let now = chrono::Utc::now().timestamp_millis();
    let day = 86_400_000i64;
    let count = |filters: Vec<Filter>| {
        let sb = sb.clone();
        async move {
            sb.search(&SearchRequest {
                filter_groups: vec![FilterGroup { filters }],
                ..SearchRequest::default()
            })
            .await
            .unwrap()
            .total
        }
    };
    let stage = |s: &str| Filter::new("hs_pipeline_stage", Operator::Eq, s);
    let escalate = count(vec![
        stage("3"),
        Filter::new("hs_ticket_priority", Operator::Eq, "HIGH"),
        Filter::new("hs_lastmodifieddate", Operator::Lt, (now - day).to_string()),
    ])
    .await;
    let stale = count(vec![
        stage("2"),
        Filter::new(
            "hs_lastmodifieddate",
            Operator::Lt,
            (now - 7 * day).to_string(),
        ),
    ])
    .await;
    let unowned = count(vec![
        stage("1"),
        Filter {
            property_name: "hubspot_owner_id".into(),
            operator: Operator::NotHasProperty,
            value: None,
            values: vec![],
            high_value: None,
        },
    ])
    .await;
    let old = count(vec![Filter::new(
        "createdate",
        Operator::Lt,
        (now - 45 * day).to_string(),
    )])
    .await;
    let closed = count(vec![
        stage("4"),
        Filter::new("hs_is_closed", Operator::Eq, "true"),
    ])
    .await;
    assert!(escalate >= 5, "escalation candidates: {escalate}");
    assert!(stale >= 5, "stale candidates: {stale}");
    assert!(unowned >= 5, "unowned new: {unowned}");
    assert!(old >= 50, "tickets older than 45 days: {old}");
    assert!(closed >= 100, "closed: {closed}");
    let one = sb.get("1", &GetParams::default()).await.unwrap();
    assert!(one.prop("subject").is_some_and(|s| s.len() > 8));
    assert!(one.created_at.timestamp_millis() < now - day);
}

// Issue 9: a zero-byte or damaged file is reported, never refilled with demo data; reset
// --force replaces it.
#[tokio::test]
async fn damaged_files_are_reported_untouched_and_replaced_only_by_force() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, "").unwrap();
    let e = Sandbox::open(&empty).unwrap_err();
    assert!(matches!(e, SandboxError::Damaged { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("empty.db") && text.contains("empty (0 bytes)"),
        "{text}"
    );
    assert!(text.contains("sandbox reset --force"), "{text}");
    assert_eq!(
        std::fs::metadata(&empty).unwrap().len(),
        0,
        "left untouched"
    );
    let e = Sandbox::create(&empty, &SeedOptions::default()).unwrap_err();
    assert!(matches!(e, SandboxError::Damaged { .. }), "{e}");

    // A valid SQLite file without the sandbox tables (a creation that never finished).
    let blank = dir.path().join("blank.db");
    rusqlite::Connection::open(&blank)
        .unwrap()
        .execute_batch("VACUUM")
        .unwrap();
    let e = Sandbox::open(&blank).unwrap_err();
    assert!(matches!(e, SandboxError::Damaged { .. }), "{e}");

    // A sandbox whose header was overwritten.
    let broken = dir.path().join("broken.db");
    drop(
        Sandbox::create(
            &broken,
            &SeedOptions {
                tickets: 5,
                seed: 1,
            },
        )
        .unwrap(),
    );
    let mut bytes = std::fs::read(&broken).unwrap();
    bytes[..16].copy_from_slice(b"garbage garbage!");
    std::fs::write(&broken, &bytes).unwrap();
    let e = Sandbox::open(&broken).unwrap_err();
    assert!(matches!(e, SandboxError::Damaged { .. }), "{e}");
    assert_eq!(std::fs::read(&broken).unwrap(), bytes, "left untouched");

    for path in [&empty, &blank, &broken] {
        let sb = Sandbox::reset(
            path,
            &SeedOptions {
                tickets: 3,
                seed: 1,
            },
            true,
        )
        .unwrap();
        assert_eq!(sb.search(&SearchRequest::default()).await.unwrap().total, 3);
        drop(sb);
        let again = Sandbox::open(path).unwrap();
        assert_eq!(
            again.search(&SearchRequest::default()).await.unwrap().total,
            3
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

// Issue 9: several openers of the same new path at once: one file is created, every opener
// gets the complete sandbox (never "table already exists", never an empty view).
#[tokio::test]
async fn concurrent_creators_of_one_new_file_all_open_the_same_sandbox() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new/s.db");
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (path, barrier) = (path.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                Sandbox::open(&path)
            })
        })
        .collect();
    for h in handles {
        let sb = h.join().unwrap().unwrap();
        assert_eq!(
            sb.search(&SearchRequest::default()).await.unwrap().total,
            500
        );
    }
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(names.is_empty(), "temporary files left: {names:?}");
}

// Issue 9: a storage failure never quotes SQL to the client; a lock held elsewhere is a 423.
#[test]
fn storage_errors_never_quote_sql_and_locks_are_423() {
    let c = rusqlite::Connection::open_in_memory().unwrap();
    let e = c
        .prepare("SELECT nope FROM nowhere WHERE secret_sql_marker = 1")
        .unwrap_err();
    let api = super::super::store::storage_error(&e);
    assert_eq!(api.http_status, 500);
    for quoted in ["secret_sql_marker", "SELECT", "nowhere"] {
        assert!(!api.message.contains(quoted), "{}", api.message);
    }
    let busy = rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
        Some("database is locked".into()),
    );
    let api = super::super::store::storage_error(&busy);
    assert_eq!((api.http_status, api.category.as_str()), (423, "LOCKED"));
}
