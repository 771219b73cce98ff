//! The REPL's `:` commands and their parser.
//!
//! Owns the command syntax only (pure: no session, no terminal). What each command does lives
//! in `driver.rs`.

use std::path::PathBuf;

/// One `:` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Command {
    /// `:help [function]`.
    Help(Option<String>),
    /// `:load FILE`.
    Load(PathBuf),
    /// `:dry-run on|off` (no argument: show the current setting).
    DryRun(Option<bool>),
    /// `:plan`.
    Plan,
    /// `:vars`.
    Vars,
    /// `:reset`.
    Reset,
    /// `:timing on|off` (no argument: toggle).
    Timing(Option<bool>),
    /// `:json` (toggle raw JSON output).
    Json,
    /// `:pager on|off` (no argument: toggle).
    Pager(Option<bool>),
    /// `:quit` (also `:q`, `:exit`).
    Quit,
}

/// Every command: its usage and what it does, for completion and `:help`.
pub(super) const COMMANDS: &[(&str, &str)] = &[
    (
        ":help [function]",
        "list the API, or one function's signatures and descriptions",
    ),
    (":load FILE", "run a script file in this session"),
    (":dry-run on|off", "plan writes instead of sending them"),
    (":plan", "the writes planned so far in dry run"),
    (":vars", "the variables defined so far"),
    (":reset", "forget variables, functions and the plan"),
    (":timing on|off", "show how long each input took"),
    (":json", "toggle raw JSON output"),
    (
        ":pager on|off",
        "long output through $PAGER (else less -FRX) on a terminal",
    ),
    (":quit", "leave (Ctrl-D works too)"),
];

/// The name of a command usage (`:help [function]` -> `:help`).
pub(super) fn command_name(usage: &str) -> &str {
    usage.split(' ').next().unwrap_or(usage)
}

/// Whether `line` is a command rather than Rhai code.
pub(super) fn is_command(line: &str) -> bool {
    line.trim_start().starts_with(':')
}

fn on_off(arg: Option<&str>, name: &str) -> Result<Option<bool>, String> {
    match arg {
        None => Ok(None),
        Some("on" | "true" | "1") => Ok(Some(true)),
        Some("off" | "false" | "0") => Ok(Some(false)),
        Some(other) => Err(format!("{name}: expected on or off, got `{other}`")),
    }
}

/// Parses a `:` command line. The error is a message for the user.
pub(super) fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let body = line.strip_prefix(':').unwrap_or(line);
    let (name, rest) = match body.split_once(char::is_whitespace) {
        Some((n, r)) => (n, r.trim()),
        None => (body, ""),
    };
    let arg = (!rest.is_empty()).then_some(rest);
    let no_arg = |c: Command| match arg {
        None => Ok(c),
        Some(_) => Err(format!(":{name} takes no argument")),
    };
    match name {
        "help" | "h" | "?" => Ok(Command::Help(arg.map(str::to_string))),
        "load" | "l" => match arg {
            Some(path) => Ok(Command::Load(PathBuf::from(path))),
            None => Err(":load needs a file: :load FILE".into()),
        },
        "dry-run" | "dryrun" | "dry_run" => on_off(arg, ":dry-run").map(Command::DryRun),
        "plan" => no_arg(Command::Plan),
        "vars" => no_arg(Command::Vars),
        "reset" => no_arg(Command::Reset),
        "timing" => on_off(arg, ":timing").map(Command::Timing),
        "json" => no_arg(Command::Json),
        "pager" => on_off(arg, ":pager").map(Command::Pager),
        "quit" | "q" | "exit" => no_arg(Command::Quit),
        "" => Err("empty command; :help lists them".into()),
        other => Err(format!("unknown command :{other}; :help lists them")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_command() {
        assert_eq!(parse(":help"), Ok(Command::Help(None)));
        assert_eq!(
            parse(":help tickets::search"),
            Ok(Command::Help(Some("tickets::search".into())))
        );
        assert_eq!(
            parse(":load  scripts/a b.rhai "),
            Ok(Command::Load(PathBuf::from("scripts/a b.rhai")))
        );
        assert_eq!(parse(":dry-run on"), Ok(Command::DryRun(Some(true))));
        assert_eq!(parse(":dry-run off"), Ok(Command::DryRun(Some(false))));
        assert_eq!(parse(":dry-run"), Ok(Command::DryRun(None)));
        assert_eq!(parse(":plan"), Ok(Command::Plan));
        assert_eq!(parse(":vars"), Ok(Command::Vars));
        assert_eq!(parse(":reset"), Ok(Command::Reset));
        assert_eq!(parse(":timing on"), Ok(Command::Timing(Some(true))));
        assert_eq!(parse(":json"), Ok(Command::Json));
        assert_eq!(parse(":pager off"), Ok(Command::Pager(Some(false))));
        assert_eq!(parse(":pager"), Ok(Command::Pager(None)));
        assert_eq!(parse(":quit"), Ok(Command::Quit));
        assert_eq!(parse("  :q"), Ok(Command::Quit));
    }

    #[test]
    fn rejects_bad_commands_with_a_message() {
        assert!(parse(":load").unwrap_err().contains("needs a file"));
        assert!(parse(":dry-run maybe").unwrap_err().contains("on or off"));
        assert!(parse(":pager less").unwrap_err().contains("on or off"));
        assert!(parse(":frobnicate")
            .unwrap_err()
            .contains("unknown command"));
        assert!(parse(":plan now").unwrap_err().contains("no argument"));
        assert!(parse(":").is_err());
    }

    #[test]
    fn tells_commands_from_code() {
        assert!(is_command(":help"));
        assert!(is_command("  :vars"));
        assert!(!is_command("let x = #{ a: 1 };"));
    }
}
