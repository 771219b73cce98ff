//! The shared fake's bookkeeping: counting calls and writes, reading and changing the stored
//! tickets, and recording batch calls (failing them whole when configured to). Test builds only.

use std::sync::atomic::Ordering;

use super::fixtures::ticket;
use super::FakeBackend;
use crate::backend::BackendResult;
use crate::model::{ApiError, InputProperties, Ticket};

fn pairs(props: &InputProperties) -> Vec<(&str, &str)> {
    props
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

impl FakeBackend {
    pub(super) fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }

    pub(super) fn wrote(&self, n: usize) {
        self.writes.fetch_add(n as u64, Ordering::SeqCst);
    }

    pub(super) fn page_size(&self) -> usize {
        self.page.unwrap_or(usize::MAX)
    }

    pub(super) fn find(&self, id: &str) -> Option<Ticket> {
        let id: u64 = id.parse().ok()?;
        self.tickets.lock().unwrap().get(&id).cloned()
    }

    pub(super) fn insert(&self, props: &InputProperties) -> Ticket {
        let mut all = self.tickets.lock().unwrap();
        let id = all.keys().next_back().copied().unwrap_or(0) + 1;
        let t = ticket(id, &pairs(props));
        all.insert(id, t.clone());
        t
    }

    pub(super) fn patch(&self, id: &str, props: &InputProperties) -> Option<Ticket> {
        let id: u64 = id.parse().ok()?;
        let mut all = self.tickets.lock().unwrap();
        let t = all.get_mut(&id)?;
        for (k, v) in props.iter() {
            t.properties.insert(k.clone(), Some(v.clone()));
        }
        Some(t.clone())
    }

    /// Records a batch call; fails it whole when told to.
    pub(super) fn batch_call(&self, size: usize) -> BackendResult<()> {
        self.count();
        let mut sizes = self.batch_sizes.lock().unwrap();
        let index = sizes.len();
        sizes.push(size);
        if size > crate::model::MAX_BATCH_INPUTS {
            return Err(ApiError::validation("too many inputs").into());
        }
        if self.daily_limit_from.is_some_and(|from| index >= from) {
            let mut e = ApiError::new(429, "RATE_LIMITS", "You have reached your daily limit.");
            e.policy_name = Some("DAILY".into());
            return Err(e.into());
        }
        if self.failing_batch_calls.contains(&index) {
            let message = format!("batch call {index} refused");
            return Err(ApiError::validation(message).into());
        }
        Ok(())
    }
}
