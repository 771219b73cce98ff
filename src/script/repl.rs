//! [`ReplSession`]: evaluating input line by line against one engine, for `hubscript repl`.
//!
//! Variables and functions defined by earlier inputs stay (rhai-repl's approach: merge each
//! input's AST, evaluate, then clear its statements). Each input gets its own cancel token so
//! Ctrl-C stops the statement, not the session, and its own write count (the write cap applies
//! per input); the dry-run plan spans the session. There is no operation cap (Ctrl-C is the
//! stop); every other limit of a run applies. `eval` blocks: call it from the REPL's own
//! blocking thread, never from an async task. An input that changed tickets is recorded in the
//! run history (`repl_record.rs`); other inputs are not.
//! Nothing here reads the terminal: values come back as data ([`ReplValue`]) for the REPL to
//! render, and the live-write confirmation is a hook the REPL installs.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use rhai::{Dynamic, Engine, EvalAltResult, LexError, ParseErrorType, Position, Scope, AST};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::state::LogLine;

use super::api::FnInfo;
use super::context::RunCtx;
use super::convert;
use super::error::{Diagnostic, ScriptError};
use super::limits;
use super::paging::TicketQuery;
use super::plan::Plan;
use super::render;

/// Name the REPL's inputs carry in diagnostics.
pub const REPL_SOURCE: &str = "<repl>";

/// An interactive session.
pub struct ReplSession {
    pub(crate) engine: Engine,
    pub(crate) scope: Scope<'static>,
    pub(crate) ast: AST,
    pub(crate) ctx: Arc<RunCtx>,
    pub(crate) plan: Plan,
    /// Records inputs that wrote (absent in sessions built for tests).
    pub(crate) recorder: Option<super::repl_record::ReplRecorder>,
    /// Properties a lazy result shown at the prompt also asks for (the table's columns).
    pub(crate) shown_properties: Vec<&'static str>,
}

/// What one input evaluated to, for the REPL to render.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplValue {
    /// Nothing to show (`()`).
    Unit,
    /// A lazy `search`/`list` result, materialised up to a cap.
    Query {
        /// The first tickets, as HubSpot-shaped JSON.
        rows: Vec<Value>,
        /// Whether more tickets follow the ones in `rows`.
        more: bool,
    },
    /// Any other value.
    Value {
        /// The value as JSON (shared values flattened).
        json: Value,
        /// The value as Rhai prints it (`{:?}`).
        display: String,
    },
}

/// One variable of the session, for `:vars`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarInfo {
    /// Its name.
    pub name: String,
    /// Its Rhai type name.
    pub type_name: String,
    /// Its value as Rhai prints it.
    pub display: String,
}

impl ReplSession {
    /// Evaluates one input. Returns the value of its last expression when it is not `()`,
    /// rendered with `{:?}`.
    pub fn eval(
        &mut self,
        input: &str,
        cancel: CancellationToken,
    ) -> Result<Option<String>, ScriptError> {
        Ok(match self.eval_value(input, 0, cancel)? {
            ReplValue::Unit => None,
            ReplValue::Query { rows, .. } => Some(format!("{rows:?}")),
            ReplValue::Value { display, .. } => Some(display),
        })
    }

    /// Evaluates one input typed at the prompt; a lazy ticket sequence is materialised up to
    /// `cap` tickets (still under `cancel`).
    pub fn eval_value(
        &mut self,
        input: &str,
        cap: usize,
        cancel: CancellationToken,
    ) -> Result<ReplValue, ScriptError> {
        self.eval_source(REPL_SOURCE, input, cap, cancel)
    }

    /// Evaluates `input` naming it `source` in diagnostics (`:load FILE` passes the file).
    pub fn eval_source(
        &mut self,
        source: &str,
        input: &str,
        cap: usize,
        cancel: CancellationToken,
    ) -> Result<ReplValue, ScriptError> {
        if input.len() > limits::MAX_SCRIPT_BYTES {
            return Err(ScriptError::Limit(Box::new(Diagnostic::bare(
                source,
                "input too large",
            ))));
        }
        let mut ast = self
            .engine
            .compile_with_scope(&self.scope, input)
            .map_err(|e| render::from_parse(&e, source, input))?;
        ast.set_source(source);
        self.ast += ast;
        self.ctx.reset_for_eval(cancel);
        self.ctx.reset_writes();
        let started = chrono::Utc::now();
        let before = self.recorder.as_ref().map(|r| r.before());
        // No operation cap at the prompt: the person there stops a runaway input with Ctrl-C
        // (the cancel token), which `on_progress` still checks. Other limits stay.
        self.engine.set_max_operations(0);
        let result: Result<Dynamic, Box<EvalAltResult>> =
            self.engine.eval_ast_with_scope(&mut self.scope, &self.ast);
        self.ast.clear_statements();
        let value = result.and_then(|v| self.materialise(v, cap));
        let planned = self.ctx.take_plan();
        self.plan.entries.extend(planned.entries);
        let out = value
            .map_err(|e| render::from_eval(&e, source, input, self.ctx.stop_reason().as_ref()));
        if let (Some(r), Some(before)) = (&self.recorder, before) {
            let error = out.as_ref().err().map(ScriptError::render);
            r.after(source, input, started, before, error.as_deref());
        }
        out
    }

    fn materialise(&self, v: Dynamic, cap: usize) -> Result<ReplValue, Box<EvalAltResult>> {
        if v.is_unit() {
            return Ok(ReplValue::Unit);
        }
        if v.is::<TicketQuery>() {
            let query = v
                .cast::<TicketQuery>()
                .with_properties(&self.shown_properties);
            let mut rows = Vec::new();
            let mut more = false;
            for t in query {
                let t = t?;
                if rows.len() >= cap {
                    more = true;
                    break;
                }
                rows.push(convert::to_json(&t));
            }
            return Ok(ReplValue::Query { rows, more });
        }
        Ok(ReplValue::Value {
            json: convert::to_json(&v),
            display: format!("{v:?}"),
        })
    }

    /// Properties a lazy `search`/`list` result evaluated at the prompt also requests: the
    /// columns the REPL's table shows (none under `:json`, which shows what was asked for).
    /// The query has not run when the prompt gets it, so this costs no extra call.
    pub fn set_shown_properties(&mut self, names: &[&'static str]) {
        self.shown_properties = names.to_vec();
    }

    /// Whether `input` is an unfinished construct (open block, bracket, string or expression
    /// at the end of the input), so the REPL should read another line instead of reporting an
    /// error. A missing token in the middle of the input (`let x = 1 2`) is an error, not an
    /// invitation to type more.
    pub fn needs_more_input(&self, input: &str) -> bool {
        match self.engine.compile_with_scope(&self.scope, input) {
            Ok(_) => false,
            Err(e) => match e.err_type() {
                ParseErrorType::UnexpectedEOF => true,
                // A string opened on the last line waits for more; so do backtick strings and
                // `\`-continued lines, which may span lines. A `"` string left open on an
                // EARLIER line cannot be closed any more: show the error, do not wait forever.
                ParseErrorType::BadInput(LexError::UnterminatedString) => {
                    let last_line = input.trim_end_matches(['\n', '\r']).lines().count().max(1);
                    e.position().line() == Some(last_line)
                        || input.matches('`').count() % 2 == 1
                        || input
                            .trim_end_matches([' ', '\t', '\n', '\r'])
                            .ends_with('\\')
                }
                ParseErrorType::MissingToken(..) => at_end(input, e.position()),
                _ => false,
            },
        }
    }

    /// Log lines written since the last call.
    pub fn take_log(&self) -> Vec<LogLine> {
        self.ctx.take_log()
    }

    /// The dry-run plan so far (taken: the next call starts empty).
    pub fn take_plan(&mut self) -> Plan {
        let mut plan = std::mem::take(&mut self.plan);
        plan.entries.extend(self.ctx.take_plan().entries);
        plan
    }

    /// The dry-run plan recorded so far in this session.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// The names of the variables defined so far.
    pub fn variables(&self) -> Vec<String> {
        self.scope
            .iter()
            .map(|(name, _, _)| name.to_string())
            .collect()
    }

    /// The variables with their type and value.
    pub fn variables_detail(&self) -> Vec<VarInfo> {
        self.scope
            .iter()
            .map(|(name, _, v)| VarInfo {
                name: name.to_string(),
                type_name: rhai_type_name(&self.engine, &v),
                // A host value without a printable form shows its script type, not a Rust path.
                display: match format!("{v:?}") {
                    d if d == v.type_name() => rhai_type_name(&self.engine, &v),
                    d => d,
                },
            })
            .collect()
    }

    /// Forgets every variable, function and planned change (`:reset`).
    pub fn reset(&mut self) {
        self.scope.clear();
        self.ast = AST::empty();
        self.plan = Plan::default();
        let _ = self.ctx.take_plan();
        let _ = self.ctx.take_log();
    }

    /// Whether writes are planned instead of sent.
    pub fn dry_run(&self) -> bool {
        self.ctx.user_dry_run()
    }

    /// Switches dry run on or off for the following inputs (`:dry-run on|off`).
    pub fn set_dry_run(&self, on: bool) {
        self.ctx.set_dry_run(on);
    }

    /// Before a write takes one input past `threshold` changed tickets (not in a dry run),
    /// `confirm` is asked with the count; `false` stops the input before that write.
    pub fn set_confirm(&self, threshold: u64, confirm: Arc<dyn Fn(u64) -> bool + Send + Sync>) {
        self.ctx.set_confirm(threshold, confirm);
    }

    /// Tickets read so far in this session (a progress counter).
    pub fn reads(&self) -> Arc<dyn Fn() -> u64 + Send + Sync> {
        let ctx = self.ctx.clone();
        Arc::new(move || ctx.reads.load(Ordering::Relaxed))
    }

    /// Every function the session knows: the API's (with descriptions) and the script's.
    pub fn functions(&self) -> Vec<FnInfo> {
        let mut out = super::api::functions(&self.engine);
        for f in self.ast.iter_functions() {
            out.push(FnInfo {
                namespace: None,
                name: f.name.to_string(),
                params: f.params.iter().map(|p| p.to_string()).collect(),
                returns: "?".into(),
                doc: String::new(),
            });
        }
        out.sort_by(|a, b| {
            a.path()
                .cmp(&b.path())
                .then(a.params.len().cmp(&b.params.len()))
        });
        out.dedup();
        out
    }
}

/// Whether `pos` is at (or past) the last non-blank character of `input`.
fn at_end(input: &str, pos: Position) -> bool {
    let trimmed = input.trim_end();
    let last_line = trimmed.split('\n').count();
    let last_len = trimmed
        .split('\n')
        .next_back()
        .unwrap_or("")
        .chars()
        .count();
    match (pos.line(), pos.position()) {
        (Some(l), _) if l > last_line => true,
        (Some(l), Some(c)) => l == last_line && c > last_len,
        (None, _) => true,
        (Some(_), None) => false,
    }
}

/// The type name a script author knows (`int`, `string`, `map`, `TicketQuery`), not the Rust
/// path of the host type behind it.
fn rhai_type_name(engine: &Engine, v: &rhai::Dynamic) -> String {
    let name = match engine.map_type_name(v.type_name()) {
        "i64" | "i32" => "int",
        "f64" | "f32" => "float",
        other => other,
    };
    // A host type without a registered name: its last path segment.
    name.rsplit("::").next().unwrap_or(name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_token_is_at_the_end_only_past_the_last_character() {
        assert!(at_end("foo(1, 2", Position::new(1, 9)));
        assert!(at_end("fn f() {\n  1\n", Position::new(3, 1)));
        assert!(!at_end("let x = 1 2", Position::new(1, 11)));
        assert!(!at_end("let x = 1 2\nlet y = 3", Position::new(1, 11)));
        assert!(at_end("anything", Position::NONE));
    }
}
