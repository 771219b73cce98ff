//! A long-running `hubscript` child process (daemon, watch) observed from the outside: its
//! stdout and stderr lines are collected by reader threads as they come, tests wait for lines
//! with generous deadlines (never a tight timing assertion), and the process is stopped with
//! SIGTERM (graceful shutdown) or killed when the guard is dropped.
//!
//! Self-contained (std only) so that `benches/daemon.rs` can include it with `#[path]`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Which output stream of the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

/// One line the child wrote, with when the reader thread saw it.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// The stream.
    pub stream: Stream,
    /// The text, without the newline and without ANSI colour codes.
    pub text: String,
    /// Wall-clock time it was read, in epoch milliseconds.
    pub seen_ms: i64,
}

#[derive(Default)]
struct Shared {
    lines: Mutex<Vec<Line>>,
    changed: Condvar,
}

/// A running child whose output is being collected.
pub(crate) struct Spawned {
    child: Child,
    shared: Arc<Shared>,
    readers: Vec<JoinHandle<()>>,
}

/// Epoch milliseconds now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// Removes ANSI escape sequences (`ESC [ ... letter`).
pub(crate) fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn reader(stream: Stream, pipe: impl Read + Send + 'static, shared: Arc<Shared>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut pipe = BufReader::new(pipe);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match pipe.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let raw = String::from_utf8_lossy(&buf);
                    let line = Line {
                        stream,
                        text: raw.trim_end_matches(['\n', '\r']).to_string(),
                        seen_ms: now_ms(),
                    };
                    let mut lines = shared.lines.lock().expect("lines lock poisoned");
                    lines.push(line);
                    shared.changed.notify_all();
                }
            }
        }
    })
}

impl Spawned {
    /// Spawns `cmd` with piped stdout and stderr.
    pub(crate) fn spawn(mut cmd: Command) -> Self {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn the hubscript binary");
        let shared = Arc::new(Shared::default());
        let out = child.stdout.take().expect("piped stdout");
        let err = child.stderr.take().expect("piped stderr");
        let readers = vec![
            reader(Stream::Out, out, shared.clone()),
            reader(Stream::Err, err, shared.clone()),
        ];
        Self {
            child,
            shared,
            readers,
        }
    }

    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Every line so far (ANSI codes removed).
    pub(crate) fn lines(&self) -> Vec<Line> {
        let lines = self.shared.lines.lock().expect("lines lock poisoned");
        lines
            .iter()
            .map(|l| Line {
                text: strip_ansi(&l.text),
                ..l.clone()
            })
            .collect()
    }

    /// Every line so far of `stream`, raw (ANSI codes kept).
    pub(crate) fn raw(&self, stream: Stream) -> Vec<String> {
        let lines = self.shared.lines.lock().expect("lines lock poisoned");
        lines
            .iter()
            .filter(|l| l.stream == stream)
            .map(|l| l.text.clone())
            .collect()
    }

    /// The lines of `stream` that satisfy `pred`.
    pub(crate) fn matching(&self, stream: Stream, pred: impl Fn(&str) -> bool) -> Vec<Line> {
        self.lines()
            .into_iter()
            .filter(|l| l.stream == stream && pred(&l.text))
            .collect()
    }

    /// Number of lines of `stream` that satisfy `pred`.
    pub(crate) fn count(&self, stream: Stream, pred: impl Fn(&str) -> bool) -> usize {
        self.matching(stream, pred).len()
    }

    /// Waits until at least `n` lines of `stream` satisfy `pred`, for up to `timeout`. Returns
    /// whether they did.
    pub(crate) fn wait_count(
        &self,
        stream: Stream,
        n: usize,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> bool {
        let deadline = Instant::now() + timeout;
        let mut lines = self.shared.lines.lock().expect("lines lock poisoned");
        loop {
            let found = lines
                .iter()
                .filter(|l| l.stream == stream && pred(&strip_ansi(&l.text)))
                .count();
            if found >= n {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            lines = self
                .shared
                .changed
                .wait_timeout(lines, left)
                .expect("lines lock poisoned")
                .0;
        }
    }

    /// Waits for one line of `stream` containing `needle`; panics with the whole output if none
    /// comes within `timeout`.
    pub(crate) fn expect_line(&self, stream: Stream, needle: &str, timeout: Duration) {
        assert!(
            self.wait_count(stream, 1, timeout, |l| l.contains(needle)),
            "no {stream:?} line containing {needle:?} within {timeout:?}\n{}",
            self.dump()
        );
    }

    /// All output, for failure messages.
    pub(crate) fn dump(&self) -> String {
        let mut s = String::from("--- child output ---\n");
        for l in self.lines() {
            let tag = match l.stream {
                Stream::Out => "out",
                Stream::Err => "err",
            };
            s.push_str(&format!("[{tag}] {}\n", l.text));
        }
        s
    }

    /// Sends SIGTERM (through `kill`, so no libc dependency).
    pub(crate) fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed: {status}");
    }

    /// Sends SIGKILL (a hard crash: no shutdown code runs).
    pub(crate) fn sigkill(&self) {
        let status = Command::new("kill")
            .args(["-KILL", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -KILL failed: {status}");
    }

    /// Waits up to `timeout` for the child to exit; `None` if it still runs.
    pub(crate) fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // The pipes close at exit: let the readers collect the last lines.
                for r in self.readers.drain(..) {
                    let _ = r.join();
                }
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// SIGTERM, then waits up to `timeout` for the exit; panics with the output if it hangs.
    pub(crate) fn terminate(&mut self, timeout: Duration) -> ExitStatus {
        self.sigterm();
        match self.wait_exit(timeout) {
            Some(s) => s,
            None => panic!(
                "the child did not exit within {timeout:?} of SIGTERM\n{}",
                self.dump()
            ),
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    // Full paths, not a `use`: benches/daemon.rs includes this file without the test harness,
    // where the test function (and so the import) is compiled out.
    #[test]
    fn strips_colour_codes() {
        assert_eq!(
            super::strip_ansi("\u{1b}[2m2026\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m x"),
            "2026  INFO x"
        );
        assert_eq!(super::strip_ansi("plain"), "plain");
    }
}
