//! What a script check or run can fail with, and how it is shown to a person.
//!
//! Owns [`ScriptError`] (one variant per kind the CLI treats differently) and [`Diagnostic`]
//! (where it happened plus the call chain). Rendering with a caret lives in `render.rs`; this
//! file must not touch the engine.

use std::fmt;

use serde::Serialize;

use crate::exit_code;

/// One frame of the call chain: a script function call that led to the error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// The script function that was called.
    pub function: String,
    /// File of the call site.
    pub file: String,
    /// 1-based line of the call site.
    pub line: Option<usize>,
    /// 1-based column of the call site.
    pub column: Option<usize>,
}

/// Where an error happened, the source line there, what it says and how the script got there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The script file as given.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known (`None` also means the start of the line).
    pub column: Option<usize>,
    /// The text of that line, when known.
    pub source_line: Option<String>,
    /// The message (may span lines).
    pub message: String,
    /// Script function calls, innermost first.
    pub chain: Vec<Frame>,
    /// Further problems found in the same pass (every header error, every unknown API call),
    /// so one `check` lists them all.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Diagnostic>,
}

impl Diagnostic {
    /// A diagnostic without a position.
    pub fn bare(file: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
            column: None,
            source_line: None,
            message: message.into(),
            chain: Vec::new(),
            related: Vec::new(),
        }
    }

    /// `file:line:col` (or less, as known).
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            (Some(l), None) => format!("{}:{l}:1", self.file),
            _ => self.file.clone(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

/// A failed check or run.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ScriptError {
    /// The script does not parse.
    #[error("syntax error at {0}")]
    Syntax(Box<Diagnostic>),
    /// The `//!` header is invalid, or the script cannot be read.
    #[error("invalid header at {0}")]
    Header(Box<Diagnostic>),
    /// The script raised an error (a `throw`, a type error, a bad argument ...).
    #[error("{0}")]
    Runtime(Box<Diagnostic>),
    /// A HubSpot call failed and the script did not catch it.
    #[error("{diagnostic}")]
    HubSpot {
        /// HTTP status (0 when no answer came back).
        status: u16,
        /// HubSpot's error category.
        category: String,
        /// HubSpot's message.
        message: String,
        /// HubSpot's request id, to quote to support.
        correlation_id: String,
        /// Where and what.
        diagnostic: Box<Diagnostic>,
    },
    /// The run hit its wall-clock timeout.
    #[error("{0}")]
    Timeout(Box<Diagnostic>),
    /// The run was cancelled (Ctrl-C, shutdown, replaced by a newer run).
    #[error("{0}")]
    Cancelled(Box<Diagnostic>),
    /// The run stopped before a write beyond its write cap.
    #[error("{0}")]
    WriteLimit(Box<Diagnostic>),
    /// A safety limit was hit (operations, sizes, nesting, file size).
    #[error("{0}")]
    Limit(Box<Diagnostic>),
    /// The script succeeded but some of its planned changes could not be applied.
    #[error("{0}")]
    Apply(String),
    /// The host failed (a crashed run thread); not the script's fault.
    #[error("internal error: {0}")]
    Host(String),
}

impl ScriptError {
    /// The diagnostic, for every kind that has one.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            Self::Syntax(d)
            | Self::Header(d)
            | Self::Runtime(d)
            | Self::Timeout(d)
            | Self::Cancelled(d)
            | Self::WriteLimit(d)
            | Self::Limit(d) => Some(d),
            Self::HubSpot { diagnostic, .. } => Some(diagnostic),
            Self::Host(_) | Self::Apply(_) => None,
        }
    }

    /// Rewrites the text this error shows with `f` (the run's secret values replaced, so a
    /// script that throws an answer echoing a secret does not print it).
    pub(crate) fn redact_with(&mut self, f: impl Fn(&str) -> String) {
        match self {
            Self::Syntax(d)
            | Self::Header(d)
            | Self::Runtime(d)
            | Self::Timeout(d)
            | Self::Cancelled(d)
            | Self::WriteLimit(d)
            | Self::Limit(d) => d.message = f(&d.message),
            Self::HubSpot {
                message,
                diagnostic,
                ..
            } => {
                *message = f(message);
                diagnostic.message = f(&diagnostic.message);
            }
            Self::Host(s) | Self::Apply(s) => *s = f(s),
        }
    }

    /// The process exit code for this error (from [`crate::exit_code`]): usage for header or
    /// configuration problems, interrupted for a cancelled run, script for everything else
    /// (script and HubSpot errors).
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Header(_) => exit_code::USAGE,
            // A refused token is a configuration error, like a bad flag: fix the setup, not
            // the script.
            Self::HubSpot { status: 401, .. } => exit_code::USAGE,
            Self::Cancelled(_) => exit_code::INTERRUPTED,
            _ => exit_code::SCRIPT,
        }
    }

    /// A short name of the kind, for JSON output and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Syntax(_) => "syntax",
            Self::Header(_) => "header",
            Self::Runtime(_) => "runtime",
            Self::HubSpot { .. } => "hubspot",
            Self::Timeout(_) => "timeout",
            Self::Cancelled(_) => "cancelled",
            Self::WriteLimit(_) => "write_limit",
            Self::Limit(_) => "limit",
            Self::Apply(_) => "apply",
            Self::Host(_) => "host",
        }
    }

    /// The full diagnostic: location, source line, caret, message and call chain.
    pub fn render(&self) -> String {
        match self.diagnostic() {
            Some(d) => super::render::render(d),
            None => format!("error: {self}\n"),
        }
    }
}
