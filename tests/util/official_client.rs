//! Runs one of HubSpot's official clients (tests/compat/) against a served sandbox: skipped
//! with a notice when the client is not installed, except in CI, which must install it.

use std::path::PathBuf;
use std::process::Command;

/// Runs `program script URL SEEDED` against a fresh served sandbox and asserts it succeeds.
/// `installed` says whether the client is there; `install` is the command that installs it.
pub(crate) async fn check(installed: bool, install: &str, program: &str, script: &str) {
    if !installed {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install the client first: {install} (see .ci/run)"
        );
        // Straight to the process's stderr, not through `eprintln!`, which the test harness
        // captures and hides for a passing test: a plain `cargo test` must show the skip.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "\nSKIPPED: the official {program} client compatibility test ({script}): the client is not installed; install it with `{install}` (CI does, and must run it)"
        );
        return;
    }
    let fixture = super::over_http().await;
    let url = fixture.url.clone().unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/compat")
        .join(script);
    let seeded = super::SEED_TICKETS.to_string();
    let program = program.to_string();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(program)
            .arg(path)
            .args([&url, &seeded])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every script ends with "checks passed P/T": shown in plain `cargo test` output (straight
    // to stderr, as the skip notice above), so CI's log carries each client's figure.
    let figure = stdout.lines().rfind(|l| l.contains("checks passed"));
    let figure = figure
        .unwrap_or_else(|| panic!("{script:?} printed no \"checks passed P/T\" line:\n{stdout}"));
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n{figure}");
}
