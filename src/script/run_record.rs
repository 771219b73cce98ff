//! What the host writes into a run's record beyond its counts: who and where (backend with the
//! live portal's id, user, host), what ran (path, text, arguments, header), and the changes, as
//! [`TicketChange`]s with the old values the run read and pipeline stage labels.
//!
//! The changes of a dry run are its plan. The changes of a real run are what landed: the
//! counting backend keeps every write HubSpot accepted, and the old value of each property comes
//! from the run's plan when the run read it before writing (`old_known`); a write sent without
//! reading first keeps `old_known: false`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::Utc;

use crate::backend::{CallCounts, TicketsBackend};
use crate::model::{ChangeAction, Pipeline, TicketChange};
use crate::state::{BackendRecord, RunEnd, RunId, RunStatus, StateDb};

use super::header::ScriptHeader;
use super::plan::{Plan, PlanChange};

/// How an apply-like run (a saved plan's apply, an undo) ended, in changes and tickets.
pub(crate) struct AppliedCounts {
    /// Changes in its plan.
    pub planned: u64,
    /// Changes that landed.
    pub applied: u64,
    /// Distinct tickets written.
    pub writes: u64,
    /// Changes skipped because the ticket changed since it was read.
    pub conflicts: u64,
    /// Changes HubSpot refused.
    pub failed: u64,
}

/// Records the end of the apply-like run `id` (`what` names it in the error: "plan", "undo"): its counts, the calls
/// it made and the changes that landed; failed when a change failed. A failure to record is
/// logged, never swallowed; returns whether the end was recorded.
pub(crate) fn finish_applied(
    state: &StateDb,
    id: RunId,
    what: &str,
    counts: &AppliedCounts,
    calls: &CallCounts,
    changes: &[TicketChange],
) -> bool {
    let failed = counts.failed;
    let error = (failed > 0).then(|| format!("{failed} change(s) of the {what} failed"));
    let end = RunEnd {
        planned: counts.planned,
        applied: counts.applied,
        writes: counts.writes,
        conflicts: counts.conflicts,
        failed,
        api_calls: calls.calls(),
        api_reads: calls.reads,
        api_writes: calls.writes,
        retries: calls.retries,
        rate_limit_waits: calls.rate_limit_waits,
        changes,
        error: error.as_deref(),
        ..RunEnd::default()
    };
    let status = if failed > 0 {
        RunStatus::Failed
    } else {
        RunStatus::Ok
    };
    match state.finish_run(id, status, Utc::now(), &end) {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, run = id, kind = what, "could not record the end of the run");
            false
        }
    }
}

/// The record of `backend`, with `portal_id` when known.
pub(crate) fn backend_record(
    backend: &dyn TicketsBackend,
    portal_id: Option<u64>,
) -> BackendRecord {
    BackendRecord {
        kind: backend.kind().to_string(),
        location: backend.location(),
        live: backend.is_live(),
        portal_id,
    }
}

/// The user running hubscript (`$USER`, else `$LOGNAME`, else `unknown`).
pub(crate) fn user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// This machine's host name (`unknown` when it cannot be read); the same name the run history
/// compares when it settles interrupted runs.
pub(crate) fn host() -> String {
    crate::state::owner::host_name().to_string()
}

/// The header as the record keeps it.
pub(crate) fn header_json(h: &ScriptHeader) -> serde_json::Value {
    let secs = |d: Option<std::time::Duration>| d.map(|d| d.as_secs_f64());
    serde_json::json!({
        "description": h.description,
        "schedule": h.schedule,
        "timezone": h.timezone.map(|t| t.name().to_string()),
        "overlap": format!("{:?}", h.overlap).to_lowercase(),
        "catch_up": format!("{:?}", h.catch_up).to_lowercase(),
        "jitter_secs": secs(h.jitter),
        "timeout_secs": secs(h.timeout),
        "max_writes": h.max_writes,
    })
}

/// A dry run's plan as changes (every old value was read while planning).
pub(crate) fn from_plan(plan: &Plan) -> Vec<TicketChange> {
    plan.entries
        .iter()
        .map(|e| {
            let t = e.ticket.as_str();
            match &e.change {
                PlanChange::Set { property, old, new } => TicketChange {
                    old: old.clone(),
                    old_known: true,
                    ..TicketChange::set(t, property, new)
                },
                PlanChange::Created { properties, .. } => {
                    TicketChange::create(t, properties.clone())
                }
                PlanChange::Archived => TicketChange::archive(t),
                PlanChange::Merged { into } => TicketChange::merge(t, into),
                PlanChange::Associated {
                    to_type,
                    to_id,
                    type_id,
                } => TicketChange::association(t, true, to_type, to_id, Some(type_id.clone())),
                PlanChange::Dissociated {
                    to_type,
                    to_id,
                    type_id,
                } => TicketChange::association(t, false, to_type, to_id, Some(type_id.clone())),
                // The record's id is known only once it is created.
                PlanChange::Logged {
                    object_type,
                    properties,
                } => TicketChange::logged(
                    t,
                    true,
                    object_type,
                    "(new)",
                    crate::model::object_types::default_type_id(object_type)
                        .map(|id| id.to_string()),
                    properties.clone(),
                ),
                PlanChange::Unlogged { object_type, id } => {
                    TicketChange::logged(t, false, object_type, id, None, Default::default())
                }
            }
        })
        .collect()
}

/// The landed changes of a real run, with the old values its plan read (the first planned old
/// value of each ticket and property: the value before the run).
pub(crate) fn with_old_values(mut landed: Vec<TicketChange>, plan: &Plan) -> Vec<TicketChange> {
    let mut before: HashMap<(&str, &str), &Option<String>> = HashMap::new();
    for e in &plan.entries {
        if let PlanChange::Set { property, old, .. } = &e.change {
            before
                .entry((e.ticket.as_str(), property.as_str()))
                .or_insert(old);
        }
    }
    for c in &mut landed {
        if c.action != ChangeAction::Set || c.old_known {
            continue;
        }
        let key = (c.ticket.as_str(), c.property.as_deref().unwrap_or(""));
        if let Some(old) = before.get(&key) {
            c.old = (*old).clone();
            c.old_known = true;
        }
    }
    landed
}

/// Whether any change sets a pipeline or a stage (its labels are then worth a pipelines read).
pub(crate) fn needs_labels(changes: &[TicketChange]) -> bool {
    changes.iter().any(|c| {
        matches!(
            c.property.as_deref(),
            Some("hs_pipeline_stage" | "hs_pipeline")
        )
    })
}

/// Fills `old_label`/`new_label` of pipeline and stage changes from `pipelines`.
pub(crate) fn add_labels(changes: &mut [TicketChange], pipelines: &Arc<Vec<Pipeline>>) {
    let mut labels: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for p in pipelines.iter() {
        labels.insert(("hs_pipeline", p.id.as_str()), p.label.as_str());
        for s in &p.stages {
            labels.insert(("hs_pipeline_stage", s.id.as_str()), s.label.as_str());
        }
    }
    for c in changes.iter_mut() {
        let Some(prop) = c.property.as_deref() else {
            continue;
        };
        let label = |v: &Option<String>| {
            v.as_deref()
                .and_then(|v| labels.get(&(prop, v)))
                .map(|l| l.to_string())
        };
        c.old_label = label(&c.old);
        c.new_label = label(&c.new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landed_changes_take_the_first_old_value_the_plan_read() {
        let mut plan = Plan::default();
        let set = |old: &str, new: &str| PlanChange::Set {
            property: "hs_pipeline_stage".into(),
            old: Some(old.into()),
            new: new.into(),
        };
        plan.push("7", set("1", "2"));
        plan.push("7", set("2", "3"));
        let landed = vec![
            TicketChange::set("7", "hs_pipeline_stage", "3"),
            TicketChange::set("8", "subject", "x"),
        ];
        let mut out = with_old_values(landed, &plan);
        assert_eq!(out[0].old.as_deref(), Some("1"));
        assert!(out[0].old_known);
        assert!(!out[1].old_known, "ticket 8 was written without being read");
        assert!(needs_labels(&out));
        let stage = |id: &str| crate::model::PipelineStage {
            id: id.to_string(),
            label: format!("Stage {id}"),
            display_order: 0,
            metadata: BTreeMap::new(),
            archived: false,
            created_at: Default::default(),
            updated_at: Default::default(),
            write_permissions: None,
        };
        let pipelines = Arc::new(vec![Pipeline {
            id: "0".into(),
            label: "Support".into(),
            display_order: 0,
            stages: vec![stage("1"), stage("3")],
            archived: false,
            created_at: Default::default(),
            updated_at: Default::default(),
        }]);
        add_labels(&mut out, &pipelines);
        assert_eq!(out[0].old_label.as_deref(), Some("Stage 1"));
        assert_eq!(out[0].new_label.as_deref(), Some("Stage 3"));
        assert_eq!(out[1].new_label, None);
    }
}
