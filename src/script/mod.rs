//! The Rhai host: engine construction, the script API, running scripts safely.
//!
//! Entry point: [`ScriptHost`] (`check` compiles and validates the header, `run` runs on a
//! blocking thread and records the run, `repl` opens a [`ReplSession`]). Scripts reach HubSpot
//! only through the [`crate::backend::TicketsBackend`] trait, over one bridge that honours
//! cancellation and the run's deadline. This layer never imports clap and never prints.
//!
//! Behaviour a script author relies on (the reference itself is [`api_reference_markdown`]):
//!
//! - **Tickets are plain maps** shaped like HubSpot's JSON: `t.id`, `t.properties.subject`,
//!   `t.createdAt`. A requested property without a value is `()`. Reading a key that is not in
//!   the map is an error (typos fail loudly); `t.prop("name")` returns `()` instead, and
//!   `"name" in t.properties` tests presence. The same rule applies to caught error maps: test
//!   `"status" in e` before `e.status` when the error may not come from HubSpot.
//! - **Time is integers**: timestamps are epoch milliseconds (`now()`, `ago("4h")`,
//!   `parse_time(t.properties.createdate)`), durations are milliseconds (`hours(4)`,
//!   `duration("1h 30m")`). HubSpot accepts epoch milliseconds in filters and writes.
//! - **`search`/`list` are lazy**: pages are fetched as `for` advances; `limit` caps the total;
//!   `.len()` costs one request for a search (HubSpot's `total`), a full pass for a list;
//!   `.to_array()` fetches everything (error past the array size limit).
//! - **HubSpot errors are catchable maps** `#{ status, category, message, correlationId,
//!   errors }` positioned at the calling line; failures with no HubSpot answer use status 0 and
//!   category `NETWORK`/`TIMEOUT`/`DECODE`; a batch with failed inputs throws status 207,
//!   category `BATCH_PARTIAL`, with `results` of the inputs that succeeded.
//! - **Plan, then apply**: a run executes the script with real reads and recorded writes, then
//!   applies the recorded changes with HubSpot's batch endpoints ([`apply`]: updates merged per
//!   ticket, 100 per call; creates, associations and archives batched; a drift check first).
//!   Writes return what HubSpot would have returned (created tickets get placeholder ids
//!   `new-N`, replaced by the real id when applied). Reads see the run's own planned writes:
//!   `get`, `read_many`, the maps writes return and the tickets a search or list yields; a
//!   search's *matching* is HubSpot's, on the values before the run (a ticket the run plans
//!   out of a filter still matches it). A script that fails applies nothing. `state::set` is
//!   committed after the apply, up to the first change not applied. The header's
//!   `apply = "immediate"` sends each write when it is made instead (one call each).
//! - **Dry run**: stops after planning: nothing is applied, creates get ids `dry-run-N`,
//!   `state::set` is kept for the run only; deletes of unknown ids are planned without
//!   checking.
//! - **Write cap**: counts distinct tickets changed (each create counts); the write that would
//!   change ticket N+1 throws a catchable map with `category: "WRITE_LIMIT"` before anything
//!   is recorded or sent; `run::writes_left()` tells how many remain. Caught, the run ends
//!   normally with the first N applied; uncaught, the script fails and nothing is applied. A
//!   batch is admitted whole or not at all. Against a live portal the default cap is
//!   [`limits::DEFAULT_LIVE_MAX_WRITES`]; the header's `max_writes` and then the options
//!   override it.
//! - **No file, module or eval access**; every limit is in [`limits`].

pub mod api;
mod api_calls;
pub mod apply;
mod apply_saved;
mod ast_calls;
mod bridge;
mod context;
mod convert;
mod engine;
pub mod error;
pub mod event_subs;
mod guard;
pub mod header;
mod host;
pub mod limits;
mod literal_urls;
pub mod memory;
mod outbound;
mod paging;
pub mod plan;
mod render;
mod repl;
mod repl_record;
mod run_log;
mod run_record;
pub mod saved_plan;
pub mod schema_check;
pub mod search_form;
pub mod undo;
mod undo_run;
mod value_limits;

#[cfg(test)]
mod tests;

pub use api::api_reference_markdown;
pub use api::FnInfo;
pub use apply_saved::AppliedPlan;
pub use context::LogSink;
pub use error::{Diagnostic, Frame, ScriptError};
pub use host::{
    script_name, CompiledScript, RunOptions, RunOutcome, RunRequest, ScheduleCheck, ScriptHost,
    StartSink,
};
pub use paging::TicketQuery;
pub use plan::{Plan, PlanChange, PlanEntry, RunSummary};
pub use repl::{ReplSession, ReplValue, VarInfo, REPL_SOURCE};
pub use saved_plan::{SavedPlan, SavedPlanError, SAVED_PLAN_VERSION};
pub use undo_run::{UndoError, UndoOutcome};
