//! Store-level tests of the sandbox rules, through the backend trait on temp files.

use std::sync::Arc;

use super::*;
use crate::backend::{BackendError, TicketsBackend};
use crate::model::*;

fn fresh(n: usize) -> (tempfile::TempDir, Sandbox) {
    let dir = tempfile::tempdir().unwrap();
    let sb = Sandbox::create(
        &dir.path().join("s.db"),
        &SeedOptions {
            tickets: n,
            seed: 7,
        },
    )
    .unwrap();
    (dir, sb)
}

fn status(e: BackendError) -> u16 {
    e.http_status().unwrap_or(0)
}

fn props(pairs: &[(&str, &str)]) -> InputProperties {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

async fn create(sb: &Sandbox, pairs: &[(&str, &str)]) -> Ticket {
    sb.create(&CreateInput {
        properties: props(pairs),
        associations: vec![],
    })
    .await
    .unwrap()
}

fn search_req(filters: Vec<Filter>) -> SearchRequest {
    SearchRequest {
        filter_groups: vec![FilterGroup { filters }],
        ..SearchRequest::default()
    }
}

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
    assert!(matches!(e, SandboxError::Open { .. }), "{e}");
    assert!(e.to_string().contains("junk.db"));
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

#[test]
fn migrates_an_older_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let mut c = rusqlite::Connection::open(&path).unwrap();
    schema::configure(&c).unwrap();
    schema::migrate_to(&mut c, &path, 1).unwrap();
    assert_eq!(schema::version(&c).unwrap(), 1);
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
async fn create_fills_system_properties_and_get_projects() {
    let (_d, sb) = fresh(0);
    let t = create(
        &sb,
        &[
            ("subject", "Printer on fire"),
            ("hs_ticket_priority", "HIGH"),
        ],
    )
    .await;
    assert_eq!(t.prop("hs_pipeline"), Some("0"));
    assert_eq!(t.prop("hs_pipeline_stage"), Some("1"));
    assert_eq!(t.prop("hs_object_id"), Some(t.id.as_str()));
    assert_eq!(t.prop("hs_ticket_id"), Some(t.id.as_str()));
    assert_eq!(t.prop("hs_object_source"), Some("API"));
    assert_eq!(
        t.prop("hs_object_source_label"),
        Some("INTERNAL_PROCESSING")
    );
    assert_eq!(
        t.prop("createdate"),
        Some(time::format_iso(t.created_at).as_str())
    );
    let got = sb.get(&t.id, &GetParams::default()).await.unwrap();
    assert_eq!(got.properties.len(), DEFAULT_TICKET_PROPERTIES.len());
    assert_eq!(got.properties["content"], None);
    let got = sb
        .get(
            &t.id,
            &GetParams {
                properties: vec!["subject".into(), "nope".into()],
                properties_with_history: vec!["hs_ticket_priority".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(got.properties.len(), 1);
    let h = &got.properties_with_history.unwrap()["hs_ticket_priority"];
    assert_eq!(h[0].value, "HIGH");
    assert_eq!(
        status(sb.get("999999", &GetParams::default()).await.unwrap_err()),
        404
    );
}

#[tokio::test]
async fn create_collects_every_error_and_writes_nothing() {
    let (_d, sb) = fresh(0);
    let e = sb
        .create(&CreateInput {
            properties: props(&[
                ("nope", "x"),
                ("hs_lastmodifieddate", "1"),
                ("hs_ticket_priority", "SOON"),
                ("hs_pipeline_stage", "9"),
            ]),
            associations: vec![],
        })
        .await
        .unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(api.http_status, 400);
    assert_eq!(api.category, "VALIDATION_ERROR");
    let mut codes: Vec<_> = api.errors.iter().filter_map(|d| d.code.clone()).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "INVALID_OPTION",
            "INVALID_OPTION",
            "PROPERTY_DOESNT_EXIST",
            "READ_ONLY_VALUE"
        ]
    );
    assert_eq!(sb.search(&SearchRequest::default()).await.unwrap().total, 0);
}

#[tokio::test]
async fn update_clears_closes_reopens_and_keeps_history() {
    let (_d, sb) = fresh(0);
    let t = create(&sb, &[("subject", "A"), ("content", "body")]).await;
    let up = |p: &[(&str, &str)]| UpdateInput {
        properties: props(p),
    };
    let u = sb
        .update(
            &t.id,
            &up(&[("content", ""), ("hs_pipeline_stage", "4")]),
            None,
        )
        .await
        .unwrap();
    assert_eq!(u.properties["content"], None);
    assert_eq!(u.prop("hs_is_closed"), Some("true"));
    assert!(u.prop("closed_date").is_some());
    assert!(u.updated_at >= t.updated_at);
    let u = sb
        .update(&t.id, &up(&[("hs_pipeline_stage", "2")]), None)
        .await
        .unwrap();
    assert_eq!(u.properties["closed_date"], None);
    let g = sb
        .get(
            &t.id,
            &GetParams {
                properties_with_history: vec!["hs_pipeline_stage".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    let h: Vec<_> = g.properties_with_history.unwrap()["hs_pipeline_stage"]
        .iter()
        .map(|v| v.value.clone())
        .collect();
    assert_eq!(h, ["2", "4", "1"]);
    let e = sb
        .update(&t.id, &up(&[("hs_pipeline_stage", "77")]), None)
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
    assert_eq!(
        status(
            sb.update("424242", &up(&[("subject", "x")]), None)
                .await
                .unwrap_err()
        ),
        404
    );
}

#[tokio::test]
async fn id_property_unique_values_and_archive() {
    let (_d, sb) = fresh(0);
    let t = create(&sb, &[("subject", "A"), (UNIQUE_PROPERTY, "EXT-1")]).await;
    let by = GetParams {
        id_property: Some(UNIQUE_PROPERTY.into()),
        ..GetParams::default()
    };
    assert_eq!(sb.get("EXT-1", &by).await.unwrap().id, t.id);
    let bad = GetParams {
        id_property: Some("subject".into()),
        ..GetParams::default()
    };
    assert_eq!(status(sb.get("A", &bad).await.unwrap_err()), 400);
    let dup = sb
        .create(&CreateInput {
            properties: props(&[(UNIQUE_PROPERTY, "EXT-1")]),
            associations: vec![],
        })
        .await
        .unwrap_err();
    assert_eq!(status(dup), 409);
    sb.archive(&t.id).await.unwrap();
    assert_eq!(
        status(sb.get(&t.id, &GetParams::default()).await.unwrap_err()),
        404
    );
    let archived = GetParams {
        archived: true,
        ..GetParams::default()
    };
    assert!(sb.get(&t.id, &archived).await.unwrap().archived);
    assert_eq!(status(sb.archive(&t.id).await.unwrap_err()), 404);
    let list = sb
        .list(&ListParams {
            archived: true,
            ..ListParams::default()
        })
        .await
        .unwrap();
    assert_eq!(list.results.len(), 1);
}

#[tokio::test]
async fn list_limits_and_cursor() {
    let (_d, sb) = fresh(25);
    let p = |limit, after: Option<String>| ListParams {
        limit: Some(limit),
        after,
        ..ListParams::default()
    };
    let first = sb.list(&p(20, None)).await.unwrap();
    let second = sb
        .list(&p(20, first.next_after().map(str::to_string)))
        .await
        .unwrap();
    assert_eq!(second.results.len(), 5);
    assert!(second.paging.is_none());
    assert!(
        second.results[0].id.parse::<i64>().unwrap() > first.results[19].id.parse::<i64>().unwrap()
    );
    assert_eq!(status(sb.list(&p(101, None)).await.unwrap_err()), 400);
    let hist = ListParams {
        limit: Some(51),
        properties_with_history: vec!["subject".into()],
        ..ListParams::default()
    };
    assert_eq!(status(sb.list(&hist).await.unwrap_err()), 400);
}

#[tokio::test]
async fn batches_follow_hubspot_rules() {
    let (_d, sb) = fresh(0);
    let item = |p: &[(&str, &str)], trace: Option<&str>| BatchCreateItem {
        properties: props(p),
        associations: vec![],
        object_write_trace_id: trace.map(str::to_string),
    };
    // Without trace ids one bad input fails everything.
    let e = sb
        .batch_create(&BatchInput::new(vec![
            item(&[("subject", "ok")], None),
            item(&[("nope", "x")], None),
        ]))
        .await
        .unwrap_err();
    assert_eq!(status(e), 400);
    assert_eq!(sb.search(&SearchRequest::default()).await.unwrap().total, 0);
    // With trace ids: partial success.
    let r = sb
        .batch_create(&BatchInput::new(vec![
            item(&[("subject", "ok")], Some("t1")),
            item(&[("nope", "x")], Some("t2")),
        ]))
        .await
        .unwrap();
    assert!(r.is_partial());
    assert_eq!(r.results.len(), 1);
    assert_eq!(r.errors[0].context["objectWriteTraceId"], ["t2"]);
    let id = r.results[0].id.clone();
    // Batch read with a missing id.
    let rr = sb
        .batch_read(
            &BatchReadInput {
                inputs: vec![IdInput::new(id.clone()), IdInput::new("99999")],
                ..BatchReadInput::default()
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(rr.results.len(), 1);
    assert_eq!(rr.errors[0].category, "OBJECT_NOT_FOUND");
    assert_eq!(rr.errors[0].context["ids"], ["99999"]);
    // Too many inputs.
    let many = BatchInput::new((0..101).map(|i| IdInput::new(i.to_string())).collect());
    assert_eq!(status(sb.batch_archive(&many).await.unwrap_err()), 400);
    // Update with an unknown id: 207.
    let upd = |id: &str, p: &[(&str, &str)]| BatchUpdateItem {
        id: id.into(),
        id_property: None,
        properties: props(p),
        object_write_trace_id: None,
    };
    let u = sb
        .batch_update(&BatchInput::new(vec![
            upd(&id, &[("subject", "new")]),
            upd("88888", &[]),
        ]))
        .await
        .unwrap();
    assert_eq!(u.results[0].prop("subject"), Some("new"));
    assert_eq!(u.errors[0].context["ids"], ["88888"]);
    // Upsert creates then updates.
    let ups = |v: &str| BatchUpdateItem {
        id: "EXT-9".into(),
        id_property: Some(UNIQUE_PROPERTY.into()),
        properties: props(&[("subject", v)]),
        object_write_trace_id: None,
    };
    let a = sb
        .batch_upsert(&BatchInput::new(vec![ups("one")]))
        .await
        .unwrap();
    assert!(a.results[0].new);
    let b = sb
        .batch_upsert(&BatchInput::new(vec![ups("two")]))
        .await
        .unwrap();
    assert!(!b.results[0].new);
    assert_eq!(a.results[0].ticket.id, b.results[0].ticket.id);
    let mut no_idp = ups("x");
    no_idp.id_property = None;
    assert_eq!(
        status(
            sb.batch_upsert(&BatchInput::new(vec![no_idp]))
                .await
                .unwrap_err()
        ),
        400
    );
}

#[tokio::test]
async fn merge_keeps_primary_and_resolves_old_id() {
    let (_d, sb) = fresh(0);
    let a = create(&sb, &[("subject", "Primary")]).await;
    let b = create(
        &sb,
        &[
            ("subject", "Other"),
            ("content", "details"),
            ("hs_ticket_priority", "LOW"),
        ],
    )
    .await;
    sb.associate(&b.id, "contacts", "77", "16").await.unwrap();
    let m = sb
        .merge(&MergeInput {
            primary_object_id: a.id.clone(),
            object_id_to_merge: b.id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(m.id, a.id);
    assert_eq!(m.prop("subject"), Some("Primary"));
    assert_eq!(m.prop("content"), Some("details"));
    let g = sb
        .get(
            &b.id,
            &GetParams {
                properties: vec!["hs_merged_object_ids".into()],
                associations: vec!["contact".into()],
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(g.id, a.id);
    assert_eq!(g.prop("hs_merged_object_ids"), Some(b.id.as_str()));
    assert_eq!(g.associations.unwrap()["contacts"].results[0].id, "77");
    let self_merge = MergeInput {
        primary_object_id: a.id.clone(),
        object_id_to_merge: a.id.clone(),
    };
    assert_eq!(status(sb.merge(&self_merge).await.unwrap_err()), 400);
    let again = MergeInput {
        primary_object_id: a.id.clone(),
        object_id_to_merge: b.id.clone(),
    };
    assert_eq!(status(sb.merge(&again).await.unwrap_err()), 400);
    let unknown = MergeInput {
        primary_object_id: a.id.clone(),
        object_id_to_merge: "5555".into(),
    };
    assert_eq!(status(sb.merge(&unknown).await.unwrap_err()), 404);
}

#[tokio::test]
async fn associations_v3_v4_and_pinning() {
    let (_d, sb) = fresh(0);
    let a = create(&sb, &[("subject", "A")]).await;
    let b = create(&sb, &[("subject", "B")]).await;
    sb.associate(&a.id, "companies", "500", "26").await.unwrap();
    assert_eq!(
        status(
            sb.associate(&a.id, "companies", "500", "16")
                .await
                .unwrap_err()
        ),
        400
    );
    assert_eq!(
        status(
            sb.associate(&a.id, "tickets", "98765", "452")
                .await
                .unwrap_err()
        ),
        404
    );
    sb.associate(&a.id, "0-5", &b.id, "ticket_to_ticket")
        .await
        .unwrap();
    let back = sb.associations(&b.id, "tickets", None, None).await.unwrap();
    assert_eq!(back.results[0].id, a.id);
    assert_eq!(back.results[0].kind, "ticket_to_ticket");
    let v4 = sb
        .associations_v4(&a.id, "company", None, None)
        .await
        .unwrap();
    assert_eq!(v4.results.len(), 1);
    let labels: Vec<_> = v4.results[0]
        .association_types
        .iter()
        .map(|t| t.label.clone())
        .collect();
    assert!(labels.contains(&Some("Primary".into())) && labels.contains(&None));
    let pair = sb
        .associate_v4(&a.id, "notes", "301", &[AssociationSpec::hubspot(227)])
        .await
        .unwrap();
    assert_eq!(pair.to_object_type_id, "0-46");
    assert_eq!(
        status(
            sb.associations_v4(&a.id, "notes", None, Some(501))
                .await
                .unwrap_err()
        ),
        400
    );
    // Pinning must name an associated activity.
    let pin = |v: &str| UpdateInput {
        properties: props(&[("hs_pinned_engagement_id", v)]),
    };
    assert_eq!(
        status(sb.update(&a.id, &pin("999"), None).await.unwrap_err()),
        400
    );
    sb.update(&a.id, &pin("301"), None).await.unwrap();
    let created = sb
        .create(&CreateInput {
            properties: props(&[("hs_pinned_engagement_id", "42")]),
            associations: vec![AssociationInput {
                to: ObjectIdRef { id: "42".into() },
                types: vec![AssociationSpec::hubspot(227)],
            }],
        })
        .await
        .unwrap();
    let listed = sb
        .associations(&created.id, "notes", None, None)
        .await
        .unwrap();
    assert_eq!(listed.results[0].id, "42");
    sb.dissociate_v4(&a.id, "companies", "500").await.unwrap();
    assert!(sb
        .associations(&a.id, "companies", None, None)
        .await
        .unwrap()
        .results
        .is_empty());
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
async fn search_end_to_end() {
    let (_d, sb) = fresh(0);
    let a = create(
        &sb,
        &[
            ("subject", "Refund not received"),
            ("hs_ticket_priority", "HIGH"),
        ],
    )
    .await;
    let b = create(
        &sb,
        &[("subject", "Login fails"), ("hs_ticket_priority", "LOW")],
    )
    .await;
    let c = create(
        &sb,
        &[("subject", "refund twice"), ("hs_ticket_priority", "HIGH")],
    )
    .await;
    sb.archive(&c.id).await.unwrap();
    let ids = |p: SearchPage| p.results.into_iter().map(|t| t.id).collect::<Vec<_>>();
    let r = sb
        .search(&search_req(vec![Filter::new(
            "subject",
            Operator::ContainsToken,
            "REFUND",
        )]))
        .await
        .unwrap();
    assert_eq!(ids(r), [a.id.as_str()]);
    let mut two = SearchRequest {
        filter_groups: vec![
            FilterGroup {
                filters: vec![Filter::new("hs_ticket_priority", Operator::Eq, "HIGH")],
            },
            FilterGroup {
                filters: vec![Filter::new("subject", Operator::Eq, "login FAILS")],
            },
        ],
        sorts: vec![Sort {
            property_name: "hs_ticket_priority".into(),
            direction: SortDirection::Descending,
        }],
        ..SearchRequest::default()
    };
    let r = sb.search(&two).await.unwrap();
    assert_eq!(r.total, 2);
    assert_eq!(ids(r), [b.id.clone(), a.id.clone()]);
    two.limit = Some(1);
    let r = sb.search(&two).await.unwrap();
    assert_eq!(r.paging.unwrap().next.unwrap().after, "1");
    let q = SearchRequest {
        query: Some("logi".into()),
        ..SearchRequest::default()
    };
    assert_eq!(ids(sb.search(&q).await.unwrap()), [b.id.as_str()]);
    let bad = search_req(vec![Filter::new("nope", Operator::Eq, "x")]);
    assert_eq!(status(sb.search(&bad).await.unwrap_err()), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_lose_nothing() {
    let (_d, sb) = fresh(0);
    let shared = create(&sb, &[("subject", "shared")]).await;
    let mut tasks = Vec::new();
    let fields = [
        "subject",
        "content",
        "hs_ticket_priority",
        "source_type",
        UNIQUE_PROPERTY,
        "hs_resolution",
    ];
    let values = ["s", "c", "URGENT", "PHONE", "X-1", "ANSWERED"];
    let sb = Arc::new(sb);
    for (k, (f, v)) in fields.iter().zip(values).enumerate() {
        let (sb, id) = (Arc::clone(&sb), shared.id.clone());
        let (f, v) = (f.to_string(), v.to_string());
        tasks.push(tokio::spawn(async move {
            let own = sb
                .create(&CreateInput {
                    properties: props(&[("subject", "own")]),
                    associations: vec![],
                })
                .await
                .unwrap();
            for round in 0..10 {
                let val = if f == "hs_ticket_priority" || f == "source_type" || f == "hs_resolution"
                {
                    v.clone()
                } else {
                    format!("{v}-{round}")
                };
                sb.update(
                    &id,
                    &UpdateInput {
                        properties: props(&[(&f, &val)]),
                    },
                    None,
                )
                .await
                .unwrap();
                sb.update(
                    &own.id,
                    &UpdateInput {
                        properties: props(&[("content", &format!("{k}-{round}"))]),
                    },
                    None,
                )
                .await
                .unwrap();
            }
            own.id
        }));
    }
    let mut own_ids = Vec::new();
    for t in tasks {
        own_ids.push(t.await.unwrap());
    }
    let all = sb
        .get(
            &shared.id,
            &GetParams {
                properties: fields.iter().map(|s| s.to_string()).collect(),
                ..GetParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(all.prop("subject"), Some("s-9"));
    assert_eq!(all.prop("content"), Some("c-9"));
    assert_eq!(all.prop("hs_ticket_priority"), Some("URGENT"));
    assert_eq!(all.prop("source_type"), Some("PHONE"));
    assert_eq!(all.prop(UNIQUE_PROPERTY), Some("X-1-9"));
    assert_eq!(all.prop("hs_resolution"), Some("ANSWERED"));
    for (k, id) in own_ids.iter().enumerate() {
        let t = sb.get(id, &GetParams::default()).await.unwrap();
        assert_eq!(
            t.prop("content").map(|c| c.ends_with("-9")),
            Some(true),
            "task {k}"
        );
    }
}
