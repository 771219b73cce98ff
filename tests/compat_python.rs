//! HubSpot's official Python client (`hubspot-api-client`) against `hubscript serve`: list,
//! create, update, get with history, search, batch read/update, get_all paging, archive and
//! 404, pipelines and properties (tests/compat/python_client.py); and the schema and owners
//! APIs, every answer deserialised with the client's validating models
//! (tests/compat/python_schema.py).
//!
//! `.ci/run` installs the client, so in CI this always runs; elsewhere it says it is skipped.

use std::process::Command;

fn installed() -> bool {
    Command::new("python3")
        .args(["-c", "import hubspot"])
        .output()
        .is_ok_and(|o| o.status.success())
}

const INSTALL: &str = "pip install hubspot-api-client==12.0.0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_works_against_serve() {
    crate::util::official_client::check(installed(), INSTALL, "python3", "python_client.py").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_schema_and_owners_calls_pass_against_serve() {
    crate::util::official_client::check(installed(), INSTALL, "python3", "python_schema.py").await;
}
