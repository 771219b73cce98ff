//! The pipeline and stage endpoints (`/crm/v3/pipelines/tickets[...]`): reads from the
//! catalog, writes to the `pipelines` table inside the store's schema write. New pipelines and
//! stages get ids from `schema_meta.next_id`. The definition rules are the model's
//! (`schema_rules`); what needs the tickets (a pipeline or stage in use) is decided here.
//!
//! Choices where HubSpot is unconfirmed: deleting a pipeline or stage that active tickets are
//! in is a 400 `VALIDATION_ERROR` saying how many (archived tickets do not count); the default
//! pipeline `0` cannot be deleted (tickets created without a pipeline land there), nor a
//! pipeline's last stage; a duplicate pipeline label is a 409 `CONFLICT`; a stage's
//! `ticketState` cannot change while tickets are in it; `PUT` matches stages to the old ones
//! by label (they keep their ids).

use chrono::Utc;
use rusqlite::{params, Transaction};

use super::catalog::Catalog;
use super::schema;
use super::store::Db;
use crate::backend::{BackendError, BackendResult};
use crate::model::write_rules::DEFAULT_PIPELINE;
use crate::model::{
    schema_rules, ApiError, Pipeline, PipelineInput, PipelinePatch, PipelineStage, StageInput,
    StagePatch,
};

/// `GET /crm/v3/pipelines/tickets/{pipelineId}`.
pub(super) fn get<'a>(cat: &'a Catalog, id: &str) -> BackendResult<&'a Pipeline> {
    cat.pipeline(id)
        .filter(|p| !p.archived)
        .ok_or_else(|| pipeline_not_found(id))
}

fn pipeline_not_found(id: &str) -> BackendError {
    ApiError::not_found(format!(
        "Unable to find pipeline {id} for object type tickets"
    ))
    .into()
}

fn stage_not_found(pipeline: &str, stage: &str) -> BackendError {
    ApiError::not_found(format!(
        "Unable to find stage {stage} in pipeline {pipeline}"
    ))
    .into()
}

fn save(tx: &Transaction<'_>, p: &Pipeline) -> BackendResult<()> {
    tx.execute(
        "INSERT INTO pipelines(id, definition) VALUES (?1, ?2)
         ON CONFLICT(id) DO UPDATE SET definition = excluded.definition",
        params![p.id, schema::to_json(p).db()?],
    )
    .db()
    .map(|_| ())
}

/// Active tickets in the pipeline (and, when given, the stage). Archived tickets do not hold a
/// pipeline or stage in use (our choice: they are in the recycle bin).
fn tickets_in(tx: &Transaction<'_>, pipeline: &str, stage: Option<&str>) -> BackendResult<i64> {
    match stage {
        None => tx.query_row(
            "SELECT count(*) FROM tickets WHERE archived = 0 AND hs_pipeline = ?1",
            params![pipeline],
            |r| r.get(0),
        ),
        Some(s) => tx.query_row(
            "SELECT count(*) FROM tickets WHERE archived = 0 AND hs_pipeline = ?1 \
             AND hs_pipeline_stage = ?2",
            params![pipeline, s],
            |r| r.get(0),
        ),
    }
    .db()
}

fn in_use(what: String, count: i64) -> BackendError {
    ApiError::validation(schema_rules::in_use_message(&what, count)).into()
}

/// `POST /crm/v3/pipelines/tickets` (201): a pipeline with its stages, each with a new id.
pub(super) fn create(
    tx: &Transaction<'_>,
    cat: &Catalog,
    input: &PipelineInput,
) -> BackendResult<Pipeline> {
    let mut ids = Vec::with_capacity(input.stages.len() + 1);
    for _ in 0..=input.stages.len() {
        ids.push(schema::next_id(tx).db()?);
    }
    let mut ids = ids.into_iter();
    let p = schema_rules::new_pipeline(
        cat.pipelines(),
        input,
        || ids.next().unwrap_or_default(),
        Utc::now(),
    )?;
    save(tx, &p)?;
    Ok(p)
}

/// A stage whose `ticketState` changes while tickets are in it would leave their
/// `hs_is_closed` and `closed_date` wrong: refused (our choice; HubSpot recomputes them).
fn check_state_change(
    tx: &Transaction<'_>,
    pipeline: &str,
    old: &PipelineStage,
    new_closed: bool,
) -> BackendResult<()> {
    if old.is_closed() == new_closed {
        return Ok(());
    }
    let n = tickets_in(tx, pipeline, Some(&old.id))?;
    if n > 0 {
        return Err(ApiError::validation(format!(
            "stage {} of pipeline {pipeline} holds {n} tickets: its ticketState cannot change \
             while it does",
            old.id
        ))
        .into());
    }
    Ok(())
}

/// `PUT /crm/v3/pipelines/tickets/{pipelineId}`: the pipeline becomes the input. Stages are
/// matched to the old ones by label (they keep their id); an old stage no input matches is
/// deleted, which is refused while tickets are in it.
pub(super) fn replace(
    tx: &Transaction<'_>,
    cat: &Catalog,
    id: &str,
    input: &PipelineInput,
) -> BackendResult<Pipeline> {
    let old = get(cat, id)?;
    schema_rules::check_pipeline_label(cat.pipelines(), &input.label, Some(id))?;
    schema_rules::check_stages(&input.label, &input.stages)?;
    let at = Utc::now();
    let mut stages = Vec::with_capacity(input.stages.len());
    for s in &input.stages {
        match old.stages.iter().find(|o| o.label == s.label) {
            Some(o) => {
                let closed = s.metadata.get("ticketState").map(String::as_str) == Some("CLOSED");
                check_state_change(tx, id, o, closed)?;
                let mut stage = schema_rules::build_stage(o.id.clone(), s, o.created_at);
                stage.updated_at = at;
                stages.push(stage);
            }
            None => stages.push(schema_rules::build_stage(schema::next_id(tx).db()?, s, at)),
        }
    }
    for o in &old.stages {
        if !stages.iter().any(|s| s.id == o.id) {
            let n = tickets_in(tx, id, Some(&o.id))?;
            if n > 0 {
                return Err(in_use(format!("stage {} of pipeline {id}", o.id), n));
            }
        }
    }
    let p = Pipeline {
        id: id.to_string(),
        label: input.label.clone(),
        display_order: input.display_order,
        stages,
        archived: false,
        created_at: old.created_at,
        updated_at: at,
    };
    save(tx, &p)?;
    Ok(p)
}

/// `PATCH /crm/v3/pipelines/tickets/{pipelineId}`: label and position. `archived: true` is
/// refused (DELETE deletes); `false` changes nothing.
pub(super) fn update(
    tx: &Transaction<'_>,
    cat: &Catalog,
    id: &str,
    input: &PipelinePatch,
) -> BackendResult<Pipeline> {
    let mut p = get(cat, id)?.clone();
    if input.archived == Some(true) {
        return Err(ApiError::validation(format!(
            "archive pipeline {id} with DELETE /crm/v3/pipelines/tickets/{id}"
        ))
        .into());
    }
    if let Some(label) = &input.label {
        schema_rules::check_pipeline_label(cat.pipelines(), label, Some(id))?;
        p.label = label.clone();
    }
    if let Some(order) = input.display_order {
        p.display_order = order;
    }
    p.updated_at = Utc::now();
    save(tx, &p)?;
    Ok(p)
}

/// `DELETE /crm/v3/pipelines/tickets/{pipelineId}` (204). Refused while active tickets are in
/// it, and for the default pipeline, where tickets created without a pipeline land.
pub(super) fn delete(tx: &Transaction<'_>, cat: &Catalog, id: &str) -> BackendResult<()> {
    get(cat, id)?;
    if id == DEFAULT_PIPELINE {
        return Err(ApiError::validation(format!(
            "pipeline {id} is the default ticket pipeline (tickets created without one land \
             in it) and cannot be deleted"
        ))
        .into());
    }
    let n = tickets_in(tx, id, None)?;
    if n > 0 {
        return Err(in_use(format!("pipeline {id}"), n));
    }
    tx.execute("DELETE FROM pipelines WHERE id = ?1", params![id])
        .db()
        .map(|_| ())
}

fn stage_of<'a>(p: &'a Pipeline, stage: &str) -> BackendResult<&'a PipelineStage> {
    p.stage(stage).ok_or_else(|| stage_not_found(&p.id, stage))
}

/// `POST /crm/v3/pipelines/tickets/{pipelineId}/stages` (201).
pub(super) fn create_stage(
    tx: &Transaction<'_>,
    cat: &Catalog,
    id: &str,
    input: &StageInput,
) -> BackendResult<PipelineStage> {
    let mut p = get(cat, id)?.clone();
    schema_rules::check_new_stage(&p, input, None)?;
    let at = Utc::now();
    let stage = schema_rules::build_stage(schema::next_id(tx).db()?, input, at);
    p.stages.push(stage.clone());
    p.updated_at = at;
    save(tx, &p)?;
    Ok(stage)
}

/// `PUT` (everything) or `PATCH` (what is sent) of a stage.
pub(super) fn update_stage(
    tx: &Transaction<'_>,
    cat: &Catalog,
    id: &str,
    stage: &str,
    patch: &StagePatch,
    replace: bool,
) -> BackendResult<PipelineStage> {
    let mut p = get(cat, id)?.clone();
    let old = stage_of(&p, stage)?.clone();
    let input = schema_rules::patched_stage(&old, patch, replace)?;
    schema_rules::check_new_stage(&p, &input, Some(stage))?;
    let closed = input.metadata.get("ticketState").map(String::as_str) == Some("CLOSED");
    check_state_change(tx, id, &old, closed)?;
    let at = Utc::now();
    let mut new = schema_rules::build_stage(old.id.clone(), &input, old.created_at);
    new.updated_at = at;
    if let Some(slot) = p.stages.iter_mut().find(|s| s.id == stage) {
        *slot = new.clone();
    }
    p.updated_at = at;
    save(tx, &p)?;
    Ok(new)
}

/// `DELETE /crm/v3/pipelines/tickets/{pipelineId}/stages/{stageId}` (204). Refused while
/// active tickets are in the stage, and for a pipeline's last stage.
pub(super) fn delete_stage(
    tx: &Transaction<'_>,
    cat: &Catalog,
    id: &str,
    stage: &str,
) -> BackendResult<()> {
    let mut p = get(cat, id)?.clone();
    stage_of(&p, stage)?;
    if p.stages.len() == 1 {
        return Err(ApiError::validation(format!(
            "stage {stage} is the last stage of pipeline {id}: a pipeline needs at least one"
        ))
        .into());
    }
    let n = tickets_in(tx, id, Some(stage))?;
    if n > 0 {
        return Err(in_use(format!("stage {stage} of pipeline {id}"), n));
    }
    p.stages.retain(|s| s.id != stage);
    p.updated_at = Utc::now();
    save(tx, &p)
}
