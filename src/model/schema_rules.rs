//! HubSpot's rules for schema writes, written once: what a property group, a property, a
//! pipeline and a stage definition must be. The sandbox applies them to every schema write
//! (and the dry run of `properties::create` and `pipelines::create` to every planned one), so
//! both refuse the same definitions with the same 400. Pure: no I/O. The rules on a ticket's
//! *values* are in [`super::write_rules`], which judges a custom property's values by the
//! definition these rules admitted.
//!
//! Confirmed from HubSpot's documentation: internal names are lowercase letters, digits and
//! underscores starting with a letter; the type / field type pairs of [`FIELD_TYPES`];
//! unique-value properties are single-line text or numbers, at most
//! [`MAX_UNIQUE_PROPERTIES`] per object; a ticket stage carries `metadata.ticketState`
//! `OPEN` or `CLOSED`.
//!
//! Chosen where HubSpot is unconfirmed (each answers 400 `VALIDATION_ERROR` naming the field):
//! names of at most [`MAX_NAME_CHARS`] characters; an enumeration needs at least one option
//! (unless its options are external) and option values are unique and non-empty; a `bool`
//! property without options gets HubSpot's `true`/`false` ("Yes"/"No") pair; a pipeline needs
//! at least one stage, and stage labels are unique within their pipeline.

use chrono::{DateTime, Utc};

use super::error::{ApiError, ErrorCategory};
use super::pipeline::{Pipeline, PipelineStage};
use super::property::{ModificationMetadata, Property, PropertyGroup, PropertyOption};

/// Why a definition is refused: the message of HubSpot's 400 `VALIDATION_ERROR`. Small by
/// design; it becomes an [`ApiError`] where it is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

impl From<Invalid> for ApiError {
    fn from(i: Invalid) -> Self {
        ApiError::validation(i.0)
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
use super::schema_input::{
    OptionInput, PipelineInput, PropertyCreate, PropertyUpdate, StageInput, StagePatch,
};

/// Longest internal name of a property or group (our choice).
pub const MAX_NAME_CHARS: usize = 100;

/// HubSpot's limit on unique-value properties per object.
pub const MAX_UNIQUE_PROPERTIES: usize = 10;

/// Which field types each property type admits (HubSpot's "type and fieldType values").
pub const FIELD_TYPES: &[(&str, &[&str])] = &[
    (
        "string",
        &["text", "textarea", "html", "phonenumber", "file"],
    ),
    ("number", &["number", "calculation_equation"]),
    ("date", &["date"]),
    ("datetime", &["date"]),
    (
        "enumeration",
        &[
            "select",
            "radio",
            "checkbox",
            "booleancheckbox",
            "calculation_equation",
        ],
    ),
    ("bool", &["booleancheckbox", "calculation_equation"]),
];

/// An internal name (`what` is "property" or "property group").
pub fn check_name(what: &str, name: &str) -> Result<(), Invalid> {
    let mut chars = name.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !starts || !rest {
        return Err(Invalid(format!(
            "{what} name {name:?} is not valid: use lowercase letters, digits and underscores, \
             starting with a letter"
        )));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Invalid(format!(
            "{what} name {name:?} is longer than {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(())
}

/// A label: not blank.
pub fn check_label(what: &str, label: &str) -> Result<(), Invalid> {
    if label.trim().is_empty() {
        return Err(Invalid(format!("{what} label cannot be empty")));
    }
    Ok(())
}

/// A property's type and field type pair.
pub fn check_types(kind: &str, field_type: &str) -> Result<(), Invalid> {
    let Some((_, fields)) = FIELD_TYPES.iter().find(|(k, _)| *k == kind) else {
        let kinds: Vec<&str> = FIELD_TYPES.iter().map(|(k, _)| *k).collect();
        return Err(Invalid(format!(
            "type {kind:?} is not a property type: use one of {}",
            kinds.join(", ")
        )));
    };
    if !fields.contains(&field_type) {
        return Err(Invalid(format!(
            "fieldType {field_type:?} does not go with type {kind:?}: use one of {}",
            fields.join(", ")
        )));
    }
    Ok(())
}

/// Whether a property of this type and field type may have unique values.
pub fn check_unique(kind: &str, field_type: &str, unique_so_far: usize) -> Result<(), Invalid> {
    let allowed = (kind == "string" && field_type == "text") || kind == "number";
    if !allowed {
        return Err(Invalid(format!(
            "hasUniqueValue is only allowed on single-line text (string/text) and number \
             properties, not {kind}/{field_type}"
        )));
    }
    if unique_so_far >= MAX_UNIQUE_PROPERTIES {
        return Err(Invalid(format!(
            "tickets already have {MAX_UNIQUE_PROPERTIES} properties with unique values, \
             HubSpot's limit"
        )));
    }
    Ok(())
}

/// The options of a property of type `kind`, checked and numbered: what the definition will
/// hold.
pub fn check_options(
    name: &str,
    kind: &str,
    external: bool,
    options: &[OptionInput],
) -> Result<Vec<PropertyOption>, Invalid> {
    if kind == "bool" && options.is_empty() {
        let pair = [("true", "Yes"), ("false", "No")];
        return Ok(pair
            .iter()
            .enumerate()
            .map(|(i, (value, label))| PropertyOption {
                label: (*label).to_string(),
                value: (*value).to_string(),
                hidden: false,
                description: None,
                display_order: i as i32,
            })
            .collect());
    }
    if kind == "enumeration" && options.is_empty() && !external {
        return Err(Invalid(format!(
            "enumeration property {name} needs at least one option"
        )));
    }
    if !matches!(kind, "enumeration" | "bool") && !options.is_empty() {
        return Err(Invalid(format!(
            "property {name} of type {kind} cannot have options (only enumeration and bool can)"
        )));
    }
    let mut out: Vec<PropertyOption> = Vec::with_capacity(options.len());
    for (i, o) in options.iter().enumerate() {
        if o.value.is_empty() {
            return Err(Invalid(format!(
                "option {} of property {name} has an empty value",
                i + 1
            )));
        }
        if out.iter().any(|seen| seen.value == o.value) {
            return Err(Invalid(format!(
                "property {name} has the option value {:?} twice",
                o.value
            )));
        }
        check_label(
            &format!("option {:?} of property {name}:", o.value),
            &o.label,
        )?;
        out.push(PropertyOption {
            label: o.label.clone(),
            value: o.value.clone(),
            hidden: o.hidden,
            description: o.description.clone(),
            display_order: o.display_order.unwrap_or(i as i32),
        });
    }
    Ok(out)
}

/// A ticket stage's `ticketState`: required, `OPEN` or `CLOSED`.
pub fn check_stage(pipeline: &str, stage: &StageInput) -> Result<(), Invalid> {
    check_label("stage", &stage.label)?;
    match stage.metadata.get("ticketState").map(String::as_str) {
        Some("OPEN" | "CLOSED") => Ok(()),
        Some(other) => Err(Invalid(format!(
            "stage {:?} of pipeline {pipeline}: metadata.ticketState must be OPEN or CLOSED, \
             got {other:?}",
            stage.label
        ))),
        None => Err(Invalid(format!(
            "stage {:?} of pipeline {pipeline}: ticket stages need metadata.ticketState \
             (OPEN or CLOSED)",
            stage.label
        ))),
    }
}

/// A whole pipeline's stages: at least one, each valid, labels unique.
pub fn check_stages(pipeline: &str, stages: &[StageInput]) -> Result<(), Invalid> {
    if stages.is_empty() {
        return Err(Invalid(format!(
            "pipeline {pipeline} needs at least one stage"
        )));
    }
    for (i, s) in stages.iter().enumerate() {
        check_stage(pipeline, s)?;
        if stages[..i].iter().any(|o| o.label == s.label) {
            return Err(Invalid(format!(
                "pipeline {pipeline} has two stages labelled {:?}",
                s.label
            )));
        }
    }
    Ok(())
}

/// Why a schema write is refused: a bad definition (400 `VALIDATION_ERROR`) or a name or
/// label already taken (409 `CONFLICT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// 400 `VALIDATION_ERROR`.
    Invalid(String),
    /// 409 `CONFLICT`.
    Conflict(String),
}

impl From<Invalid> for Refused {
    fn from(i: Invalid) -> Self {
        Refused::Invalid(i.0)
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        match r {
            Refused::Invalid(m) => ApiError::validation(m),
            Refused::Conflict(m) => ApiError::new(409, ErrorCategory::CONFLICT, m),
        }
    }
}

/// The definition a [`PropertyCreate`] makes on an object whose properties (archived ones
/// included) are `existing` and groups `groups`: every rule above, the name free (also of
/// archived properties, 409), the group existing, the unique-value count. `reserved` names
/// the store's own columns, which no property may take.
pub fn new_property(
    existing: &[&Property],
    groups: &[PropertyGroup],
    reserved: &[&str],
    input: &PropertyCreate,
    at: DateTime<Utc>,
) -> Result<Property, Refused> {
    check_name("property", &input.name)?;
    check_label("property", &input.label)?;
    check_types(&input.kind, &input.field_type)?;
    if existing.iter().any(|p| p.name == input.name) || reserved.contains(&input.name.as_str()) {
        return Err(Refused::Conflict(format!(
            "Property named {} already exists on tickets",
            input.name
        )));
    }
    check_group(groups, &input.group_name)?;
    if input.has_unique_value {
        let unique = existing
            .iter()
            .filter(|p| !p.archived && p.has_unique_value)
            .count();
        check_unique(&input.kind, &input.field_type, unique)?;
    }
    let options = check_options(
        &input.name,
        &input.kind,
        input.external_options,
        &input.options,
    )?;
    let display_order = input.display_order.unwrap_or_else(|| {
        existing
            .iter()
            .filter(|p| p.group_name == input.group_name)
            .map(|p| p.display_order)
            .max()
            .map_or(0, |m| m + 1)
    });
    Ok(Property {
        name: input.name.clone(),
        label: input.label.clone(),
        kind: input.kind.clone(),
        field_type: input.field_type.clone(),
        group_name: input.group_name.clone(),
        description: input.description.clone().unwrap_or_default(),
        options,
        display_order,
        calculated: false,
        external_options: input.external_options,
        has_unique_value: input.has_unique_value,
        hidden: input.hidden,
        hubspot_defined: false,
        form_field: input.form_field,
        referenced_object_type: input.referenced_object_type.clone(),
        modification_metadata: Some(ModificationMetadata {
            archivable: true,
            read_only_definition: false,
            read_only_value: false,
            read_only_options: Some(false),
        }),
        archived: false,
        created_at: Some(at),
        updated_at: Some(at),
        archived_at: None,
        calculation_formula: input.calculation_formula.clone(),
    })
}

/// The group must exist and be active.
pub fn check_group(groups: &[PropertyGroup], name: &str) -> Result<(), Invalid> {
    if groups.iter().any(|g| g.name == name && !g.archived) {
        Ok(())
    } else {
        Err(Invalid(format!(
            "property group {name} does not exist on tickets: create it first \
             (POST /crm/v3/properties/tickets/groups)"
        )))
    }
}

/// `old` with a [`PropertyUpdate`] applied: HubSpot's own properties (`readOnlyDefinition`)
/// are refused whole; the type pair, group, options and unique-value rules hold for the
/// result. `other_unique` counts the other active unique-value properties. Whether the values
/// tickets hold allow a type change is the store's to decide.
pub fn updated_property(
    old: &Property,
    other_unique: usize,
    groups: &[PropertyGroup],
    input: &PropertyUpdate,
    at: DateTime<Utc>,
) -> Result<Property, Invalid> {
    let name = old.name.as_str();
    if old
        .modification_metadata
        .as_ref()
        .is_some_and(|m| m.read_only_definition)
    {
        return Err(Invalid(format!(
            "property {name} is defined by HubSpot (readOnlyDefinition): its definition cannot \
             be changed"
        )));
    }
    let mut def = old.clone();
    if let Some(label) = &input.label {
        check_label("property", label)?;
        def.label = label.clone();
    }
    if let Some(kind) = &input.kind {
        def.kind = kind.clone();
    }
    if let Some(field_type) = &input.field_type {
        def.field_type = field_type.clone();
    }
    check_types(&def.kind, &def.field_type)?;
    if def.has_unique_value && (def.kind != old.kind || def.field_type != old.field_type) {
        check_unique(&def.kind, &def.field_type, other_unique)?;
    }
    if let Some(group) = &input.group_name {
        check_group(groups, group)?;
        def.group_name = group.clone();
    }
    if let Some(description) = &input.description {
        def.description = description.clone();
    }
    match &input.options {
        Some(options) => {
            def.options = check_options(name, &def.kind, def.external_options, options)?;
        }
        None if def.kind != old.kind => {
            def.options = check_options(name, &def.kind, def.external_options, &[])?;
        }
        None => {}
    }
    if let Some(order) = input.display_order {
        def.display_order = order;
    }
    if let Some(hidden) = input.hidden {
        def.hidden = hidden;
    }
    if let Some(form_field) = input.form_field {
        def.form_field = form_field;
    }
    if let Some(formula) = &input.calculation_formula {
        def.calculation_formula = Some(formula.clone());
    }
    def.updated_at = Some(at);
    Ok(def)
}

/// Whether a property may be archived: only those HubSpot marks `archivable`.
pub fn check_archivable(p: &Property) -> Result<(), Invalid> {
    if p.modification_metadata
        .as_ref()
        .is_some_and(|m| m.archivable)
    {
        Ok(())
    } else {
        Err(Invalid(format!(
            "property {} is defined by HubSpot and cannot be archived",
            p.name
        )))
    }
}

/// A stage built from its input: `metadata.isClosed` follows `ticketState`, as on HubSpot's
/// default pipeline.
pub fn build_stage(id: String, input: &StageInput, at: DateTime<Utc>) -> PipelineStage {
    let mut metadata = input.metadata.clone();
    let closed = metadata.get("ticketState").map(String::as_str) == Some("CLOSED");
    metadata.insert("isClosed".to_string(), closed.to_string());
    PipelineStage {
        id,
        label: input.label.clone(),
        display_order: input.display_order,
        metadata,
        archived: false,
        created_at: at,
        updated_at: at,
        write_permissions: Some("CRM_PERMISSIONS_ENFORCEMENT".to_string()),
    }
}

/// A pipeline label must be free among the other pipelines (409).
pub fn check_pipeline_label(
    existing: &[Pipeline],
    label: &str,
    except: Option<&str>,
) -> Result<(), Refused> {
    check_label("pipeline", label)?;
    if existing
        .iter()
        .any(|p| p.label == label && Some(p.id.as_str()) != except)
    {
        return Err(Refused::Conflict(format!(
            "A ticket pipeline labelled {label:?} already exists"
        )));
    }
    Ok(())
}

/// The pipeline a [`PipelineInput`] creates, its ids taken from `ids` (the pipeline's first,
/// then one per stage).
pub fn new_pipeline(
    existing: &[Pipeline],
    input: &PipelineInput,
    mut ids: impl FnMut() -> String,
    at: DateTime<Utc>,
) -> Result<Pipeline, Refused> {
    check_pipeline_label(existing, &input.label, None)?;
    check_stages(&input.label, &input.stages)?;
    let id = ids();
    let stages = input
        .stages
        .iter()
        .map(|s| build_stage(ids(), s, at))
        .collect();
    Ok(Pipeline {
        id,
        label: input.label.clone(),
        display_order: input.display_order,
        stages,
        archived: false,
        created_at: at,
        updated_at: at,
    })
}

/// A new stage of `pipeline`: valid, its label free in the pipeline.
pub fn check_new_stage(
    pipeline: &Pipeline,
    input: &StageInput,
    except: Option<&str>,
) -> Result<(), Invalid> {
    check_stage(&pipeline.id, input)?;
    if pipeline
        .stages
        .iter()
        .any(|s| s.label == input.label && Some(s.id.as_str()) != except)
    {
        return Err(Invalid(format!(
            "pipeline {} already has a stage labelled {:?}",
            pipeline.id, input.label
        )));
    }
    Ok(())
}

/// The stage input a patch (or, with `replace`, a `PUT`) of `old` makes.
pub fn patched_stage(
    old: &PipelineStage,
    patch: &StagePatch,
    replace: bool,
) -> Result<StageInput, Invalid> {
    if patch.archived == Some(true) {
        return Err(Invalid(format!(
            "delete stage {} with DELETE, not by archiving it",
            old.id
        )));
    }
    let metadata = match (&patch.metadata, replace) {
        (Some(m), true) => m.clone(),
        (Some(m), false) => {
            let mut merged = old.metadata.clone();
            merged.extend(m.clone());
            merged
        }
        (None, _) => old.metadata.clone(),
    };
    Ok(StageInput {
        label: patch.label.clone().unwrap_or_else(|| old.label.clone()),
        display_order: patch.display_order.unwrap_or(old.display_order),
        metadata,
    })
}

/// The message of the 400 that refuses deleting a pipeline or stage tickets are in.
pub fn in_use_message(what: &str, count: i64) -> String {
    format!("{what} cannot be deleted: {count} tickets are in it; move them first")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(value: &str) -> OptionInput {
        OptionInput {
            label: value.to_uppercase(),
            value: value.into(),
            hidden: false,
            description: None,
            display_order: None,
        }
    }

    #[test]
    fn names_types_and_unique_values() {
        assert!(check_name("property", "escalation_level2").is_ok());
        for bad in ["", "Escalation", "2nd", "a-b", "a b"] {
            assert!(check_name("property", bad).is_err(), "{bad}");
        }
        assert!(check_name("property", &"a".repeat(101)).is_err());
        assert!(check_types("datetime", "date").is_ok());
        assert!(check_types("enumeration", "checkbox").is_ok());
        let e = check_types("string", "select").unwrap_err();
        assert!(e.0.contains("text, textarea"), "{e}");
        assert!(check_types("phone", "text").is_err());
        assert!(check_unique("string", "text", 1).is_ok());
        assert!(check_unique("enumeration", "select", 0).is_err());
        assert!(check_unique("number", "number", MAX_UNIQUE_PROPERTIES).is_err());
    }

    #[test]
    fn options_by_type() {
        let b = check_options("vip", "bool", false, &[]).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].value, "true");
        assert!(check_options("lvl", "enumeration", false, &[]).is_err());
        assert!(check_options("owner", "enumeration", true, &[]).is_ok());
        assert!(check_options("n", "number", false, &[opt("1")]).is_err());
        assert!(check_options("lvl", "enumeration", false, &[opt("a"), opt("a")]).is_err());
        assert!(check_options("lvl", "enumeration", false, &[opt("")]).is_err());
        let ok = check_options("lvl", "enumeration", false, &[opt("a"), opt("b")]).unwrap();
        assert_eq!(ok[1].display_order, 1);
    }

    #[test]
    fn stages_need_a_ticket_state() {
        let stage = |label: &str, state: Option<&str>| StageInput {
            label: label.into(),
            display_order: 0,
            metadata: state
                .map(|s| [("ticketState".to_string(), s.to_string())].into())
                .unwrap_or_default(),
        };
        assert!(check_stages("p", &[stage("New", Some("OPEN"))]).is_ok());
        assert!(check_stages("p", &[]).is_err());
        assert!(check_stages("p", &[stage("New", None)]).is_err());
        assert!(check_stages("p", &[stage("New", Some("DONE"))]).is_err());
        let dup = [stage("New", Some("OPEN")), stage("New", Some("CLOSED"))];
        assert!(check_stages("p", &dup).is_err());
    }
}
