//! Applying a plan: every planned change sent with HubSpot's batch endpoints, after a drift
//! check, with one outcome per change. Used by a run (plan, then apply), by `hubscript apply`
//! for a saved plan, and by anything else that holds a [`Plan`] (undo): [`apply`] takes the
//! plan and a backend and returns an [`ApplyReport`]; it never touches Rhai or the state store.
//!
//! Order and batching (each step 100 inputs per call):
//! 1. drift check of the existing tickets the plan sets properties on (`drift`); a ticket
//!    changed since it was read is a conflict and none of its changes are sent;
//! 2. creates (`batch/create`, or `batch/upsert` when a create sets a unique-value property,
//!    see `creates`); later changes of a created ticket are folded into its create, and every
//!    later reference to its placeholder id (targets, merge partners, property values equal to
//!    the placeholder) gets the real id;
//! 3. new associations (v4 `batch/create`, per object type), before the updates because a
//!    pin needs its activity associated;
//! 4. activities logged on tickets (notes, tasks): one create each, with the association to
//!    the ticket inline (HubSpot's batch create is not used: one rule logs a few);
//! 5. updates, merged per ticket (the last value of each property wins);
//! 6. removed associations (v4 `batch/labels/archive`), after the updates (an unpin first);
//! 7. merges (no batch endpoint exists: one call each);
//! 8. archives (`batch/archive`);
//! 9. activities archived (an undo of notes and tasks a run logged): one call each.
//!
//! A change that fails is reported with the script line that planned it; changes that depend
//! on it (of a ticket whose create failed) fail with it. Cancelling stops between calls; what
//! was not sent stays `pending` (counted as failed).

mod creates;
mod drift;
mod outcome;
mod writes;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::backend::{BackendError, TicketsBackend};
use crate::model::Property;

use super::plan::{Plan, PlanChange};

pub use drift::DriftCheck;
pub use outcome::{ApplyReport, ChangeOutcome, ChangeStatus};

/// How to apply.
#[derive(Debug, Clone, Default)]
pub struct ApplyOptions {
    /// How the drift check looks (default: batch reads).
    pub drift: Option<DriftCheck>,
    /// The portal's property definitions, when the caller has them (they tell which
    /// properties hold unique values, for exactly-once creates); fetched when needed.
    pub properties: Option<Arc<Vec<Property>>>,
    /// Stops the apply between calls.
    pub cancel: CancellationToken,
}

/// Calls made, split into reads and writes.
#[derive(Debug, Default)]
pub(crate) struct Calls {
    reads: AtomicU64,
    writes: AtomicU64,
}

impl Calls {
    fn read(&self) {
        self.reads(1);
    }
    fn reads(&self, n: u64) {
        self.reads.fetch_add(n, Ordering::Relaxed);
    }
    fn write(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
    }
}

/// The state of one apply: the plan, each change's outcome so far and the real ids of created
/// tickets.
pub(crate) struct Work<'a> {
    plan: &'a Plan,
    outcomes: Vec<ChangeOutcome>,
    /// Placeholder ids of the tickets the plan creates.
    placeholders: HashSet<String>,
    /// Real ids, by placeholder, once created.
    created: BTreeMap<String, String>,
    calls: Calls,
    cancel: CancellationToken,
}

impl<'a> Work<'a> {
    fn new(plan: &'a Plan, cancel: CancellationToken) -> Self {
        let outcomes = plan
            .entries
            .iter()
            .enumerate()
            .map(|(index, e)| ChangeOutcome {
                index,
                ticket: e.ticket.clone(),
                id: None,
                line: e.line,
                status: ChangeStatus::Pending,
            })
            .collect();
        let placeholders = plan
            .entries
            .iter()
            .filter(|e| matches!(e.change, PlanChange::Created { .. }))
            .map(|e| e.ticket.clone())
            .collect();
        Self {
            plan,
            outcomes,
            placeholders,
            created: BTreeMap::new(),
            calls: Calls::default(),
            cancel,
        }
    }

    /// The real id of a ticket the plan names: itself, the created ticket's id, or `None`
    /// when its create did not succeed.
    fn resolve(&self, id: &str) -> Option<String> {
        if self.placeholders.contains(id) {
            self.created.get(id).cloned()
        } else {
            Some(id.to_string())
        }
    }

    /// A property value with a placeholder replaced by the created ticket's id.
    fn resolve_value(&self, v: &str) -> String {
        self.created
            .get(v)
            .cloned()
            .unwrap_or_else(|| v.to_string())
    }

    /// Whether change `i` is still to be sent.
    fn pending(&self, i: usize) -> bool {
        matches!(self.outcomes[i].status, ChangeStatus::Pending)
    }

    fn set(&mut self, i: usize, status: ChangeStatus) {
        let o = &mut self.outcomes[i];
        if matches!(o.status, ChangeStatus::Pending) {
            o.status = status;
        }
    }

    fn failed(&mut self, i: usize, message: impl Into<String>) {
        self.set(
            i,
            ChangeStatus::Failed {
                message: message.into(),
            },
        );
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    fn finish(mut self) -> ApplyReport {
        for o in &mut self.outcomes {
            let real = if self.placeholders.contains(&o.ticket) {
                self.created.get(&o.ticket).cloned()
            } else {
                Some(o.ticket.clone())
            };
            o.id = real;
        }
        ApplyReport {
            outcomes: self.outcomes,
            created: self.created,
            read_calls: self.calls.reads.load(Ordering::Relaxed),
            write_calls: self.calls.writes.load(Ordering::Relaxed),
        }
    }
}

/// A failure's text for a report: HubSpot's message, or what went wrong on the way.
pub(crate) fn error_text(e: &BackendError) -> String {
    match e.api() {
        Some(api) => format!("{} ({} {})", api.message, api.http_status, api.category),
        None => e.to_string(),
    }
}

/// Applies `plan` on `b`. Never fails as a whole: every problem is an outcome.
pub async fn apply(b: &dyn TicketsBackend, plan: &Plan, options: &ApplyOptions) -> ApplyReport {
    let mut w = Work::new(plan, options.cancel.clone());
    let mode = options.drift.unwrap_or(DriftCheck::Read);

    // 1. Drift check: expectations per existing ticket from its Set changes (the first `old`
    // is what the plan read, the last `new` what it writes).
    let mut expected: HashMap<String, drift::Expected> = HashMap::new();
    for e in &plan.entries {
        if let PlanChange::Set { property, old, new } = &e.change {
            if w.placeholders.contains(&e.ticket) {
                continue;
            }
            let new = Some(new.clone()).filter(|v| !v.is_empty());
            expected
                .entry(e.ticket.clone())
                .or_default()
                .entry(property.clone())
                .and_modify(|(_, n)| *n = new.clone())
                .or_insert((old.clone(), new));
        }
    }
    match drift::conflicts(b, &expected, mode, &w.calls).await {
        Ok(conflicts) => {
            for i in 0..plan.entries.len() {
                if let Some(c) = conflicts.get(&plan.entries[i].ticket) {
                    w.set(i, c.clone());
                }
            }
        }
        Err(e) => {
            // Without the check nothing may be sent blindly.
            let msg = format!("the drift check failed: {}", error_text(&e));
            for i in 0..plan.entries.len() {
                w.failed(i, msg.clone());
            }
            return w.finish();
        }
    }

    creates::apply(b, &mut w, options.properties.clone()).await;
    // New associations before updates (a pin needs its activity associated), removals after
    // them (an unpin comes before the activity is dissociated).
    writes::associations(b, &mut w, true).await;
    writes::logged(b, &mut w).await;
    writes::updates(b, &mut w).await;
    writes::associations(b, &mut w, false).await;
    writes::merges(b, &mut w).await;
    writes::archives(b, &mut w).await;
    writes::unlogged(b, &mut w).await;
    w.finish()
}

#[cfg(test)]
mod tests;
