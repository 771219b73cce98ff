//! The `hubscript` binary: everything lives in the library; see `hubscript::cli`.

fn main() -> std::process::ExitCode {
    hubscript::cli::main()
}
