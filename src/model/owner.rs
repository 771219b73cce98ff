//! Owners (`/crm/v3/owners`): the users (and queues) a record can be assigned to, by the id
//! `hubspot_owner_id` holds. HubSpot creates owners only in its UI; the API reads them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One owner, as `GET /crm/v3/owners/{ownerId}` answers it (the client's `PublicOwner`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The owner id: the value `hubspot_owner_id` holds.
    pub id: String,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// `PERSON` or `QUEUE`.
    #[serde(rename = "type", default = "person")]
    pub kind: String,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// The HubSpot user behind the owner (absent once the user is deactivated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The user id, kept after the user is deactivated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id_including_inactive: Option<i64>,
    /// Creation time.
    #[serde(with = "super::time::iso_ms")]
    pub created_at: DateTime<Utc>,
    /// Last change.
    #[serde(with = "super::time::iso_ms")]
    pub updated_at: DateTime<Utc>,
    /// Whether the owner is archived (a removed user).
    #[serde(default)]
    pub archived: bool,
    /// The teams the owner belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<OwnerTeam>,
}

fn person() -> String {
    "PERSON".to_string()
}

impl Owner {
    /// "First Last", or the e-mail, or the id: how the owner is shown (the label of its
    /// `hubspot_owner_id` option).
    pub fn display_name(&self) -> String {
        let name = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            self.email.clone().unwrap_or_else(|| self.id.clone())
        } else {
            name
        }
    }
}

/// A team an owner belongs to (the client's `PublicTeam`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerTeam {
    /// The team id (the value `hubspot_team_id` holds).
    pub id: String,
    /// The team's name.
    pub name: String,
    /// Whether this is the owner's primary team.
    #[serde(default)]
    pub primary: bool,
}

/// The query of `GET /crm/v3/owners`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnerQuery {
    /// Only the owner with this e-mail (compared case-insensitively, our choice).
    pub email: Option<String>,
    /// The cursor of the page to read.
    pub after: Option<String>,
    /// Page size (HubSpot's default 100, at most 500).
    pub limit: Option<u32>,
    /// Archived owners instead of active ones.
    pub archived: bool,
}

/// Which id `GET /crm/v3/owners/{ownerId}?idProperty=` names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OwnerIdProperty {
    /// The owner id (the default).
    #[default]
    Id,
    /// The user id.
    UserId,
}

impl OwnerIdProperty {
    /// The query value.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerIdProperty::Id => "id",
            OwnerIdProperty::UserId => "userId",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_serialises_as_the_clients_public_owner() {
        let o = Owner {
            id: "1".into(),
            email: Some("a@example.com".into()),
            kind: person(),
            first_name: Some("Ada".into()),
            last_name: Some("L".into()),
            user_id: Some(7),
            user_id_including_inactive: Some(7),
            created_at: DateTime::default(),
            updated_at: DateTime::default(),
            archived: false,
            teams: vec![OwnerTeam {
                id: "9".into(),
                name: "Support".into(),
                primary: true,
            }],
        };
        let v = serde_json::to_value(&o).unwrap();
        assert_eq!(v["type"], "PERSON");
        assert_eq!(v["firstName"], "Ada");
        assert_eq!(v["userIdIncludingInactive"], 7);
        assert_eq!(v["createdAt"], "1970-01-01T00:00:00.000Z");
        assert_eq!(v["teams"][0]["primary"], true);
        assert_eq!(o.display_name(), "Ada L");
        let back: Owner = serde_json::from_value(v).unwrap();
        assert_eq!(back, o);
    }
}
