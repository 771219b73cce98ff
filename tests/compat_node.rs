//! HubSpot's official Node client (`@hubspot/api-client`) against `hubscript serve`: list,
//! create, update, history, search (with the SDK's string sort form), batch read, getAll
//! paging, v4 associations, archive and 404, pipelines (tests/compat/node_client.js).
//!
//! `.ci/run` installs the client under tests/compat, so in CI this always runs; elsewhere it
//! says it is skipped.

use std::path::Path;
use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_node_client_works_against_serve() {
    let installed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/compat/node_modules/@hubspot/api-client")
        .is_dir()
        && Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    crate::util::official_client::check(
        installed,
        "npm install --prefix tests/compat @hubspot/api-client@14.0.1",
        "node",
        "node_client.js",
    )
    .await;
}
