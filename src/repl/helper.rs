//! The rustyline helper: multi-line validation, Tab completion and parameter hints.
//!
//! Owns the glue between rustyline's traits and the pure logic in `complete.rs` and the
//! session's `needs_more_input`. The catalog's functions and variables are refreshed from the
//! session after each input; property names and stage labels arrive once from the portal
//! (`driver.rs` fetches them in the background). It must not evaluate anything.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rustyline::completion::Completer;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use crate::script::ReplSession;

use super::command::is_command;
use super::complete::{Catalog, HintText};

/// Whether the REPL should read another line before evaluating `input`.
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock()
        .expect("REPL lock poisoned by a panicking evaluation")
}

/// rustyline's helper for the REPL.
pub(super) struct ReplHelper {
    session: Arc<Mutex<ReplSession>>,
    catalog: Arc<Mutex<Catalog>>,
    stale: Arc<AtomicBool>,
}

impl ReplHelper {
    /// A helper over `session`; `catalog` is shared with the background fetch; `stale` is set
    /// by the driver after every input (functions and variables may have changed).
    pub(super) fn new(
        session: Arc<Mutex<ReplSession>>,
        catalog: Arc<Mutex<Catalog>>,
        stale: Arc<AtomicBool>,
    ) -> Self {
        Self {
            session,
            catalog,
            stale,
        }
    }

    fn catalog(&self) -> MutexGuard<'_, Catalog> {
        if self.stale.swap(false, Ordering::AcqRel) {
            let (functions, variables) = {
                let s = lock(&self.session);
                (s.functions(), s.variables())
            };
            let mut c = lock(&self.catalog);
            c.functions = functions;
            c.variables = variables;
            return c;
        }
        lock(&self.catalog)
    }
}

/// A hint rustyline can show and accept.
pub(super) struct ShownHint(HintText);

impl Hint for ShownHint {
    fn display(&self) -> &str {
        &self.0.display
    }

    fn completion(&self) -> Option<&str> {
        (!self.0.insert.is_empty()).then_some(self.0.insert.as_str())
    }
}

impl Completer for ReplHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let before = line.get(..pos).unwrap_or(line);
        Ok(self.catalog().complete(before))
    }
}

impl Hinter for ReplHelper {
    type Hint = ShownHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<ShownHint> {
        if pos < line.len() {
            return None;
        }
        self.catalog().hint(line).map(ShownHint)
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        let more = incomplete(ctx.input(), |s| lock(&self.session).needs_more_input(s));
        Ok(if more {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl Highlighter for ReplHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        false
    }
}

impl Helper for ReplHelper {}

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
}
