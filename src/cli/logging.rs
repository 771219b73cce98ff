//! Logging to stderr with tracing: human-readable or JSON lines, level from -v/-q unless
//! RUST_LOG says otherwise.
//!
//! One format for everything a command logs, hubscript's own lines and a script's `log::`
//! lines alike (run, watch and daemon): `HH:MM:SS LEVEL text` in UTC, the script's lines with
//! `script: ` before the text. Script lines are filtered like the rest under the target
//! `script`: `RUST_LOG=warn` hides a script's info lines, `RUST_LOG=info,script=debug` shows its
//! debug lines.

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
        LogFormat::Human => builder.event_format(HumanLine).try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Whether a script's line at `level` passes the log filter (target `script`). Before
/// [`init`] (a library caller, a test) the command-line style decides.
pub fn script_line_enabled(level: &str) -> bool {
    use tracing::Level;
    if STYLE.get().is_none() {
        let style = script_log_style();
        return match level {
            "debug" | "trace" => style.verbose && !style.quiet,
            "info" => !style.quiet,
            _ => true,
        };
    }
    match level {
        "error" => tracing::enabled!(target: "script", Level::ERROR),
        "warn" => tracing::enabled!(target: "script", Level::WARN),
        "info" => tracing::enabled!(target: "script", Level::INFO),
        "debug" => tracing::enabled!(target: "script", Level::DEBUG),
        _ => tracing::enabled!(target: "script", Level::TRACE),
    }
}

/// `HH:MM:SS LEVEL message key=value...`: the layout of a script's log lines
/// (`cli/output.rs`), so hubscript's lines and a script's read as one log.
struct HumanLine;

impl<S, N> tracing_subscriber::fmt::FormatEvent<S, N> for HumanLine
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &tracing_subscriber::fmt::FmtContext<'_, S, N>,
        mut writer: tracing_subscriber::fmt::format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        write!(
            writer,
            "{} {:5} ",
            chrono::Utc::now().format("%H:%M:%S"),
            event.metadata().level().as_str()
        )?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
