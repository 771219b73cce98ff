//! Conversions between script values and HubSpot's wire types.
//!
//! Tickets become plain maps shaped exactly like HubSpot's JSON (`id`, `properties`,
//! `createdAt`, `updatedAt`, `archived`, ...); script maps become request types through
//! serde_json so errors name the offending key. Property values accept strings, numbers
//! (timestamps are epoch milliseconds, which HubSpot accepts for date properties), booleans and
//! `()` (clears the value). No I/O here.

use std::collections::BTreeMap;

use rhai::{Array, Dynamic, EvalAltResult, Map, Position};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::model::{InputProperties, Ticket};

use super::bridge::usage;
use super::value_limits;

/// Any serialisable value as a script value (JSON `null` becomes `()`), tagged as host data
/// (see `value_limits.rs`).
pub(crate) fn to_dyn<T: Serialize>(v: &T, pos: Position) -> Result<Dynamic, Box<EvalAltResult>> {
    let mut d =
        rhai::serde::to_dynamic(v).map_err(|e| usage(pos, format!("cannot convert value: {e}")))?;
    value_limits::mark_host_data(&mut d);
    Ok(d)
}

/// A ticket as a script map.
pub(crate) fn ticket(t: &Ticket, pos: Position) -> Result<Dynamic, Box<EvalAltResult>> {
    to_dyn(t, pos)
}

/// A script value as JSON (shared values flattened first).
pub(crate) fn to_json(v: &Dynamic) -> serde_json::Value {
    serde_json::to_value(v.flatten_clone()).unwrap_or(serde_json::Value::Null)
}

/// [`to_json`] after checking the value's nesting depth, so the conversion (which recurses)
/// never meets a value deeper than the engine allows.
pub(crate) fn to_json_checked(
    v: &Dynamic,
    pos: Position,
) -> Result<serde_json::Value, Box<EvalAltResult>> {
    value_limits::check_depth(v, pos)?;
    Ok(to_json(v))
}

/// A script value as a request type; `what` names the argument in errors.
pub(crate) fn from_dyn<T: DeserializeOwned>(
    v: &Dynamic,
    what: &str,
    pos: Position,
) -> Result<T, Box<EvalAltResult>> {
    serde_json::from_value(to_json_checked(v, pos)?).map_err(|e| usage(pos, format!("{what}: {e}")))
}

/// A property value as HubSpot's string form.
pub(crate) fn value_string(v: &Dynamic) -> Option<String> {
    if v.is_unit() {
        Some(String::new())
    } else if v.is_string() || v.is_int() || v.is_float() || v.is_bool() || v.is_char() {
        Some(v.to_string())
    } else {
        None
    }
}

/// A map of property values (`#{ subject: "x", priority: "HIGH" }`).
pub(crate) fn properties(
    v: &Dynamic,
    what: &str,
    pos: Position,
) -> Result<InputProperties, Box<EvalAltResult>> {
    let map = v.read_lock::<Map>().ok_or_else(|| {
        usage(
            pos,
            format!(
                "{what}: expected a map of property values, got {}",
                v.type_name()
            ),
        )
    })?;
    let mut out = BTreeMap::new();
    for (k, val) in map.iter() {
        let s = value_string(val).ok_or_else(|| {
            usage(
                pos,
                format!(
                    "{what}: property `{k}` must be a string, number, boolean or (), not {}",
                    val.type_name()
                ),
            )
        })?;
        out.insert(k.to_string(), s);
    }
    Ok(InputProperties(out))
}

/// An id given as a string or a number.
pub(crate) fn id(v: &Dynamic, what: &str, pos: Position) -> Result<String, Box<EvalAltResult>> {
    if v.is_string() || v.is_int() {
        Ok(v.to_string())
    } else {
        Err(usage(
            pos,
            format!(
                "{what}: expected an id (string or number), got {}",
                v.type_name()
            ),
        ))
    }
}

/// A list of ids.
pub(crate) fn ids(
    v: &Dynamic,
    what: &str,
    pos: Position,
) -> Result<Vec<String>, Box<EvalAltResult>> {
    let arr = v.read_lock::<Array>().ok_or_else(|| {
        usage(
            pos,
            format!("{what}: expected an array of ids, got {}", v.type_name()),
        )
    })?;
    arr.iter().map(|x| id(x, what, pos)).collect()
}

/// A list of strings (property names, association types).
pub(crate) fn strings(
    v: &Dynamic,
    what: &str,
    pos: Position,
) -> Result<Vec<String>, Box<EvalAltResult>> {
    if v.is_string() {
        return Ok(v
            .to_string()
            .split(',')
            .map(|s| s.trim().to_string())
            .collect());
    }
    let arr = v.read_lock::<Array>().ok_or_else(|| {
        usage(
            pos,
            format!(
                "{what}: expected an array of strings, got {}",
                v.type_name()
            ),
        )
    })?;
    arr.iter()
        .map(|x| {
            value_string(x).ok_or_else(|| {
                usage(
                    pos,
                    format!("{what}: expected strings, got {}", x.type_name()),
                )
            })
        })
        .collect()
}

/// The array items of `v`, capped at `max`.
pub(crate) fn items(v: &Dynamic, what: &str, pos: Position) -> Result<Array, Box<EvalAltResult>> {
    v.read_lock::<Array>().map(|a| a.clone()).ok_or_else(|| {
        usage(
            pos,
            format!("{what}: expected an array, got {}", v.type_name()),
        )
    })
}

/// Reads the keys of an options map, refusing unknown ones.
pub(crate) fn options(
    v: &Dynamic,
    what: &str,
    allowed: &[&str],
    pos: Position,
) -> Result<Map, Box<EvalAltResult>> {
    let map = v.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
        usage(
            pos,
            format!("{what}: expected an options map, got {}", v.type_name()),
        )
    })?;
    for k in map.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(usage(
                pos,
                format!(
                    "{what}: unknown option `{k}`; expected one of: {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_values_become_strings() {
        let mut m = Map::new();
        m.insert("a".into(), "x".into());
        m.insert("b".into(), Dynamic::from_int(1_700_000_000_000));
        m.insert("c".into(), true.into());
        m.insert("d".into(), Dynamic::UNIT);
        let p = properties(&m.into(), "t", Position::NONE).unwrap();
        assert_eq!(p["a"], "x");
        assert_eq!(p["b"], "1700000000000");
        assert_eq!(p["c"], "true");
        assert_eq!(p["d"], "");
    }
}
