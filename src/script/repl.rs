//! [`ReplSession`]: evaluating input line by line against one engine, for `hubscript repl`.
//!
//! Variables and functions defined by earlier inputs stay (rhai-repl's approach: merge each
//! input's AST, evaluate, then clear its statements). Each input gets its own cancel token so
//! Ctrl-C stops the statement, not the session; the write cap and dry-run plan span the whole
//! session. `eval` blocks: call it from the REPL's own blocking thread, never from an async
//! task. Inputs are not recorded in the run history. Nothing here reads the terminal.

use std::sync::Arc;

use rhai::{Dynamic, Engine, EvalAltResult, LexError, ParseErrorType, Scope, AST};
use tokio_util::sync::CancellationToken;

use crate::state::LogLine;

use super::context::RunCtx;
use super::error::{Diagnostic, ScriptError};
use super::limits;
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
}

impl ReplSession {
    /// Evaluates one input. Returns the value of its last expression when it is not `()`,
    /// rendered with `{:?}`.
    pub fn eval(
        &mut self,
        input: &str,
        cancel: CancellationToken,
    ) -> Result<Option<String>, ScriptError> {
        if input.len() > limits::MAX_SCRIPT_BYTES {
            return Err(ScriptError::Limit(Box::new(Diagnostic::bare(
                REPL_SOURCE,
                "input too large",
            ))));
        }
        let mut ast = self
            .engine
            .compile_with_scope(&self.scope, input)
            .map_err(|e| render::from_parse(&e, REPL_SOURCE, input))?;
        ast.set_source(REPL_SOURCE);
        self.ast += ast;
        self.ctx.reset_for_eval(cancel);
        let result: Result<Dynamic, Box<EvalAltResult>> =
            self.engine.eval_ast_with_scope(&mut self.scope, &self.ast);
        self.ast.clear_statements();
        match result {
            Ok(v) if v.is_unit() => Ok(None),
            Ok(v) => Ok(Some(format!("{v:?}"))),
            Err(e) => Err(render::from_eval(
                &e,
                REPL_SOURCE,
                input,
                self.ctx.stop_reason().as_ref(),
            )),
        }
    }

    /// Whether `input` is an unfinished construct (open block, string or expression), so the
    /// REPL should read another line instead of reporting an error.
    pub fn needs_more_input(&self, input: &str) -> bool {
        match self.engine.compile_with_scope(&self.scope, input) {
            Ok(_) => false,
            Err(e) => matches!(
                e.err_type(),
                ParseErrorType::UnexpectedEOF
                    | ParseErrorType::MissingToken(..)
                    | ParseErrorType::BadInput(LexError::UnterminatedString)
            ),
        }
    }

    /// Log lines written since the last call.
    pub fn take_log(&self) -> Vec<LogLine> {
        self.ctx.take_log()
    }

    /// The dry-run plan so far (taken: the next call starts empty).
    pub fn take_plan(&self) -> Plan {
        self.ctx.take_plan()
    }

    /// The names of the variables defined so far.
    pub fn variables(&self) -> Vec<String> {
        self.scope
            .iter()
            .map(|(name, _, _)| name.to_string())
            .collect()
    }
}
