//! Association labels (`/crm/v4/associations/{fromObjectType}/{toObjectType}/labels`): the
//! USER_DEFINED association types a portal adds between two object types. A label is one
//! type in each direction: `label` from → to, `inverseLabel` (or the same label) to → from.

use serde::{Deserialize, Serialize};

use super::association::{AssociationCategory, AssociationSpecWithLabel};

/// `POST .../labels` (`PublicAssociationDefinitionCreateRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationLabelCreate {
    /// Internal name (lowercase letters, digits and underscores).
    pub name: String,
    /// The label from → to.
    pub label: String,
    /// The label to → from (the same label when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverse_label: Option<String>,
}

/// `PUT .../labels` (`PublicAssociationDefinitionUpdateRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationLabelUpdate {
    /// The type (from → to) to relabel.
    pub association_type_id: i32,
    /// Its new label.
    pub label: String,
    /// The new label of the inverse type, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inverse_label: Option<String>,
}

/// One stored USER_DEFINED type: a direction of a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssociationLabel {
    /// The type id.
    pub type_id: i32,
    /// From this object type (plural name).
    pub from_type: String,
    /// To this object type (plural name).
    pub to_type: String,
    /// The internal name the label was created with.
    pub name: String,
    /// The label shown.
    pub label: String,
    /// The type of the other direction.
    pub inverse_type_id: i32,
}

impl AssociationLabel {
    /// The v4 form (`{category: USER_DEFINED, typeId, label}`).
    pub fn spec(&self) -> AssociationSpecWithLabel {
        AssociationSpecWithLabel {
            category: AssociationCategory::UserDefined,
            type_id: self.type_id,
            label: Some(self.label.clone()),
        }
    }
}
