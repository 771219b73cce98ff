//! `properties::`: the ticket property definitions (name, label, type, options), read from the
//! backend on each call.

use rhai::Array;

use super::super::convert;
use super::declare::{Area, Res, ScriptFn, Str};

const API: Area = Area::module("properties");

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("list", "Every ticket property definition (HubSpot's shape: name, label, type, fieldType, options, ...).")
            .returns("properties: array")
            .read(|c, ()| {
                let ps = c.call(c.pos, c.backend.properties())?;
                ps.iter().map(|p| convert::to_dyn(p, c.pos)).collect::<Res<Array>>()
            }),
        API.func("get", "One property definition with its options; throws a 404 map when unknown.")
            .params((Str("name: string"),))
            .returns("property: map")
            .read(|c, (name,)| convert::to_dyn(&c.call(c.pos, c.backend.property(&name))?, c.pos)),
    ]
}
