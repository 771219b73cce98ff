//! The schema `check --schema` compares scripts with, read once from the backend: ticket
//! property definitions, pipelines with their stages, owners, and the property definitions of
//! companies and contacts when a script reads those. Only reads: checking never writes.

use crate::backend::{BackendError, TicketsBackend};
use crate::model::{OwnerQuery, Pipeline, Property};

/// Owners read per page (HubSpot's maximum).
const OWNER_PAGE: u32 = 500;
/// At most this many owner pages (250,000 owners): a bound, not a portal anyone has.
const OWNER_PAGES_MAX: usize = 500;

/// What the backend says exists.
#[derive(Debug, Clone, Default)]
pub struct SchemaFacts {
    /// Ticket property definitions.
    pub tickets: Vec<Property>,
    /// Company property definitions; `None` when not read (no script reads companies) or the
    /// backend has none to give.
    pub companies: Option<Vec<Property>>,
    /// Contact property definitions, as `companies`.
    pub contacts: Option<Vec<Property>>,
    /// Ticket pipelines with their stages.
    pub pipelines: Vec<Pipeline>,
    /// Active owners' ids; `None` when the backend would not list them (no owners API, or a
    /// token without the owners scope): owner ids are then not checked.
    pub owners: Option<Vec<String>>,
    /// Why a part of the schema could not be read and is not checked, to say once.
    pub notes: Vec<String>,
}

/// Which parts to read beyond tickets, pipelines and owners.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemaWants {
    /// Read company property definitions.
    pub companies: bool,
    /// Read contact property definitions.
    pub contacts: bool,
}

impl SchemaFacts {
    /// Reads the schema from `backend`. Ticket properties and pipelines must be readable (an
    /// error is returned); owners and other objects' properties are optional and a refusal
    /// (403, 404) only leaves them unchecked, with a note.
    pub async fn read(
        backend: &dyn TicketsBackend,
        wants: SchemaWants,
    ) -> Result<SchemaFacts, BackendError> {
        let mut facts = SchemaFacts {
            tickets: backend.properties().await?,
            pipelines: backend.pipelines().await?,
            ..SchemaFacts::default()
        };
        match read_owners(backend).await {
            Ok(ids) => facts.owners = Some(ids),
            Err(e) if optional(&e) => facts.notes.push(format!(
                "owner ids are not checked: the backend would not list owners ({e})"
            )),
            Err(e) => return Err(e),
        }
        for (wanted, ty, slot) in [
            (wants.companies, "companies", &mut facts.companies),
            (wants.contacts, "contacts", &mut facts.contacts),
        ] {
            if !wanted {
                continue;
            }
            match backend.object_properties(ty).await {
                Ok(defs) => *slot = Some(defs),
                Err(e) if optional(&e) => facts.notes.push(format!(
                    "{ty} properties are not checked: the backend would not list them ({e})"
                )),
                Err(e) => return Err(e),
            }
        }
        Ok(facts)
    }

    /// The definitions of `object` (`tickets`, `companies`, `contacts`), when read.
    pub(super) fn properties(&self, object: &str) -> Option<&[Property]> {
        match object {
            "tickets" => Some(&self.tickets),
            "companies" => self.companies.as_deref(),
            "contacts" => self.contacts.as_deref(),
            _ => None,
        }
    }
}

/// A refusal that leaves a part unchecked rather than failing the check: the endpoint does not
/// exist there (404) or the token lacks its scope (403).
fn optional(e: &BackendError) -> bool {
    matches!(e.http_status(), Some(403 | 404))
}

async fn read_owners(backend: &dyn TicketsBackend) -> Result<Vec<String>, BackendError> {
    let mut ids = Vec::new();
    let mut query = OwnerQuery {
        limit: Some(OWNER_PAGE),
        ..OwnerQuery::default()
    };
    for _ in 0..OWNER_PAGES_MAX {
        let page = backend.owners(&query).await?;
        ids.extend(page.results.iter().map(|o| o.id.clone()));
        match page.next_after() {
            Some(after) => query.after = Some(after.to_string()),
            None => break,
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::fake::FakeBackend;

    #[tokio::test]
    async fn owners_and_other_types_a_backend_lacks_are_left_unchecked_with_a_note() {
        let backend = FakeBackend::default();
        let facts = SchemaFacts::read(
            &backend,
            SchemaWants {
                companies: true,
                contacts: false,
            },
        )
        .await
        .unwrap();
        assert!(!facts.tickets.is_empty());
        assert!(!facts.pipelines.is_empty());
        assert_eq!(facts.owners, None);
        assert_eq!(facts.companies, None);
        assert_eq!(facts.notes.len(), 2, "{:?}", facts.notes);
        assert!(facts.notes[0].starts_with("owner ids are not checked"));
        assert!(facts.notes[1].starts_with("companies properties are not checked"));
    }

    #[tokio::test]
    async fn the_sandbox_gives_every_part() {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = crate::sandbox::Sandbox::create(
            &dir.path().join("s.db"),
            &crate::sandbox::SeedOptions {
                tickets: 1,
                seed: 1,
            },
        )
        .unwrap();
        let wants = SchemaWants {
            companies: true,
            contacts: true,
        };
        let facts = SchemaFacts::read(&sandbox, wants).await.unwrap();
        assert!(facts.notes.is_empty(), "{:?}", facts.notes);
        assert!(!facts.owners.unwrap().is_empty());
        assert!(facts.companies.unwrap().iter().any(|p| p.name == "tier"));
        assert!(facts.contacts.unwrap().iter().any(|p| p.name == "email"));
    }
}
