//! HubSpot's official Node client (`@hubspot/api-client`) against `hubscript serve`: list,
//! create, update, history, search (with the SDK's string sort form), batch read, getAll
//! paging, v4 associations, archive and 404, pipelines (tests/compat/node_client.js); and the
//! schema and owners APIs, every answer checked field by field against the client's models
//! (tests/compat/node_schema.js).
//!
//! `.ci/run` installs the client under tests/compat, so in CI this always runs; elsewhere it
//! says it is skipped.

use std::path::Path;
use std::process::Command;

fn installed() -> bool {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/compat/node_modules/@hubspot/api-client")
        .is_dir()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
}

const INSTALL: &str = "npm install --prefix tests/compat @hubspot/api-client@14.0.1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_node_client_works_against_serve() {
    crate::util::official_client::check(installed(), INSTALL, "node", "node_client.js").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_node_client_schema_and_owners_calls_pass_against_serve() {
    crate::util::official_client::check(installed(), INSTALL, "node", "node_schema.js").await;
}
