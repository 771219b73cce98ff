//! The rustyline helper: Tab completion and parameter hints.
//!
//! Owns the glue between rustyline's traits and the pure logic in `complete.rs`. The
//! catalog's functions and variables are refreshed from the session after each input;
//! property names and stage labels arrive once from the portal (`driver.rs` fetches them in
//! the background). It must not evaluate anything.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rustyline::completion::Completer;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::script::ReplSession;

use super::complete::{Catalog, HintText};

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

impl Highlighter for ReplHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        false
    }
}

// Enter always submits the line: the driver decides whether a statement continues
// (`continuation.rs`), so it can show a continuation prompt, which rustyline's validator cannot.
impl Validator for ReplHelper {}

impl Helper for ReplHelper {}
