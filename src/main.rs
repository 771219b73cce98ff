//! The `hubscript` binary: everything lives in the library; see `hubscript::cli`.

/// Counts heap bytes so a run's memory budget holds (see `hubscript::script::memory`).
#[global_allocator]
static ALLOCATOR: hubscript::script::memory::CountingAllocator =
    hubscript::script::memory::CountingAllocator;

fn main() -> std::process::ExitCode {
    hubscript::cli::main()
}
