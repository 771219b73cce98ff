//! Statements that span lines: when the REPL reads another line before evaluating, and the
//! prompt it shows for it.
//!
//! The driver keeps the lines typed so far in a buffer and asks [`incomplete`] after each one;
//! while it says yes, the next line is read at [`continuation_prompt`] and appended. Ctrl-C at
//! that prompt empties the buffer. Pure functions (the parse check is passed in).

use super::command::is_command;

/// What continuation lines show in front of the input.
pub(super) const CONTINUATION: &str = "...> ";

/// Whether the REPL should read another line before evaluating `input` (the lines so far,
/// joined with `\n`).
///
/// Commands and blank input are complete. Two empty lines in a row submit whatever was typed
/// (so a statement that can never complete shows its error instead of trapping the user).
pub(super) fn incomplete(input: &str, needs_more: impl Fn(&str) -> bool) -> bool {
    if is_command(input) || input.trim().is_empty() {
        return false;
    }
    if input.ends_with("\n\n") || input.ends_with("\n\r\n") {
        return false;
    }
    needs_more(input)
}

/// The continuation prompt, right-aligned under `prompt` so indented code lines up with the
/// first line (`hubscript> fn f() {` over `      ...>     1`).
pub(super) fn continuation_prompt(prompt: &str) -> String {
    format!("{CONTINUATION:>width$}", width = prompt.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_blank_input_and_two_empty_lines_are_complete() {
        let always = |_: &str| true;
        assert!(!incomplete(":help", always));
        assert!(!incomplete("   ", always));
        assert!(!incomplete("let x = (\n\n", always));
        assert!(incomplete("let x = (\n", always));
        assert!(!incomplete("let x = 1;", |_| false));
    }

    #[test]
    fn the_continuation_prompt_lines_up_with_the_prompt() {
        assert_eq!(continuation_prompt("hubscript> "), "      ...> ");
        assert_eq!(
            continuation_prompt("hubscript (dry run)> ").len(),
            "hubscript (dry run)> ".len()
        );
        assert_eq!(continuation_prompt(""), "...> ");
    }
}
