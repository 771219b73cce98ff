//! The script API, declared as a table: each area file returns its entries from `functions()`,
//! `declarations` joins them, and `register` mounts them on a run's engine (one static
//! module per namespace, in declaration order; global functions in a global module). The
//! mechanism behind each entry is `declare.rs`; the reference (docs/script-api.md) and the
//! REPL's `:help` and completion both read the result through `functions`.
//!
//! This module must not talk to the backend itself: the bodies do, through `RunCtx::call`.
//!
//! # Adding a script function
//!
//! Add one entry to the `functions()` list of the file that holds its area (`tickets_read.rs`
//! for ticket reads, `tickets_write.rs` for single-record writes, a new file for a new
//! namespace, added to `declarations`). An entry names the function once and says
//! everything the mechanism needs:
//!
//! ```text
//! // A read (pipelines.rs, where `const API: Area = Area::module("pipelines");`):
//! API.func("get", "One pipeline by id or label; throws a 404 map when unknown.")
//!     .params((Id("pipeline: string"),))
//!     .returns("pipeline: map")
//!     .read(|c, (key,)| convert::to_dyn(pipeline(&all(c, c.pos)?, &key, c.pos)?, c.pos)),
//!
//! // A write (tickets_write.rs):
//! API.func("delete", "Archives a ticket (moves it to the recycle bin).")
//!     .params((Id("id: string"),))
//!     .write(|(id,)| vec![WriteTarget::Existing(id.clone())])
//!     .dry(|c, (id,)| dry::archive(c, c.pos, &id))
//!     .real(|c, (id,)| {
//!         c.call(c.pos, c.backend.archive(&id))?;
//!         c.wrote([id.as_str()]);
//!         Ok(())
//!     }),
//! ```
//!
//! - `API` is the file's `declare::Area` (`Area::module("tickets")`, or `Area::GLOBAL`).
//! - Parameters are conversions (`Id`, `Ids`, `Props`, `Str`, `Int`, `Float`, `ObjMap`, `Any`,
//!   `json::<T>`, or `custom("name: type", |v, c| ..)` for one only an area needs), each
//!   shown as `"name: type"`; they run in parameter order, with errors naming the function at
//!   the call position, and the body receives the converted values as a tuple. Their Rhai types decide which overload a call picks, so overloads of one name are
//!   separate entries with different parameters.
//! - `.options(&[..keys])` adds the overload with a trailing options map; the body reads
//!   `c.options` (empty without one). Unknown keys are refused by the mechanism.
//! - A function that writes nothing ends with `.read(|c, args| ..)`; one that writes ends with
//!   `.write(targets).dry(..).real(..)`, `targets` being the tickets the arguments would
//!   change (`WriteTarget::New` for a create): the write guard and the dry-run branch are the
//!   mechanism's, and a `dry` body never calls a backend write. A method on a value (`q.len()`) ends with `.method("this: T", ..)`.
//! - `c` is the `declare::Call`: `c.pos` for errors, `c.name` (`tickets::merge`), and the
//!   run context through `Deref` (`c.call(c.pos, c.backend.x(..))` maps backend errors).
//!
//! Then regenerate the reference: `UPDATE_DOCS=1 cargo test --test integration docs`.

mod activities;
mod association_type;
mod business;
mod catalog;
mod declare;
mod dry;
mod dry_validate;
mod event;
mod http;
mod log;
mod notify;
mod owners;
mod pipelines;
mod properties;
mod records;
mod reference;
mod run;
mod schema;
mod state;
mod tickets_batch;
mod tickets_read;
mod tickets_write;
mod time;
mod zones;

use std::sync::{Arc, LazyLock};

use rhai::{Engine, Module};

use super::context::RunCtx;
use super::paging::TicketQuery;

pub(crate) use catalog::functions;
pub use catalog::FnInfo;
use declare::ScriptFn;
pub use reference::api_reference_markdown;

/// The whole API table, in reference order. Built once; installed into every run's engine.
fn declarations() -> &'static [ScriptFn] {
    static ALL: LazyLock<Vec<ScriptFn>> = LazyLock::new(|| {
        [
            tickets_read::functions(),
            tickets_write::functions(),
            tickets_batch::functions(),
            records::functions(),
            activities::functions(),
            pipelines::functions(),
            properties::functions(),
            owners::functions(),
            state::functions(),
            log::functions(),
            run::functions(),
            event::functions(),
            http::functions(),
            notify::functions(),
            time::functions(),
            zones::functions(),
            business::functions(),
        ]
        .into_iter()
        .flatten()
        .collect()
    });
    &ALL
}

/// The example the reference shows under a namespace's heading, if its area has one.
pub(crate) fn example(namespace: &str) -> Option<&'static str> {
    match namespace {
        "tickets" => Some(records::TICKETS_EXAMPLE),
        "companies" => Some(records::COMPANIES_EXAMPLE),
        "contacts" => Some(records::CONTACTS_EXAMPLE),
        "notes" => Some(activities::NOTES_EXAMPLE),
        "tasks" => Some(activities::TASKS_EXAMPLE),
        "owners" => Some(owners::EXAMPLE),
        "pipelines" => Some(pipelines::EXAMPLE),
        "properties" => Some(properties::EXAMPLE),
        _ => None,
    }
}

/// The namespaces mounted as static modules, in declaration order.
pub(crate) fn namespaces() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for ns in declarations().iter().filter_map(|f| f.module) {
        if !out.contains(&ns) {
            out.push(ns);
        }
    }
    out
}

/// Mounts the whole API for the run `ctx` on `engine`.
pub(crate) fn register(engine: &mut Engine, ctx: &Arc<RunCtx>) {
    for ns in namespaces() {
        let mut m = Module::new();
        for f in declarations().iter().filter(|f| f.module == Some(ns)) {
            f.install(&mut m, ctx);
        }
        if ns == "tickets" {
            m.set_custom_type::<TicketQuery>("TicketQuery");
        }
        engine.register_static_module(ns, m.into());
    }
    let mut global = Module::new();
    for f in declarations().iter().filter(|f| f.module.is_none()) {
        f.install(&mut global, ctx);
    }
    engine.register_global_module(global.into());
    engine.register_iterator_result::<TicketQuery, rhai::Dynamic>();
}
