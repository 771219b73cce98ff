//! Association labels (`/crm/v4/associations/{fromObjectType}/{toObjectType}/labels`): the
//! USER_DEFINED association types a portal adds between two object types. A label is one
//! type in each direction: `label` from → to, `inverseLabel` (or the same label) to → from.
//! Also the one rule for which types an association from a ticket may carry
//! ([`check_pair_type`]) and how a script names one ([`find_pair_type`]).

use serde::{Deserialize, Serialize};

use super::association::{AssociationCategory, AssociationSpec, AssociationSpecWithLabel};

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

/// The one rule for the types an association between a ticket and a record of `to` may carry:
/// each must be one of the pair's types as `GET /crm/v4/associations/tickets/{to}/labels` lists
/// them (`pair_types`: HubSpot's own and the portal's USER_DEFINED labels), in its category. The
/// sandbox judges every association write with it (against its own listing), and a dry run judges
/// a planned one with it against the listing the backend answers, so both refuse the same type
/// with the same message. HubSpot answers such a type with a 400 `VALIDATION_ERROR`.
pub fn check_pair_type<'a>(
    pair_types: &'a [AssociationSpecWithLabel],
    spec: &AssociationSpec,
    to: &str,
) -> Result<&'a AssociationSpecWithLabel, String> {
    pair_types
        .iter()
        .find(|t| t.category == spec.association_category && t.type_id == spec.association_type_id)
        .ok_or_else(|| match spec.association_category {
            AssociationCategory::UserDefined => format!(
                "association type {} (USER_DEFINED) is not a label from tickets to {to}: list them with GET /crm/v4/associations/tickets/{to}/labels",
                spec.association_type_id
            ),
            c => format!(
                "association type {} ({}) does not link tickets to {to}",
                spec.association_type_id,
                c.as_str()
            ),
        })
}

/// Finds a type of the pair by what a script names it with: its label (`"Billing contact"`,
/// `"Primary"`, case-insensitive) or its type id (`1001` or `"1001"`; when HubSpot's own type and
/// a portal label share an id, the label wins: the script asked for a label). The answer is the
/// spec to send; an unknown name lists the pair's labels.
pub fn find_pair_type(
    pair_types: &[AssociationSpecWithLabel],
    key: &str,
    to: &str,
) -> Result<AssociationSpec, String> {
    let key = key.trim();
    let by_id = key.parse::<i32>().ok();
    let found = pair_types
        .iter()
        .filter(|t| match by_id {
            Some(id) => t.type_id == id,
            None => t
                .label
                .as_deref()
                .is_some_and(|l| l.eq_ignore_ascii_case(key)),
        })
        .max_by_key(|t| t.category == AssociationCategory::UserDefined);
    match found {
        Some(t) => Ok(AssociationSpec {
            association_category: t.category,
            association_type_id: t.type_id,
        }),
        None => {
            let known: Vec<String> = pair_types
                .iter()
                .filter_map(|t| t.label.as_ref().map(|l| format!("{l} ({})", t.type_id)))
                .collect();
            Err(format!(
                "no association label {key} from tickets to {to}; the labels are: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing() -> Vec<AssociationSpecWithLabel> {
        let spec = |category, type_id, label: Option<&str>| AssociationSpecWithLabel {
            category,
            type_id,
            label: label.map(str::to_string),
        };
        vec![
            spec(AssociationCategory::HubspotDefined, 339, None),
            spec(AssociationCategory::HubspotDefined, 26, Some("Primary")),
            spec(
                AssociationCategory::UserDefined,
                1001,
                Some("Billing account"),
            ),
            // A portal label sharing an id with one of HubSpot's types.
            spec(AssociationCategory::UserDefined, 26, Some("Reseller")),
        ]
    }

    fn user(id: i32) -> AssociationSpec {
        AssociationSpec {
            association_category: AssociationCategory::UserDefined,
            association_type_id: id,
        }
    }

    #[test]
    fn a_type_must_be_one_of_the_pair_in_its_category() {
        let known = listing();
        assert!(check_pair_type(&known, &user(1001), "companies").is_ok());
        assert!(check_pair_type(&known, &AssociationSpec::hubspot(339), "companies").is_ok());
        let e = check_pair_type(&known, &user(339), "companies").unwrap_err();
        assert!(
            e.contains("339 (USER_DEFINED) is not a label from tickets to companies"),
            "{e}"
        );
        let e = check_pair_type(&known, &AssociationSpec::hubspot(1001), "companies").unwrap_err();
        assert_eq!(
            e,
            "association type 1001 (HUBSPOT_DEFINED) does not link tickets to companies"
        );
        let integrator = AssociationSpec {
            association_category: AssociationCategory::IntegratorDefined,
            association_type_id: 1001,
        };
        assert!(check_pair_type(&known, &integrator, "companies").is_err());
    }

    #[test]
    fn a_script_names_a_type_by_label_or_id_and_labels_win_a_shared_id() {
        let known = listing();
        assert_eq!(
            find_pair_type(&known, "billing ACCOUNT", "companies"),
            Ok(user(1001))
        );
        assert_eq!(
            find_pair_type(&known, " 1001 ", "companies"),
            Ok(user(1001))
        );
        assert_eq!(
            find_pair_type(&known, "Primary", "companies"),
            Ok(AssociationSpec::hubspot(26))
        );
        assert_eq!(find_pair_type(&known, "26", "companies"), Ok(user(26)));
        let e = find_pair_type(&known, "Partner", "companies").unwrap_err();
        assert!(
            e.contains("no association label Partner from tickets to companies"),
            "{e}"
        );
        assert!(
            e.contains("Billing account (1001)") && e.contains("Primary (26)"),
            "{e}"
        );
        assert!(find_pair_type(&[], "x", "notes")
            .unwrap_err()
            .ends_with("none"));
    }
}
