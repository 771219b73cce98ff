//! `pipelines::`: ticket pipelines and stages by label, so a rule says "Waiting on us" instead
//! of "3" and still works on a portal whose ids differ. Pipelines are fetched once per run and
//! cached for the rest of it. Pipelines and stages are matched by id or, failing that, by label
//! (exact first, then ignoring case). The schema writes (create, update, delete a pipeline or a
//! stage) keep that cache in step; how they run beside the plan is in `schema.rs`.

use std::sync::Arc;

use chrono::Utc;
use rhai::{Array, Dynamic, ImmutableString, Position};

use crate::model::by_id_or_label;
use crate::model::schema_rules;
use crate::model::{
    ApiError, Filter, FilterGroup, Operator, Pipeline, PipelinePatch, PipelineStage, SearchRequest,
    StageInput, StagePatch,
};

use super::super::bridge::{backend_error, usage};
use super::super::context::RunCtx;
use super::super::convert;
use super::declare::{custom, json, Any, Area, Call, Id, Res, ScriptFn, Str};
use super::schema;

pub(super) fn all(ctx: &RunCtx, pos: Position) -> Res<Arc<Vec<Pipeline>>> {
    if let Some(p) = ctx.cached_pipelines() {
        return Ok(p);
    }
    let p = ctx.call(pos, ctx.backend.pipelines())?;
    Ok(ctx.cache_pipelines(p))
}

fn pipeline<'a>(ps: &'a [Pipeline], key: &str, pos: Position) -> Res<&'a Pipeline> {
    by_id_or_label(ps, key, |p| &p.id, |p| &p.label).ok_or_else(|| {
        let known: Vec<String> = ps
            .iter()
            .map(|p| format!("{} ({})", p.label, p.id))
            .collect();
        backend_error(
            &ApiError::not_found(format!(
                "no ticket pipeline `{key}`; pipelines: {}",
                known.join(", ")
            ))
            .into(),
            pos,
        )
    })
}

fn stage<'a>(p: &'a Pipeline, key: &str, pos: Position) -> Res<&'a PipelineStage> {
    by_id_or_label(&p.stages, key, |s| &s.id, |s| &s.label).ok_or_else(|| {
        let known: Vec<String> = p
            .stages
            .iter()
            .map(|s| format!("{} ({})", s.label, s.id))
            .collect();
        usage(
            pos,
            format!(
                "pipeline `{}` has no stage `{key}`; stages: {}",
                p.label,
                known.join(", ")
            ),
        )
    })
}

/// A stage (by id or label) of a pipeline (by id or label).
fn stage_of(c: &Call, p: &str, key: &str) -> Res<PipelineStage> {
    let ps = all(c, c.pos)?;
    Ok(stage(pipeline(&ps, p, c.pos)?, key, c.pos)?.clone())
}

const API: Area = Area::module("pipelines");

/// The reference's example for `pipelines::`.
pub(super) const EXAMPLE: &str = r#"let p = pipelines::create(#{ label: "Tier 2", stages: [
    #{ label: "Triage", ticketState: "OPEN" },
    #{ label: "Escalated", ticketState: "OPEN" },
    #{ label: "Resolved", ticketState: "CLOSED" },
]});
tickets::update(ticket_id, #{ hs_pipeline: p.id,
    hs_pipeline_stage: pipelines::stage_id("Tier 2", "Escalated") });"#;

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("list", "Every ticket pipeline with its stages (HubSpot's shape).")
            .returns("pipelines: array")
            .read(|c, ()| all(c, c.pos)?.iter().map(|p| convert::to_dyn(p, c.pos)).collect::<Res<Array>>()),
        API.func("get", "One pipeline by id or label; throws a 404 map when unknown.")
            .params((Id("pipeline: string"),))
            .returns("pipeline: map")
            .read(|c, (key,)| convert::to_dyn(pipeline(&all(c, c.pos)?, &key, c.pos)?, c.pos)),
        API.func("stage_id", "The id of a stage given its label (pipeline by id or label).")
            .params((Id("pipeline: string"), Str("stage_label: string")))
            .returns("string")
            .read(|c, (p, label)| stage_of(c, &p, &label).map(|s| ImmutableString::from(s.id))),
        API.func("stage_label", "The label of a stage given its id.")
            .params((Id("pipeline: string"), Id("stage_id: string")))
            .returns("string")
            .read(|c, (p, id)| stage_of(c, &p, &id).map(|s| ImmutableString::from(s.label))),
        API.func("is_closed", "Whether a stage (by id, in any pipeline) is a closed stage (metadata ticketState CLOSED).")
            .params((Id("stage_id: string"),))
            .returns("bool")
            .read(|c, (id,)| {
                all(c, c.pos)?
                    .iter()
                    .flat_map(|p| p.stages.iter())
                    .find(|s| s.id == id)
                    .map(PipelineStage::is_closed)
                    .ok_or_else(|| c.usage(format!("no pipeline has a stage with id `{id}`")))
            }),
        API.func("create", "Creates a ticket pipeline from #{ label, displayOrder, stages: [#{ label, ticketState: \"OPEN\"|\"CLOSED\" }, ...] } (HubSpot's PipelineInput; a stage's displayOrder defaults to its place, ticketState may also sit in metadata). Sent when called, even while a run plans; planned only in a dry run.")
            .params((custom("definition: map", schema::pipeline_input),))
            .returns("pipeline: map")
            .write(|_| Vec::new())
            .dry(|c, (input,)| {
                if !schema::planned(c) {
                    let p = c.call(c.pos, c.backend.create_pipeline(&input))?;
                    return done(c, format!("created pipeline {} ({})", p.label, p.id), |v| v.push(p.clone()), &p);
                }
                let existing = all(c, c.pos)?;
                let p = schema_rules::new_pipeline(&existing, &input, || c.fake_id(), Utc::now())
                    .map_err(|r| schema::refused(r, c.pos))?;
                done(c, format!("create pipeline {} ({})", p.label, p.id), |v| v.push(p.clone()), &p)
            })
            .real(|c, (input,)| {
                let p = c.call(c.pos, c.backend.create_pipeline(&input))?;
                done(c, format!("created pipeline {} ({})", p.label, p.id), |v| v.push(p.clone()), &p)
            }),
        API.func("update", "Changes a pipeline's label or displayOrder (#{ label, displayOrder }); the pipeline by id or label.")
            .params((Id("pipeline: string"), json::<PipelinePatch>("changes: map")))
            .returns("pipeline: map")
            .write(|_| Vec::new())
            .dry(|c, (key, input)| {
                let ps = all(c, c.pos)?;
                let old = pipeline(&ps, &key, c.pos)?.clone();
                if !schema::planned(c) {
                    return update_now(c, &old.id, &input);
                }
                if input.archived == Some(true) {
                    return Err(schema::refused(schema_rules::Invalid(format!("delete pipeline {} with pipelines::delete", old.id)), c.pos));
                }
                let mut p = old.clone();
                if let Some(label) = &input.label {
                    schema_rules::check_pipeline_label(&ps, label, Some(&old.id)).map_err(|r| schema::refused(r, c.pos))?;
                    p.label = label.clone();
                }
                if let Some(order) = input.display_order {
                    p.display_order = order;
                }
                done(c, format!("update pipeline {}", p.id), |v| replace(v, &p), &p)
            })
            .real(|c, (key, input)| {
                let id = pipeline(&all(c, c.pos)?, &key, c.pos)?.id.clone();
                update_now(c, &id, &input)
            }),
        API.func("delete", "Deletes a pipeline (by id or label); refused while tickets are in it, and for the default pipeline.")
            .params((Id("pipeline: string"),))
            .write(|_| Vec::new())
            .dry(|c, (key,)| {
                let id = pipeline(&all(c, c.pos)?, &key, c.pos)?.id.clone();
                if schema::planned(c) {
                    if id == crate::model::write_rules::DEFAULT_PIPELINE {
                        return Err(schema::refused(schema_rules::Invalid(format!("pipeline {id} is the default ticket pipeline and cannot be deleted")), c.pos));
                    }
                    refuse_in_use(c, &id, None)?;
                } else {
                    c.call(c.pos, c.backend.delete_pipeline(&id))?;
                }
                schema::log_write(c, format!("delete pipeline {id}"));
                schema::edit_pipelines(c, |v| v.retain(|p| p.id != id));
                Ok(())
            })
            .real(|c, (key,)| {
                let id = pipeline(&all(c, c.pos)?, &key, c.pos)?.id.clone();
                c.call(c.pos, c.backend.delete_pipeline(&id))?;
                schema::log_write(c, format!("delete pipeline {id}"));
                schema::edit_pipelines(c, |v| v.retain(|p| p.id != id));
                Ok(())
            }),
        API.func("create_stage", "Adds a stage (#{ label, ticketState: \"OPEN\"|\"CLOSED\", displayOrder }) to a pipeline (by id or label); displayOrder defaults to after the others.")
            .params((Id("pipeline: string"), Any("stage: map")))
            .returns("stage: map")
            .write(|_| Vec::new())
            .dry(|c, (key, stage_map)| {
                let p = pipeline(&all(c, c.pos)?, &key, c.pos)?.clone();
                let input = schema::stage_input(stage_map, c, next_order(&p))?;
                if !schema::planned(c) {
                    return create_stage_now(c, &p.id, &input);
                }
                schema_rules::check_new_stage(&p, &input, None).map_err(|r| schema::refused(r, c.pos))?;
                let s = schema_rules::build_stage(c.fake_id(), &input, Utc::now());
                stage_done(c, format!("create stage {} in pipeline {}", s.label, p.id), &p.id, &s)
            })
            .real(|c, (key, stage_map)| {
                let p = pipeline(&all(c, c.pos)?, &key, c.pos)?.clone();
                let input = schema::stage_input(stage_map, c, next_order(&p))?;
                create_stage_now(c, &p.id, &input)
            }),
        API.func("update_stage", "Changes a stage (by id or label) of a pipeline (by id or label): #{ label, displayOrder, ticketState or metadata }; a ticketState change is refused while tickets are in the stage.")
            .params((Id("pipeline: string"), Id("stage: string"), Any("changes: map")))
            .returns("stage: map")
            .write(|_| Vec::new())
            .dry(|c, (key, skey, changes)| {
                let patch = schema::stage_patch(changes, c)?;
                let p = pipeline(&all(c, c.pos)?, &key, c.pos)?.clone();
                let old = stage(&p, &skey, c.pos)?.clone();
                if !schema::planned(c) {
                    return update_stage_now(c, &p.id, &old.id, &patch);
                }
                let input = schema_rules::patched_stage(&old, &patch, false).map_err(|r| schema::refused(r, c.pos))?;
                schema_rules::check_new_stage(&p, &input, Some(&old.id)).map_err(|r| schema::refused(r, c.pos))?;
                let mut s = schema_rules::build_stage(old.id.clone(), &input, old.created_at);
                s.updated_at = Utc::now();
                if s.is_closed() != old.is_closed() {
                    refuse_in_use(c, &p.id, Some(&old.id))?;
                }
                stage_done(c, format!("update stage {} of pipeline {}", s.id, p.id), &p.id, &s)
            })
            .real(|c, (key, skey, changes)| {
                let patch = schema::stage_patch(changes, c)?;
                let p = pipeline(&all(c, c.pos)?, &key, c.pos)?.clone();
                let id = stage(&p, &skey, c.pos)?.id.clone();
                update_stage_now(c, &p.id, &id, &patch)
            }),
        API.func("delete_stage", "Deletes a stage (by id or label) of a pipeline; refused while tickets are in it, and for a pipeline's last stage.")
            .params((Id("pipeline: string"), Id("stage: string")))
            .write(|_| Vec::new())
            .dry(|c, (key, skey)| {
                let p = pipeline(&all(c, c.pos)?, &key, c.pos)?.clone();
                let id = stage(&p, &skey, c.pos)?.id.clone();
                if schema::planned(c) {
                    if p.stages.len() == 1 {
                        return Err(schema::refused(schema_rules::Invalid(format!("stage {id} is the last stage of pipeline {}: a pipeline needs at least one", p.id)), c.pos));
                    }
                    refuse_in_use(c, &p.id, Some(&id))?;
                } else {
                    c.call(c.pos, c.backend.delete_stage(&p.id, &id))?;
                }
                schema::log_write(c, format!("delete stage {id} of pipeline {}", p.id));
                schema::edit_pipelines(c, |v| {
                    if let Some(x) = v.iter_mut().find(|x| x.id == p.id) {
                        x.stages.retain(|s| s.id != id);
                    }
                });
                Ok(())
            })
            .real(|c, (key, skey)| {
                let p = pipeline(&all(c, c.pos)?, &key, c.pos)?.clone();
                let id = stage(&p, &skey, c.pos)?.id.clone();
                c.call(c.pos, c.backend.delete_stage(&p.id, &id))?;
                schema::log_write(c, format!("delete stage {id} of pipeline {}", p.id));
                schema::edit_pipelines(c, |v| {
                    if let Some(x) = v.iter_mut().find(|x| x.id == p.id) {
                        x.stages.retain(|s| s.id != id);
                    }
                });
                Ok(())
            }),
    ]
}

/// Logs a pipeline write, puts it in the run's pipelines, returns it.
fn done(
    c: &Call,
    what: String,
    edit: impl FnOnce(&mut Vec<Pipeline>),
    p: &Pipeline,
) -> Res<Dynamic> {
    schema::log_write(c, what);
    schema::edit_pipelines(c, edit);
    convert::to_dyn(p, c.pos)
}

fn replace(v: &mut [Pipeline], p: &Pipeline) {
    if let Some(slot) = v.iter_mut().find(|x| x.id == p.id) {
        *slot = p.clone();
    }
}

fn update_now(c: &Call, id: &str, input: &PipelinePatch) -> Res<Dynamic> {
    let p = c.call(c.pos, c.backend.update_pipeline(id, input))?;
    done(c, format!("updated pipeline {id}"), |v| replace(v, &p), &p)
}

/// After the pipeline's stages (the highest display order, plus one).
fn next_order(p: &Pipeline) -> usize {
    p.stages
        .iter()
        .map(|s| s.display_order + 1)
        .max()
        .unwrap_or(0)
        .max(0) as usize
}

/// Logs a stage write, puts it in the run's pipelines, returns it.
fn stage_done(c: &Call, what: String, pipeline: &str, s: &PipelineStage) -> Res<Dynamic> {
    schema::log_write(c, what);
    schema::edit_pipelines(c, |v| {
        if let Some(p) = v.iter_mut().find(|x| x.id == pipeline) {
            match p.stages.iter_mut().find(|x| x.id == s.id) {
                Some(slot) => *slot = s.clone(),
                None => p.stages.push(s.clone()),
            }
        }
    });
    convert::to_dyn(s, c.pos)
}

fn create_stage_now(c: &Call, pipeline: &str, input: &StageInput) -> Res<Dynamic> {
    let s = c.call(c.pos, c.backend.create_stage(pipeline, input))?;
    stage_done(
        c,
        format!(
            "created stage {} ({}) in pipeline {pipeline}",
            s.label, s.id
        ),
        pipeline,
        &s,
    )
}

fn update_stage_now(c: &Call, pipeline: &str, stage: &str, patch: &StagePatch) -> Res<Dynamic> {
    let s = c.call(c.pos, c.backend.update_stage(pipeline, stage, patch))?;
    stage_done(
        c,
        format!("updated stage {stage} of pipeline {pipeline}"),
        pipeline,
        &s,
    )
}

/// A dry run's in-use check: one search for active tickets in the pipeline (and stage),
/// refused with the sandbox's message when there are any.
fn refuse_in_use(c: &Call, pipeline: &str, stage: Option<&str>) -> Res<()> {
    let mut filters = vec![Filter::new("hs_pipeline", Operator::Eq, pipeline)];
    if let Some(s) = stage {
        filters.push(Filter::new("hs_pipeline_stage", Operator::Eq, s));
    }
    let request = SearchRequest {
        filter_groups: vec![FilterGroup { filters }],
        limit: Some(1),
        ..SearchRequest::default()
    };
    let total = c.call(c.pos, c.backend.search(&request))?.total;
    if total > 0 {
        let what = match stage {
            Some(s) => format!("stage {s} of pipeline {pipeline}"),
            None => format!("pipeline {pipeline}"),
        };
        return Err(schema::refused(
            schema_rules::Invalid(schema_rules::in_use_message(&what, total as i64)),
            c.pos,
        ));
    }
    Ok(())
}
