//! `tickets::` reads: get, list, search, read_many, associations; plus the methods of the lazy
//! sequences (`len`, `to_array`) and the `t.prop(name)` reading sugar.
//!
//! Reads always reach the backend, dry run or not; in a dry run they see the values planned
//! by earlier dry writes of the same run (property values only, not search matching).

use std::sync::Arc;

use rhai::{Array, Dynamic, EvalAltResult, ImmutableString, Map, Module, NativeCallContext};

use crate::model::{
    BatchReadInput, GetParams, IdInput, ListParams, SearchRequest, MAX_BATCH_INPUTS,
};

use super::super::bridge::usage;
use super::super::context::RunCtx;
use super::super::convert;
use super::super::limits::MAX_ARRAY_SIZE;
use super::super::paging::{Source, TicketQuery};
use super::super::search_form::{self, SearchSpec};

type Res<T> = Result<T, Box<EvalAltResult>>;

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
/// Page size of `tickets::list` (HubSpot's maximum).
const LIST_PAGE: u32 = 100;

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

/// Reads one ticket (dry-run creations come from the plan).
pub(super) fn get_ticket(
    ctx: &RunCtx,
    pos: rhai::Position,
    id: &str,
    params: &GetParams,
) -> Res<crate::model::Ticket> {
    if let Some(t) = ctx.created_ticket(id) {
        return Ok(t);
    }
    let mut t = ctx.call(pos, ctx.backend.get(id, params))?;
    ctx.add_reads(1);
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

fn query(ctx: &Arc<RunCtx>, pos: rhai::Position, spec: SearchSpec) -> TicketQuery {
    TicketQuery {
        ctx: ctx.clone(),
        source: Source::Search(spec.request),
        limit: spec.limit,
        pos,
    }
}

fn read_many(ctx: &RunCtx, nc: &NativeCallContext, ids: Dynamic, o: &Map) -> Res<Array> {
    let pos = nc.call_position();
    let ids = convert::ids(&ids, "tickets::read_many", pos)?;
    if ids.len() > MAX_ARRAY_SIZE {
        return Err(usage(
            pos,
            format!("tickets::read_many: at most {MAX_ARRAY_SIZE} ids"),
        ));
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
        .partition(|id| ctx.created_ticket(id).is_some());
    for id in fake {
        if let Some(t) = ctx.created_ticket(&id) {
            out.push(convert::ticket(&t, pos)?);
        }
    }
    for chunk in real.chunks(MAX_BATCH_INPUTS) {
        let mut input = base.clone();
        input.inputs = chunk.iter().map(IdInput::new).collect();
        let resp = ctx.call(pos, ctx.backend.batch_read(&input, archived))?;
        ctx.add_reads(resp.results.len());
        for mut t in resp.results {
            ctx.apply_overlay(&mut t);
            out.push(convert::ticket(&t, pos)?);
        }
    }
    Ok(out)
}

pub(super) fn add(m: &mut Module, ctx: &Arc<RunCtx>) {
    let c = ctx.clone();
    def!(
        m,
        false,
        "get",
        &["id: string", "ticket: map"],
        "Reads one ticket (HubSpot's default properties); throws a 404 map when it does not exist.",
        move |nc: NativeCallContext, id: Dynamic| -> Res<Dynamic> {
            let pos = nc.call_position();
            let id = convert::id(&id, "tickets::get", pos)?;
            convert::ticket(&get_ticket(&c, pos, &id, &GetParams::default())?, pos)
        }
    );
    let c = ctx.clone();
    def!(m, false, "get", &["id: string", "options: map", "ticket: map"],
        "Reads one ticket; options: properties, propertiesWithHistory, associations, archived, idProperty.",
        move |nc: NativeCallContext, id: Dynamic, options: Dynamic| -> Res<Dynamic> {
            let pos = nc.call_position();
            let id = convert::id(&id, "tickets::get", pos)?;
            let o = convert::options(&options, "tickets::get", GET_OPTIONS, pos)?;
            convert::ticket(&get_ticket(&c, pos, &id, &get_params(&o, pos)?)?, pos)
        });

    let c = ctx.clone();
    def!(m, false, "list", &["TicketQuery"],
        "Every ticket, fetched page by page as the loop advances (`for t in tickets::list() {..}`).",
        move |nc: NativeCallContext| -> Res<TicketQuery> {
            Ok(TicketQuery {
                ctx: c.clone(),
                source: Source::List(ListParams { limit: Some(LIST_PAGE), ..ListParams::default() }),
                limit: None,
                pos: nc.call_position(),
            })
        });
    let c = ctx.clone();
    def!(m, false, "list", &["options: map", "TicketQuery"],
        "Lazy list; options: properties, propertiesWithHistory, associations, archived, limit (total cap).",
        move |nc: NativeCallContext, options: Dynamic| -> Res<TicketQuery> {
            let pos = nc.call_position();
            let o = convert::options(&options, "tickets::list", LIST_OPTIONS, pos)?;
            let with_history = !opt_strings(&o, "propertiesWithHistory", pos)?.is_empty();
            let params = ListParams {
                limit: Some(if with_history { 50 } else { LIST_PAGE }),
                after: None,
                properties: opt_strings(&o, "properties", pos)?,
                properties_with_history: opt_strings(&o, "propertiesWithHistory", pos)?,
                associations: opt_strings(&o, "associations", pos)?,
                archived: opt_bool(&o, "archived", pos)?,
            };
            Ok(TicketQuery { ctx: c.clone(), source: Source::List(params), limit: opt_limit(&o, pos)?, pos })
        });

    let c = ctx.clone();
    def!(m, false, "search", &["request: map", "TicketQuery"],
        "Lazy search: HubSpot's body (filterGroups, sorts, query, properties, limit) or the terse form #{ property: value | [values] | #{ lt: .. } }.",
        move |nc: NativeCallContext, request: Map| -> Res<TicketQuery> {
            let pos = nc.call_position();
            let spec = search_form::from_map(&request).map_err(|e| usage(pos, e))?;
            Ok(query(&c, pos, spec))
        });
    let c = ctx.clone();
    def!(
        m,
        false,
        "search",
        &["filters: map", "options: map", "TicketQuery"],
        "Lazy search in the terse form with options: properties, sorts, query, limit (total cap).",
        move |nc: NativeCallContext, filters: Map, options: Map| -> Res<TicketQuery> {
            let pos = nc.call_position();
            let spec = search_form::terse(&filters, &options).map_err(|e| usage(pos, e))?;
            Ok(query(&c, pos, spec))
        }
    );
    let c = ctx.clone();
    def!(
        m,
        false,
        "search",
        &["text: string", "TicketQuery"],
        "Lazy full-text search over HubSpot's default searchable properties.",
        move |nc: NativeCallContext, text: ImmutableString| -> Res<TicketQuery> {
            Ok(query(&c, nc.call_position(), search_form::query(&text)))
        }
    );

    let c = ctx.clone();
    def!(
        m,
        false,
        "read_many",
        &["ids: array", "tickets: array"],
        "Reads tickets by id in batches of 100 (missing ids are left out).",
        move |nc: NativeCallContext, ids: Dynamic| -> Res<Array> {
            read_many(&c, &nc, ids, &Map::new())
        }
    );
    let c = ctx.clone();
    def!(
        m,
        false,
        "read_many",
        &["ids: array", "options: map", "tickets: array"],
        "Batch read; options: properties, propertiesWithHistory, archived, idProperty.",
        move |nc: NativeCallContext, ids: Dynamic, options: Dynamic| -> Res<Array> {
            let o = convert::options(
                &options,
                "tickets::read_many",
                READ_MANY_OPTIONS,
                nc.call_position(),
            )?;
            read_many(&c, &nc, ids, &o)
        }
    );

    let c = ctx.clone();
    def!(
        m,
        false,
        "associations",
        &["id: string", "to_type: string", "associations: array"],
        "Every record of `to_type` associated with the ticket, as #{ id, type } maps (all pages).",
        move |nc: NativeCallContext, id: Dynamic, to_type: ImmutableString| -> Res<Array> {
            let pos = nc.call_position();
            let id = convert::id(&id, "tickets::associations", pos)?;
            let mut out = Array::new();
            // A ticket this dry run would create exists only in the plan: it has no stored
            // associations yet (the ones planned with it are in the plan).
            if c.dry_run() && c.created_ticket(&id).is_some() {
                return Ok(out);
            }
            let mut after: Option<String> = None;
            loop {
                let page = c.call(
                    pos,
                    c.backend
                        .associations(&id, &to_type, after.as_deref(), Some(500)),
                )?;
                for a in &page.results {
                    if out.len() >= MAX_ARRAY_SIZE {
                        return Ok(out);
                    }
                    out.push(convert::to_dyn(a, pos)?);
                }
                after = page.paging.and_then(|p| p.next).map(|n| n.after);
                if after.is_none() {
                    return Ok(out);
                }
            }
        }
    );

    def!(m, true, "to_array", &["query: TicketQuery", "tickets: array"],
        "Fetches every ticket of a lazy search or list into an array (errors past the array size limit).",
        |q: &mut TicketQuery| -> Res<Array> { q.collect(MAX_ARRAY_SIZE) });
    def!(m, true, "len", &["query: TicketQuery", "int"],
        "Number of tickets: for a search one request (HubSpot's total, capped by limit); for a list it pages through all.",
        |q: &mut TicketQuery| -> Res<i64> {
            let n = match &q.source {
                Source::Search(r) => {
                    let probe = SearchRequest { limit: Some(1), after: None, ..r.clone() };
                    let page = q.ctx.call(q.pos, q.ctx.backend.search(&probe))?;
                    let total = usize::try_from(page.total).unwrap_or(0);
                    q.limit.map_or(total, |l| total.min(l))
                }
                Source::List(_) => q.collect(MAX_ARRAY_SIZE)?.len(),
            };
            Ok(i64::try_from(n).unwrap_or(i64::MAX))
        });
    def!(m, true, "prop", &["ticket: map", "name: string", "value"],
        "The value of a property of a ticket map, or () when absent or empty (no error for a property that was not requested).",
        |t: &mut Map, name: ImmutableString| -> Dynamic {
            t.get("properties")
                .and_then(|p| p.read_lock::<Map>().and_then(|p| p.get(name.as_str()).cloned()))
                .unwrap_or(Dynamic::UNIT)
        });
}
