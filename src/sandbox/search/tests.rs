//! Unit tests of the search evaluator on an in-memory database: each operator, the case rules,
//! the limits and paging.

use std::path::Path;

use rusqlite::{params_from_iter, Connection};

use super::{compile, search};
use crate::model::{
    Filter, FilterGroup, InputProperties, Operator, SearchRequest, Sort, SortDirection,
};
use crate::sandbox::catalog::Catalog;
use crate::sandbox::schema::{configure, load_catalog, migrate_to, SCHEMA_VERSION};
use crate::sandbox::validate::validate_write;
use crate::sandbox::writer::insert_row;

const T0: i64 = 1_700_000_000_000;

/// Three tickets: ids 1..=3 created at T0, T0+1000, T0+2000.
fn db() -> (Connection, Catalog) {
    let mut c = Connection::open_in_memory().unwrap();
    configure(&c).unwrap();
    migrate_to(&mut c, Path::new(":memory:"), SCHEMA_VERSION).unwrap();
    let cat = load_catalog(&c, Path::new(":memory:")).unwrap();
    let rows: [&[(&str, &str)]; 3] = [
        &[
            ("subject", "Login fails, urgent"),
            ("content", "Contact jane@hubspot.com"),
            ("hs_ticket_priority", "HIGH"),
            ("hs_ticket_category", "PRODUCT_ISSUE;BILLING_ISSUE"),
            ("hs_pinned_engagement_id", "10"),
        ],
        &[
            ("subject", "Refund please"),
            ("hs_ticket_priority", "LOW"),
            ("hs_ticket_category", "BILLING_ISSUE"),
            ("hs_pipeline_stage", "4"),
        ],
        &[
            ("subject", "refund twice"),
            ("hs_pinned_engagement_id", "30"),
        ],
    ];
    for (i, r) in rows.iter().enumerate() {
        let input: InputProperties = r.iter().map(|(k, v)| (*k, *v)).collect();
        let p = validate_write(&cat, &input, None, T0 + 1000 * i as i64).unwrap();
        insert_row(&c, &cat, &p.row).unwrap();
    }
    c.execute(
        "INSERT INTO associations VALUES (1, 'contacts', 501, 16, 'HUBSPOT_DEFINED')",
        [],
    )
    .unwrap();
    (c, cat)
}

fn one(
    prop: &str,
    op: Operator,
    value: Option<&str>,
    values: &[&str],
    high: Option<&str>,
) -> Filter {
    Filter {
        property_name: prop.into(),
        operator: op,
        value: value.map(str::to_string),
        values: values.iter().map(|s| s.to_string()).collect(),
        high_value: high.map(str::to_string),
    }
}

fn ids_where(c: &Connection, cat: &Catalog, req: &SearchRequest) -> Vec<i64> {
    let q = compile(cat, req).unwrap();
    let sql = format!(
        "SELECT id FROM tickets WHERE {} ORDER BY {}",
        q.where_sql, q.order_sql
    );
    let mut st = c.prepare(&sql).unwrap();
    st.query_map(params_from_iter(q.params.iter()), |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn ids(f: Filter) -> Vec<i64> {
    let (c, cat) = db();
    ids_where(
        &c,
        &cat,
        &SearchRequest {
            filter_groups: vec![FilterGroup { filters: vec![f] }],
            ..Default::default()
        },
    )
}

#[test]
fn string_eq_is_case_insensitive_enum_eq_is_not() {
    assert_eq!(
        ids(one(
            "subject",
            Operator::Eq,
            Some("REFUND PLEASE"),
            &[],
            None
        )),
        [2]
    );
    assert_eq!(
        ids(one(
            "hs_ticket_priority",
            Operator::Eq,
            Some("HIGH"),
            &[],
            None
        )),
        [1]
    );
    assert!(ids(one(
        "hs_ticket_priority",
        Operator::Eq,
        Some("high"),
        &[],
        None
    ))
    .is_empty());
    assert_eq!(
        ids(one(
            "subject",
            Operator::Neq,
            Some("refund TWICE"),
            &[],
            None
        )),
        [1, 2]
    );
}

#[test]
fn in_on_strings_needs_lowercase_values() {
    assert_eq!(
        ids(one("subject", Operator::In, None, &["refund twice"], None)),
        [3]
    );
    assert!(ids(one("subject", Operator::In, None, &["Refund twice"], None)).is_empty());
    assert_eq!(
        ids(one(
            "hs_ticket_priority",
            Operator::NotIn,
            None,
            &["HIGH"],
            None
        )),
        [2, 3]
    );
}

#[test]
fn multi_select_matches_any_option() {
    assert_eq!(
        ids(one(
            "hs_ticket_category",
            Operator::Eq,
            Some("BILLING_ISSUE"),
            &[],
            None
        )),
        [1, 2]
    );
    assert_eq!(
        ids(one(
            "hs_ticket_category",
            Operator::In,
            None,
            &["PRODUCT_ISSUE"],
            None
        )),
        [1]
    );
}

#[test]
fn numbers_and_datetimes_compare_numerically() {
    assert_eq!(
        ids(one(
            "hs_pinned_engagement_id",
            Operator::Gt,
            Some("9"),
            &[],
            None
        )),
        [1, 3]
    );
    let t1 = (T0 + 1000).to_string();
    assert_eq!(
        ids(one("createdate", Operator::Gte, Some(&t1), &[], None)),
        [2, 3]
    );
    let iso = crate::model::time::format_millis(T0 + 1000);
    assert_eq!(
        ids(one("createdate", Operator::Lt, Some(&iso), &[], None)),
        [1]
    );
    let hi = (T0 + 2000).to_string();
    assert_eq!(
        ids(one(
            "createdate",
            Operator::Between,
            Some(&t1),
            &[],
            Some(&hi)
        )),
        [2, 3]
    );
    assert_eq!(
        ids(one("hs_object_id", Operator::In, None, &["1", "3"], None)),
        [1, 3]
    );
}

#[test]
fn has_property_and_tokens() {
    assert_eq!(
        ids(one(
            "hs_pinned_engagement_id",
            Operator::HasProperty,
            None,
            &[],
            None
        )),
        [1, 3]
    );
    assert_eq!(
        ids(one("closed_date", Operator::HasProperty, None, &[], None)),
        [2]
    );
    assert_eq!(
        ids(one("content", Operator::NotHasProperty, None, &[], None)),
        [2, 3]
    );
    assert_eq!(
        ids(one(
            "content",
            Operator::ContainsToken,
            Some("*@hubspot.com"),
            &[],
            None
        )),
        [1]
    );
    assert_eq!(
        ids(one(
            "subject",
            Operator::ContainsToken,
            Some("refund"),
            &[],
            None
        )),
        [2, 3]
    );
    assert_eq!(
        ids(one(
            "subject",
            Operator::NotContainsToken,
            Some("refund"),
            &[],
            None
        )),
        [1]
    );
}

#[test]
fn association_pseudo_property() {
    assert_eq!(
        ids(one(
            "associations.contact",
            Operator::Eq,
            Some("501"),
            &[],
            None
        )),
        [1]
    );
    assert_eq!(
        ids(one(
            "associations.contacts",
            Operator::NotHasProperty,
            None,
            &[],
            None
        )),
        [2, 3]
    );
}

#[test]
fn groups_or_filters_and_top_level_filters_count_as_a_group() {
    let (c, cat) = db();
    let req = SearchRequest {
        filter_groups: vec![FilterGroup {
            filters: vec![
                one(
                    "subject",
                    Operator::ContainsToken,
                    Some("refund"),
                    &[],
                    None,
                ),
                one("hs_ticket_priority", Operator::Eq, Some("LOW"), &[], None),
            ],
        }],
        filters: vec![one(
            "hs_ticket_priority",
            Operator::Eq,
            Some("HIGH"),
            &[],
            None,
        )],
        sorts: vec![Sort {
            property_name: "createdate".into(),
            direction: SortDirection::Descending,
        }],
        ..Default::default()
    };
    assert_eq!(ids_where(&c, &cat, &req), [2, 1]);
}

#[test]
fn limits_answer_400() {
    let (_, cat) = db();
    let f = || one("subject", Operator::HasProperty, None, &[], None);
    let groups = |n: usize, per: usize| SearchRequest {
        filter_groups: (0..n)
            .map(|_| FilterGroup {
                filters: (0..per).map(|_| f()).collect(),
            })
            .collect(),
        ..Default::default()
    };
    assert!(compile(&cat, &groups(5, 3)).is_ok());
    assert_eq!(
        compile(&cat, &groups(6, 1)).unwrap_err().http_status(),
        Some(400)
    );
    assert!(compile(&cat, &groups(1, 7)).is_err());
    assert!(compile(&cat, &groups(4, 5)).is_err()); // 20 > 18
    let r = |limit: u32, after: &str| SearchRequest {
        limit: Some(limit),
        after: Some(after.into()),
        ..Default::default()
    };
    assert!(compile(&cat, &r(201, "0")).is_err());
    assert!(compile(&cat, &r(100, "x")).is_err());
    assert!(compile(&cat, &r(100, "9900")).is_ok());
    assert!(compile(&cat, &r(100, "9901")).is_err());
    let long = SearchRequest {
        query: Some("a".repeat(3001)),
        ..Default::default()
    };
    assert!(compile(&cat, &long).is_err());
    let bad_value = SearchRequest {
        filter_groups: vec![FilterGroup {
            filters: vec![one("createdate", Operator::Eq, Some("soon"), &[], None)],
        }],
        ..Default::default()
    };
    assert!(compile(&cat, &bad_value).is_err());
    let bad_sort = SearchRequest {
        sorts: vec![Sort {
            property_name: "nope".into(),
            direction: SortDirection::Ascending,
        }],
        ..Default::default()
    };
    assert!(compile(&cat, &bad_sort).is_err());
}

#[test]
fn query_total_and_paging() {
    let (c, cat) = db();
    let req = SearchRequest {
        query: Some("refu".into()),
        limit: Some(1),
        ..Default::default()
    };
    let page = search(&c, &cat, &req).unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.results[0].id, "2");
    assert_eq!(page.paging.unwrap().next.unwrap().after, "1");
    let last = search(
        &c,
        &cat,
        &SearchRequest {
            after: Some("1".into()),
            ..req
        },
    )
    .unwrap();
    assert_eq!(last.results[0].id, "3");
    assert!(last.paging.is_none());
    assert_eq!(
        search(
            &c,
            &cat,
            &SearchRequest {
                query: Some("4".into()),
                ..Default::default()
            }
        )
        .unwrap()
        .total,
        1
    );
}
