//! The shared fake's search: just enough of HubSpot's rules to be honest about what paging and
//! scripts rely on: numeric `hs_object_id` comparisons (the keyset cursor), `EQ`/`NEQ` on other
//! properties, one sort, `after` as an offset, at most 200 per page and the 10,000-result cap
//! answered with a 400 (test builds only).

use std::collections::BTreeMap;

use crate::backend::BackendResult;

use crate::model::limits::{DEFAULT_PAGE_SIZE, SEARCH_PAGE_MAX, SEARCH_RESULT_CAP};
use crate::model::{
    ApiError, Filter, FilterGroup, Operator, Paging, SearchPage, SearchRequest, SortDirection,
    Ticket,
};

fn matches(t: &Ticket, f: &Filter) -> bool {
    let id: u64 = t.id.parse().unwrap_or(0);
    if f.property_name == "hs_object_id" {
        let v: u64 = f.value.as_deref().and_then(|v| v.parse().ok()).unwrap_or(0);
        return match f.operator {
            Operator::Gt => id > v,
            Operator::Gte => id >= v,
            Operator::Lt => id < v,
            Operator::Eq => id == v,
            _ => false,
        };
    }
    match f.operator {
        Operator::Eq => t.prop(&f.property_name) == f.value.as_deref(),
        Operator::Neq => t.prop(&f.property_name) != f.value.as_deref(),
        _ => false,
    }
}

/// One page of `request` over `all`, at most `page_size` long.
pub(super) fn search(
    all: &BTreeMap<u64, Ticket>,
    request: &SearchRequest,
    page_size: usize,
) -> BackendResult<SearchPage> {
    let limit = request.limit.unwrap_or(DEFAULT_PAGE_SIZE) as usize;
    if limit > SEARCH_PAGE_MAX as usize {
        return Err(ApiError::validation(format!("limit above {SEARCH_PAGE_MAX}")).into());
    }
    let offset: usize = request
        .after
        .as_deref()
        .map_or(0, |a| a.parse().unwrap_or(0));
    if offset + limit > SEARCH_RESULT_CAP {
        return Err(
            ApiError::validation(format!("paging past the {SEARCH_RESULT_CAP}th result")).into(),
        );
    }
    let size = limit.min(page_size);
    let mut groups = request.filter_groups.clone();
    if !request.filters.is_empty() {
        groups.push(FilterGroup {
            filters: request.filters.clone(),
        });
    }
    let mut hits: Vec<&Ticket> = all
        .values()
        .filter(|t| {
            groups.is_empty()
                || groups
                    .iter()
                    .any(|g| g.filters.iter().all(|f| matches(t, f)))
        })
        .collect();
    if let Some(sort) = request.sorts.first() {
        if sort.property_name != "hs_object_id" {
            hits.sort_by(|a, b| {
                a.prop(&sort.property_name)
                    .cmp(&b.prop(&sort.property_name))
            });
        }
        if sort.direction == SortDirection::Descending {
            hits.reverse();
        }
    }
    let total = hits.len();
    let results: Vec<Ticket> = hits
        .iter()
        .skip(offset)
        .take(size)
        .map(|t| (*t).clone())
        .collect();
    let paging = (offset + size < total).then(|| Paging::next((offset + size).to_string()));
    Ok(SearchPage {
        total: total as i64,
        results,
        paging,
    })
}
