//! Where `.hubscript/` lives (the sandbox, `state.db` with script state and the run history):
//! `--home DIR`, else `HUBSCRIPT_HOME`, else the working directory. Set once at start; every
//! command asks here for its default paths, and says which home it uses when it creates one,
//! so running from another directory never silently starts a second history. `--state` (or
//! `HUBSCRIPT_STATE_URL`) moves the state elsewhere: another file, or a PostgreSQL database.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::state::StateLocation;

static HOME: OnceLock<PathBuf> = OnceLock::new();
static STATE: OnceLock<Option<StateLocation>> = OnceLock::new();

/// The variable that names the state store (also how a daemon hands a PostgreSQL URL to its
/// run processes: the environment, unlike the command line, is not visible to other users).
pub const STATE_ENV: &str = "HUBSCRIPT_STATE_URL";

/// The folder under the home.
pub const DIR_NAME: &str = ".hubscript";

/// Sets the home and the state store (call once, before any command runs; `None`: the
/// working directory, and `state.db` under the home).
pub fn init(home: Option<PathBuf>, state: Option<String>) {
    let _ = HOME.set(home.unwrap_or_default());
    let _ = STATE.set(
        state
            .filter(|s| !s.trim().is_empty())
            .map(|s| StateLocation::parse(s.trim())),
    );
}

/// Where state and run history live: `--state`, else `HOME/.hubscript/state.db`.
pub fn state_location() -> StateLocation {
    STATE
        .get()
        .cloned()
        .flatten()
        .unwrap_or_else(|| StateLocation::File(state_path()))
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
