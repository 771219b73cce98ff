//! `companies::` and `contacts::` reads (get, read_many, search) and the ticket helpers that
//! reach them: `tickets::company(id)` (the primary company) and `tickets::contacts(id)`.
//!
//! Reading them is not counted in a run's "read N tickets" (the API calls are counted).
//! Records are maps shaped like HubSpot's JSON (`c.id`, `c.properties.tier`), as tickets are.
//! A read with no `properties` option returns HubSpot's default properties of the type (a
//! company's `name` and `domain`, a contact's names and `email`): ask for others by name
//! (`#{ properties: ["tier"] }`). Searches are eager: they page through HubSpot's results and
//! return an array, at most `limit` records (default 100, our choice: a rule reads a few
//! customers, not the CRM), never more than the array size limit.

use rhai::{Array, Dynamic, Map, Position};

use crate::model::limits::{ASSOCIATION_PAGE_MAX, SEARCH_PAGE_MAX, SEARCH_RESULT_CAP};
use crate::model::{BatchReadInput, GetParams, IdInput, SearchRequest, Ticket, MAX_BATCH_INPUTS};

use super::super::context::RunCtx;
use super::super::convert;
use super::super::limits::MAX_ARRAY_SIZE;
use super::super::search_form::{self, SearchSpec};
use super::declare::{Any, Area, Call, Id, ObjMap, Res, ScriptFn, Str};
use super::tickets_read::{opt_bool, opt_strings};

const GET_OPTIONS: &[&str] = &["properties", "associations", "archived", "idProperty"];
const READ_OPTIONS: &[&str] = &["properties", "archived", "idProperty"];

/// Records a search returns when the script sets no `limit`.
const DEFAULT_SEARCH_LIMIT: usize = 100;

fn get_params(o: &Map, pos: Position) -> Res<GetParams> {
    Ok(GetParams {
        properties: opt_strings(o, "properties", pos)?,
        properties_with_history: Vec::new(),
        associations: opt_strings(o, "associations", pos)?,
        archived: opt_bool(o, "archived", pos)?,
        id_property: match o.get("idProperty") {
            None => None,
            Some(v) => Some(convert::value_string(v).ok_or_else(|| {
                super::super::bridge::usage(pos, "option `idProperty` must be a string")
            })?),
        },
    })
}

/// One record of `ty` by id.
pub(super) fn get_record(
    ctx: &RunCtx,
    pos: Position,
    ty: &str,
    id: &str,
    params: &GetParams,
) -> Res<Ticket> {
    ctx.call(pos, ctx.backend.object_get(ty, id, params))
}

/// Records of `ty` by id, in batches of 100 (missing ids are left out).
fn read_many(c: &Call, ty: &str, ids: &Dynamic) -> Res<Array> {
    let ids = convert::ids(ids, c.name, c.pos)?;
    if ids.len() > MAX_ARRAY_SIZE {
        return Err(c.usage(format!("{}: at most {MAX_ARRAY_SIZE} ids", c.name)));
    }
    let params = get_params(&c.options, c.pos)?;
    let mut out = Array::new();
    for chunk in ids.chunks(MAX_BATCH_INPUTS) {
        let input = BatchReadInput {
            inputs: chunk.iter().map(IdInput::new).collect(),
            properties: params.properties.clone(),
            properties_with_history: Vec::new(),
            id_property: params.id_property.clone(),
        };
        let resp = c.call(
            c.pos,
            c.backend.object_batch_read(ty, &input, params.archived),
        )?;
        for r in &resp.results {
            out.push(convert::ticket(r, c.pos)?);
        }
    }
    Ok(out)
}

/// Every result of a search, page by page, up to the spec's limit (default
/// [`DEFAULT_SEARCH_LIMIT`]).
fn search(c: &Call, ty: &str, spec: SearchSpec) -> Res<Array> {
    let cap = spec
        .limit
        .unwrap_or(DEFAULT_SEARCH_LIMIT)
        .min(MAX_ARRAY_SIZE)
        .min(SEARCH_RESULT_CAP);
    let mut request = spec.request;
    let mut out = Array::new();
    while out.len() < cap {
        let want = (cap - out.len()).min(SEARCH_PAGE_MAX as usize);
        let page_req = SearchRequest {
            limit: Some(want as u32),
            ..request.clone()
        };
        let page = c.call(c.pos, c.backend.object_search(ty, &page_req))?;
        for r in page.results.iter().take(cap - out.len()) {
            out.push(convert::ticket(r, c.pos)?);
        }
        match page.paging.and_then(|p| p.next) {
            Some(next) if !page.results.is_empty() => request.after = Some(next.after),
            _ => break,
        }
    }
    Ok(out)
}

/// The search functions of one record type.
fn searches(area: Area, ty: &'static str) -> Vec<ScriptFn> {
    vec![
        area.func("search", "Search (eager, an array of at most `limit` records, default 100): HubSpot's body (filterGroups, sorts, query, properties, limit) or the terse form #{ property: value | [values] | #{ lt: .. } }.")
            .params((ObjMap("request: map"),))
            .returns("array")
            .read(move |c, (request,)| {
                let spec = search_form::from_map(&request).map_err(|e| c.usage(e))?;
                search(c, ty, spec)
            }),
        area.func("search", "Search in the terse form with options: properties, sorts, query, limit (default 100).")
            .params((ObjMap("filters: map"), ObjMap("options: map")))
            .returns("array")
            .read(move |c, (filters, options)| {
                let spec = search_form::terse(&filters, &options).map_err(|e| c.usage(e))?;
                search(c, ty, spec)
            }),
        area.func("search", "Full-text search over the type's searchable properties (at most 100 records).")
            .params((Str("text: string"),))
            .returns("array")
            .read(move |c, (text,)| search(c, ty, search_form::query(&text))),
    ]
}

/// `get`, `read_many` and the searches of one record type.
fn reads(area: Area, ty: &'static str, get_doc: &'static str) -> Vec<ScriptFn> {
    let mut fns = vec![
        area.func("get", get_doc)
            .params((Id("id: string"),))
            .options(GET_OPTIONS)
            .returns("map")
            .read(move |c, (id,)| {
                let params = get_params(&c.options, c.pos)?;
                convert::ticket(&get_record(c, c.pos, ty, &id, &params)?, c.pos)
            }),
        area.func(
            "read_many",
            "Reads records by id in batches of 100 (missing ids are left out).",
        )
        .params((Any("ids: array"),))
        .options(READ_OPTIONS)
        .returns("array")
        .read(move |c, (ids,)| read_many(c, ty, &ids)),
    ];
    fns.extend(searches(area, ty));
    fns
}

/// The ids of the records of `to_type` associated with a ticket, primary company first (a
/// ticket this dry run would create has none yet).
fn associated(c: &Call, ticket: &str, to_type: &str) -> Res<Vec<String>> {
    if c.created_ticket(ticket).is_some() {
        return Ok(Vec::new());
    }
    let mut primary = Vec::new();
    let mut others = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = c.call(
            c.pos,
            c.backend.associations(
                ticket,
                to_type,
                after.as_deref(),
                Some(ASSOCIATION_PAGE_MAX),
            ),
        )?;
        for a in page.results {
            let list = if a.kind.ends_with("_primary") {
                &mut primary
            } else {
                &mut others
            };
            if !list.contains(&a.id) {
                list.push(a.id);
            }
        }
        after = page.paging.and_then(|p| p.next).map(|n| n.after);
        if after.is_none() || primary.len() + others.len() >= MAX_ARRAY_SIZE {
            break;
        }
    }
    others.retain(|id| !primary.contains(id));
    primary.extend(others);
    Ok(primary)
}

/// The reference example of `tickets::` (the helpers here reach the customer).
pub(super) const TICKETS_EXAMPLE: &str = r#"for t in tickets::search(#{ hs_ticket_priority: "HIGH", hubspot_owner_id: () }) {
    tickets::update(t.id, #{ hubspot_owner_id: "52550153" });
}
let company = tickets::company("1", #{ properties: ["name", "tier"] });  // () when none"#;

/// The reference example of `companies::`.
pub(super) const COMPANIES_EXAMPLE: &str = r#"let gold = companies::search(#{ tier: ["platinum", "gold"] }, #{ properties: ["name", "tier"] });
let acme = companies::get("5001", #{ properties: ["tier"] });
if acme.properties.tier == "platinum" { log::info(`VIP: ${acme.id}`) }"#;

/// The reference example of `contacts::`.
pub(super) const CONTACTS_EXAMPLE: &str = r#"for c in tickets::contacts("1") { log::info(`${c.properties.firstname} <${c.properties.email}>`) }
let found = contacts::search(#{ email: "tara.olsen.1001@example.com" });"#;

const COMPANIES: Area = Area::module("companies");
const CONTACTS: Area = Area::module("contacts");
const TICKETS: Area = Area::module("tickets");

pub(super) fn functions() -> Vec<ScriptFn> {
    let mut fns = vec![
        TICKETS.func("company", "The ticket's primary company (else the first associated one), or () when it has none. Options as companies::get (e.g. #{ properties: [\"tier\"] }).")
            .params((Id("ticket_id: string"),))
            .options(GET_OPTIONS)
            .returns("map")
            .read(|c, (id,)| {
                let Some(company) = associated(c, &id, "companies")?.into_iter().next() else {
                    return Ok(Dynamic::UNIT);
                };
                let params = get_params(&c.options, c.pos)?;
                convert::ticket(&get_record(c, c.pos, "companies", &company, &params)?, c.pos)
            }),
        TICKETS.func("contacts", "The contacts associated with the ticket, as records (all of them, read in batches of 100). Options: properties, archived.")
            .params((Id("ticket_id: string"),))
            .options(READ_OPTIONS)
            .returns("array")
            .read(|c, (id,)| {
                let ids = associated(c, &id, "contacts")?;
                read_many(c, "contacts", &Dynamic::from_array(ids.into_iter().map(Dynamic::from).collect()))
            }),
    ];
    fns.extend(reads(
        COMPANIES,
        "companies",
        "Reads one company; throws a 404 map when it does not exist. Default properties: name, domain, createdate, hs_lastmodifieddate, hs_object_id; ask for others (#{ properties: [\"tier\"] }).",
    ));
    fns.extend(reads(
        CONTACTS,
        "contacts",
        "Reads one contact; throws a 404 map when it does not exist. Default properties: firstname, lastname, email, createdate, lastmodifieddate, hs_object_id.",
    ));
    fns
}
