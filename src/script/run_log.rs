//! The log a run keeps, bounded: a script that logs without end (or logs megabyte strings)
//! must not hold its whole output in memory nor make its run record too big to write.
//!
//! Kept: the first [`HEAD_LINES`] lines and the last [`TAIL_LINES`]; the lines in between are
//! counted and replaced, when the log is taken, by one `warn` line saying how many were left
//! out. Every line kept is cut to [`MAX_LINE_CHARS`] characters (noting how many were cut);
//! what streams to the console as it happens (stdout, stderr) is the whole line, since it is
//! not kept. At most about 4 MiB per run.

use std::collections::VecDeque;

use chrono::Utc;

use crate::state::LogLine;

/// Lines kept from the start of a run.
pub(crate) const HEAD_LINES: usize = 500;
/// Lines kept from the end of a run.
pub(crate) const TAIL_LINES: usize = 500;
/// Longest line kept, in characters.
pub(crate) const MAX_LINE_CHARS: usize = 4096;

/// A run's bounded log.
#[derive(Debug, Default)]
pub(crate) struct RunLog {
    head: Vec<LogLine>,
    tail: VecDeque<LogLine>,
    omitted: u64,
}

/// `message` cut to [`MAX_LINE_CHARS`] characters, saying how much was cut.
pub(crate) fn cut_line(message: String) -> String {
    match message.char_indices().nth(MAX_LINE_CHARS) {
        None => message,
        Some((at, _)) => {
            let rest = message[at..].chars().count();
            format!("{}… ({rest} more characters cut)", &message[..at])
        }
    }
}

impl RunLog {
    /// Keeps `line` (already cut) within the bounds.
    pub(crate) fn push(&mut self, line: LogLine) {
        if self.head.len() < HEAD_LINES {
            self.head.push(line);
            return;
        }
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
            self.omitted += 1;
        }
        self.tail.push_back(line);
    }

    /// The kept lines in order, with a note where lines were left out; empties the log.
    pub(crate) fn take(&mut self) -> Vec<LogLine> {
        let mut out = std::mem::take(&mut self.head);
        if self.omitted > 0 {
            out.push(LogLine {
                at: self.tail.front().map_or_else(Utc::now, |l| l.at),
                level: "warn".into(),
                message: format!(
                    "… {} log lines left out (a run keeps its first {HEAD_LINES} and last \
                     {TAIL_LINES} lines) …",
                    self.omitted
                ),
            });
        }
        out.extend(self.tail.drain(..));
        self.omitted = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: usize) -> LogLine {
        LogLine {
            at: Utc::now(),
            level: "info".into(),
            message: format!("line {i}"),
        }
    }

    #[test]
    fn keeps_the_first_and_last_lines_and_counts_the_rest() {
        let mut log = RunLog::default();
        let total = HEAD_LINES + TAIL_LINES + 1234;
        for i in 0..total {
            log.push(line(i));
        }
        let kept = log.take();
        assert_eq!(kept.len(), HEAD_LINES + 1 + TAIL_LINES);
        assert_eq!(kept[0].message, "line 0");
        assert_eq!(
            kept[HEAD_LINES - 1].message,
            format!("line {}", HEAD_LINES - 1)
        );
        assert!(
            kept[HEAD_LINES].message.contains("1234 log lines left out"),
            "{}",
            kept[HEAD_LINES].message
        );
        assert_eq!(kept.last().unwrap().message, format!("line {}", total - 1));
        assert!(log.take().is_empty());
    }

    #[test]
    fn a_short_log_is_kept_whole() {
        let mut log = RunLog::default();
        for i in 0..10 {
            log.push(line(i));
        }
        let kept = log.take();
        assert_eq!(kept.len(), 10);
        assert!(kept.iter().all(|l| !l.message.contains("left out")));
    }

    #[test]
    fn long_lines_are_cut_on_a_character_boundary() {
        assert_eq!(cut_line("short".into()), "short");
        let long = "é".repeat(MAX_LINE_CHARS + 10);
        let cut = cut_line(long);
        assert!(cut.starts_with(&"é".repeat(MAX_LINE_CHARS)));
        assert!(cut.ends_with("… (10 more characters cut)"), "{cut}");
    }
}
