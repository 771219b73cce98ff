//! The association endpoints, v3 (`PUT/DELETE .../associations/{toType}/{toId}/{typeId}`,
//! `GET .../associations/{toType}`) and v4 (`PUT/DELETE .../associations/{toType}/{toId}`,
//! `GET .../associations/{toType}`), over the storage and rules in the parent module. Each
//! runs inside the caller's connection (a write transaction or a reader).
//!
//! Listing: `limit` defaults to 500 and may not exceed it (above: 400); `after` is an integer
//! offset into the list (our choice; HubSpot's cursor is opaque).
//!
//! v4 batches (`POST /crm/v4/associations/tickets/{toType}/batch/create` and
//! `.../batch/labels/archive`, at most 100 inputs, our choice like every other batch): a create
//! input that does not fit (unknown ticket or target, wrong type) is a per-input error and the
//! others are stored (207), as HubSpot's association batches answer; a removal batch is checked
//! whole, and one input that does not fit fails it (400/404) with nothing removed (HubSpot
//! documents only the 204; our choice).

use rusqlite::Connection;

use super::{add, associated_ids, check_target, pairs, remove, resolve_segment, resolve_specs};
use super::{spec_with_label, target_id, ObjectType};
use crate::backend::BackendResult;
use crate::model::limits::ASSOCIATION_PAGE_MAX as ASSOC_PAGE_MAX;
use crate::model::object_types::known_object_type;
use crate::model::{
    ApiError, AssociatedIdPage, AssociationBatchItem, AssociationSpec, BatchInput, BatchResponse,
    LabelsBetweenObjectPair, MultiAssociatedObjectWithLabel, Page, Paging, Ticket,
};
use crate::sandbox::batch::{check_size, standard};
use crate::sandbox::catalog::Catalog;
use crate::sandbox::reads::{render, Projection};
use crate::sandbox::writer::resolve;

/// A validated listing window: `(offset, limit)`.
pub(crate) type Window = (usize, usize);

/// Checks a listing's `after` and `limit` (before any lookup, so a bad window is a 400 even
/// for an unknown ticket).
pub(crate) fn page_window(after: Option<&str>, limit: Option<u32>) -> BackendResult<Window> {
    let limit = limit.unwrap_or(ASSOC_PAGE_MAX);
    if limit == 0 || limit > ASSOC_PAGE_MAX {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {ASSOC_PAGE_MAX}; got {limit}"
        ))
        .into());
    }
    let offset = match after.map(str::trim) {
        None | Some("") => 0,
        Some(a) => a.parse::<usize>().map_err(|_| {
            ApiError::validation(format!("after must be an integer offset; got {a}"))
        })?,
    };
    Ok((offset, limit as usize))
}

fn next_paging(offset: usize, limit: usize, total: usize) -> Option<Paging> {
    (offset + limit < total).then(|| Paging::next((offset + limit).to_string()))
}

/// The pair endpoints' common checks: the ticket (active), the type and the target.
fn pair(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    to_type: &str,
    to_id: &str,
) -> BackendResult<(i64, &'static ObjectType, i64)> {
    let row = resolve(conn, cat, id, None, false)?;
    let obj = known_object_type(to_type).map_err(ApiError::validation)?;
    let to = target_id(to_id)?;
    if obj.plural == "tickets" && to == row.id {
        return Err(ApiError::validation("a ticket cannot be associated with itself").into());
    }
    Ok((row.id, obj, to))
}

/// v3 `PUT`: one association of the given type; answers the ticket with that type's block.
pub(crate) fn associate(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    to_type: &str,
    to_id: &str,
    type_id: &str,
) -> BackendResult<Ticket> {
    let (ticket, obj, to) = pair(conn, cat, id, to_type, to_id)?;
    let t = resolve_segment(cat, obj, type_id)?;
    check_target(conn, obj, to)?;
    add(conn, ticket, obj, to, &t)?;
    let row = resolve(conn, cat, id, None, false)?;
    render(
        conn,
        cat,
        &row,
        &Projection::new(&[], &[], &[obj.plural.to_string()]),
    )
}

/// v3 `DELETE`: removes the association of the given type.
pub(crate) fn dissociate(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    to_type: &str,
    to_id: &str,
    type_id: &str,
) -> BackendResult<()> {
    let (ticket, obj, to) = pair(conn, cat, id, to_type, to_id)?;
    let t = resolve_segment(cat, obj, type_id)?;
    remove(conn, ticket, obj, to, Some(&t))
}

/// v3 `GET`: the associated ids of one object type.
pub(crate) fn list(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    to_type: &str,
    (offset, limit): Window,
) -> BackendResult<AssociatedIdPage> {
    let row = resolve(conn, cat, id, None, false)?;
    let obj = known_object_type(to_type).map_err(ApiError::validation)?;
    let all = associated_ids(conn, cat, row.id, obj)?;
    let total = all.len();
    Ok(AssociatedIdPage {
        results: all.into_iter().skip(offset).take(limit).collect(),
        paging: next_paging(offset, limit, total),
    })
}

/// v4 `PUT`: associates with every given type; answers the labels now between the pair.
pub(crate) fn associate_v4(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    to_type: &str,
    to_id: &str,
    types: &[AssociationSpec],
) -> BackendResult<LabelsBetweenObjectPair> {
    let (ticket, obj, to) = pair(conn, cat, id, to_type, to_id)?;
    let resolved = resolve_specs(cat, obj, types)?;
    check_target(conn, obj, to)?;
    for t in &resolved {
        add(conn, ticket, obj, to, t)?;
    }
    pair_labels(conn, cat, ticket, obj, to)
}

/// The v4 answer for a pair: the labels of the associations between them (HubSpot's and the
/// portal's; unlabelled types have none).
fn pair_labels(
    conn: &Connection,
    cat: &Catalog,
    ticket: i64,
    obj: &ObjectType,
    to: i64,
) -> BackendResult<LabelsBetweenObjectPair> {
    let labels = pairs(conn, ticket, obj)?
        .into_iter()
        .filter(|(target, ..)| *target == to)
        .filter_map(|(_, t, category)| spec_with_label(cat, t, category).label)
        .collect();
    Ok(LabelsBetweenObjectPair {
        from_object_type_id: "0-5".into(),
        from_object_id: ticket.to_string(),
        to_object_type_id: obj.type_id.into(),
        to_object_id: to.to_string(),
        labels,
    })
}

/// v4 `DELETE`: removes every association between the pair.
pub(crate) fn dissociate_v4(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    to_type: &str,
    to_id: &str,
) -> BackendResult<()> {
    let (ticket, obj, to) = pair(conn, cat, id, to_type, to_id)?;
    remove(conn, ticket, obj, to, None)
}

/// v4 `batch/create`: each input associated on its own; one that does not fit is a per-input
/// error (context `fromObjectId`).
pub(crate) fn batch_associate_v4(
    conn: &Connection,
    cat: &Catalog,
    to_type: &str,
    input: &BatchInput<AssociationBatchItem>,
) -> BackendResult<BatchResponse<LabelsBetweenObjectPair>> {
    check_size(input.inputs.len())?;
    let started = chrono::Utc::now();
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for item in &input.inputs {
        match associate_v4(conn, cat, &item.from.id, to_type, &item.to.id, &item.types) {
            Ok(r) => results.push(r),
            Err(e) => match e.api() {
                Some(api) if api.http_status < 500 => {
                    errors.push(standard(api, "fromObjectId", &item.from.id));
                }
                _ => return Err(e),
            },
        }
    }
    Ok(BatchResponse::complete(results, started).with_errors(errors))
}

/// v4 `batch/labels/archive`: removes the given types of each pair; all or nothing.
pub(crate) fn batch_dissociate_v4(
    conn: &Connection,
    cat: &Catalog,
    to_type: &str,
    input: &BatchInput<AssociationBatchItem>,
) -> BackendResult<()> {
    check_size(input.inputs.len())?;
    for item in &input.inputs {
        let (ticket, obj, to) = pair(conn, cat, &item.from.id, to_type, &item.to.id)?;
        for t in resolve_specs(cat, obj, &item.types)? {
            remove(conn, ticket, obj, to, Some(&t))?;
        }
    }
    Ok(())
}

/// v4 `GET`: the associated objects of one type, each with all its association types.
pub(crate) fn list_v4(
    conn: &Connection,
    cat: &Catalog,
    id: &str,
    to_type: &str,
    (offset, limit): Window,
) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
    let row = resolve(conn, cat, id, None, false)?;
    let obj = known_object_type(to_type).map_err(ApiError::validation)?;
    let mut grouped: Vec<MultiAssociatedObjectWithLabel> = Vec::new();
    for (to, t, category) in pairs(conn, row.id, obj)? {
        let to = to.to_string();
        let spec = spec_with_label(cat, t, category);
        match grouped.last_mut() {
            Some(g) if g.to_object_id == to => g.association_types.push(spec),
            _ => grouped.push(MultiAssociatedObjectWithLabel {
                to_object_id: to,
                association_types: vec![spec],
            }),
        }
    }
    let total = grouped.len();
    Ok(Page {
        results: grouped.into_iter().skip(offset).take(limit).collect(),
        paging: next_paging(offset, limit, total),
    })
}

/// v4 `batch/read`: the first page (500) of each ticket's associations of `to_type`; unknown
/// tickets are reported together as one per-input error (as the batch read of records does).
pub(crate) fn batch_read_v4(
    conn: &Connection,
    cat: &Catalog,
    to_type: &str,
    input: &BatchInput<crate::model::IdInput>,
) -> BackendResult<BatchResponse<crate::model::AssociationsOf>> {
    check_size(input.inputs.len())?;
    let started = chrono::Utc::now();
    let window = page_window(None, None)?;
    let (mut results, mut errors) = (Vec::new(), Vec::new());
    for i in &input.inputs {
        match list_v4(conn, cat, &i.id, to_type, window) {
            Ok(page) => results.push(crate::model::AssociationsOf {
                from: crate::model::ObjectIdRef { id: i.id.clone() },
                to: page.results,
                paging: page.paging,
            }),
            Err(e) => match e.api() {
                Some(api) if api.http_status < 500 => {
                    errors.push(standard(api, "fromObjectId", &i.id));
                }
                _ => return Err(e),
            },
        }
    }
    Ok(BatchResponse::complete(results, started).with_errors(errors))
}
