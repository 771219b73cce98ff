//! `properties::`: the ticket property definitions (name, label, type, options), read from the
//! backend on each call (while planning, `get` is served from the run's one read of them all).

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
            .read(|c, (name,)| {
                // While planning, the definitions are read once (planning validates writes
                // against them anyway) and served from there.
                if c.dry_run() {
                    let all = super::dry_validate::definitions(c, c.pos)?;
                    if let Some(p) = all.iter().find(|p| p.name == name.as_str()) {
                        return convert::to_dyn(p, c.pos);
                    }
                }
                convert::to_dyn(&c.call(c.pos, c.backend.property(&name))?, c.pos)
            }),
    ]
}
