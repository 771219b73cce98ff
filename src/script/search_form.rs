//! The two forms `tickets::search` accepts, turned into HubSpot's search body.
//!
//! - **HubSpot form**: a map with any of `filterGroups`, `filters`, `query`, `sorts`,
//!   `properties`, `limit`, `after`: HubSpot's own body, so its docs apply as written.
//! - **Terse form**: a map whose keys are property names. A plain value means `EQ`, an array
//!   `IN`, `()` `NOT_HAS_PROPERTY`, and a map holds operators: `eq`, `neq`, `lt`, `lte`, `gt`,
//!   `gte`, `between: [low, high]`, `in: [..]`, `not_in: [..]`, `has: true|false`,
//!   `contains` (`CONTAINS_TOKEN`), `not_contains`. All filters are ANDed in one group. Paging
//!   and output options go in a second map: `search(#{..}, #{ properties, sorts, query, limit })`.
//!
//! A map mixing the two (a HubSpot key next to a property name) is refused. In both forms
//! `limit` caps the TOTAL number of tickets the iteration yields; the page size is chosen here.
//! Pure functions only.

use rhai::{Dynamic, Map};

use crate::model::limits::SEARCH_PAGE_MAX;
use crate::model::{Filter, FilterGroup, Operator, SearchRequest};

use super::convert::{to_json, value_string};

/// Keys that mark HubSpot's form.
pub const BODY_KEYS: &[&str] = &[
    "filterGroups",
    "filters",
    "query",
    "sorts",
    "properties",
    "limit",
    "after",
];

/// Keys of the options map of the terse form.
pub const OPTION_KEYS: &[&str] = &["properties", "sorts", "query", "limit"];

/// Operators of the terse form.
pub const TERSE_OPS: &[&str] = &[
    "eq",
    "neq",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "in",
    "not_in",
    "has",
    "contains",
    "not_contains",
];

/// A search body plus the total cap.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSpec {
    /// The body of the first page (`after` is advanced by paging).
    pub request: SearchRequest,
    /// At most this many tickets in all.
    pub limit: Option<usize>,
}

/// Reads `tickets::search(map)` in either form.
pub fn from_map(map: &Map) -> Result<SearchSpec, String> {
    let body: Vec<&str> = map
        .keys()
        .map(|k| k.as_str())
        .filter(|k| BODY_KEYS.contains(k))
        .collect();
    if body.is_empty() {
        return terse(map, &Map::new());
    }
    if let Some(other) = map.keys().find(|k| !BODY_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "search: `{other}` is not a HubSpot search key but the map also has `{}`; use either \
             HubSpot's body ({}) or the terse form (property names as keys, options in a second map)",
            body[0],
            BODY_KEYS.join(", ")
        ));
    }
    let mut json = to_json(&Dynamic::from_map(map.clone()));
    let limit = take_limit(&mut json)?;
    let mut request: SearchRequest =
        serde_json::from_value(json).map_err(|e| format!("search: {e}"))?;
    request.limit = Some(page_size(limit));
    Ok(SearchSpec { request, limit })
}

/// Reads `tickets::search(filters, options)` (terse form plus options).
pub fn terse(filters: &Map, options: &Map) -> Result<SearchSpec, String> {
    if let Some(k) = options.keys().find(|k| !OPTION_KEYS.contains(&k.as_str())) {
        return Err(format!(
            "search options: unknown key `{k}`; expected one of: {}",
            OPTION_KEYS.join(", ")
        ));
    }
    let mut json = to_json(&Dynamic::from_map(options.clone()));
    let limit = take_limit(&mut json)?;
    let mut request: SearchRequest =
        serde_json::from_value(json).map_err(|e| format!("search options: {e}"))?;
    let mut group = FilterGroup::default();
    for (prop, v) in filters {
        group.filters.extend(filters_of(prop, v)?);
    }
    if !group.filters.is_empty() {
        request.filter_groups.push(group);
    }
    request.limit = Some(page_size(limit));
    Ok(SearchSpec { request, limit })
}

/// `tickets::search("text")`: a full-text query.
pub fn query(text: &str) -> SearchSpec {
    SearchSpec {
        request: SearchRequest {
            query: Some(text.to_string()),
            limit: Some(SEARCH_PAGE_MAX),
            ..SearchRequest::default()
        },
        limit: None,
    }
}

fn page_size(limit: Option<usize>) -> u32 {
    match limit {
        Some(l) => u32::try_from(l)
            .unwrap_or(SEARCH_PAGE_MAX)
            .clamp(1, SEARCH_PAGE_MAX),
        None => SEARCH_PAGE_MAX,
    }
}

fn take_limit(json: &mut serde_json::Value) -> Result<Option<usize>, String> {
    let Some(obj) = json.as_object_mut() else {
        return Ok(None);
    };
    match obj.remove("limit") {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| format!("search: `limit` must be a positive integer, not {v}")),
    }
}

fn scalar(prop: &str, op: &str, v: &Dynamic) -> Result<String, String> {
    match value_string(v) {
        Some(s) if !v.is_unit() => Ok(s),
        _ => Err(format!(
            "search: `{prop}: #{{ {op}: .. }}` needs a string, number or boolean, not {}",
            v.type_name()
        )),
    }
}

fn list(prop: &str, op: &str, v: &Dynamic) -> Result<Vec<String>, String> {
    let arr = v
        .read_lock::<rhai::Array>()
        .ok_or_else(|| format!("search: `{prop}: #{{ {op}: .. }}` needs an array"))?;
    arr.iter().map(|x| scalar(prop, op, x)).collect()
}

fn one(prop: &str, op: Operator, value: String) -> Filter {
    Filter::new(prop, op, value)
}

fn many(prop: &str, op: Operator, values: Vec<String>) -> Filter {
    Filter {
        property_name: prop.to_string(),
        operator: op,
        value: None,
        values,
        high_value: None,
    }
}

fn bare(prop: &str, op: Operator) -> Filter {
    many(prop, op, Vec::new())
}

/// The filters of one terse entry.
pub fn filters_of(prop: &str, v: &Dynamic) -> Result<Vec<Filter>, String> {
    if v.is_unit() {
        return Ok(vec![bare(prop, Operator::NotHasProperty)]);
    }
    if v.is_array() {
        return Ok(vec![many(prop, Operator::In, list(prop, "in", v)?)]);
    }
    let Some(ops) = v.read_lock::<Map>() else {
        return Ok(vec![one(prop, Operator::Eq, scalar(prop, "eq", v)?)]);
    };
    let mut out = Vec::new();
    for (op, arg) in ops.iter() {
        let f = match op.as_str() {
            "eq" => one(prop, Operator::Eq, scalar(prop, op, arg)?),
            "neq" => one(prop, Operator::Neq, scalar(prop, op, arg)?),
            "lt" => one(prop, Operator::Lt, scalar(prop, op, arg)?),
            "lte" => one(prop, Operator::Lte, scalar(prop, op, arg)?),
            "gt" => one(prop, Operator::Gt, scalar(prop, op, arg)?),
            "gte" => one(prop, Operator::Gte, scalar(prop, op, arg)?),
            "contains" => one(prop, Operator::ContainsToken, scalar(prop, op, arg)?),
            "not_contains" => one(prop, Operator::NotContainsToken, scalar(prop, op, arg)?),
            "in" => many(prop, Operator::In, list(prop, op, arg)?),
            "not_in" => many(prop, Operator::NotIn, list(prop, op, arg)?),
            "between" => {
                let mut vals = list(prop, op, arg)?;
                if vals.len() != 2 {
                    return Err(format!(
                        "search: `{prop}: #{{ between: [low, high] }}` needs two values"
                    ));
                }
                let high = vals.pop();
                let mut f = one(prop, Operator::Between, vals.remove(0));
                f.high_value = high;
                f
            }
            "has" => match arg.as_bool() {
                Ok(true) => bare(prop, Operator::HasProperty),
                Ok(false) => bare(prop, Operator::NotHasProperty),
                Err(_) => {
                    return Err(format!(
                        "search: `{prop}: #{{ has: .. }}` needs true or false"
                    ))
                }
            },
            other => {
                return Err(format!(
                    "search: unknown operator `{other}` for `{prop}`; expected one of: {}",
                    TERSE_OPS.join(", ")
                ))
            }
        };
        out.push(f);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval_map(src: &str) -> Map {
        let engine = rhai::Engine::new_raw();
        engine.eval::<Map>(src).unwrap()
    }

    #[test]
    fn terse_form_builds_hubspot_body() {
        let m = eval_map(
            r#"#{ hs_pipeline_stage: "3", hs_ticket_priority: ["HIGH", "URGENT"],
                 createdate: #{ lt: 1700000000000 }, closed_date: (), subject: #{ between: [1, 5] },
                 content: #{ has: true } }"#,
        );
        let spec = from_map(&m).unwrap();
        let body = serde_json::to_value(&spec.request).unwrap();
        assert_eq!(
            body["filterGroups"],
            json!([{ "filters": [
                { "propertyName": "closed_date", "operator": "NOT_HAS_PROPERTY" },
                { "propertyName": "content", "operator": "HAS_PROPERTY" },
                { "propertyName": "createdate", "operator": "LT", "value": "1700000000000" },
                { "propertyName": "hs_pipeline_stage", "operator": "EQ", "value": "3" },
                { "propertyName": "hs_ticket_priority", "operator": "IN", "values": ["HIGH", "URGENT"] },
                { "propertyName": "subject", "operator": "BETWEEN", "value": "1", "highValue": "5" },
            ]}])
        );
        assert_eq!(spec.limit, None);
        assert_eq!(body["limit"], 200);
    }

    #[test]
    fn hubspot_form_is_taken_as_written_and_limit_caps_the_total() {
        let m = eval_map(
            r#"#{ filterGroups: [#{ filters: [#{ propertyName: "a", operator: "EQ", value: "1" }] }],
                 sorts: ["-createdate"], limit: 30 }"#,
        );
        let spec = from_map(&m).unwrap();
        assert_eq!(spec.limit, Some(30));
        assert_eq!(spec.request.limit, Some(30));
        assert_eq!(spec.request.filter_groups[0].filters[0].property_name, "a");
        assert_eq!(spec.request.sorts[0].property_name, "createdate");
    }

    #[test]
    fn mixed_forms_and_unknown_operators_are_refused() {
        let e = from_map(&eval_map(r#"#{ limit: 5, subject: "x" }"#)).unwrap_err();
        assert!(e.contains("`subject`"), "{e}");
        let e = from_map(&eval_map(r#"#{ subject: #{ like: "x" } }"#)).unwrap_err();
        assert!(e.contains("unknown operator `like`"), "{e}");
    }

    #[test]
    fn terse_options_carry_properties_and_limit() {
        let f = eval_map(r#"#{ hs_ticket_priority: "HIGH" }"#);
        let o = eval_map(r#"#{ properties: ["subject"], limit: 5, sorts: ["createdate"] }"#);
        let spec = terse(&f, &o).unwrap();
        assert_eq!(spec.request.properties, vec!["subject".to_string()]);
        assert_eq!(spec.limit, Some(5));
        assert!(terse(&f, &eval_map("#{ bogus: 1 }")).is_err());
    }
}
