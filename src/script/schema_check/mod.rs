//! `hubscript check --schema`: the literal arguments of API calls compared with the backend's
//! schema before anything runs. Property names in writes (`tickets::update(id, #{ .. })`,
//! create, the batch writes), in search filters (HubSpot's body and the terse form), in
//! `properties` lists and in `sorts`; enumeration values against their options (the rule of
//! [`crate::model::option_hint`]); pipeline and stage ids and labels; owner ids.
//!
//! Only what the source spells out is judged: a value computed at run time (a variable, a
//! call, an interpolated string) is skipped silently, and so is any call the `roles` table
//! does not list. Severity rules live in `judge`. Pure: the schema ([`SchemaFacts`]) is read
//! by the caller, once for many scripts, and nothing here touches the backend.

mod facts;
mod judge;
mod literal;
mod roles;
#[cfg(test)]
mod tests;

use std::path::Path;

use rhai::{OptimizationLevel, Position, AST};

use super::ast_calls::for_each_namespaced_call;
use super::error::{Diagnostic, ScriptError};
use super::{render, ScriptHost};
use judge::{Judge, ScriptMade};
use literal::Lit;

pub use facts::{SchemaFacts, SchemaWants};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The run would survive it but probably not do what was meant (a filter that matches
    /// nothing, a property the read leaves out).
    Warning,
    /// The run would fail on it.
    Error,
}

/// One literal argument the schema refuses or finds suspicious.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaFinding {
    /// Error or warning.
    pub severity: Severity,
    /// Where in the script.
    pub pos: Position,
    /// What is wrong, with the nearest known name when there is one.
    pub message: String,
}

/// A script compiled for the schema check (after [`ScriptHost::check`] accepted it).
pub struct SchemaCheckable {
    file: String,
    source: String,
    ast: AST,
}

/// A finding placed in its script, ready to print.
#[derive(Debug, Clone)]
pub struct SchemaDiagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where and what.
    pub diagnostic: Diagnostic,
}

impl SchemaDiagnostic {
    /// `error at f.rhai:3:28` or `warning at ..`, the line, a caret and the message.
    pub fn render(&self) -> String {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        render::render_as(&self.diagnostic, label)
    }
}

impl ScriptHost {
    /// Compiles `source` for [`SchemaCheckable::judge`], with the engine `check` uses but
    /// without the optimizer, which folds literal maps into single constants and so loses
    /// where each key is.
    pub fn schema_checkable(
        &self,
        path: &Path,
        source: &str,
    ) -> Result<SchemaCheckable, ScriptError> {
        let file = path.display().to_string();
        let mut engine = self.reference_engine();
        engine.set_optimization_level(OptimizationLevel::None);
        let ast = engine
            .compile(source)
            .map_err(|e| render::from_parse(&e, &file, source))?;
        Ok(SchemaCheckable {
            file,
            source: source.to_string(),
            ast,
        })
    }
}

impl SchemaCheckable {
    /// The parts of the schema this script needs beyond tickets, pipelines and owners.
    pub fn wants(&self) -> SchemaWants {
        schema_wants(&self.ast)
    }

    /// Every finding against `facts`, in source order, positioned in the script.
    pub fn judge(&self, facts: &SchemaFacts) -> Vec<SchemaDiagnostic> {
        schema_findings(&self.ast, facts)
            .into_iter()
            .map(|f| SchemaDiagnostic {
                severity: f.severity,
                diagnostic: render::at(&self.file, &self.source, f.pos, f.message),
            })
            .collect()
    }
}

/// The parts of the schema `ast` needs beyond tickets, pipelines and owners: companies' and
/// contacts' property definitions when it reads those.
fn schema_wants(ast: &AST) -> SchemaWants {
    let mut wants = SchemaWants::default();
    for_each_namespaced_call(ast, |call| {
        match (call.namespace.as_str(), call.name) {
            ("companies", _) | ("tickets", "company") => wants.companies = true,
            ("contacts", _) | ("tickets", "contacts") => wants.contacts = true,
            _ => {}
        }
        true
    });
    wants
}

/// Every finding of `ast` against `facts`, in source order. Compile `ast` without the
/// optimizer, which folds literal maps into single constants and so loses where each key is.
fn schema_findings(ast: &AST, facts: &SchemaFacts) -> Vec<SchemaFinding> {
    let made = script_made(ast);
    let mut judge = Judge::new(facts, &made);
    for_each_namespaced_call(ast, |call| {
        if let Some(roles) = roles::roles(&call.namespace, call.name, call.args.len()) {
            let args: Vec<(Lit, Position)> = call
                .args
                .iter()
                .map(|e| (Lit::of(e), e.start_position()))
                .collect();
            judge.call(roles, &args);
        }
        true
    });
    let mut out = judge.out;
    out.sort_by_key(|f| (f.pos.line(), f.pos.position()));
    out.dedup();
    out
}

/// What the script creates or redefines itself, so its own new names are not refused.
fn script_made(ast: &AST) -> ScriptMade {
    let mut made = ScriptMade::default();
    for_each_namespaced_call(ast, |call| {
        let first = call.args.first().map(Lit::of);
        match (call.namespace.as_str(), call.name) {
            ("properties", "create") => {
                match first
                    .as_ref()
                    .and_then(|d| d.get("name"))
                    .and_then(|n| n.value.text())
                {
                    Some(name) => {
                        made.properties.insert(name.to_string());
                    }
                    None => made.unnamed_property = true,
                }
            }
            ("properties", "update") => match first.as_ref().and_then(Lit::text) {
                Some(name) => {
                    made.redefined.insert(name.to_string());
                }
                None => made.unnamed_redefinition = true,
            },
            ("pipelines", "create" | "create_stage" | "update" | "update_stage") => {
                made.pipelines_change = true;
            }
            _ => {}
        }
        true
    });
    made
}
