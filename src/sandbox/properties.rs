//! The property and property-group endpoints (`/crm/v3/properties/tickets[...]`): reads from
//! the catalog, writes to the definition tables inside the store's schema write (which reloads
//! the catalog). The definition rules are the model's (`schema_rules`).

use rusqlite::{params, Transaction};

use super::catalog::Catalog;
use super::schema;
use super::store::Db;
use crate::backend::{BackendError, BackendResult};
use crate::model::{
    schema_rules, ApiError, ErrorCategory, Property, PropertyGroup, PropertyGroupCreate,
    PropertyGroupUpdate,
};

/// `GET /crm/v3/properties/tickets[?archived=]`: the active (or only the archived) properties,
/// in display order.
pub(super) fn list(cat: &Catalog, archived: bool) -> Vec<Property> {
    cat.props()
        .filter(|p| p.def.archived == archived)
        .map(|p| p.def.clone())
        .collect()
}

/// `GET /crm/v3/properties/tickets/{name}[?archived=]`.
pub(super) fn get(cat: &Catalog, name: &str, archived: bool) -> BackendResult<Property> {
    cat.prop_any(name)
        .filter(|p| p.def.archived == archived)
        .map(|p| p.def.clone())
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Unable to find property {name} for object type tickets"
            ))
            .into()
        })
}

/// `GET /crm/v3/properties/tickets/groups`: the active groups, in display order.
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

fn group_not_found(name: &str) -> BackendError {
    ApiError::not_found(format!(
        "Unable to find property group {name} for object type tickets"
    ))
    .into()
}

/// `GET /crm/v3/properties/tickets/groups/{groupName}`.
pub(super) fn group(cat: &Catalog, name: &str) -> BackendResult<PropertyGroup> {
    cat.groups()
        .iter()
        .find(|g| g.name == name && !g.archived)
        .cloned()
        .ok_or_else(|| group_not_found(name))
}

fn save_group(tx: &Transaction<'_>, g: &PropertyGroup, position: usize) -> BackendResult<()> {
    tx.execute(
        "INSERT INTO property_groups(name, position, definition) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET definition = excluded.definition",
        params![g.name, position as i64, schema::to_json(g).db()?],
    )
    .db()
    .map(|_| ())
}

/// `POST /crm/v3/properties/tickets/groups` (201). A name taken by an archived group is
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
    save_group(tx, &g, cat.groups().len())?;
    Ok(g)
}

/// `PATCH /crm/v3/properties/tickets/groups/{groupName}`.
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
    save_group(tx, &g, 0)?;
    Ok(g)
}

/// `DELETE /crm/v3/properties/tickets/groups/{groupName}` (204): archives the group. Refused
/// (400) while an active property is in it, and for HubSpot's own group (our choices).
pub(super) fn archive_group(tx: &Transaction<'_>, cat: &Catalog, name: &str) -> BackendResult<()> {
    let mut g = group(cat, name)?;
    if g.name == super::definitions::TICKET_GROUP {
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
    save_group(tx, &g, 0)
}
