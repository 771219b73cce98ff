//! `tickets::` reads: get, list, search, read_many, associations; plus the methods of the lazy
//! sequences (`len`, `to_array`) and the `t.prop(name)` reading sugar.
//!
//! Reads always reach the backend, dry run or not; in a dry run they see the values planned
//! by earlier dry writes of the same run (property values only, not search matching).

use rhai::{Array, Dynamic, Map};

use crate::model::limits::{ASSOCIATION_PAGE_MAX, LIST_PAGE_MAX, LIST_PAGE_MAX_WITH_HISTORY};
use crate::model::{
    BatchReadInput, GetParams, IdInput, ListParams, SearchRequest, MAX_BATCH_INPUTS,
};

use super::super::bridge::usage;
use super::super::context::RunCtx;
use super::super::convert;
use super::super::limits::MAX_ARRAY_SIZE;
use super::super::paging::{Source, TicketQuery};
use super::super::search_form::{self, SearchSpec};
use super::declare::{Any, Area, Call, Id, ObjMap, Res, ScriptFn, Str};

const GET_OPTIONS: &[&str] = &[
    "properties",
    "propertiesWithHistory",
    "associations",
    "archived",
    "idProperty",
];
const LIST_OPTIONS: &[&str] = &[
    "properties",
    "propertiesWithHistory",
    "associations",
    "archived",
    "limit",
];
const READ_MANY_OPTIONS: &[&str] = &[
    "properties",
    "propertiesWithHistory",
    "archived",
    "idProperty",
];

pub(super) fn opt_strings(o: &Map, key: &str, pos: rhai::Position) -> Res<Vec<String>> {
    match o.get(key) {
        None => Ok(Vec::new()),
        Some(v) => convert::strings(v, key, pos),
    }
}

pub(super) fn opt_bool(o: &Map, key: &str, pos: rhai::Position) -> Res<bool> {
    match o.get(key) {
        None => Ok(false),
        Some(v) => v
            .as_bool()
            .map_err(|_| usage(pos, format!("option `{key}` must be true or false"))),
    }
}

fn opt_string(o: &Map, key: &str, pos: rhai::Position) -> Res<Option<String>> {
    match o.get(key) {
        None => Ok(None),
        Some(v) => convert::value_string(v)
            .map(Some)
            .ok_or_else(|| usage(pos, format!("option `{key}` must be a string"))),
    }
}

fn opt_limit(o: &Map, pos: rhai::Position) -> Res<Option<usize>> {
    match o.get("limit") {
        None => Ok(None),
        Some(v) => v
            .as_int()
            .ok()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| usage(pos, "option `limit` must be a positive integer")),
    }
}

/// Reads one ticket for the script (dry-run creations come from the plan); counted in the
/// run's "read N tickets".
pub(super) fn get_ticket(
    ctx: &RunCtx,
    pos: rhai::Position,
    id: &str,
    params: &GetParams,
) -> Res<crate::model::Ticket> {
    let t = look_up(ctx, pos, id, params)?;
    if ctx.created_ticket(id).is_none() {
        ctx.add_reads(1);
    }
    Ok(t)
}

/// Reads one ticket for a planned write (its old values, or the 404 an unknown id gets), not
/// counted as a ticket the script read: the same run with `apply = "immediate"` sends the
/// write without reading, and "read N tickets" must be the same in dry and real runs. (The
/// API call is counted all the same.)
pub(super) fn look_up(
    ctx: &RunCtx,
    pos: rhai::Position,
    id: &str,
    params: &GetParams,
) -> Res<crate::model::Ticket> {
    if let Some(t) = ctx.created_ticket(id) {
        return Ok(t);
    }
    let mut t = ctx.call(pos, ctx.backend.get(id, params))?;
    ctx.apply_overlay(&mut t);
    Ok(t)
}

fn get_params(o: &Map, pos: rhai::Position) -> Res<GetParams> {
    Ok(GetParams {
        properties: opt_strings(o, "properties", pos)?,
        properties_with_history: opt_strings(o, "propertiesWithHistory", pos)?,
        associations: opt_strings(o, "associations", pos)?,
        archived: opt_bool(o, "archived", pos)?,
        id_property: opt_string(o, "idProperty", pos)?,
    })
}

fn query(c: &Call, spec: SearchSpec) -> TicketQuery {
    TicketQuery {
        ctx: c.ctx().clone(),
        source: Source::Search(spec.request),
        limit: spec.limit,
        pos: c.pos,
    }
}

/// `ids` is converted after the options (the order a call's errors have always come in).
fn read_many(c: &Call, ids: &Dynamic) -> Res<Array> {
    let pos = c.pos;
    let o = &c.options;
    let ids = convert::ids(ids, c.name, pos)?;
    if ids.len() > MAX_ARRAY_SIZE {
        return Err(c.usage(format!("{}: at most {MAX_ARRAY_SIZE} ids", c.name)));
    }
    let base = BatchReadInput {
        inputs: Vec::new(),
        properties: opt_strings(o, "properties", pos)?,
        properties_with_history: opt_strings(o, "propertiesWithHistory", pos)?,
        id_property: opt_string(o, "idProperty", pos)?,
    };
    let archived = opt_bool(o, "archived", pos)?;
    let mut out = Array::new();
    let (fake, real): (Vec<String>, Vec<String>) = ids
        .into_iter()
        .partition(|id| c.created_ticket(id).is_some());
    for id in fake {
        if let Some(t) = c.created_ticket(&id) {
            out.push(convert::ticket(&t, pos)?);
        }
    }
    for chunk in real.chunks(MAX_BATCH_INPUTS) {
        let mut input = base.clone();
        input.inputs = chunk.iter().map(IdInput::new).collect();
        let resp = c.call(pos, c.backend.batch_read(&input, archived))?;
        c.add_reads(resp.results.len());
        for mut t in resp.results {
            c.apply_overlay(&mut t);
            out.push(convert::ticket(&t, pos)?);
        }
    }
    Ok(out)
}

/// Every record of `to_type` associated with ticket `id` (all pages).
fn associations(c: &Call, id: &str, to_type: &str) -> Res<Array> {
    let mut out = Array::new();
    // A ticket this dry run would create exists only in the plan: it has no stored
    // associations yet (the ones planned with it are in the plan).
    if c.dry_run() && c.created_ticket(id).is_some() {
        return Ok(out);
    }
    let mut after: Option<String> = None;
    loop {
        let page = c.call(
            c.pos,
            c.backend
                .associations(id, to_type, after.as_deref(), Some(ASSOCIATION_PAGE_MAX)),
        )?;
        for a in &page.results {
            if out.len() >= MAX_ARRAY_SIZE {
                return Ok(out);
            }
            out.push(convert::to_dyn(a, c.pos)?);
        }
        after = page.paging.and_then(|p| p.next).map(|n| n.after);
        if after.is_none() {
            return Ok(out);
        }
    }
}

/// The number of tickets of a lazy query: for a search one request (HubSpot's total, capped
/// by the limit); for a list it pages through all.
fn count(q: &TicketQuery) -> Res<i64> {
    let n = match &q.source {
        Source::Search(r) => {
            let probe = SearchRequest {
                limit: Some(1),
                after: None,
                ..r.clone()
            };
            let page = q.ctx.call(q.pos, q.ctx.backend.search(&probe))?;
            let total = usize::try_from(page.total).unwrap_or(0);
            q.limit.map_or(total, |l| total.min(l))
        }
        Source::List(_) => q.collect(MAX_ARRAY_SIZE)?.len(),
    };
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

const API: Area = Area::module("tickets");

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("get", "Reads one ticket; throws a 404 map when it does not exist.")
            .params((Id("id: string"),))
            .options(GET_OPTIONS)
            .returns("ticket: map")
            .read(|c, (id,)| {
                let params = get_params(&c.options, c.pos)?;
                convert::ticket(&get_ticket(c, c.pos, &id, &params)?, c.pos)
            }),
        API.func("list", "Every ticket, fetched page by page as the loop advances (`for t in tickets::list() {..}`); the option `limit` caps the total.")
            .options(LIST_OPTIONS)
            .returns("TicketQuery")
            .read(|c, ()| {
                let (o, pos) = (&c.options, c.pos);
                let with_history = !opt_strings(o, "propertiesWithHistory", pos)?.is_empty();
                let params = ListParams {
                    // Pages as large as HubSpot serves.
                    limit: Some(if with_history {
                        LIST_PAGE_MAX_WITH_HISTORY
                    } else {
                        LIST_PAGE_MAX
                    }),
                    after: None,
                    properties: opt_strings(o, "properties", pos)?,
                    properties_with_history: opt_strings(o, "propertiesWithHistory", pos)?,
                    associations: opt_strings(o, "associations", pos)?,
                    archived: opt_bool(o, "archived", pos)?,
                };
                let limit = opt_limit(o, pos)?;
                Ok(TicketQuery { ctx: c.ctx().clone(), source: Source::List(params), limit, pos })
            }),
        API.func("search", "Lazy search: HubSpot's body (filterGroups, sorts, query, properties, limit) or the terse form #{ property: value | [values] | #{ lt: .. } }.")
            .params((ObjMap("request: map"),))
            .returns("TicketQuery")
            .read(|c, (request,)| {
                let spec = search_form::from_map(&request).map_err(|e| c.usage(e))?;
                Ok(query(c, spec))
            }),
        API.func("search", "Lazy search in the terse form with options: properties, sorts, query, limit (total cap). A sort is \"createdate\" (ascending), \"-createdate\" (descending) or HubSpot's #{ propertyName, direction: \"ASCENDING\" | \"DESCENDING\" }; HubSpot applies only the first.")
            .params((ObjMap("filters: map"), ObjMap("options: map")))
            .returns("TicketQuery")
            .read(|c, (filters, options)| {
                let spec = search_form::terse(&filters, &options).map_err(|e| c.usage(e))?;
                Ok(query(c, spec))
            }),
        API.func("search", "Lazy full-text search over HubSpot's default searchable properties.")
            .params((Str("text: string"),))
            .returns("TicketQuery")
            .read(|c, (text,)| Ok(query(c, search_form::query(&text)))),
        API.func("read_many", "Reads tickets by id in batches of 100 (missing ids are left out).")
            .params((Any("ids: array"),))
            .options(READ_MANY_OPTIONS)
            .returns("tickets: array")
            .read(|c, (ids,)| read_many(c, &ids)),
        API.func("associations", "Every record of `to_type` associated with the ticket, as #{ id, type } maps (all pages).")
            .params((Id("id: string"), Str("to_type: string")))
            .returns("associations: array")
            .read(|c, (id, to_type)| associations(c, &id, &to_type)),
        API.func("to_array", "Fetches every ticket of a lazy search or list into an array (errors past the array size limit).")
            .returns("tickets: array")
            .method("query: TicketQuery", |_, q: &mut TicketQuery, ()| q.collect(MAX_ARRAY_SIZE)),
        API.func("len", "Number of tickets: for a search one request (HubSpot's total, capped by limit); for a list it pages through all.")
            .returns("int")
            .method("query: TicketQuery", |_, q: &mut TicketQuery, ()| count(q)),
        API.func("prop", "The value of a property of a ticket map, or () when absent or empty (no error for a property that was not requested).")
            .params((Str("name: string"),))
            .returns("value")
            .method("ticket: map", |_, t: &mut Map, (name,)| {
                Ok(t.get("properties")
                    .and_then(|p| p.read_lock::<Map>().and_then(|p| p.get(name.as_str()).cloned()))
                    .unwrap_or(Dynamic::UNIT))
            }),
    ]
}
