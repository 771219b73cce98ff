//! [`TicketsBackend`] for [`Sandbox`]: each endpoint runs its store function off the executor,
//! reads on a reader connection and writes in one writer transaction. Also the association
//! endpoints (v3 and v4; listing `limit` default and max 500, `after` an offset, above 500:
//! 400) and the definition endpoints.

use async_trait::async_trait;

use super::assoc::{self, check_target, pairs, resolve_specs, spec_with_label, target_id};
use super::assoc_types::{assoc_type, object_type_or_400, type_for, ObjectType};
use super::reads::{self, render, Projection};
use super::store::{Inner, Sandbox};
use super::writer::resolve;
use super::{batch, endpoints, merge, search};
use crate::backend::{BackendResult, TicketsBackend};
use crate::model::{
    ApiError, AssociatedIdPage, AssociationSpec, BatchCreateItem, BatchInput, BatchReadInput,
    BatchResponse, BatchUpdateItem, CreateInput, GetParams, IdInput, LabelsBetweenObjectPair,
    ListParams, MergeInput, MultiAssociatedObjectWithLabel, Page, Paging, Pipeline, PipelineStage,
    Property, SearchPage, SearchRequest, Ticket, UpdateInput, UpsertResult,
};

const ASSOC_PAGE_MAX: u32 = 500;

fn page_window(after: Option<&str>, limit: Option<u32>) -> BackendResult<(usize, usize)> {
    let limit = limit.unwrap_or(ASSOC_PAGE_MAX);
    if limit == 0 || limit > ASSOC_PAGE_MAX {
        return Err(ApiError::validation(format!(
            "limit must be between 1 and {ASSOC_PAGE_MAX}; got {limit}"
        ))
        .into());
    }
    let offset = match after.map(str::trim) {
        None | Some("") => 0,
        Some(a) => a.parse::<usize>().map_err(|_| {
            ApiError::validation(format!("after must be an integer offset; got {a}"))
        })?,
    };
    Ok((offset, limit as usize))
}

fn next_paging(offset: usize, limit: usize, total: usize) -> Option<Paging> {
    (offset + limit < total).then(|| Paging::next((offset + limit).to_string()))
}

/// The pair endpoints' common checks: the ticket (active), the type and the target.
fn pair(
    inner: &Inner,
    conn: &rusqlite::Connection,
    id: &str,
    to_type: &str,
    to_id: &str,
) -> BackendResult<(i64, &'static ObjectType, i64)> {
    let row = resolve(conn, &inner.catalog, id, None, false)?;
    let obj = object_type_or_400(to_type)?;
    let to = target_id(to_id)?;
    if obj.plural == "tickets" && to == row.id {
        return Err(ApiError::validation("a ticket cannot be associated with itself").into());
    }
    Ok((row.id, obj, to))
}

#[async_trait]
impl TicketsBackend for Sandbox {
    fn describe(&self) -> String {
        format!("sandbox {}", self.path().display())
    }

    async fn list(&self, params: &ListParams) -> BackendResult<Page<Ticket>> {
        let params = params.clone();
        self.run(move |i| i.read(|c| reads::list(c, &i.catalog, &params)))
            .await
    }

    async fn get(&self, id: &str, params: &GetParams) -> BackendResult<Ticket> {
        let (id, params) = (id.to_string(), params.clone());
        self.run(move |i| i.read(|c| reads::get(c, &i.catalog, &id, &params)))
            .await
    }

    async fn create(&self, input: &CreateInput) -> BackendResult<Ticket> {
        let input = input.clone();
        self.run(move |i| i.write(|c| endpoints::create(c, &i.catalog, &input)))
            .await
    }

    async fn update(
        &self,
        id: &str,
        input: &UpdateInput,
        id_property: Option<&str>,
    ) -> BackendResult<Ticket> {
        let (id, input, idp) = (
            id.to_string(),
            input.clone(),
            id_property.map(str::to_string),
        );
        self.run(move |i| {
            i.write(|c| endpoints::update(c, &i.catalog, &id, &input, idp.as_deref()))
        })
        .await
    }

    async fn archive(&self, id: &str) -> BackendResult<()> {
        let id = id.to_string();
        self.run(move |i| i.write(|c| endpoints::archive(c, &i.catalog, &id)))
            .await
    }

    async fn batch_read(
        &self,
        input: &BatchReadInput,
        archived: bool,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.read(|c| reads::batch_read(c, &i.catalog, &input, archived)))
            .await
    }

    async fn batch_create(
        &self,
        input: &BatchInput<BatchCreateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.write(|c| batch::create(c, &i.catalog, &input)))
            .await
    }

    async fn batch_update(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<Ticket>> {
        let input = input.clone();
        self.run(move |i| i.write(|c| batch::update(c, &i.catalog, &input)))
            .await
    }

    async fn batch_upsert(
        &self,
        input: &BatchInput<BatchUpdateItem>,
    ) -> BackendResult<BatchResponse<UpsertResult>> {
        let input = input.clone();
        self.run(move |i| i.write(|c| batch::upsert(c, &i.catalog, &input)))
            .await
    }

    async fn batch_archive(&self, input: &BatchInput<IdInput>) -> BackendResult<()> {
        let input = input.clone();
        self.run(move |i| i.write(|c| batch::archive(c, &i.catalog, &input)))
            .await
    }

    async fn search(&self, request: &SearchRequest) -> BackendResult<SearchPage> {
        let request = request.clone();
        self.run(move |i| i.read(|c| search::search(c, &i.catalog, &request)))
            .await
    }

    async fn merge(&self, input: &MergeInput) -> BackendResult<Ticket> {
        let input = input.clone();
        self.run(move |i| i.write(|c| merge::merge(c, &i.catalog, &input)))
            .await
    }

    async fn associate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<Ticket> {
        let (id, to_type, to_id, type_id) = (
            id.to_string(),
            to_type.to_string(),
            to_id.to_string(),
            type_id.to_string(),
        );
        self.run(move |i| {
            i.write(|c| {
                let (ticket, obj, to) = pair(i, c, &id, &to_type, &to_id)?;
                let t = type_for(obj, &type_id)?;
                check_target(c, obj, to)?;
                assoc::add(c, ticket, obj, to, t)?;
                let row = resolve(c, &i.catalog, &id, None, false)?;
                render(
                    c,
                    &i.catalog,
                    &row,
                    &Projection::new(&[], &[], &[obj.plural.to_string()]),
                )
            })
        })
        .await
    }

    async fn dissociate(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        type_id: &str,
    ) -> BackendResult<()> {
        let (id, to_type, to_id, type_id) = (
            id.to_string(),
            to_type.to_string(),
            to_id.to_string(),
            type_id.to_string(),
        );
        self.run(move |i| {
            i.write(|c| {
                let (ticket, obj, to) = pair(i, c, &id, &to_type, &to_id)?;
                let t = type_for(obj, &type_id)?;
                assoc::remove(c, ticket, obj, to, Some(t.id))
            })
        })
        .await
    }

    async fn associations(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<AssociatedIdPage> {
        let (offset, limit) = page_window(after, limit)?;
        let (id, to_type) = (id.to_string(), to_type.to_string());
        self.run(move |i| {
            i.read(|c| {
                let row = resolve(c, &i.catalog, &id, None, false)?;
                let obj = object_type_or_400(&to_type)?;
                let all = assoc::associated_ids(c, row.id, obj)?;
                let total = all.len();
                Ok(AssociatedIdPage {
                    results: all.into_iter().skip(offset).take(limit).collect(),
                    paging: next_paging(offset, limit, total),
                })
            })
        })
        .await
    }

    async fn associate_v4(
        &self,
        id: &str,
        to_type: &str,
        to_id: &str,
        types: &[AssociationSpec],
    ) -> BackendResult<LabelsBetweenObjectPair> {
        let (id, to_type, to_id, types) = (
            id.to_string(),
            to_type.to_string(),
            to_id.to_string(),
            types.to_vec(),
        );
        self.run(move |i| {
            i.write(|c| {
                let (ticket, obj, to) = pair(i, c, &id, &to_type, &to_id)?;
                let resolved = resolve_specs(obj, &types)?;
                check_target(c, obj, to)?;
                for t in resolved {
                    assoc::add(c, ticket, obj, to, t)?;
                }
                let labels = pairs(c, ticket, obj)?
                    .into_iter()
                    .filter(|(target, _)| *target == to)
                    .filter_map(|(_, t)| assoc_type(t).and_then(|t| t.label))
                    .map(str::to_string)
                    .collect();
                Ok(LabelsBetweenObjectPair {
                    from_object_type_id: "0-5".into(),
                    from_object_id: ticket.to_string(),
                    to_object_type_id: obj.type_id.into(),
                    to_object_id: to.to_string(),
                    labels,
                })
            })
        })
        .await
    }

    async fn dissociate_v4(&self, id: &str, to_type: &str, to_id: &str) -> BackendResult<()> {
        let (id, to_type, to_id) = (id.to_string(), to_type.to_string(), to_id.to_string());
        self.run(move |i| {
            i.write(|c| {
                let (ticket, obj, to) = pair(i, c, &id, &to_type, &to_id)?;
                assoc::remove(c, ticket, obj, to, None)
            })
        })
        .await
    }

    async fn associations_v4(
        &self,
        id: &str,
        to_type: &str,
        after: Option<&str>,
        limit: Option<u32>,
    ) -> BackendResult<Page<MultiAssociatedObjectWithLabel>> {
        let (offset, limit) = page_window(after, limit)?;
        let (id, to_type) = (id.to_string(), to_type.to_string());
        self.run(move |i| {
            i.read(|c| {
                let row = resolve(c, &i.catalog, &id, None, false)?;
                let obj = object_type_or_400(&to_type)?;
                let mut grouped: Vec<MultiAssociatedObjectWithLabel> = Vec::new();
                for (to, t) in pairs(c, row.id, obj)? {
                    let to = to.to_string();
                    match grouped.last_mut() {
                        Some(g) if g.to_object_id == to => {
                            g.association_types.push(spec_with_label(t))
                        }
                        _ => grouped.push(MultiAssociatedObjectWithLabel {
                            to_object_id: to,
                            association_types: vec![spec_with_label(t)],
                        }),
                    }
                }
                let total = grouped.len();
                Ok(Page {
                    results: grouped.into_iter().skip(offset).take(limit).collect(),
                    paging: next_paging(offset, limit, total),
                })
            })
        })
        .await
    }

    async fn properties(&self) -> BackendResult<Vec<Property>> {
        Ok(self
            .inner
            .catalog
            .props()
            .filter(|p| !p.def.archived)
            .map(|p| p.def.clone())
            .collect())
    }

    async fn property(&self, name: &str) -> BackendResult<Property> {
        self.inner
            .catalog
            .prop(name)
            .filter(|p| !p.def.archived)
            .map(|p| p.def.clone())
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Unable to find property {name} for object type tickets"
                ))
                .into()
            })
    }

    async fn pipelines(&self) -> BackendResult<Vec<Pipeline>> {
        Ok(self.inner.catalog.pipelines().to_vec())
    }

    async fn pipeline(&self, id: &str) -> BackendResult<Pipeline> {
        self.inner
            .catalog
            .pipeline(id)
            .filter(|p| !p.archived)
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Unable to find pipeline {id} for object type tickets"
                ))
                .into()
            })
    }

    async fn pipeline_stages(&self, id: &str) -> BackendResult<Vec<PipelineStage>> {
        Ok(self.pipeline(id).await?.stages)
    }
}
