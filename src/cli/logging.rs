//! Logging to stderr with tracing: human-readable or JSON lines, level from -v/-q unless
//! RUST_LOG says otherwise.

use std::io::IsTerminal;
use std::sync::OnceLock;

use tracing_subscriber::EnvFilter;

use super::args::LogFormat;

/// How script log lines are shown: the same format and threshold as hubscript's own logs.
#[derive(Debug, Clone, Copy)]
pub struct ScriptLogStyle {
    /// Human lines or JSON objects.
    pub format: LogFormat,
    /// `-q`: only warnings and errors.
    pub quiet: bool,
    /// `-v`: debug lines too.
    pub verbose: bool,
}

static STYLE: OnceLock<ScriptLogStyle> = OnceLock::new();

/// The style chosen on the command line (human, info, by default).
pub fn script_log_style() -> ScriptLogStyle {
    STYLE.get().copied().unwrap_or(ScriptLogStyle {
        format: LogFormat::Human,
        quiet: false,
        verbose: false,
    })
}

/// Installs the global subscriber. Safe to call once per process.
pub fn init(format: LogFormat, verbose: u8, quiet: bool) {
    let _ = STYLE.set(ScriptLogStyle {
        format,
        quiet,
        verbose: verbose > 0,
    });
    let default = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{default},hyper=warn,hyper_util=warn,reqwest=warn,rustls=warn,h2=warn"
        ))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour only on a terminal: a pipe or a log file (daemon under systemd, `2> log`)
        // gets plain text.
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    let _ = match format {
        LogFormat::Human => builder.compact().try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
