//! The association label endpoints (`/crm/v4/associations/{from}/{to}/labels`): HubSpot's own
//! types between the pair (from the model's table, for pairs from tickets) and the portal's
//! USER_DEFINED labels, stored in `association_labels` and read through the catalog.
//!
//! Choices where HubSpot is unconfirmed: a label is two types (from → to with `label`, to →
//! from with `inverseLabel` or the same label), with ids from the schema counter, and a create
//! answers both; `name` follows the property-name rule and is unique per pair (409); object
//! types are the ones the sandbox knows (`model::object_types`), anything else a 400; deleting
//! a label removes both directions.
//!
//! Deleting a label that associations carry: HubSpot's API reference documents only the 204;
//! its knowledge base ("Create and use association labels") describes deleting a label from
//! the settings, after which the records stay associated without it. The sandbox does the
//! same: the label goes from every association that carries it (in both directions), the
//! unlabelled association stays. Nothing is refused.

use rusqlite::{params, Transaction};

use super::catalog::Catalog;
use super::schema;
use super::store::Db;
use crate::backend::{BackendError, BackendResult};
use crate::model::object_types::{known_object_type, types_from_tickets};
use crate::model::schema_rules::{self, Refused};
use crate::model::{
    ApiError, AssociationLabel, AssociationLabelCreate, AssociationLabelUpdate,
    AssociationSpecWithLabel,
};

/// The plural names of a pair of object types (400 when one is unknown).
fn pair(from: &str, to: &str) -> BackendResult<(String, String)> {
    let f = known_object_type(from).map_err(ApiError::validation)?;
    let t = known_object_type(to).map_err(ApiError::validation)?;
    Ok((f.plural.to_string(), t.plural.to_string()))
}

/// `GET .../labels`: HubSpot's types (from tickets), then the pair's USER_DEFINED labels.
pub(super) fn list(
    cat: &Catalog,
    from: &str,
    to: &str,
) -> BackendResult<Vec<AssociationSpecWithLabel>> {
    let (from, to) = pair(from, to)?;
    let mut out: Vec<AssociationSpecWithLabel> = if from == "tickets" {
        types_from_tickets(&to)
            .map(|t| AssociationSpecWithLabel {
                category: crate::model::AssociationCategory::HubspotDefined,
                type_id: t.id,
                label: t.label.map(str::to_string),
            })
            .collect()
    } else {
        Vec::new()
    };
    out.extend(
        cat.labels()
            .iter()
            .filter(|l| l.from_type == from && l.to_type == to)
            .map(AssociationLabel::spec),
    );
    Ok(out)
}

fn save(tx: &Transaction<'_>, l: &AssociationLabel) -> BackendResult<()> {
    tx.execute(
        "INSERT INTO association_labels(type_id, definition) VALUES (?1, ?2)
         ON CONFLICT(type_id) DO UPDATE SET definition = excluded.definition",
        params![l.type_id, schema::to_json(l).db()?],
    )
    .db()
    .map(|_| ())
}

fn next_type_id(tx: &Transaction<'_>) -> BackendResult<i32> {
    let id = schema::next_id(tx).db()?;
    id.parse::<i32>()
        .map_err(|_| ApiError::internal(format!("association type id {id} out of range")).into())
}

/// `POST .../labels`: both directions of a new label.
pub(super) fn create(
    tx: &Transaction<'_>,
    cat: &Catalog,
    from: &str,
    to: &str,
    input: &AssociationLabelCreate,
) -> BackendResult<Vec<AssociationSpecWithLabel>> {
    let (from, to) = pair(from, to)?;
    schema_rules::check_name("association label", &input.name)?;
    schema_rules::check_label("association label", &input.label)?;
    if let Some(inverse) = &input.inverse_label {
        schema_rules::check_label("association label inverse", inverse)?;
    }
    let taken = cat.labels().iter().any(|l| {
        l.name == input.name
            && ((l.from_type == from && l.to_type == to)
                || (l.from_type == to && l.to_type == from))
    });
    if taken {
        return Err(BackendError::from(Refused::Conflict(format!(
            "an association label named {} already exists between {from} and {to}",
            input.name
        ))));
    }
    let (forward_id, inverse_id) = (next_type_id(tx)?, next_type_id(tx)?);
    let forward = AssociationLabel {
        type_id: forward_id,
        from_type: from.clone(),
        to_type: to.clone(),
        name: input.name.clone(),
        label: input.label.clone(),
        inverse_type_id: inverse_id,
    };
    let inverse = AssociationLabel {
        type_id: inverse_id,
        from_type: to,
        to_type: from,
        name: input.name.clone(),
        label: input
            .inverse_label
            .clone()
            .unwrap_or_else(|| input.label.clone()),
        inverse_type_id: forward_id,
    };
    save(tx, &forward)?;
    save(tx, &inverse)?;
    Ok(vec![forward.spec(), inverse.spec()])
}

fn find<'a>(
    cat: &'a Catalog,
    from: &str,
    to: &str,
    type_id: i32,
) -> BackendResult<&'a AssociationLabel> {
    cat.labels()
        .iter()
        .find(|l| l.type_id == type_id && l.from_type == from && l.to_type == to)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no USER_DEFINED association type {type_id} from {from} to {to}"
            ))
            .into()
        })
}

/// `PUT .../labels`: relabels a type (and its inverse, when `inverseLabel` is given).
pub(super) fn update(
    tx: &Transaction<'_>,
    cat: &Catalog,
    from: &str,
    to: &str,
    input: &AssociationLabelUpdate,
) -> BackendResult<()> {
    let (from, to) = pair(from, to)?;
    schema_rules::check_label("association label", &input.label)?;
    let mut forward = find(cat, &from, &to, input.association_type_id)?.clone();
    forward.label = input.label.clone();
    save(tx, &forward)?;
    if let Some(inverse_label) = &input.inverse_label {
        schema_rules::check_label("association label inverse", inverse_label)?;
        let mut inverse = find(cat, &to, &from, forward.inverse_type_id)?.clone();
        inverse.label = inverse_label.clone();
        save(tx, &inverse)?;
    }
    Ok(())
}

/// `DELETE .../labels/{associationTypeId}`: both directions, and the label from every
/// association that carries it (the records stay associated by the unlabelled type).
pub(super) fn delete(
    tx: &Transaction<'_>,
    cat: &Catalog,
    from: &str,
    to: &str,
    type_id: i32,
) -> BackendResult<()> {
    let (from, to) = pair(from, to)?;
    let forward = find(cat, &from, &to, type_id)?;
    let ids = [forward.type_id, forward.inverse_type_id];
    tx.execute(
        "DELETE FROM associations WHERE type_id IN (?1, ?2) AND category = 'USER_DEFINED'",
        params![ids[0], ids[1]],
    )
    .db()?;
    tx.execute(
        "DELETE FROM association_labels WHERE type_id IN (?1, ?2)",
        params![ids[0], ids[1]],
    )
    .db()
    .map(|_| ())
}
