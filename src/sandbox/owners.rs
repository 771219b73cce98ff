//! The owners endpoints (`GET /crm/v3/owners[/{ownerId}]`) over the catalog's owner records.
//! HubSpot creates owners only in its UI, so the sandbox's come from its seed (the demo owners)
//! or from a pulled portal; the API only reads them.
//!
//! Choices where HubSpot is unconfirmed:
//! - `after` is the position in the id-ordered list (HubSpot's cursor is opaque); a cursor that
//!   is not a number answers 400;
//! - `limit` outside 1..=500 answers 400 (500 is HubSpot's documented maximum);
//! - `email` matches the whole address, case-insensitively;
//! - `archived=true` lists (and finds) only archived owners, as the objects' `archived` does.

use super::catalog::Catalog;
use crate::backend::BackendResult;
use crate::model::limits::{OWNERS_PAGE_DEFAULT, OWNERS_PAGE_MAX};
use crate::model::{ApiError, Owner, OwnerIdProperty, OwnerQuery, Page, Paging};

/// `GET /crm/v3/owners`: one page of the active (or archived) owners, in id order.
pub(super) fn list(cat: &Catalog, q: &OwnerQuery) -> BackendResult<Page<Owner>> {
    let limit = q.limit.unwrap_or(OWNERS_PAGE_DEFAULT);
    if limit == 0 || limit > OWNERS_PAGE_MAX {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {OWNERS_PAGE_MAX}, got {limit}"
        ))
        .into());
    }
    let start = match q.after.as_deref() {
        None => 0,
        Some(a) => a.trim().parse::<usize>().map_err(|_| {
            ApiError::validation(format!(
                "after must be the cursor of an owners page (a number), got {a:?}"
            ))
        })?,
    };
    let wanted = q.email.as_deref().map(str::to_lowercase);
    let matching: Vec<&Owner> = cat
        .owner_records()
        .iter()
        .filter(|o| o.archived == q.archived)
        .filter(|o| match &wanted {
            Some(e) => o.email.as_deref().map(str::to_lowercase).as_ref() == Some(e),
            None => true,
        })
        .collect();
    let end = start.saturating_add(limit as usize).min(matching.len());
    let results = matching
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|o| (*o).clone())
        .collect();
    let paging = (end < matching.len()).then(|| Paging::next(end.to_string()));
    Ok(Page { results, paging })
}

/// `GET /crm/v3/owners/{ownerId}[?idProperty=id|userId&archived=]`.
pub(super) fn get(
    cat: &Catalog,
    id: &str,
    id_property: OwnerIdProperty,
    archived: bool,
) -> BackendResult<Owner> {
    cat.owner_records()
        .iter()
        .filter(|o| o.archived == archived)
        .find(|o| match id_property {
            OwnerIdProperty::Id => o.id == id,
            OwnerIdProperty::UserId => o.user_id.is_some_and(|u| u.to_string() == id),
        })
        .cloned()
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "Unable to find owner with {} {id}",
                id_property.as_str()
            ))
            .into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::catalog::Definitions;
    use crate::sandbox::definitions::demo_owners;
    use crate::sandbox::definitions::{default_pipeline, default_properties};

    fn cat() -> Catalog {
        let mut owners: Vec<Owner> = demo_owners().iter().map(|o| o.record()).collect();
        owners[4].archived = true;
        Catalog::new(Definitions {
            props: default_properties(),
            pipelines: vec![default_pipeline()],
            owners,
            ..Definitions::default()
        })
    }

    fn q(f: impl FnOnce(&mut OwnerQuery)) -> OwnerQuery {
        let mut q = OwnerQuery::default();
        f(&mut q);
        q
    }

    #[test]
    fn pages_through_active_owners_in_id_order() {
        let c = cat();
        let first = list(&c, &q(|q| q.limit = Some(3))).unwrap();
        let ids: Vec<_> = first.results.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["52550153", "52550154", "52550155"]);
        let after = first.next_after().unwrap().to_string();
        let second = list(&c, &q(|q| (q.limit, q.after) = (Some(3), Some(after)))).unwrap();
        let ids: Vec<_> = second.results.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["52550156"], "the archived owner is not listed");
        assert!(second.paging.is_none());
        let archived = list(&c, &q(|q| q.archived = true)).unwrap();
        assert_eq!(archived.results.len(), 1);
        assert_eq!(archived.results[0].id, "52550157");
    }

    #[test]
    fn email_filter_and_bad_parameters() {
        let c = cat();
        let found = list(&c, &q(|q| q.email = Some("Chen.Wei@Example.com".into()))).unwrap();
        assert_eq!(found.results.len(), 1);
        assert_eq!(found.results[0].first_name.as_deref(), Some("Chen"));
        let none = list(&c, &q(|q| q.email = Some("nobody@example.com".into()))).unwrap();
        assert!(none.results.is_empty());
        for bad in [
            q(|q| q.limit = Some(0)),
            q(|q| q.limit = Some(501)),
            q(|q| q.after = Some("x".into())),
        ] {
            let e = list(&c, &bad).unwrap_err();
            assert_eq!(e.http_status(), Some(400), "{bad:?}");
        }
    }

    #[test]
    fn get_by_id_or_user_id() {
        let c = cat();
        let o = get(&c, "52550154", OwnerIdProperty::Id, false).unwrap();
        assert_eq!(o.user_id, Some(9002));
        let by_user = get(&c, "9002", OwnerIdProperty::UserId, false).unwrap();
        assert_eq!(by_user.id, "52550154");
        assert_eq!(
            get(&c, "52550157", OwnerIdProperty::Id, false)
                .unwrap_err()
                .http_status(),
            Some(404)
        );
        assert!(get(&c, "52550157", OwnerIdProperty::Id, true).is_ok());
        assert_eq!(
            get(&c, "1", OwnerIdProperty::Id, false)
                .unwrap_err()
                .http_status(),
            Some(404)
        );
    }
}
