//! The script API: one file per area, each building a `rhai::Module` from closures over the
//! per-run context, all mounted by `register`. Every function is registered through `def!`,
//! which marks it volatile (never evaluated at compile time) and records its parameters and a
//! one-line description, from which [`api_reference_markdown`] generates the reference.
//!
//! This module must not talk to the backend itself: the area files do, through the bridge.

/// Registers one function into a module: `def!(module, global, name, params, doc, closure)`.
macro_rules! def {
    ($m:expr, $global:expr, $name:expr, $params:expr, $doc:expr, $f:expr) => {
        $crate::script::api::registration($global, $name, $params, $doc).set_into_module($m, $f)
    };
}

mod dry;
mod dry_validate;
mod log;
mod pipelines;
mod properties;
mod reference;
mod run;
mod state;
mod tickets;
mod tickets_batch;
mod tickets_write;
mod time;

use std::sync::Arc;

use rhai::{Engine, FnNamespace, FuncRegistration, Module};

use super::context::RunCtx;

pub use reference::api_reference_markdown;
pub(crate) use reference::param_list;

/// The registration of one function: volatile, with parameter info (`"name: type"`, the last
/// entry being the return type) and a one-line description. Used through `def!`.
pub(crate) fn registration(
    global: bool,
    name: &str,
    params: &[&str],
    doc: &str,
) -> FuncRegistration {
    FuncRegistration::new(name)
        .with_namespace(if global {
            FnNamespace::Global
        } else {
            FnNamespace::Internal
        })
        .with_volatility(true)
        .with_params_info(params)
        .with_comments([format!("/// {doc}")])
}

/// The namespaces mounted as static modules, in reference order.
pub const NAMESPACES: &[&str] = &["tickets", "pipelines", "properties", "state", "log", "run"];

/// Mounts the whole API for the run `ctx` on `engine`.
pub(crate) fn register(engine: &mut Engine, ctx: &Arc<RunCtx>) {
    let mut t = Module::new();
    tickets::add(&mut t, ctx);
    tickets_write::add(&mut t, ctx);
    tickets_batch::add(&mut t, ctx);
    t.set_custom_type::<super::paging::TicketQuery>("TicketQuery");
    engine.register_static_module("tickets", t.into());
    engine.register_static_module("pipelines", pipelines::module(ctx).into());
    engine.register_static_module("properties", properties::module(ctx).into());
    engine.register_static_module("state", state::module(ctx).into());
    engine.register_static_module("log", log::module(ctx).into());
    engine.register_static_module("run", run::module(ctx).into());
    engine.register_global_module(time::module(ctx).into());
    engine.register_iterator_result::<super::paging::TicketQuery, rhai::Dynamic>();
}
