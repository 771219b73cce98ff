//! Running the real `hubscript` binary in a temporary directory: one-shot commands, a fresh
//! sandbox file (`s.db`), and `serve` on 127.0.0.1:0 with its URL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use super::child::{Spawned, Stream};

/// How long `serve` may take to say it listens (a bound against hangs, not a timing claim).
pub(crate) const SERVE_START: Duration = Duration::from_secs(60);

/// Path of the built binary.
pub(crate) fn exe() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hubscript"))
}

/// A temporary project directory where the binary runs.
pub(crate) struct Project {
    /// The directory.
    pub dir: tempfile::TempDir,
}

impl Project {
    /// An empty project.
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The project's root.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file (creating directories).
    pub(crate) fn file(&self, rel: &str, body: &str) -> PathBuf {
        let p = self.path().join(rel);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(&p, body).unwrap();
        p
    }

    /// A command for the binary, run in the project, with no HubSpot token in its environment.
    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
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
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    /// Recreates the project's sandbox file `s.db` with `tickets` demo tickets.
    pub(crate) fn reset_sandbox(&self, tickets: usize) {
        let n = tickets.to_string();
        let out = self.run(&["sandbox", "reset", "--tickets", &n, "--sandbox", "s.db"]);
        assert!(out.status.success(), "sandbox reset: {}", stderr(&out));
    }

    /// Starts `serve` over `s.db` on 127.0.0.1:0 with `extra` arguments; returns it with its
    /// base URL.
    pub(crate) fn serve(&self, extra: &[&str]) -> (Spawned, String) {
        let mut args = vec!["serve", "--addr", "127.0.0.1:0", "--sandbox", "s.db"];
        args.extend_from_slice(extra);
        start_serve(self.cmd(&args))
    }
}

/// Starts `serve` (already configured in `cmd`), waits for its `listening on` line and returns
/// it with its base URL.
pub(crate) fn start_serve(cmd: Command) -> (Spawned, String) {
    let server = Spawned::spawn(cmd);
    server.expect_line(Stream::Out, "listening on http://", SERVE_START);
    let line = server
        .matching(Stream::Out, |l| l.contains("listening on http://"))
        .remove(0)
        .text;
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    (server, url)
}

/// stdout as text.
pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
