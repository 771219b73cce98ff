//! `--search-lag`: search answers as of `now - lag` (creates, updates, archives, merges; every
//! stored object type), reads see writes at once, and a lag declared by one handle makes the
//! writes of another handle on the same file record what the search needs. Searches "as of"
//! a chosen time go through the store directly, so no test depends on the clock beyond "a
//! write is not visible right after it with a lag of ten minutes".

use super::*;
use crate::sandbox::search::search;
use std::time::Duration;

const TEN_MINUTES: Duration = Duration::from_secs(600);

/// The search as of `cutoff` (epoch ms).
fn search_as_of(sb: &Sandbox, ty: &str, req: &SearchRequest, cutoff: i64) -> SearchPage {
    let i = &sb.inner;
    i.read_slot(|c, cat, slot| {
        let cat = if ty == "tickets" {
            cat.clone()
        } else {
            crate::sandbox::schema::object_catalog(cat, ty)?
        };
        search(c, &cat, req, &i.counts, slot, Some(cutoff))
    })
    .unwrap()
}

/// A time (epoch ms) after every write made before the call and before every write made
/// after it.
fn tick() -> i64 {
    let t = crate::sandbox::writer::now_ms();
    while crate::sandbox::writer::now_ms() <= t + 1 {
        std::thread::yield_now();
    }
    t + 1
}

fn subject_is(s: &str) -> SearchRequest {
    SearchRequest {
        properties: vec!["subject".into(), "hs_ticket_priority".into()],
        ..search_req(vec![Filter::new("subject", Operator::Eq, s)])
    }
}

fn found(page: &SearchPage) -> Vec<(String, Option<String>)> {
    page.results
        .iter()
        .map(|t| (t.id.clone(), t.prop("hs_ticket_priority").map(String::from)))
        .collect()
}

#[tokio::test]
async fn search_sees_each_ticket_as_it_was_at_the_cutoff() {
    let (_d, sb) = fresh(0);
    sb.set_search_lag(TEN_MINUTES).unwrap();
    let before_create = tick();
    let t = create(&sb, &[("subject", "lagged"), ("hs_ticket_priority", "LOW")]).await;
    let after_create = tick();
    let up = |p: &str| UpdateInput {
        properties: props(&[("hs_ticket_priority", p)]),
    };
    sb.update(&t.id, &up("MEDIUM"), None).await.unwrap();
    let after_first = tick();
    sb.update(&t.id, &up("HIGH"), None).await.unwrap();
    let after_second = tick();
    sb.archive(&t.id).await.unwrap();
    let after_archive = tick();

    let q = subject_is("lagged");
    assert!(search_as_of(&sb, "tickets", &q, before_create)
        .results
        .is_empty());
    for (cutoff, priority) in [
        (after_create, "LOW"),
        (after_first, "MEDIUM"),
        (after_second, "HIGH"),
    ] {
        let page = search_as_of(&sb, "tickets", &q, cutoff);
        assert_eq!(found(&page), vec![(t.id.clone(), Some(priority.into()))]);
        assert_eq!(page.total, 1);
    }
    // Filters judge the old values too.
    let high = search_req(vec![Filter::new(
        "hs_ticket_priority",
        Operator::Eq,
        "HIGH",
    )]);
    assert_eq!(search_as_of(&sb, "tickets", &high, after_first).total, 0);
    assert_eq!(search_as_of(&sb, "tickets", &high, after_second).total, 1);
    assert!(search_as_of(&sb, "tickets", &q, after_archive)
        .results
        .is_empty());

    // The process's own search lags ten minutes: none of this is visible yet, while a read
    // by id sees the archive at once.
    assert!(sb.search(&q).await.unwrap().results.is_empty());
    let archived = GetParams {
        archived: true,
        ..GetParams::default()
    };
    assert!(sb.get(&t.id, &archived).await.is_ok());
}

#[tokio::test]
async fn a_write_after_the_lag_is_visible_and_reads_never_lag() {
    let (_d, sb) = fresh(0);
    sb.set_search_lag(TEN_MINUTES).unwrap();
    let t = create(&sb, &[("subject", "fresh"), ("hs_ticket_priority", "LOW")]).await;
    // Right after the write: not in search, but GET and batch read see it.
    assert!(sb
        .search(&subject_is("fresh"))
        .await
        .unwrap()
        .results
        .is_empty());
    assert_eq!(
        sb.get(&t.id, &GetParams::default())
            .await
            .unwrap()
            .prop("subject"),
        Some("fresh")
    );
    let read = sb
        .batch_read(
            &BatchReadInput {
                inputs: vec![IdInput { id: t.id.clone() }],
                ..Default::default()
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(read.results.len(), 1);
    // As of a moment after the write (what the search answers once the lag has passed).
    let later = tick();
    let page = search_as_of(&sb, "tickets", &subject_is("fresh"), later);
    assert_eq!(found(&page), vec![(t.id.clone(), Some("LOW".into()))]);
    // Without a lag the process searches the live rows.
    sb.set_search_lag(Duration::ZERO).unwrap();
    assert_eq!(sb.search(&subject_is("fresh")).await.unwrap().total, 1);
}

#[tokio::test]
async fn pages_and_sorts_merge_the_live_rows_and_the_old_images() {
    let (_d, sb) = fresh(0);
    let mut ids = Vec::new();
    for i in 0..12 {
        let t = create(&sb, &[("subject", &format!("paged {i:02}"))]).await;
        ids.push(t.id);
    }
    sb.set_search_lag(TEN_MINUTES).unwrap();
    let cutoff = tick();
    // Written after the cutoff: three renamed (the search still sorts them by their old
    // subject), one archived (still found), one created (not found yet).
    for i in [1, 5, 9] {
        let input = UpdateInput {
            properties: props(&[("subject", "zzz renamed")]),
        };
        sb.update(&ids[i], &input, None).await.unwrap();
    }
    sb.archive(&ids[7]).await.unwrap();
    create(&sb, &[("subject", "paged 99")]).await;
    let mut req = SearchRequest {
        query: None,
        filter_groups: vec![FilterGroup {
            filters: vec![Filter::new("subject", Operator::ContainsToken, "paged")],
        }],
        sorts: vec![Sort {
            property_name: "subject".into(),
            direction: SortDirection::Descending,
        }],
        properties: vec!["subject".into()],
        limit: Some(5),
        ..SearchRequest::default()
    };
    let mut seen = Vec::new();
    loop {
        let page = search_as_of(&sb, "tickets", &req, cutoff);
        assert_eq!(page.total, 12);
        seen.extend(
            page.results
                .iter()
                .map(|t| t.prop("subject").unwrap().to_string()),
        );
        match page.paging {
            Some(p) => req.after = Some(p.next.unwrap().after),
            None => break,
        }
    }
    let expected: Vec<String> = (0..12).rev().map(|i| format!("paged {i:02}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn other_object_types_lag_too() {
    let (_d, sb) = fresh(0);
    sb.set_search_lag(TEN_MINUTES).unwrap();
    let before = tick();
    let c = record(
        &sb,
        "companies",
        &[("name", "Lagging Ltd"), ("tier", "gold")],
    )
    .await;
    let after_create = tick();
    let input = UpdateInput {
        properties: props(&[("tier", "platinum")]),
    };
    sb.object_update("companies", &c.id, &input, None)
        .await
        .unwrap();
    let gold = search_req(vec![Filter::new("tier", Operator::Eq, "gold")]);
    assert!(search_as_of(&sb, "companies", &gold, before)
        .results
        .is_empty());
    let page = search_as_of(&sb, "companies", &gold, after_create);
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.results[0].id, c.id);
    let page = search_as_of(&sb, "companies", &gold, tick());
    assert!(page.results.is_empty());
    assert!(sb
        .object_search("companies", &gold)
        .await
        .unwrap()
        .results
        .is_empty());
}

#[tokio::test]
async fn a_lag_declared_by_one_handle_makes_another_handle_record_its_writes() {
    let (d, searcher) = fresh(0);
    // Opened before the lag is declared, as a `run --sandbox` started before `serve`.
    let writer = Sandbox::open(&d.path().join("s.db")).unwrap();
    searcher.set_search_lag(TEN_MINUTES).unwrap();
    let t = create(&writer, &[("subject", "other process")]).await;
    assert!(searcher
        .search(&subject_is("other process"))
        .await
        .unwrap()
        .results
        .is_empty());
    // The writer itself has no lag: its own search sees the write.
    assert_eq!(
        writer
            .search(&subject_is("other process"))
            .await
            .unwrap()
            .results[0]
            .id,
        t.id
    );
}

#[tokio::test]
async fn a_file_never_given_a_lag_records_nothing() {
    let (_d, sb) = fresh(3);
    create(&sb, &[("subject", "plain")]).await;
    let tables: i64 = sb
        .inner
        .read(|c, _| {
            Ok(c.query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'search_lag'",
                [],
                |r| r.get(0),
            )
            .unwrap())
        })
        .unwrap();
    assert_eq!(tables, 0);
    // A cutoff without any recorded write is the plain search.
    let page = search_as_of(&sb, "tickets", &subject_is("plain"), 0);
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn a_merge_lags_like_any_write() {
    let (_d, sb) = fresh(0);
    sb.set_search_lag(TEN_MINUTES).unwrap();
    let a = create(&sb, &[("subject", "merge keeper")]).await;
    let b = create(&sb, &[("subject", "merge gone"), ("content", "details")]).await;
    let cutoff = tick();
    sb.merge(&MergeInput {
        primary_object_id: a.id.clone(),
        object_id_to_merge: b.id.clone(),
    })
    .await
    .unwrap();
    let content = |subject: &str, cutoff: i64| {
        let req = SearchRequest {
            properties: vec!["content".into()],
            ..subject_is(subject)
        };
        search_as_of(&sb, "tickets", &req, cutoff)
            .results
            .iter()
            .map(|t| t.prop("content").map(String::from))
            .collect::<Vec<_>>()
    };
    // As of before the merge: both tickets, the keeper without the merged content.
    assert_eq!(content("merge keeper", cutoff), vec![None]);
    assert_eq!(content("merge gone", cutoff), vec![Some("details".into())]);
    // After it: the merged-away ticket is gone, the keeper carries its content.
    let after = tick();
    assert!(content("merge gone", after).is_empty());
    assert_eq!(content("merge keeper", after), vec![Some("details".into())]);
}
