//! Builds the Rhai engine a script compiles and runs with: a raw engine plus the shared
//! standard package, our API modules and any embedder modules; every limit from `limits.rs`;
//! strict variables; errors on missing map properties; the value depth and map growth checks
//! of `value_limits.rs` on every variable read; no `eval`, no `import`; optimizer at
//! Simple; `print`/`debug` into the run log and `on_progress` watching the cancel token and the
//! deadline.
//!
//! `check` compiles with an engine built by this same function (with a context that never
//! runs), so what compiles is exactly what runs. Nothing here executes a script.

use std::sync::Arc;

use rhai::{Dynamic, Engine, Module, OptimizationLevel, Shared as Rc};

type SharedModule = Rc<Module>;

use super::api;
use super::context::{RunCtx, StopReason};
use super::limits;
use super::memory;
use super::value_limits;

/// What every engine shares: the standard package and embedder modules.
pub(crate) struct Shared {
    pub std: SharedModule,
    pub extra: Vec<(String, SharedModule)>,
}

impl Shared {
    pub(super) fn new() -> Self {
        use rhai::packages::{Package, StandardPackage};
        Self {
            std: StandardPackage::new().as_shared_module(),
            extra: Vec::new(),
        }
    }
}

/// The engine for one run (or one compile) bound to `ctx`.
pub(crate) fn build(shared: &Shared, ctx: &Arc<RunCtx>) -> Engine {
    let mut e = Engine::new_raw();
    e.register_global_module(shared.std.clone());
    limits::apply(&mut e);
    e.set_strict_variables(true);
    // A misspelt or unrequested property is an error rather than a silent `()`: scripts test
    // optional keys with `"x" in t.properties` or read them with `t.prop("x")`.
    e.set_fail_on_invalid_map_property(true);
    e.set_optimization_level(OptimizationLevel::Simple);
    e.disable_symbol("eval");
    e.disable_symbol("import");
    e.disable_symbol("export");
    api::register(&mut e, ctx);
    for (name, m) in &shared.extra {
        e.register_static_module(name.as_str(), m.clone());
    }

    // Depth and indexer-growth checks on every variable a statement uses (value_limits.rs).
    let watch = value_limits::ValueWatch::default();
    // Rhai flags `on_var` as a volatile API through `#[deprecated]`; it is not deprecated.
    // Pinned by Cargo.lock and covered by `tests/data_limits.rs`.
    #[allow(deprecated)]
    e.on_var(move |name, _index, context| watch.on_var(name, &context));
    let c = ctx.clone();
    e.on_print(move |s| c.print(s));
    let c = ctx.clone();
    e.on_debug(move |s, _src, pos| match pos.line() {
        Some(l) => c.log("debug", format!("[line {l}] {s}")),
        None => c.log("debug", s),
    });
    let c = ctx.clone();
    e.on_progress(move |ops| {
        // The memory budget is checked at every operation (one atomic load): a loop can grow
        // the heap by megabytes per operation. The clock and the token are read less often.
        let reason = match memory::exceeded() {
            Some(limit) => StopReason::Memory(limit),
            None if ops % limits::CLOCK_CHECK_EVERY != 0 => return None,
            None => c.should_stop()?,
        };
        let err = c.stop(reason, rhai::Position::NONE);
        match *err {
            rhai::EvalAltResult::ErrorTerminated(token, _) => Some(token),
            _ => Some(Dynamic::from("stopped")),
        }
    });
    e
}
