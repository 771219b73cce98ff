//! `owners::`: the portal's owners (the users `hubspot_owner_id` names), read from the owners
//! API: all of them, one by id, or one by e-mail, so a rule assigns "alice@…" rather than an
//! id that differs between portals. Reads only: HubSpot creates owners in its UI.

use rhai::{Array, Dynamic};

use crate::model::{Owner, OwnerIdProperty, OwnerQuery};

use super::super::convert;
use super::declare::{Area, Call, Id, Res, ScriptFn, Str};

const API: Area = Area::module("owners");

/// The reference's example for `owners::`.
pub(super) const EXAMPLE: &str = r#"let alice = owners::by_email("alice.martin@example.com");
if alice != () {
    tickets::update(ticket_id, #{ hubspot_owner_id: alice.id });
}
for o in owners::list() { print(`${o.firstName} ${o.lastName} <${o.email}>`); }"#;

/// Every active owner, through every page.
fn all(c: &Call) -> Res<Vec<Owner>> {
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let query = OwnerQuery {
            after: after.clone(),
            limit: Some(crate::model::limits::OWNERS_PAGE_MAX),
            ..OwnerQuery::default()
        };
        let page = c.call(c.pos, c.backend.owners(&query))?;
        out.extend(page.results.iter().cloned());
        match page.next_after() {
            // A cursor that does not move would loop forever on a broken server.
            Some(next) if Some(next) != after.as_deref() => after = Some(next.to_string()),
            _ => return Ok(out),
        }
    }
}

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("list", "Every active owner (HubSpot's shape: id, email, firstName, lastName, userId, teams, ...), through every page.")
            .returns("owners: array")
            .read(|c, ()| {
                all(c)?.iter().map(|o| convert::to_dyn(o, c.pos)).collect::<Res<Array>>()
            }),
        API.func("get", "One owner by its id (the value hubspot_owner_id holds); throws a 404 map when unknown.")
            .params((Id("id: string"),))
            .returns("owner: map")
            .read(|c, (id,)| {
                let owner = c.call(c.pos, c.backend.owner(&id, OwnerIdProperty::Id, false))?;
                convert::to_dyn(&owner, c.pos)
            }),
        API.func("by_email", "The active owner with this e-mail (compared ignoring case), or () when there is none.")
            .params((Str("email: string"),))
            .returns("owner")
            .read(|c, (email,)| {
                let query = OwnerQuery {
                    email: Some(email.to_string()),
                    ..OwnerQuery::default()
                };
                let page = c.call(c.pos, c.backend.owners(&query))?;
                let wanted = email.to_lowercase();
                match page
                    .results
                    .iter()
                    .find(|o| o.email.as_deref().map(str::to_lowercase) == Some(wanted.clone()))
                {
                    Some(o) => convert::to_dyn(o, c.pos),
                    None => Ok(Dynamic::UNIT),
                }
            }),
    ]
}
