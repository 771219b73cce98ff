//! The script API reference in docs/script-api.md is generated from the registrations, so it
//! can never drift: this test fails when the file differs from what the code registers. Run
//! `UPDATE_DOCS=1 cargo test --test integration docs` to rewrite it.

#[test]
fn script_api_reference_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/script-api.md");
    let generated = format!(
        "<!-- Generated from the function registrations by tests/docs.rs; do not edit. -->\n\n{}",
        hubscript::script::api_reference_markdown()
    );
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "docs/script-api.md is out of date: run `UPDATE_DOCS=1 cargo test --test integration docs`"
    );
}
