//! Where `.hubscript/` lives (the sandbox, `state.db` with script state and the run history):
//! `--home DIR`, else `HUBSCRIPT_HOME`, else the working directory. Set once at start; every
//! command asks here for its default paths, and says which home it uses when it creates one,
//! so running from another directory never silently starts a second history.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

static HOME: OnceLock<PathBuf> = OnceLock::new();

/// The folder under the home.
pub const DIR_NAME: &str = ".hubscript";

/// Sets the home (call once, before any command runs; `None`: the working directory).
pub fn init(home: Option<PathBuf>) {
    let _ = HOME.set(home.unwrap_or_default());
}

/// The home directory (empty: the working directory).
pub fn home() -> &'static Path {
    HOME.get().map_or(Path::new(""), PathBuf::as_path)
}

/// `HOME/.hubscript`.
pub fn dir() -> PathBuf {
    home().join(DIR_NAME)
}

/// `HOME/.hubscript/state.db`.
pub fn state_path() -> PathBuf {
    dir().join("state.db")
}

/// `HOME/.hubscript/sandbox.db`.
pub fn sandbox_path() -> PathBuf {
    dir().join("sandbox.db")
}

/// The default sandbox file, announcing the home when it is about to be created.
pub fn default_sandbox() -> PathBuf {
    announce_if_new();
    sandbox_path()
}

/// Says on stderr that `HOME/.hubscript` is about to be created, with its absolute path, when
/// it does not exist yet. Call before opening a file under it.
pub fn announce_if_new() {
    let d = dir();
    if d.exists() {
        return;
    }
    let shown = std::path::absolute(&d).unwrap_or(d);
    eprintln!(
        "hubscript: creating {} (sandbox, state and run history); --home or HUBSCRIPT_HOME choose another home",
        shown.display()
    );
}
