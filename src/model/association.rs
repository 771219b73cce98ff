//! Associations between a ticket and other records: the inline form used on create, the v3
//! `{id, type}` listing and the v4 labelled forms.

use serde::{Deserialize, Serialize};

use super::ticket::Paging;
use super::values::scalar_string;

/// Who defined an association type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssociationCategory {
    /// Built into HubSpot (the types of the reference's section 10).
    HubspotDefined,
    /// A custom label.
    UserDefined,
    /// Defined by an integration.
    IntegratorDefined,
    /// Work associations.
    Work,
}

impl AssociationCategory {
    /// HubSpot's spelling (`HUBSPOT_DEFINED`), as sent and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HubspotDefined => "HUBSPOT_DEFINED",
            Self::UserDefined => "USER_DEFINED",
            Self::IntegratorDefined => "INTEGRATOR_DEFINED",
            Self::Work => "WORK",
        }
    }
}

/// `{associationCategory, associationTypeId}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationSpec {
    /// Who defined the type.
    pub association_category: AssociationCategory,
    /// The type id, e.g. 16 for ticket to contact.
    pub association_type_id: i32,
}

impl AssociationSpec {
    /// A HubSpot-defined type.
    pub fn hubspot(type_id: i32) -> Self {
        Self {
            association_category: AssociationCategory::HubspotDefined,
            association_type_id: type_id,
        }
    }
}

/// `{"id": "..."}` inside an association input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectIdRef {
    /// The target record's id.
    #[serde(deserialize_with = "scalar_string::deserialize")]
    pub id: String,
}

/// An inline association on create: `{"to": {"id": "201"}, "types": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociationInput {
    /// The target record.
    pub to: ObjectIdRef,
    /// The association types to create.
    pub types: Vec<AssociationSpec>,
}

/// `{id, type}` in a v3 association listing (`type` such as `ticket_to_contact`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociatedId {
    /// The associated record's id.
    #[serde(deserialize_with = "scalar_string::deserialize")]
    pub id: String,
    /// The type name, e.g. `ticket_to_contact`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// A page of `AssociatedId`s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssociatedIdPage {
    /// The associated ids.
    pub results: Vec<AssociatedId>,
    /// Present when more follow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}

/// Response of the v4 labelled association PUT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelsBetweenObjectPair {
    /// `0-5` for tickets.
    pub from_object_type_id: String,
    /// The ticket id.
    #[serde(deserialize_with = "scalar_string::deserialize")]
    pub from_object_id: String,
    /// The target's object type id (e.g. `0-1`).
    pub to_object_type_id: String,
    /// The target id.
    #[serde(deserialize_with = "scalar_string::deserialize")]
    pub to_object_id: String,
    /// Labels of the associations between the pair (unlabelled types are omitted).
    pub labels: Vec<String>,
}

/// One association type in a v4 listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationSpecWithLabel {
    /// Who defined the type.
    pub category: AssociationCategory,
    /// The type id.
    pub type_id: i32,
    /// The label; `null` for the unlabelled type.
    pub label: Option<String>,
}

/// One associated record in a v4 listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MultiAssociatedObjectWithLabel {
    /// The associated record's id. HubSpot's captures show a JSON number; the sandbox sends a
    /// number too and this accepts both.
    #[serde(
        deserialize_with = "scalar_string::deserialize",
        serialize_with = "id_as_number"
    )]
    pub to_object_id: String,
    /// The association types between the pair.
    pub association_types: Vec<AssociationSpecWithLabel>,
}

fn id_as_number<S: serde::Serializer>(id: &str, s: S) -> Result<S::Ok, S::Error> {
    match id.parse::<u64>() {
        Ok(n) => s.serialize_u64(n),
        Err(_) => s.serialize_str(id),
    }
}

/// One input of the v4 batch association endpoints (`POST /crm/v4/associations/{from}/{to}/
/// batch/create` and `.../batch/labels/archive`): `{from:{id}, to:{id}, types:[AssociationSpec]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssociationBatchItem {
    /// The ticket.
    pub from: ObjectIdRef,
    /// The target record.
    pub to: ObjectIdRef,
    /// The association types to create (or, for `labels/archive`, to remove).
    pub types: Vec<AssociationSpec>,
}

impl AssociationBatchItem {
    /// An input linking ticket `from` to record `to` with `types`.
    pub fn new(
        from: impl Into<String>,
        to: impl Into<String>,
        types: Vec<AssociationSpec>,
    ) -> Self {
        Self {
            from: ObjectIdRef { id: from.into() },
            to: ObjectIdRef { id: to.into() },
            types,
        }
    }
}

/// One result of the v4 batch association read (`POST /crm/v4/associations/{from}/{to}/batch/
/// read`, HubSpot's `PublicAssociationMultiWithLabel`): a record and what it is associated with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssociationsOf {
    /// The record read.
    pub from: ObjectIdRef,
    /// Its associated records, each with its association types.
    pub to: Vec<MultiAssociatedObjectWithLabel>,
    /// Present when more follow (a record with more than one page of associations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
}
