//! Running the real `hubscript` binary in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of the built binary.
pub fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hubscript"))
}

/// A temporary project directory where the binary runs.
pub struct Project {
    /// The directory.
    pub dir: tempfile::TempDir,
}

impl Project {
    /// An empty project.
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The project's root.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating directories).
    pub fn file(&self, rel: &str, body: &str) -> PathBuf {
        let p = self.path().join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, body).unwrap();
        p
    }

    /// A command for the binary, run in the project, with no HubSpot token in its environment.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(exe());
        c.current_dir(self.path())
            .args(args)
            .env_remove("HUBSPOT_ACCESS_TOKEN")
            .env_remove("HUBSPOT_API_URL")
            .env_remove("RUST_LOG")
            .env_remove("HUBSCRIPT_SERVE_TOKEN");
        c
    }

    /// Runs the binary to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
