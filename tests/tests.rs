//! The integration test binary: one module per feature. Every test runs against the local
//! sandbox (in process, or served on 127.0.0.1 with an ephemeral port); none reaches HubSpot.
#![allow(
    clippy::unwrap_used,
    reason = "a test crate: a failed unwrap is a failed test"
)]

mod util;

mod associations_batch_http;
mod check;
mod check_schema;
mod client_resilience;
mod compat_node;
mod compat_python;
mod contract_associations;
mod contract_batch;
mod contract_labels;
mod contract_meta;
mod contract_object_properties;
mod contract_objects;
mod contract_schema;
mod contract_search;
mod contract_tickets;
mod docs;
mod durability;
mod events;
mod first_hour;
mod isolation;
mod issue12_rule;
mod operating;
mod outbound_e2e;
mod repl;
mod replicas;
mod run_history;
mod run_record;
mod sandbox_pull;
mod saved_plan;
mod schema_scripts;
mod script_labels;
mod script_records;
mod scripts_backlog;
mod scripts_e2e;
mod search_lag;
mod serve_hardening;
mod triggers_e2e;
mod undo;
mod write_contract;
