//! The property and property-group endpoints (`/crm/v3/properties/{objectType}[...]`) of every
//! stored object type (tickets, contacts, companies, notes, tasks): reads from the type's
//! catalog, writes to the definition tables inside the store's schema write (which reloads the
//! catalog). The definition rules are the model's (`schema_rules`), the same for every type;
//! what differs is only where a type's definitions live (`property_defs` and
//! `property_groups` for tickets, `object_property_defs` and `object_property_groups` keyed by
//! type for the others) and the table its values are columns of.

use rusqlite::{params, Transaction};

use chrono::{DateTime, Utc};

use super::catalog::{sql_type, Catalog, Kind};
use super::schema;
use super::store::{Db, Inner};
use crate::backend::{BackendError, BackendResult, PropertyAnswer, PropertyCall};
use crate::model::{
    schema_rules, ApiError, BatchInput, BatchResponse, ErrorCategory, Property, PropertyBatchRead,
    PropertyCreate, PropertyGroup, PropertyGroupCreate, PropertyGroupUpdate, PropertyName,
    PropertyUpdate, StandardError, MAX_BATCH_INPUTS,
};

/// `GET /crm/v3/properties/{objectType}[?archived=]`: the active (or only the archived)
/// properties, in display order.
pub(super) fn list(cat: &Catalog, archived: bool) -> Vec<Property> {
    cat.props()
        .filter(|p| p.def.archived == archived)
        .map(|p| p.def.clone())
        .collect()
}

/// `GET /crm/v3/properties/{objectType}/{name}[?archived=]`.
pub(super) fn get(cat: &Catalog, name: &str, archived: bool) -> BackendResult<Property> {
    cat.prop_any(name)
        .filter(|p| p.def.archived == archived)
        .map(|p| p.def.clone())
        .ok_or_else(|| not_found(cat, name))
}

/// `GET /crm/v3/properties/{objectType}/groups`: the active groups, in display order.
pub(super) fn groups(cat: &Catalog) -> Vec<PropertyGroup> {
    let mut out: Vec<PropertyGroup> = cat
        .groups()
        .iter()
        .filter(|g| !g.archived)
        .cloned()
        .collect();
    out.sort_by_key(|g| g.display_order);
    out
}

fn group_not_found(cat: &Catalog, name: &str) -> BackendError {
    ApiError::not_found(format!(
        "Unable to find property group {name} for object type {}",
        cat.table()
    ))
    .into()
}

/// `GET /crm/v3/properties/{objectType}/groups/{groupName}`.
pub(super) fn group(cat: &Catalog, name: &str) -> BackendResult<PropertyGroup> {
    cat.groups()
        .iter()
        .find(|g| g.name == name && !g.archived)
        .cloned()
        .ok_or_else(|| group_not_found(cat, name))
}

fn save_group(
    tx: &Transaction<'_>,
    cat: &Catalog,
    g: &PropertyGroup,
    position: usize,
) -> BackendResult<()> {
    let json = schema::to_json(g).db()?;
    if cat.is_tickets() {
        tx.execute(
            "INSERT INTO property_groups(name, position, definition) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET definition = excluded.definition",
            params![g.name, position as i64, json],
        )
    } else {
        tx.execute(
            "INSERT INTO object_property_groups(object_type, name, position, definition)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(object_type, name) DO UPDATE SET definition = excluded.definition",
            params![cat.table(), g.name, position as i64, json],
        )
    }
    .db()
    .map(|_| ())
}

/// `POST /crm/v3/properties/{objectType}/groups` (201). A name taken by an archived group is
/// refused too (409), as its properties may still name it.
pub(super) fn create_group(
    tx: &Transaction<'_>,
    cat: &Catalog,
    input: &PropertyGroupCreate,
) -> BackendResult<PropertyGroup> {
    schema_rules::check_name("property group", &input.name)?;
    schema_rules::check_label("property group", &input.label)?;
    if cat.groups().iter().any(|g| g.name == input.name) {
        return Err(ApiError::new(
            409,
            ErrorCategory::CONFLICT,
            format!("A property group named {} already exists", input.name),
        )
        .into());
    }
    let g = PropertyGroup {
        name: input.name.clone(),
        label: input.label.clone(),
        display_order: input.display_order.unwrap_or_else(|| {
            cat.groups()
                .iter()
                .map(|g| g.display_order)
                .max()
                .unwrap_or(0)
                + 1
        }),
        archived: false,
    };
    save_group(tx, cat, &g, cat.groups().len())?;
    Ok(g)
}

/// `PATCH /crm/v3/properties/{objectType}/groups/{groupName}`.
pub(super) fn update_group(
    tx: &Transaction<'_>,
    cat: &Catalog,
    name: &str,
    input: &PropertyGroupUpdate,
) -> BackendResult<PropertyGroup> {
    let mut g = group(cat, name)?;
    if let Some(label) = &input.label {
        schema_rules::check_label("property group", label)?;
        g.label = label.clone();
    }
    if let Some(order) = input.display_order {
        g.display_order = order;
    }
    save_group(tx, cat, &g, 0)?;
    Ok(g)
}

/// `DELETE /crm/v3/properties/{objectType}/groups/{groupName}` (204): archives the group. Refused
/// (400) while an active property is in it, and for HubSpot's own group (our choices).
pub(super) fn archive_group(tx: &Transaction<'_>, cat: &Catalog, name: &str) -> BackendResult<()> {
    let mut g = group(cat, name)?;
    if g.name == super::object_defs::group(cat.table()) {
        return Err(ApiError::validation(format!(
            "property group {name} is HubSpot's own and cannot be archived"
        ))
        .into());
    }
    let inside: Vec<&str> = cat
        .props()
        .filter(|p| !p.def.archived && p.def.group_name == name)
        .map(|p| p.def.name.as_str())
        .collect();
    if !inside.is_empty() {
        return Err(ApiError::validation(format!(
            "property group {name} still holds properties ({}): move or archive them first",
            inside.join(", ")
        ))
        .into());
    }
    g.archived = true;
    save_group(tx, cat, &g, 0)
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The base columns of every record table, which no property may be named.
const RESERVED: &[&str] = &["id", "archived", "archived_at", "merged_into"];

fn save_property(tx: &Transaction<'_>, cat: &Catalog, def: &Property) -> BackendResult<()> {
    let json = schema::to_json(def).db()?;
    if cat.is_tickets() {
        tx.execute(
            "INSERT INTO property_defs(name, position, definition)
             VALUES (?1, (SELECT coalesce(max(position), -1) + 1 FROM property_defs), ?2)
             ON CONFLICT(name) DO UPDATE SET definition = excluded.definition",
            params![def.name, json],
        )
    } else {
        tx.execute(
            "INSERT INTO object_property_defs(object_type, name, position, definition)
             VALUES (?1, ?2, (SELECT coalesce(max(position), -1) + 1 FROM object_property_defs
                              WHERE object_type = ?1), ?3)
             ON CONFLICT(object_type, name) DO UPDATE SET definition = excluded.definition",
            params![cat.table(), def.name, json],
        )
    }
    .db()
    .map(|_| ())
}

fn unique_index(cat: &Catalog, name: &str) -> String {
    format!("{}_unique_{name}", cat.table())
}

/// Adds the column (and the unique index) a new property's values live in.
fn add_column(tx: &Transaction<'_>, cat: &Catalog, def: &Property) -> BackendResult<()> {
    let ty = sql_type(Kind::of(def));
    tx.execute_batch(&format!(
        "ALTER TABLE {} ADD COLUMN \"{}\" {ty};",
        cat.table(),
        def.name
    ))
    .db()?;
    if def.has_unique_value {
        tx.execute_batch(&format!(
            "CREATE UNIQUE INDEX \"{idx}\" ON {t}(\"{n}\") WHERE \"{n}\" IS NOT NULL;",
            idx = unique_index(cat, &def.name),
            t = cat.table(),
            n = def.name
        ))
        .db()?;
    }
    Ok(())
}

/// `POST /crm/v3/properties/{objectType}` (201): the definition, and a column for its values,
/// so records can carry it at once.
pub(super) fn create(
    tx: &Transaction<'_>,
    cat: &Catalog,
    input: &PropertyCreate,
) -> BackendResult<Property> {
    let existing: Vec<&Property> = cat.props().map(|p| &p.def).collect();
    let def = schema_rules::new_property(&existing, cat.groups(), RESERVED, input, now())?;
    add_column(tx, cat, &def)?;
    save_property(tx, cat, &def)?;
    Ok(def)
}

fn not_found(cat: &Catalog, name: &str) -> BackendError {
    ApiError::not_found(format!(
        "Unable to find property {name} for object type {}",
        cat.table()
    ))
    .into()
}

fn active<'a>(cat: &'a Catalog, name: &str) -> BackendResult<&'a Property> {
    cat.prop(name)
        .map(|p| &p.def)
        .ok_or_else(|| not_found(cat, name))
}

/// How many records (archived ones included) hold a value of `name`.
fn records_with_values(tx: &Transaction<'_>, cat: &Catalog, name: &str) -> BackendResult<i64> {
    tx.query_row(
        &format!(
            "SELECT count(*) FROM {} WHERE \"{name}\" IS NOT NULL",
            cat.table()
        ),
        [],
        |r| r.get(0),
    )
    .db()
}

/// `PATCH /crm/v3/properties/{objectType}/{propertyName}`: what is sent changes. HubSpot's own
/// properties (`readOnlyDefinition`) are refused whole. A change of type that changes how
/// values are stored is refused while any record holds a value (our choice: HubSpot converts
/// or refuses case by case); without values, the column is rebuilt with the new type.
pub(super) fn update(
    tx: &Transaction<'_>,
    cat: &Catalog,
    name: &str,
    input: &PropertyUpdate,
) -> BackendResult<Property> {
    let old = active(cat, name)?;
    let others = cat
        .props()
        .filter(|p| !p.def.archived && p.def.has_unique_value && p.def.name != name)
        .count();
    let def = schema_rules::updated_property(old, others, cat.groups(), input, now())?;
    let (old_kind, new_kind) = (Kind::of(old), Kind::of(&def));
    if sql_type(old_kind) != sql_type(new_kind) || old_kind != new_kind {
        let holding = records_with_values(tx, cat, name)?;
        if holding > 0 {
            return Err(ApiError::validation(format!(
                "property {name} holds values on {holding} {}: its type cannot change from \
                 {}/{} to {}/{} while it does (clear them first)",
                cat.table(),
                old.kind,
                old.field_type,
                def.kind,
                def.field_type
            ))
            .into());
        }
        if def.has_unique_value {
            tx.execute_batch(&format!(
                "DROP INDEX IF EXISTS \"{}\";",
                unique_index(cat, name)
            ))
            .db()?;
        }
        tx.execute_batch(&format!(
            "ALTER TABLE {} DROP COLUMN \"{name}\";",
            cat.table()
        ))
        .db()?;
        add_column(tx, cat, &def)?;
    }
    save_property(tx, cat, &def)?;
    Ok(def)
}

/// `DELETE /crm/v3/properties/{objectType}/{propertyName}` (204): archives it. Its column and
/// values stay (HubSpot can restore an archived property); it is invisible to reads, writes
/// and searches, and its name cannot be taken again. HubSpot's own properties are refused.
pub(super) fn archive(tx: &Transaction<'_>, cat: &Catalog, name: &str) -> BackendResult<()> {
    let mut def = active(cat, name)?.clone();
    if !def
        .modification_metadata
        .as_ref()
        .is_some_and(|m| m.archivable)
    {
        return Err(ApiError::validation(format!(
            "property {name} is defined by HubSpot and cannot be archived"
        ))
        .into());
    }
    def.archived = true;
    def.archived_at = Some(now());
    save_property(tx, cat, &def)
}

/// `POST /crm/v3/properties/{objectType}/batch/read`: the named properties that exist (active, or
/// archived with `archived: true`); the others are reported as errors (207), as the objects'
/// batch read does.
pub(super) fn batch_read(cat: &Catalog, input: &PropertyBatchRead) -> BatchResponse<Property> {
    let started = now();
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for PropertyName { name } in &input.inputs {
        match cat
            .prop_any(name)
            .filter(|p| p.def.archived == input.archived)
        {
            Some(p) => results.push(p.def.clone()),
            None => missing.push(name.clone()),
        }
    }
    let mut out = BatchResponse::complete(results, started);
    if !missing.is_empty() {
        out.errors = vec![StandardError {
            status: "error".into(),
            category: "OBJECT_NOT_FOUND".into(),
            message: format!("Could not find properties: {}", missing.join(", ")),
            context: [("names".to_string(), missing)].into(),
            errors: Vec::new(),
            links: Default::default(),
            id: None,
            sub_category: None,
        }];
        out.num_errors = Some(out.errors.len() as u32);
    }
    out
}

/// `POST /crm/v3/properties/{objectType}/batch/create` (201): every input or none (one
/// transaction); the catalog is read back after each, so two inputs of one name conflict.
pub(super) fn batch_create(
    tx: &Transaction<'_>,
    cat: &Catalog,
    input: &BatchInput<PropertyCreate>,
) -> BackendResult<BatchResponse<Property>> {
    check_batch_size(input.inputs.len())?;
    let started = now();
    let mut current = cat.clone();
    let mut results = Vec::with_capacity(input.inputs.len());
    for item in &input.inputs {
        results.push(create(tx, &current, item)?);
        current = reload(tx, cat)?;
    }
    Ok(BatchResponse::complete(results, started))
}

/// `POST /crm/v3/properties/{objectType}/batch/archive` (204): every input or none; an unknown
/// name is a 404.
pub(super) fn batch_archive(
    tx: &Transaction<'_>,
    cat: &Catalog,
    input: &BatchInput<PropertyName>,
) -> BackendResult<()> {
    check_batch_size(input.inputs.len())?;
    let mut current = cat.clone();
    for PropertyName { name } in &input.inputs {
        archive(tx, &current, name)?;
        current = reload(tx, cat)?;
    }
    Ok(())
}

/// The catalog of `cat`'s object type as `tx` now sees it.
fn reload(tx: &Transaction<'_>, cat: &Catalog) -> BackendResult<Catalog> {
    let tickets = schema::read_catalog(tx).map_err(ApiError::internal)?;
    schema::catalog_of(&tickets, cat.table())
}

fn check_batch_size(n: usize) -> BackendResult<()> {
    if n > MAX_BATCH_INPUTS {
        return Err(ApiError::validation(format!(
            "a batch takes at most {MAX_BATCH_INPUTS} inputs, got {n}"
        ))
        .into());
    }
    Ok(())
}

/// Any call of `/crm/v3/properties/{objectType}` on the object type named `ty` (tickets
/// included): reads on a reader, writes in one schema write, each with the type's catalog.
pub(super) fn call(inner: &Inner, ty: &str, call: PropertyCall) -> BackendResult<PropertyAnswer> {
    use PropertyAnswer as A;
    let read = |f: &dyn Fn(&Catalog) -> BackendResult<PropertyAnswer>| {
        inner.read(|_, tickets| f(&schema::catalog_of(tickets, ty)?))
    };
    let write = |f: &dyn Fn(&Transaction<'_>, &Catalog) -> BackendResult<PropertyAnswer>| {
        inner.write_schema(|tx, tickets| f(tx, &schema::catalog_of(tickets, ty)?))
    };
    match call {
        PropertyCall::List { archived } => read(&|cat| Ok(A::Properties(list(cat, archived)))),
        PropertyCall::Get { name, archived } => {
            read(&|cat| get(cat, &name, archived).map(A::Property))
        }
        PropertyCall::Create(input) => write(&|tx, cat| create(tx, cat, &input).map(A::Property)),
        PropertyCall::Update { name, input } => {
            write(&|tx, cat| update(tx, cat, &name, &input).map(A::Property))
        }
        PropertyCall::Archive { name } => {
            write(&|tx, cat| archive(tx, cat, &name).map(|()| A::Done))
        }
        PropertyCall::BatchRead(input) => read(&|cat| Ok(A::Batch(batch_read(cat, &input)))),
        PropertyCall::BatchCreate(input) => {
            write(&|tx, cat| batch_create(tx, cat, &input).map(A::Batch))
        }
        PropertyCall::BatchArchive(input) => {
            write(&|tx, cat| batch_archive(tx, cat, &input).map(|()| A::Done))
        }
        PropertyCall::Groups => read(&|cat| Ok(A::Groups(groups(cat)))),
        PropertyCall::Group { name } => read(&|cat| group(cat, &name).map(A::Group)),
        PropertyCall::CreateGroup(input) => {
            write(&|tx, cat| create_group(tx, cat, &input).map(A::Group))
        }
        PropertyCall::UpdateGroup { name, input } => {
            write(&|tx, cat| update_group(tx, cat, &name, &input).map(A::Group))
        }
        PropertyCall::ArchiveGroup { name } => {
            write(&|tx, cat| archive_group(tx, cat, &name).map(|()| A::Done))
        }
    }
}
