//! Turns Rhai errors into [`ScriptError`]s and diagnostics into text with a caret under the spot.
//!
//! Owns the walk of `ErrorInFunctionCall` chains (innermost message, one "in call to fn" line per
//! frame), the classification into error kinds and the caret layout (tabs expanded, unicode
//! width measured). It must not run scripts or print: callers get strings.

use rhai::{EvalAltResult, ParseError, ParseErrorType, Position};
use unicode_width::UnicodeWidthStr;

use super::context::StopReason;
use super::error::{Diagnostic, Frame, ScriptError};
use super::header::HeaderError;

const TAB: &str = "    ";

/// Renders `d` as several lines ending with a newline:
///
/// ```text
/// error at t.rhai:3:9
///   |
/// 3 | let t = tickets::get("999");
///   |         ^ HubSpot 404 OBJECT_NOT_FOUND: not found (correlationId c-1)
///   = in call to fn `helper` at t.rhai:7:5
/// ```
pub(super) fn render(d: &Diagnostic) -> String {
    render_as(d, "error")
}

/// [`render`] with another word than `error` in front (`warning`), for its related ones too.
pub(super) fn render_as(d: &Diagnostic, label: &str) -> String {
    let mut out = String::new();
    let mut lines = d.message.split('\n');
    let first = lines.next().unwrap_or_default();
    match (d.line, &d.source_line) {
        (Some(line), Some(text)) => {
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            let shown = text.replace('\t', TAB);
            let col = d.column.unwrap_or(1).max(1);
            let before: String = text.chars().take(col - 1).collect();
            let offset = before.replace('\t', TAB).width();
            out.push_str(&format!("{label} at {}\n", d.location()));
            out.push_str(&format!("{pad} |\n"));
            out.push_str(&format!("{num} | {}\n", shown.trim_end()));
            out.push_str(&format!("{pad} | {}^ {first}\n", " ".repeat(offset)));
            for more in lines {
                out.push_str(&format!("{pad} | {}  {more}\n", " ".repeat(offset)));
            }
            for f in &d.chain {
                out.push_str(&format!("{pad} = {}\n", frame_text(f)));
            }
        }
        _ => {
            out.push_str(&format!("{label} at {}: {first}\n", d.location()));
            for more in lines {
                out.push_str(&format!("  {more}\n"));
            }
            for f in &d.chain {
                out.push_str(&format!("  = {}\n", frame_text(f)));
            }
        }
    }
    for r in &d.related {
        out.push_str(&render_as(r, label));
    }
    out
}

fn frame_text(f: &Frame) -> String {
    let loc = match (f.line, f.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", f.file),
        (Some(l), None) => format!("{}:{l}:1", f.file),
        _ => f.file.clone(),
    };
    format!("in call to fn `{}` at {loc}", f.function)
}

/// The text of 1-based line `line` of `source` (split on `\n`, so a trailing empty line counts).
fn source_line(source: &str, line: usize) -> Option<String> {
    source
        .split('\n')
        .nth(line.checked_sub(1)?)
        .map(|l| l.trim_end_matches('\r').to_string())
}

/// Rhai positions a namespaced call (`tickets::get(..)`) at the function name; move the
/// column back to the start of the qualified name so the caret sits under `tickets`.
fn qualified_start(text: &str, col: usize) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut i = col.saturating_sub(1).min(chars.len());
    while i >= 2 && chars[i - 1] == ':' && chars[i - 2] == ':' {
        let mut j = i - 2;
        while j > 0 && (chars[j - 1].is_alphanumeric() || chars[j - 1] == '_') {
            j -= 1;
        }
        if j == i - 2 {
            break;
        }
        i = j;
    }
    i + 1
}

/// A diagnostic at `pos` in `source`.
pub(crate) fn at(file: &str, source: &str, pos: Position, message: String) -> Diagnostic {
    let line = pos.line();
    let source_line = line.and_then(|l| source_line(source, l));
    let column = match (pos.position(), &source_line) {
        (Some(c), Some(text)) => Some(qualified_start(text, c)),
        (c, _) => c,
    };
    Diagnostic {
        file: file.to_string(),
        line,
        column,
        source_line,
        message,
        chain: Vec::new(),
        related: Vec::new(),
    }
}

/// A syntax error. `log::debug(...)` is the one a newcomer writes by analogy with
/// `log::info`, and Rhai reserves `debug`: its error says what to write instead.
pub(crate) fn from_parse(err: &ParseError, file: &str, source: &str) -> ScriptError {
    let mut message = err.err_type().to_string();
    if matches!(err.err_type(), ParseErrorType::Reserved(word) if word == "debug") {
        message.push_str(
            ": write `debug(message)` for a debug line in the run log (Rhai reserves `debug`, so there is no `log::debug`)",
        );
    }
    ScriptError::Syntax(Box::new(at(file, source, err.position(), message)))
}

/// Every header error (at least one), each at the start of its line.
pub(crate) fn header_errors(source: &str, errors: Vec<HeaderError>) -> ScriptError {
    let mut all = errors
        .into_iter()
        .map(|e| header_diagnostic(&e.file, source, e.line, e.message));
    let mut first = all
        .next()
        .unwrap_or_else(|| Diagnostic::bare("", "invalid header"));
    first.related = all.collect();
    ScriptError::Header(Box::new(first))
}

/// A header error at the start of line `line`.
fn header_diagnostic(file: &str, source: &str, line: usize, message: String) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        line: Some(line),
        column: None,
        source_line: source_line(source, line),
        message,
        chain: Vec::new(),
        related: Vec::new(),
    }
}

/// Whether a thrown value is the map the API throws for HubSpot errors.
pub(crate) fn is_hubspot_map(v: &rhai::Dynamic) -> bool {
    v.read_lock::<rhai::Map>().is_some_and(|m| {
        m.contains_key("status") && m.contains_key("category") && m.contains_key("correlationId")
    })
}

fn map_str(m: &rhai::Map, key: &str) -> String {
    m.get(key)
        .map(|v| {
            if v.is_unit() {
                String::new()
            } else {
                v.to_string()
            }
        })
        .unwrap_or_default()
}

/// One line describing a HubSpot error map. A failure without an answer (status 0: the
/// server could not be reached, did not answer in time, or sent something undecodable) is
/// described by its message alone (`could not reach URL: ...`), not as "HubSpot 0".
pub(crate) fn hubspot_message(m: &rhai::Map) -> String {
    if map_str(m, "status") == "0" {
        return map_str(m, "message");
    }
    let mut s = format!(
        "HubSpot {} {}",
        map_str(m, "status"),
        map_str(m, "category")
    );
    let message = map_str(m, "message");
    if !message.is_empty() {
        s.push_str(": ");
        s.push_str(&message);
    }
    let id = map_str(m, "correlationId");
    if !id.is_empty() {
        s.push_str(&format!(" (correlationId {id})"));
    }
    s
}

/// Classifies an error a run ended with. `stop` is why the host terminated the run, if it did.
pub(crate) fn from_eval(
    err: &EvalAltResult,
    file: &str,
    source: &str,
    stop: Option<&StopReason>,
) -> ScriptError {
    let mut chain = Vec::new();
    let mut inner = err;
    while let EvalAltResult::ErrorInFunctionCall(name, _src, next, pos) = inner {
        chain.push(Frame {
            function: name.clone(),
            file: file.to_string(),
            line: pos.line(),
            column: pos.position(),
        });
        inner = next;
    }
    chain.reverse();
    let pos = inner.position();
    let diag = |message: String| {
        let mut d = at(file, source, pos, message);
        d.chain = chain.clone();
        Box::new(d)
    };
    match inner {
        EvalAltResult::ErrorParsing(p, _) => ScriptError::Syntax(diag(p.to_string())),
        EvalAltResult::ErrorTerminated(token, _) => {
            let token = token.to_string();
            match stop {
                Some(StopReason::Timeout(t)) => ScriptError::Timeout(diag(format!(
                    "the run timed out after {}",
                    humantime::format_duration(*t)
                ))),
                Some(StopReason::WriteLimit(msg)) => ScriptError::WriteLimit(diag(msg.clone())),
                Some(StopReason::Memory(limit)) => ScriptError::Limit(diag(format!(
                    "memory limit of {} reached (raise it with `memory` in the script header or --memory)",
                    super::memory::format_size(*limit)
                ))),
                Some(StopReason::Cancelled) => {
                    ScriptError::Cancelled(diag("the run was cancelled".into()))
                }
                None if token == "timeout" => {
                    ScriptError::Timeout(diag("the run timed out".into()))
                }
                None => ScriptError::Cancelled(diag("the run was cancelled".into())),
            }
        }
        EvalAltResult::ErrorRuntime(v, _) if is_write_limit(v) => {
            let m = v
                .read_lock::<rhai::Map>()
                .map(|m| m.clone())
                .unwrap_or_default();
            ScriptError::WriteLimit(diag(map_str(&m, "message")))
        }
        EvalAltResult::ErrorRuntime(v, _) if is_hubspot_map(v) => {
            let m = v
                .read_lock::<rhai::Map>()
                .map(|m| m.clone())
                .unwrap_or_default();
            ScriptError::HubSpot {
                status: m
                    .get("status")
                    .and_then(|s| s.as_int().ok())
                    .and_then(|s| u16::try_from(s).ok())
                    .unwrap_or(0),
                category: map_str(&m, "category"),
                message: map_str(&m, "message"),
                correlation_id: map_str(&m, "correlationId"),
                diagnostic: diag(hubspot_message(&m)),
            }
        }
        EvalAltResult::ErrorRuntime(v, _) if v.is_string() => {
            ScriptError::Runtime(diag(v.to_string()))
        }
        EvalAltResult::ErrorTooManyOperations(_) => ScriptError::Limit(diag(format!(
            "the script ran more than {} operations (an endless loop?); this cap stops runaway \
             scripts even before their timeout",
            super::limits::MAX_OPERATIONS
        ))),
        EvalAltResult::ErrorStackOverflow(_)
        | EvalAltResult::ErrorDataTooLarge(..)
        | EvalAltResult::ErrorTooManyVariables(_)
        | EvalAltResult::ErrorTooManyModules(_) => ScriptError::Limit(diag(plain(inner))),
        _ => ScriptError::Runtime(diag(plain(inner))),
    }
}

/// The message of an error without Rhai's "(line L, position C)" suffix.
fn plain(err: &EvalAltResult) -> String {
    // Rhai's Display ends with " (line L, position C)" when positioned; the caret says that.
    let text = err.to_string();
    let pos = err.position();
    if pos.is_none() {
        return text;
    }
    let suffix = format!(" ({pos})");
    match text.strip_suffix(&suffix) {
        Some(t) => t.to_string(),
        None => text,
    }
}

/// The uncaught map of a write past the budget (see `context::WRITE_LIMIT`).
fn is_write_limit(v: &rhai::Dynamic) -> bool {
    v.read_lock::<rhai::Map>().is_some_and(|m| {
        m.get("category")
            .is_some_and(|c| c.to_string() == super::context::WRITE_LIMIT)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_moves_to_the_start_of_a_qualified_name() {
        assert_eq!(qualified_start("let t = tickets::get(1);", 18), 9);
        assert_eq!(qualified_start("a::b::c()", 7), 1);
        assert_eq!(qualified_start("x + y", 5), 5);
        assert_eq!(qualified_start("::f", 3), 3);
    }

    #[test]
    fn log_debug_is_a_syntax_error_that_says_to_write_debug() {
        let src = "log::debug(\"x\");\n";
        let err = rhai::Engine::new()
            .compile(src)
            .expect_err("debug is reserved");
        let ScriptError::Syntax(d) = from_parse(&err, "t.rhai", src) else {
            panic!("not a syntax error");
        };
        assert!(
            d.message.contains("write `debug(message)`"),
            "{}",
            d.message
        );
    }

    #[test]
    fn a_diagnostic_without_a_position_renders_on_one_line() {
        let d = Diagnostic::bare("t.rhai", "too big");
        assert_eq!(render(&d), "error at t.rhai: too big\n");
    }
}
