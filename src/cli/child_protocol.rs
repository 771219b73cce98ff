//! What a daemon or watch run's child process tells its parent, and how the parent describes
//! a child that ended without telling. The child (`hubscript run-child`, hidden) writes one
//! JSON object per line on file descriptor 3: the run's id once its start is recorded, each log
//! line as it is written, then the end of the run. Its stdout and stderr are the parent's, so its output reads like an in-process run.

use std::io::Write;
use std::process::ExitStatus;

use serde::{Deserialize, Serialize};

use crate::script::memory::{format_size, EXIT_MEMORY};
use crate::state::{LogLine, RunId, RunStatus};

/// The file descriptor of the channel in the child.
pub(crate) const CHANNEL_FD: i32 = 3;

/// One message of the child.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Event {
    /// The run's start is recorded under this id.
    Started(RunId),
    /// A log line of the run.
    Log(LogLine),
    /// The run ended (and was recorded by the child).
    End(End),
}

/// How the run ended, as the child saw it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct End {
    /// The recorded status.
    pub(crate) status: RunStatus,
    /// The rendered error.
    pub(crate) error: Option<String>,
    /// Why the end could not be recorded, if it could not.
    pub(crate) record_error: Option<String>,
    /// Peak resident set size of the child, in bytes.
    pub(crate) peak_rss: Option<u64>,
    /// Peak heap held by the child, in bytes (what the memory budget counts).
    pub(crate) peak_heap: u64,
}

/// Writes events as JSON lines; write errors are ignored (the parent is gone or stopped
/// listening: the run still records itself).
pub(crate) struct EventWriter<W: Write + Send> {
    out: std::sync::Mutex<W>,
}

impl<W: Write + Send> EventWriter<W> {
    /// A writer over `out`.
    pub(crate) fn new(out: W) -> Self {
        Self {
            out: std::sync::Mutex::new(out),
        }
    }

    /// Sends one event.
    pub(crate) fn send(&self, event: &Event) {
        let Ok(mut line) = serde_json::to_vec(event) else {
            return;
        };
        line.push(b'\n');
        if let Ok(mut out) = self.out.lock() {
            let _ = out.write_all(&line).and_then(|()| out.flush());
        }
    }
}

/// Parses one line of the channel (`None`: not an event, ignored).
pub(crate) fn parse(line: &str) -> Option<Event> {
    serde_json::from_str(line).ok()
}

/// Why a child that did not report its end ended, in words, and the status to record.
pub(crate) fn describe_exit(status: ExitStatus, memory: u64) -> String {
    if status.code() == Some(EXIT_MEMORY) {
        return format!("memory limit of {} reached", format_size(memory));
    }
    if let Some(code) = status.code() {
        return format!("the run's process exited with status {code} before reporting its end");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            let what = match sig {
                libc::SIGKILL => " (out of memory?)",
                libc::SIGABRT => " (the process aborted, e.g. a stack overflow)",
                libc::SIGSEGV => " (invalid memory access)",
                libc::SIGTERM => " (terminated)",
                _ => "",
            };
            return format!("killed by signal {sig}{what}");
        }
    }
    format!("the run's process ended abnormally ({status})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_as_json_lines() {
        let w = EventWriter::new(Vec::new());
        w.send(&Event::End(End {
            status: RunStatus::Failed,
            error: Some("boom".into()),
            record_error: None,
            peak_rss: Some(1),
            peak_heap: 2,
        }));
        let text = String::from_utf8(w.out.into_inner().unwrap()).unwrap();
        assert!(text.ends_with('\n'));
        let Some(Event::End(end)) = parse(text.trim_end()) else {
            panic!("{text}")
        };
        assert_eq!(end.status, RunStatus::Failed);
        assert_eq!(end.error.as_deref(), Some("boom"));
        assert!(parse("not json").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn exits_are_described_in_words() {
        use std::os::unix::process::ExitStatusExt;
        let killed = ExitStatus::from_raw(9);
        assert_eq!(
            describe_exit(killed, 1 << 29),
            "killed by signal 9 (out of memory?)"
        );
        let oom = ExitStatus::from_raw(EXIT_MEMORY << 8);
        assert_eq!(
            describe_exit(oom, 1 << 29),
            "memory limit of 512 MiB reached"
        );
        let abort = ExitStatus::from_raw(6);
        assert!(describe_exit(abort, 1).contains("signal 6 (the process aborted"));
        let code = ExitStatus::from_raw(7 << 8);
        assert!(describe_exit(code, 1).contains("exited with status 7"));
    }
}
