//! Long output through a pager: `$PAGER`, else `less -FRX`, only when stdout is a terminal
//! and the text is taller than it (`:pager off` turns it off for the session).
//!
//! Owns the decision (pure: [`taller_than`], [`pager_command`]) and running the pager with the
//! text on its stdin. When stdout is not a terminal (pipes) or its height is unknown (an
//! unsized pseudo-terminal, and no `$LINES`) the text is printed as is.
//! A pager that cannot start falls back to printing, saying why once.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

use unicode_width::UnicodeWidthStr;

/// The pager when `$PAGER` is not set: quit at once when the text fits (-F), keep colours (-R),
/// leave the text on the screen on exit (-X).
pub(super) const DEFAULT_PAGER: &str = "less -FRX";

/// Whether `text` needs more rows than a `rows` x `cols` terminal shows with one row left for
/// the next prompt (a line wider than `cols` takes several rows).
pub(super) fn taller_than(text: &str, rows: usize, cols: usize) -> bool {
    let cols = cols.max(1);
    let budget = rows.saturating_sub(1);
    let mut used = 0usize;
    for line in text.lines() {
        used += line.width().div_ceil(cols).max(1);
        if used > budget {
            return true;
        }
    }
    false
}

/// The pager command for the value of `$PAGER` (`None` = unset): unset means
/// [`DEFAULT_PAGER`]; set but empty or `cat` means no pager (git's convention).
pub(super) fn pager_command(env: Option<&str>) -> Option<String> {
    match env.map(str::trim) {
        None => Some(DEFAULT_PAGER.to_string()),
        Some("" | "cat") => None,
        Some(cmd) => Some(cmd.to_string()),
    }
}

/// The session's pager setting and the output path through it.
pub(super) struct Pager {
    /// Whether long output goes through the pager (`:pager on|off`).
    pub enabled: bool,
    /// Set once a pager failed to start (the warning is shown once).
    warned: bool,
}

impl Pager {
    /// On by default.
    pub(super) fn new() -> Self {
        Self {
            enabled: true,
            warned: false,
        }
    }

    /// Writes `text` to stdout, through the pager when it is on, stdout is a terminal and the
    /// text is taller than the terminal.
    pub(super) fn show(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if self.enabled && std::io::stdout().is_terminal() {
            let tall = terminal_size().is_some_and(|(rows, cols)| taller_than(text, rows, cols));
            if tall {
                if let Some(cmd) = pager_command(std::env::var("PAGER").ok().as_deref()) {
                    match page(&cmd, text) {
                        Ok(()) => return,
                        Err(e) => {
                            if !self.warned {
                                self.warned = true;
                                eprintln!(
                                    "pager `{cmd}` failed ({e}); printing instead (:pager off \
                                     stops trying)"
                                );
                            }
                        }
                    }
                }
            }
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}

/// Runs `cmd` through the shell (so `$PAGER` may carry arguments, as git and man allow) with
/// `text` on its stdin, and waits for it.
fn page(cmd: &str, text: &str) -> std::io::Result<()> {
    let mut child = shell(cmd).stdin(Stdio::piped()).spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // A pager quit before reading everything (`q` in less) closes the pipe: that is the
        // user's choice, not an error, and must not kill the REPL (SIGPIPE's default action
        // is restored at start for `hubscript runs | head`).
        let _quiet = SigpipeIgnored::new();
        let _ = stdin.write_all(text.as_bytes());
    }
    let status = child.wait()?;
    // A shell that could not find the command exits with 127: print the text instead.
    if status.code() == Some(127) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "command not found",
        ));
    }
    Ok(())
}

#[cfg(unix)]
fn shell(cmd: &str) -> Command {
    let mut c = Command::new("sh");
    c.arg("-c").arg(cmd);
    c
}

#[cfg(not(unix))]
fn shell(cmd: &str) -> Command {
    let mut words = cmd.split_whitespace();
    let mut c = Command::new(words.next().unwrap_or("more"));
    c.args(words);
    c
}

/// SIGPIPE ignored while alive (a write to a closed pipe then fails with EPIPE instead).
struct SigpipeIgnored {
    #[cfg(unix)]
    previous: libc::sighandler_t,
}

impl SigpipeIgnored {
    fn new() -> Self {
        #[cfg(unix)]
        {
            // SAFETY: setting SIGPIPE's disposition has no effect but on SIGPIPE; the previous
            // disposition is restored on drop. Only this (the REPL's) thread writes to a pipe
            // meanwhile.
            let previous = unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
            Self { previous }
        }
        #[cfg(not(unix))]
        Self {}
    }
}

impl Drop for SigpipeIgnored {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: restores the disposition saved in `new`.
        unsafe {
            libc::signal(libc::SIGPIPE, self.previous);
        }
    }
}

/// The terminal's rows and columns (stdout's), else `$LINES` and `$COLUMNS` (80 columns when
/// only the height is known). `None` when the height is unknown: a pseudo-terminal nobody
/// sized (expect-like tools, test harnesses) reports 0 x 0, and no person reads a pager there.
fn terminal_size() -> Option<(usize, usize)> {
    let env = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
    };
    let rows = crate::terminal::rows(1).or_else(|| env("LINES"))?;
    let cols = crate::terminal::width(1).or_else(|| env("COLUMNS"));
    Some((rows, cols.unwrap_or(80)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_taller_than_the_terminal_is_paged() {
        let lines = |n: usize| "x\n".repeat(n);
        // 24 rows: 23 lines fit with the prompt below them, 24 do not.
        assert!(!taller_than(&lines(23), 24, 80));
        assert!(taller_than(&lines(24), 24, 80));
        assert!(!taller_than("", 24, 80));
        // A line wider than the terminal takes several rows.
        let wide = format!("{}\n", "y".repeat(200));
        assert!(!taller_than(&wide.repeat(7), 24, 80), "7 lines of 3 rows");
        assert!(taller_than(&wide.repeat(8), 24, 80), "8 lines of 3 rows");
        // Wide characters count double.
        assert!(taller_than(&"日".repeat(50), 2, 80));
        assert!(!taller_than(&"a".repeat(50), 2, 80));
    }

    #[test]
    fn pager_is_the_environment_s_else_less() {
        assert_eq!(pager_command(None).as_deref(), Some("less -FRX"));
        assert_eq!(pager_command(Some("most -s")).as_deref(), Some("most -s"));
        assert_eq!(pager_command(Some("")), None);
        assert_eq!(pager_command(Some("cat")), None);
    }
}
