//! The sandbox: an embedded, HubSpot-compatible tickets store in one SQLite file. It
//! implements [`crate::backend::TicketsBackend`] with HubSpot's semantics (validation,
//! defaults, limits, error bodies and statuses inside [`crate::model::ApiError`]), so the HTTP
//! server is a thin layer over it. It never touches Rhai or HTTP.
//!
//! Besides tickets it stores the records tickets point at: contacts, companies, notes and tasks
//! (`object_defs`, one wide table each; their writes in `objects`, their reads and search the
//! tickets' own functions run with their catalog; demo records in `object_seed`). Association
//! targets of those types must exist. Not stored: deals, emails, calls, meetings and
//! communications, whose numeric ids are accepted as targets.
//!
//! Layout: `store` (connections, transactions, off-executor plumbing), `schema` (migrations),
//! `definitions` and `catalog` (properties, pipelines, owners), `validate` and `writer`
//! (HubSpot's write rules from `model::write_rules` applied to rows, and the write primitives);
//! the endpoints, each beside its siblings: `reads` (get, list, batch read), `writes` (create,
//! update, archive), `batch` (batch writes), `search` (with `search_lag`, the delay of
//! HubSpot's search index behind writes, for `--search-lag`), `merge`, `assoc` (association storage
//! and rules, and in `assoc::endpoints` the v3/v4 association endpoints); `seed`; `backend`
//! (the trait implementation, which only dispatches).
//!
//! Durability: WAL with `synchronous=NORMAL`, so a committed write survives a killed process;
//! every API write is one transaction, so a failed batch writes nothing.

mod anonymize;
mod assoc;
mod assoc_labels;
mod backend;
mod batch;
mod catalog;
mod definitions;
mod error;
mod functions;
mod import;
mod merge;
mod object_defs;
mod object_seed;
mod objects;
mod owners;
mod pipelines;
mod properties;
mod reads;
mod row;
mod schema;
mod search;
mod search_lag;
mod seed;
mod store;
mod validate;
mod writer;
mod writes;

#[cfg(test)]
mod tests;

pub use anonymize::{anonymize, scramble};
pub use definitions::{demo_owners, DemoOwner, UNIQUE_PROPERTY};
pub use error::SandboxError;
pub use import::Snapshot;
pub use schema::SCHEMA_VERSION;
pub use seed::SeedOptions;

/// The names of the properties the sandbox defines itself for `object_type` (companies,
/// contacts, ...): HubSpot's defaults it keeps and its demo ones. Empty for another type.
pub fn object_property_names(object_type: &str) -> Vec<&'static str> {
    object_defs::stored_object(object_type)
        .map(|m| object_defs::default_names(m.table))
        .unwrap_or_default()
}

/// HubSpot's own property group of `object_type` (`companyinformation`, ...).
pub fn object_group(object_type: &str) -> &'static str {
    object_defs::stored_object(object_type).map_or("", |m| object_defs::group(m.table))
}
pub use store::Sandbox;

/// Where the sandbox lives unless `--sandbox PATH` says otherwise (relative to the current
/// directory).
pub const DEFAULT_SANDBOX_PATH: &str = ".hubscript/sandbox.db";

/// The portal id the sandbox (and `serve`) answers on `/account-info/v3/details`. HubSpot's
/// portal ids are positive, so 0 can never be mistaken for a real portal in a run record.
pub const SANDBOX_PORTAL_ID: u64 = 0;

/// The sandbox's account details: portal [`SANDBOX_PORTAL_ID`], account type `SANDBOX`.
pub fn sandbox_account() -> crate::model::AccountDetails {
    crate::model::AccountDetails {
        portal_id: SANDBOX_PORTAL_ID,
        account_type: "SANDBOX".into(),
        time_zone: "UTC".into(),
        ui_domain: None,
        data_hosting_location: Some("local".into()),
    }
}
