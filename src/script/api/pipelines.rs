//! `pipelines::`: ticket pipelines and stages by label, so a rule says "Waiting on us" instead
//! of "3" and still works on a portal whose ids differ. Pipelines are fetched once per run and
//! cached for the rest of it. Pipelines and stages are matched by id or, failing that, by label
//! (exact first, then ignoring case).

use std::sync::Arc;

use rhai::{Array, Dynamic, EvalAltResult, ImmutableString, Module, NativeCallContext, Position};

use crate::model::{ApiError, Pipeline, PipelineStage};

use super::super::bridge::{backend_error, usage};
use super::super::context::RunCtx;
use super::super::convert;

type Res<T> = Result<T, Box<EvalAltResult>>;

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

pub(super) fn module(ctx: &Arc<RunCtx>) -> Module {
    let mut m = Module::new();
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "list",
        &["pipelines: array"],
        "Every ticket pipeline with its stages (HubSpot's shape).",
        move |nc: NativeCallContext| -> Res<Array> {
            let pos = nc.call_position();
            all(&c, pos)?
                .iter()
                .map(|p| convert::to_dyn(p, pos))
                .collect()
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "get",
        &["pipeline: string", "pipeline: map"],
        "One pipeline by id or label; throws a 404 map when unknown.",
        move |nc: NativeCallContext, key: Dynamic| -> Res<Dynamic> {
            let pos = nc.call_position();
            let key = convert::id(&key, "pipelines::get", pos)?;
            let ps = all(&c, pos)?;
            convert::to_dyn(pipeline(&ps, &key, pos)?, pos)
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "stage_id",
        &["pipeline: string", "stage_label: string", "string"],
        "The id of a stage given its label (pipeline by id or label).",
        move |nc: NativeCallContext, p: Dynamic, label: ImmutableString| -> Res<ImmutableString> {
            let pos = nc.call_position();
            let p = convert::id(&p, "pipelines::stage_id", pos)?;
            let ps = all(&c, pos)?;
            Ok(stage(pipeline(&ps, &p, pos)?, &label, pos)?
                .id
                .clone()
                .into())
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "stage_label",
        &["pipeline: string", "stage_id: string", "string"],
        "The label of a stage given its id.",
        move |nc: NativeCallContext, p: Dynamic, id: Dynamic| -> Res<ImmutableString> {
            let pos = nc.call_position();
            let p = convert::id(&p, "pipelines::stage_label", pos)?;
            let id = convert::id(&id, "pipelines::stage_label", pos)?;
            let ps = all(&c, pos)?;
            Ok(stage(pipeline(&ps, &p, pos)?, &id, pos)?
                .label
                .clone()
                .into())
        }
    );
    let c = ctx.clone();
    def!(
        &mut m,
        false,
        "is_closed",
        &["stage_id: string", "bool"],
        "Whether a stage (by id, in any pipeline) is a closed stage (metadata ticketState CLOSED).",
        move |nc: NativeCallContext, id: Dynamic| -> Res<bool> {
            let pos = nc.call_position();
            let id = convert::id(&id, "pipelines::is_closed", pos)?;
            let ps = all(&c, pos)?;
            ps.iter()
                .flat_map(|p| p.stages.iter())
                .find(|s| s.id == id)
                .map(PipelineStage::is_closed)
                .ok_or_else(|| usage(pos, format!("no pipeline has a stage with id `{id}`")))
        }
    );
    m
}
