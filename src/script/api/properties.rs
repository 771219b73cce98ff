//! `properties::`: the ticket property definitions (name, label, type, options), read from the
//! backend on each call.

use std::sync::Arc;

use rhai::{Array, Dynamic, EvalAltResult, ImmutableString, Module, NativeCallContext};

use super::super::context::RunCtx;
use super::super::convert;

type Res<T> = Result<T, Box<EvalAltResult>>;

pub(super) fn module(ctx: &Arc<RunCtx>) -> Module {
    let mut m = Module::new();
    let c = ctx.clone();
    def!(&mut m, false, "list", &["properties: array"],
        "Every ticket property definition (HubSpot's shape: name, label, type, fieldType, options, ...).",
        move |nc: NativeCallContext| -> Res<Array> {
            let pos = nc.call_position();
            let ps = c.call(pos, c.backend.properties())?;
            ps.iter().map(|p| convert::to_dyn(p, pos)).collect()
        });
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "get",
        &["name: string", "property: map"],
        "One property definition with its options; throws a 404 map when unknown.",
        move |nc: NativeCallContext, name: ImmutableString| -> Res<Dynamic> {
            let pos = nc.call_position();
            let p = c.call(pos, c.backend.property(&name))?;
            convert::to_dyn(&p, pos)
        }
    );
    m
}
