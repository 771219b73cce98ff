//! The judgement of literal arguments against the backend's schema, one role at a time (see
//! [`super::roles`]). Errors are what the run would fail on; warnings are what it would
//! survive but probably not mean:
//!
//! - **errors**: an unknown property in a write, a search filter or a sort (HubSpot refuses a
//!   write with `PROPERTY_DOESNT_EXIST`; the sandbox refuses such a filter or sort with a 400,
//!   our choice, as HubSpot's answer is unconfirmed); a written value that is not an option of
//!   its enumeration (or that the run's write rules refuse otherwise: a read-only property, a
//!   date that does not parse), a pipeline, stage or owner id that does not exist (a task's
//!   `owner` too), a stage of another
//!   pipeline than the one set in the same map; an unknown pipeline, stage, owner or property
//!   named in a `pipelines::`, `owners::` or `properties::` call (it throws);
//! - **warnings**: a search value that is no option, pipeline, stage or owner (the filter
//!   matches nothing), and an unknown name in a `properties` list (HubSpot leaves it out).
//!
//! What the script defines itself is taken into account: a property it creates with a literal
//! name is known, one created under a computed name turns unknown-property errors into
//! warnings, a property it redefines has its options unchecked, and a script that creates or
//! renames pipelines or stages has pipeline and stage *labels* unchecked.

use std::collections::BTreeSet;

use rhai::Position;

use crate::model::write_rules::ValueKind;
use crate::model::{
    by_id_or_label, check_value, option_hint, unknown_property_of, Pipeline, Property,
};
use crate::script::search_form::BODY_KEYS;

use super::facts::SchemaFacts;
use super::literal::{Entry, Lit};
use super::roles::{Arg, Object};
use super::{SchemaFinding, Severity};

/// What the script defines before it may use it.
#[derive(Debug, Default)]
pub(super) struct ScriptMade {
    /// Ticket properties created under a literal name.
    pub properties: BTreeSet<String>,
    /// A property is created under a name known only at run time.
    pub unnamed_property: bool,
    /// Ticket properties whose definition (options) the script changes.
    pub redefined: BTreeSet<String>,
    /// A property whose name is known only at run time is redefined.
    pub unnamed_redefinition: bool,
    /// The script creates or renames pipelines or stages.
    pub pipelines_change: bool,
}

/// How a value is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    /// Written: a bad value fails the run.
    Write,
    /// Compared by a search filter: a bad value matches nothing.
    Search,
}

/// Collects findings over the calls of one script.
pub(super) struct Judge<'a> {
    facts: &'a SchemaFacts,
    made: &'a ScriptMade,
    /// What was found, in the order found.
    pub out: Vec<SchemaFinding>,
}

impl<'a> Judge<'a> {
    pub(super) fn new(facts: &'a SchemaFacts, made: &'a ScriptMade) -> Self {
        Self {
            facts,
            made,
            out: Vec::new(),
        }
    }

    fn push(&mut self, severity: Severity, pos: Position, message: String) {
        self.out.push(SchemaFinding {
            severity,
            pos,
            message,
        });
    }

    /// Judges one call's arguments by their roles.
    pub(super) fn call(&mut self, roles: &[Arg], args: &[(Lit, Position)]) {
        for (role, (lit, pos)) in roles.iter().zip(args) {
            match *role {
                Arg::Skip => {}
                Arg::Write(obj) => self.write_map(obj, lit),
                Arg::WriteItems(obj, bare) => {
                    if let Lit::Array(items) = lit {
                        for (item, _) in items {
                            match item.get("properties") {
                                Some(p) => self.write_map(obj, &p.value),
                                None if bare => self.write_map(obj, item),
                                None => {}
                            }
                        }
                    }
                }
                Arg::Search(obj) => self.search(obj, lit),
                Arg::Terse(obj) => self.terse(obj, lit),
                Arg::Options(obj) => {
                    if let Lit::Map(entries) = lit {
                        for e in entries {
                            self.option(obj, e);
                        }
                    }
                }
                Arg::Pipeline => {
                    if let Some(key) = lit.text() {
                        self.pipeline_arg(key, *pos);
                    }
                }
                Arg::Stage(p) => {
                    if let (Some(key), Some(pipeline)) =
                        (lit.text(), args.get(p).and_then(|a| a.0.text()))
                    {
                        self.stage_arg(pipeline, key, *pos);
                    }
                }
                Arg::AnyStage => {
                    if let Some(id) = lit.text() {
                        if !self.all_stages().any(|(_, s)| s.id == id) {
                            self.push(
                                Severity::Error,
                                *pos,
                                format!("no ticket pipeline has a stage with id `{id}`"),
                            );
                        }
                    }
                }
                Arg::Owner => {
                    if let Some(msg) = lit.text().and_then(|id| self.owner_value(id)) {
                        self.push(Severity::Error, *pos, msg);
                    }
                }
                Arg::TaskOwner => {
                    if let Some(owner) = lit.get("owner") {
                        if let Some(msg) = owner.value.text().and_then(|id| self.owner_value(id)) {
                            self.push(Severity::Error, owner.value_pos, msg);
                        }
                    }
                }
                Arg::PropertyName => {
                    if let Some(name) = lit.text() {
                        self.known("tickets", name, *pos, Severity::Error, "");
                    }
                }
            }
        }
    }

    /// The definition of property `name` of `obj`. When there is none, a finding (unless the
    /// script creates it, or `obj`'s definitions were not read) and `None`.
    fn known(
        &mut self,
        obj: Object,
        name: &str,
        pos: Position,
        severity: Severity,
        consequence: &str,
    ) -> Option<&'a Property> {
        let facts: &'a SchemaFacts = self.facts;
        let defs = facts.properties(obj)?;
        if let Some(def) = defs.iter().find(|p| p.name == name) {
            return Some(def);
        }
        let tickets = obj == "tickets";
        if tickets && self.made.properties.contains(name) {
            return None;
        }
        if let Some(mut msg) = unknown_property_of(obj, name, defs) {
            msg.push_str(consequence);
            let severity = if tickets && self.made.unnamed_property {
                msg.push_str(" (unless it is the property the script creates at run time)");
                Severity::Warning
            } else {
                severity
            };
            self.push(severity, pos, msg);
        }
        None
    }

    /// A map of property values written to records of `obj`.
    fn write_map(&mut self, obj: Object, lit: &Lit) {
        let Lit::Map(entries) = lit else { return };
        let pipeline = pipeline_in(entries);
        for e in entries {
            let def = self.known(obj, &e.key, e.key_pos, Severity::Error, "");
            if let (Some(def), Some(v)) = (def, e.value.text()) {
                self.value(obj, def, v, e.value_pos, pipeline, Use::Write);
            }
        }
    }

    /// `search(x)`: HubSpot's body or the terse form; a text is a full-text query.
    fn search(&mut self, obj: Object, lit: &Lit) {
        let Lit::Map(entries) = lit else { return };
        if !entries.iter().any(|e| BODY_KEYS.contains(&e.key.as_str())) {
            return self.terse(obj, lit);
        }
        for e in entries {
            match e.key.as_str() {
                "filterGroups" => {
                    if let Lit::Array(groups) = &e.value {
                        for (g, _) in groups {
                            if let Some(f) = g.get("filters") {
                                self.filters(obj, &f.value);
                            }
                        }
                    }
                }
                "filters" => self.filters(obj, &e.value),
                _ => self.option(obj, e),
            }
        }
    }

    /// HubSpot's filters: `[#{ propertyName, operator, value | values }]`.
    fn filters(&mut self, obj: Object, lit: &Lit) {
        let Lit::Array(filters) = lit else { return };
        let text = |f: &'_ Lit, k: &str| f.get(k).and_then(|e| e.value.text().map(str::to_string));
        let pipeline = filters.iter().find_map(|(f, _)| {
            (text(f, "propertyName").as_deref() == Some("hs_pipeline")
                && text(f, "operator").as_deref() == Some("EQ"))
            .then(|| text(f, "value"))
            .flatten()
        });
        for (f, _) in filters {
            let Some(name) = f.get("propertyName") else {
                continue;
            };
            let Some(prop) = name.value.text() else {
                continue;
            };
            let Some(def) = self.known(obj, prop, name.value_pos, Severity::Error, "") else {
                continue;
            };
            let compared = match text(f, "operator").as_deref() {
                Some("EQ" | "NEQ") => f.get("value"),
                Some("IN" | "NOT_IN") => f.get("values"),
                _ => None,
            };
            if let Some(c) = compared {
                self.compared(obj, def, c, pipeline.as_deref());
            }
        }
    }

    /// The terse form: `#{ property: value | [values] | #{ op: .. } }`.
    fn terse(&mut self, obj: Object, lit: &Lit) {
        let Lit::Map(entries) = lit else { return };
        let pipeline = pipeline_in(entries);
        for e in entries {
            let Some(def) = self.known(obj, &e.key, e.key_pos, Severity::Error, "") else {
                continue;
            };
            match &e.value {
                Lit::Map(ops) => {
                    for op in ops {
                        if matches!(op.key.as_str(), "eq" | "neq" | "in" | "not_in") {
                            self.compared(obj, def, op, pipeline);
                        }
                    }
                }
                _ => self.compared(obj, def, e, pipeline),
            }
        }
    }

    /// The value or values a filter compares `def` with.
    fn compared(&mut self, obj: Object, def: &Property, e: &Entry, pipeline: Option<&str>) {
        match &e.value {
            Lit::Text(v) => self.value(obj, def, v, e.value_pos, pipeline, Use::Search),
            Lit::Array(items) => {
                for (item, pos) in items {
                    if let Some(v) = item.text() {
                        self.value(obj, def, v, *pos, pipeline, Use::Search);
                    }
                }
            }
            _ => {}
        }
    }

    /// An entry of read or search options.
    fn option(&mut self, obj: Object, e: &Entry) {
        let Lit::Array(items) = &e.value else { return };
        match e.key.as_str() {
            "properties" | "propertiesWithHistory" => {
                for (item, pos) in items {
                    if let Some(name) = item.text() {
                        self.known(
                            obj,
                            name,
                            *pos,
                            Severity::Warning,
                            ": the records read will not have it",
                        );
                    }
                }
            }
            "sorts" => {
                for (item, pos) in items {
                    match item {
                        Lit::Text(s) => {
                            let name = s.strip_prefix('-').unwrap_or(s);
                            self.known(obj, name, *pos, Severity::Error, "");
                        }
                        Lit::Map(_) => {
                            if let Some(p) = item.get("propertyName") {
                                if let Some(name) = p.value.text() {
                                    self.known(obj, name, p.value_pos, Severity::Error, "");
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// A literal value of `def` (written or compared).
    fn value(
        &mut self,
        obj: Object,
        def: &Property,
        v: &str,
        pos: Position,
        pipeline: Option<&str>,
        usage: Use,
    ) {
        let tickets = obj == "tickets";
        let redefined =
            tickets && (self.made.unnamed_redefinition || self.made.redefined.contains(&def.name));
        let special = match def.name.as_str() {
            _ if v.is_empty() => None,
            "hs_pipeline" if tickets => self.pipeline_value(v),
            "hs_pipeline_stage" if tickets => self.stage_value(v, pipeline),
            "hubspot_owner_id" => self.owner_value(v),
            _ => None,
        };
        let message = match (special, usage) {
            (Some(m), _) => Some(m),
            // A write is judged by the write rules the run applies (read-only, type, length,
            // options, multi-select), with the nearest option when one is near.
            (None, Use::Write) if !redefined => check_value(def, v).err().map(|r| {
                let single = ValueKind::of(def) == ValueKind::Enum { multi: false };
                match option_hint(v, def) {
                    Some(hint) if r.code == "INVALID_OPTION" && single => hint,
                    _ => r.message,
                }
            }),
            // "" in a filter is no option to compare.
            (None, Use::Search) if !redefined && !v.is_empty() => option_hint(v, def),
            _ => None,
        };
        let Some(mut message) = message else { return };
        let severity = match usage {
            Use::Write => Severity::Error,
            Use::Search => {
                message.push_str("; this filter matches nothing");
                Severity::Warning
            }
        };
        self.push(severity, pos, message);
    }

    fn pipelines(&self) -> &'a [Pipeline] {
        &self.facts.pipelines
    }

    fn all_stages(&self) -> impl Iterator<Item = (&'a Pipeline, &'a crate::model::PipelineStage)> {
        self.pipelines()
            .iter()
            .flat_map(|p| p.stages.iter().map(move |s| (p, s)))
    }

    /// A value of `hs_pipeline`: a pipeline id.
    fn pipeline_value(&self, v: &str) -> Option<String> {
        let ps = self.pipelines();
        if ps.iter().any(|p| p.id == v) {
            return None;
        }
        if let Some(p) = by_id_or_label(ps, v, |p| &p.id, |p| &p.label) {
            return Some(format!(
                "`{v}` is the label of a pipeline; hs_pipeline takes its id: \"{}\"",
                p.id
            ));
        }
        Some(format!(
            "no ticket pipeline has id `{v}`; pipelines: {}",
            pipeline_list(ps)
        ))
    }

    /// A value of `hs_pipeline_stage`: a stage id, of the pipeline `pipeline` when the same map
    /// sets one.
    fn stage_value(&self, v: &str, pipeline: Option<&str>) -> Option<String> {
        let ps = self.pipelines();
        let within = pipeline.and_then(|k| by_id_or_label(ps, k, |p| &p.id, |p| &p.label));
        let Some(p) = within else {
            if self.all_stages().any(|(_, s)| s.id == v) {
                return None;
            }
            if let Some((p, s)) = self
                .all_stages()
                .find(|(_, s)| s.label.eq_ignore_ascii_case(v))
            {
                return Some(format!(
                    "`{v}` is the label of a stage of pipeline `{}`; hs_pipeline_stage takes its id: \"{}\"",
                    p.label, s.id
                ));
            }
            return Some(format!(
                "no ticket pipeline has a stage with id `{v}` (pipelines::list() shows them)"
            ));
        };
        if p.stage(v).is_some() {
            return None;
        }
        if let Some(s) = by_id_or_label(&p.stages, v, |s| &s.id, |s| &s.label) {
            return Some(format!(
                "`{v}` is the label of a stage of pipeline `{}`; hs_pipeline_stage takes its id: \"{}\"",
                p.label, s.id
            ));
        }
        let elsewhere = match self.all_stages().find(|(_, s)| s.id == v) {
            Some((other, _)) => format!(
                "stage `{v}` belongs to pipeline `{}` ({}), not to `{}` ({}) set in the same map",
                other.label, other.id, p.label, p.id
            ),
            None => format!("pipeline `{}` ({}) has no stage `{v}`", p.label, p.id),
        };
        Some(format!("{elsewhere}; its stages: {}", stage_list(p)))
    }

    /// An owner id, when the owners were read.
    fn owner_value(&self, id: &str) -> Option<String> {
        let owners = self.facts.owners.as_ref()?;
        (!owners.iter().any(|o| o == id)).then(|| {
            format!(
                "no owner has id `{id}` (owners::list() shows them; owners::by_email(..) finds one)"
            )
        })
    }

    /// A pipeline named by id or label in a `pipelines::` call.
    fn pipeline_arg(&mut self, key: &str, pos: Position) {
        let ps = self.pipelines();
        if self.made.pipelines_change || by_id_or_label(ps, key, |p| &p.id, |p| &p.label).is_some()
        {
            return;
        }
        let hint = crate::suggest::did_you_mean(key, ps.iter().map(|p| p.label.as_str()));
        self.push(
            Severity::Error,
            pos,
            format!(
                "no ticket pipeline `{key}` (by id or label){hint}; pipelines: {}",
                pipeline_list(ps)
            ),
        );
    }

    /// A stage named by id or label of the pipeline `pipeline` in a `pipelines::` call.
    fn stage_arg(&mut self, pipeline: &str, key: &str, pos: Position) {
        let ps = self.pipelines();
        // An unknown pipeline is reported as such.
        let Some(p) = by_id_or_label(ps, pipeline, |p| &p.id, |p| &p.label) else {
            return;
        };
        if self.made.pipelines_change
            || by_id_or_label(&p.stages, key, |s| &s.id, |s| &s.label).is_some()
        {
            return;
        }
        let hint = crate::suggest::did_you_mean(key, p.stages.iter().map(|s| s.label.as_str()));
        self.push(
            Severity::Error,
            pos,
            format!(
                "pipeline `{}` ({}) has no stage `{key}` (by id or label){hint}; its stages: {}",
                p.label,
                p.id,
                stage_list(p)
            ),
        );
    }
}

/// The literal `hs_pipeline` of a map, which the map's `hs_pipeline_stage` must belong to.
fn pipeline_in(entries: &[Entry]) -> Option<&str> {
    entries
        .iter()
        .find(|e| e.key == "hs_pipeline")
        .and_then(|e| e.value.text())
}

fn pipeline_list(ps: &[Pipeline]) -> String {
    ps.iter()
        .map(|p| format!("{} ({})", p.label, p.id))
        .collect::<Vec<_>>()
        .join(", ")
}

fn stage_list(p: &Pipeline) -> String {
    p.stages
        .iter()
        .map(|s| format!("{} ({})", s.label, s.id))
        .collect::<Vec<_>>()
        .join(", ")
}
