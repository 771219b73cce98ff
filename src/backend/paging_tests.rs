//! Tests of the paging cursors and streams against the in-memory fake backend.

use std::collections::HashSet;
use std::sync::Arc;

use futures::StreamExt;

use super::super::fake::{ticket, FakeBackend};
use super::*;

fn red_or_blue(n: u64) -> FakeBackend {
    // every 6th ticket is blue, the rest red
    FakeBackend::new((1..=n).map(|i| {
        let color = if i % 6 == 0 { "blue" } else { "red" };
        ticket(
            i,
            &[("color", color), ("subject", &format!("s{:06}", i % 977))],
        )
    }))
}

fn eq(prop: &str, value: &str) -> Filter {
    Filter::new(prop, Operator::Eq, value)
}

fn group(filters: Vec<Filter>) -> FilterGroup {
    FilterGroup { filters }
}

async fn collect(
    stream: impl Stream<Item = BackendResult<Ticket>>,
) -> (Vec<Ticket>, Option<BackendError>) {
    let mut out = Vec::new();
    let mut stream = std::pin::pin!(stream);
    while let Some(item) = stream.next().await {
        match item {
            Ok(t) => out.push(t),
            Err(e) => {
                assert!(stream.next().await.is_none(), "an error ends the stream");
                return (out, Some(e));
            }
        }
    }
    (out, None)
}

#[tokio::test]
async fn keyset_search_returns_all_25000_matches_past_the_cap_without_duplicates() {
    let fake = Arc::new(red_or_blue(30_000));
    let request = SearchRequest {
        filter_groups: vec![group(vec![eq("color", "red")])],
        ..SearchRequest::default()
    };
    let (tickets, err) = collect(search_stream(fake.clone(), request, None)).await;
    assert!(err.is_none(), "{err:?}");
    assert_eq!(tickets.len(), 25_000);
    let ids: HashSet<&str> = tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids.len(), 25_000, "no duplicates");
    assert!(tickets.iter().all(|t| t.prop("color") == Some("red")));
    let searches = fake.searches.lock().unwrap();
    assert_eq!(searches.len(), 125);
    for (i, r) in searches.iter().enumerate() {
        assert_eq!(r.after, None);
        assert_eq!(r.limit, Some(200));
        assert_eq!(r.sorts[0].property_name, "hs_object_id");
        assert_eq!(r.sorts[0].direction, SortDirection::Ascending);
        let gts = r.filter_groups[0]
            .filters
            .iter()
            .filter(|f| f.property_name == "hs_object_id" && f.operator == Operator::Gt)
            .count();
        assert_eq!(gts, usize::from(i > 0));
    }
}

#[tokio::test]
async fn a_plain_offset_walk_hits_the_fakes_cap() {
    // proves the fake enforces the cap, so the keyset test above is meaningful
    let fake = red_or_blue(20_000);
    let mut req = SearchRequest {
        limit: Some(200),
        after: Some("9900".into()),
        ..SearchRequest::default()
    };
    assert!(fake.search(&req).await.is_err());
    req.after = Some("9800".into());
    assert!(fake.search(&req).await.is_ok());
}

#[tokio::test]
async fn keyset_adds_the_filter_to_every_group_and_to_top_level_filters() {
    let fake = Arc::new(red_or_blue(1_000));
    let request = SearchRequest {
        filter_groups: vec![group(vec![eq("color", "red")])],
        filters: vec![eq("color", "blue")],
        limit: Some(100),
        ..SearchRequest::default()
    };
    let (tickets, err) = collect(search_stream(fake.clone(), request, None)).await;
    assert!(err.is_none());
    assert_eq!(tickets.len(), 1_000);
    let searches = fake.searches.lock().unwrap();
    let second = &searches[1];
    assert!(second.filters.is_empty());
    assert_eq!(second.filter_groups.len(), 2);
    for g in &second.filter_groups {
        let last = g.filters.last().unwrap();
        assert_eq!(last.property_name, "hs_object_id");
        assert_eq!(last.value.as_deref(), Some("100"));
    }
}

#[tokio::test]
async fn no_filters_creates_one_group_and_total_limit_caps_pages() {
    let fake = Arc::new(red_or_blue(1_000));
    let (tickets, _) = collect(search_stream(
        fake.clone(),
        SearchRequest::default(),
        Some(450),
    ))
    .await;
    assert_eq!(tickets.len(), 450);
    let searches = fake.searches.lock().unwrap();
    let limits: Vec<_> = searches.iter().map(|r| r.limit.unwrap()).collect();
    assert_eq!(limits, vec![200, 200, 50]);
    assert!(searches[0].filter_groups.is_empty());
    assert_eq!(searches[1].filter_groups.len(), 1);
    assert_eq!(searches[1].filter_groups[0].filters.len(), 1);
}

#[tokio::test]
async fn other_sort_pages_by_offset_and_stops_clearly_at_the_cap() {
    let fake = Arc::new(red_or_blue(10_500));
    let request = SearchRequest {
        sorts: vec![Sort {
            property_name: "subject".into(),
            direction: SortDirection::Descending,
        }],
        ..SearchRequest::default()
    };
    assert!(!SearchCursor::new(request.clone()).is_keyset());
    let (tickets, err) = collect(search_stream(fake.clone(), request, None)).await;
    assert_eq!(tickets.len(), 10_000);
    let err = err.expect("the cap is reported");
    assert_eq!(err.http_status(), Some(400));
    assert!(
        err.api().unwrap().correlation_id.is_empty(),
        "raised locally"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("10000") && msg.contains("sorted by subject"),
        "{msg}"
    );
    // the cap was never sent to the backend as a request it would refuse
    assert!(fake.searches.lock().unwrap().iter().all(|r| {
        let off: usize = r.after.as_deref().map_or(0, |a| a.parse().unwrap());
        off + r.limit.unwrap() as usize <= 10_000
    }));
}

#[tokio::test]
async fn offset_mode_under_the_cap_returns_everything_in_order() {
    let fake = Arc::new(red_or_blue(700));
    let request = SearchRequest {
        sorts: vec![Sort {
            property_name: "subject".into(),
            direction: SortDirection::Ascending,
        }],
        ..SearchRequest::default()
    };
    let (tickets, err) = collect(search_stream(fake, request, None)).await;
    assert!(err.is_none());
    assert_eq!(tickets.len(), 700);
    assert!(tickets
        .windows(2)
        .all(|w| w[0].prop("subject") <= w[1].prop("subject")));
}

#[test]
fn full_filter_groups_fall_back_to_offset_paging() {
    let six = group((0..6).map(|i| eq(&format!("p{i}"), "x")).collect());
    let req = SearchRequest {
        filter_groups: vec![six],
        ..SearchRequest::default()
    };
    assert!(matches!(choose_mode(&req), Mode::Offset { why } if why.contains("filter limits")));
    let groups_of_five = |n: usize| SearchRequest {
        filter_groups: (0..n)
            .map(|_| group((0..5).map(|i| eq(&format!("p{i}"), "x")).collect()))
            .collect(),
        ..SearchRequest::default()
    };
    // 3 groups of 5 = 15 filters, +3 keyset filters = 18: still fits
    assert!(matches!(
        choose_mode(&groups_of_five(3)),
        Mode::Keyset { .. }
    ));
    // 4 groups of 5 = 20 filters: over the total once the keyset filters are added
    assert!(matches!(
        choose_mode(&groups_of_five(4)),
        Mode::Offset { .. }
    ));
    let sorted_by_id = SearchRequest {
        sorts: vec![Sort {
            property_name: "hs_object_id".into(),
            direction: SortDirection::Ascending,
        }],
        ..SearchRequest::default()
    };
    assert!(matches!(choose_mode(&sorted_by_id), Mode::Keyset { .. }));
}

#[test]
fn ids_that_do_not_increase_are_an_error() {
    let page = vec![ticket(5, &[]), ticket(4, &[])];
    assert!(check_ascending(None, &page).is_err());
    assert!(check_ascending(Some("5"), &[ticket(5, &[])]).is_err());
    assert!(check_ascending(Some("4"), &[ticket(5, &[]), ticket(9, &[])]).is_ok());
}

#[tokio::test]
async fn list_cursor_follows_after_in_pages_of_100() {
    let fake = Arc::new(red_or_blue(250));
    let (tickets, err) = collect(list_stream(fake.clone(), ListParams::default())).await;
    assert!(err.is_none());
    assert_eq!(tickets.len(), 250);
    let lists = fake.lists.lock().unwrap();
    let pages: Vec<_> = lists.iter().map(|p| (p.limit, p.after.clone())).collect();
    assert_eq!(
        pages,
        vec![
            (Some(100), None),
            (Some(100), Some("100".to_string())),
            (Some(100), Some("200".to_string()))
        ]
    );
}

#[tokio::test]
async fn list_cursor_honours_total_limit_and_reports_done() {
    let fake = red_or_blue(250);
    let mut c = ListCursor::new(ListParams {
        limit: Some(30),
        ..ListParams::default()
    })
    .with_total_limit(Some(40));
    assert_eq!(c.next_page(&fake).await.unwrap().unwrap().len(), 30);
    assert_eq!(c.next_page(&fake).await.unwrap().unwrap().len(), 10);
    assert!(c.is_done());

    let mut s = SearchCursor::new(SearchRequest::default());
    assert_eq!(s.total(), None);
    s.next_page(&fake).await.unwrap();
    s.next_page(&fake).await.unwrap();
    assert_eq!(s.total(), Some(250), "the first page's total is kept");
    assert!(c.is_done());
    assert!(c.next_page(&fake).await.unwrap().is_none());
    assert_eq!(fake.lists.lock().unwrap()[1].limit, Some(10));
}

#[tokio::test]
async fn streams_are_lazy() {
    let fake = Arc::new(red_or_blue(1_000));
    let mut s = std::pin::pin!(search_stream(fake.clone(), SearchRequest::default(), None));
    for _ in 0..201 {
        s.next().await.unwrap().unwrap();
    }
    assert_eq!(fake.searches.lock().unwrap().len(), 2);
}
