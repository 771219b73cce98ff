//! HubSpot's official Python client (`hubspot-api-client`) against `hubscript serve`: list,
//! create, update, get with history, search, batch read/update, get_all paging, archive and
//! 404, pipelines and properties (tests/compat/python_client.py).
//!
//! `.ci/run` installs the client, so in CI this always runs; elsewhere it says it is skipped.

use std::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_works_against_serve() {
    let installed = Command::new("python3")
        .args(["-c", "import hubspot"])
        .output()
        .is_ok_and(|o| o.status.success());
    crate::util::official_client::check(
        installed,
        "pip install hubspot-api-client==12.0.0",
        "python3",
        "python_client.py",
    )
    .await;
}
