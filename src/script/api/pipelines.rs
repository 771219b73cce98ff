//! `pipelines::`: ticket pipelines and stages by label, so a rule says "Waiting on us" instead
//! of "3" and still works on a portal whose ids differ. Pipelines are fetched once per run and
//! cached for the rest of it. Pipelines and stages are matched by id or, failing that, by label
//! (exact first, then ignoring case).

use std::sync::Arc;

use rhai::{Array, ImmutableString, Position};

use crate::model::{ApiError, Pipeline, PipelineStage};

use super::super::bridge::{backend_error, usage};
use super::super::context::RunCtx;
use super::super::convert;
use super::declare::{Area, Call, Id, Res, ScriptFn, Str};

pub(super) fn all(ctx: &RunCtx, pos: Position) -> Res<Arc<Vec<Pipeline>>> {
    if let Some(p) = ctx.cached_pipelines() {
        return Ok(p);
    }
    let p = ctx.call(pos, ctx.backend.pipelines())?;
    Ok(ctx.cache_pipelines(p))
}

fn by<'a, T>(
    items: &'a [T],
    key: &str,
    id: impl Fn(&T) -> &str,
    label: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    items
        .iter()
        .find(|x| id(x) == key)
        .or_else(|| items.iter().find(|x| label(x) == key))
        .or_else(|| items.iter().find(|x| label(x).eq_ignore_ascii_case(key)))
}

fn pipeline<'a>(ps: &'a [Pipeline], key: &str, pos: Position) -> Res<&'a Pipeline> {
    by(ps, key, |p| &p.id, |p| &p.label).ok_or_else(|| {
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
    by(&p.stages, key, |s| &s.id, |s| &s.label).ok_or_else(|| {
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
    ]
}
