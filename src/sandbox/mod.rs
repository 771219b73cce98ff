//! (being built)

/// Default location of the sandbox file, relative to the current directory.
pub const DEFAULT_SANDBOX_PATH: &str = ".hubscript/sandbox.db";
