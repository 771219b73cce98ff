//! The one bridge from synchronous script functions to the async backend.
//!
//! Every host call goes through [`RunCtx::call`]: it blocks the script's thread (a
//! `spawn_blocking` thread, never an async task) on the runtime handle, racing the call against
//! the run's cancel token and deadline, and turns the outcome into a Rhai result positioned at
//! the calling script line. HubSpot errors become catchable maps. Nothing else may block on
//! the runtime.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rhai::{Dynamic, EvalAltResult, Map, Position};

use crate::backend::{BackendError, BackendResult};
use crate::model::ApiError;

use super::context::{RunCtx, StopReason};

enum Raced<T> {
    Done(T),
    Stopped(StopReason),
}

impl RunCtx {
    /// Runs one backend call to completion, or stops at cancellation or the deadline.
    pub(crate) fn call<T, F>(&self, pos: Position, fut: F) -> Result<T, Box<EvalAltResult>>
    where
        F: Future<Output = BackendResult<T>>,
    {
        self.api_calls.fetch_add(1, Ordering::Relaxed);
        match self.race(fut, pos)? {
            Ok(v) => Ok(v),
            Err(BackendError::Cancelled) => Err(self.stop(StopReason::Cancelled, pos)),
            Err(e) => Err(backend_error(&e, pos)),
        }
    }

    /// Waits for a non-backend future (an outbound request), or stops at cancellation or the
    /// deadline like a backend call.
    pub(crate) fn wait<T, F>(&self, pos: Position, fut: F) -> Result<T, Box<EvalAltResult>>
    where
        F: Future<Output = T>,
    {
        self.race(fut, pos)
    }

    /// Sleeps `d`, waking early (with the stop error) on cancellation or the deadline.
    pub(crate) fn sleep(&self, pos: Position, d: Duration) -> Result<(), Box<EvalAltResult>> {
        self.race(tokio::time::sleep(d), pos)
    }

    fn race<T, F>(&self, fut: F, pos: Position) -> Result<T, Box<EvalAltResult>>
    where
        F: Future<Output = T>,
    {
        if let Some(reason) = self.should_stop() {
            return Err(self.stop(reason, pos));
        }
        let cancel = self.cancel_token();
        let deadline = self.deadline.map(tokio::time::Instant::from_std);
        let timeout = self.settings.timeout;
        let raced = self.handle.block_on(async move {
            let until_deadline = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                v = fut => Raced::Done(v),
                () = cancel.cancelled() => Raced::Stopped(StopReason::Cancelled),
                () = until_deadline => Raced::Stopped(StopReason::Timeout(timeout.unwrap_or_default())),
            }
        });
        match raced {
            Raced::Done(v) => Ok(v),
            Raced::Stopped(reason) => Err(self.stop(reason, pos)),
        }
    }
}

/// The map a script catches for a HubSpot error: `status`, `category`, `message`,
/// `correlationId`, `errors` (and `context` when present).
pub(crate) fn api_error_map(e: &ApiError) -> Map {
    let mut m = Map::new();
    m.insert("status".into(), Dynamic::from_int(i64::from(e.http_status)));
    m.insert("category".into(), e.category.clone().into());
    m.insert("message".into(), e.message.clone().into());
    m.insert("correlationId".into(), e.correlation_id.clone().into());
    let errors = rhai::serde::to_dynamic(&e.errors).unwrap_or_else(|_| Dynamic::from_array(vec![]));
    m.insert("errors".into(), errors);
    if let Some(p) = &e.policy_name {
        m.insert("policyName".into(), p.clone().into());
    }
    m
}

/// A backend failure as a catchable script error. Failures without a HubSpot answer (network,
/// timeout, undecodable body) use status 0 and categories `NETWORK`, `TIMEOUT`, `DECODE` (our
/// choice) so one `catch (e) { e.status }` handles both.
pub(crate) fn backend_error(e: &BackendError, pos: Position) -> Box<EvalAltResult> {
    let map = match e.api() {
        Some(api) => api_error_map(api),
        None => {
            let category = match e {
                BackendError::Timeout { .. } => "TIMEOUT",
                BackendError::Decode { .. } => "DECODE",
                _ => "NETWORK",
            };
            let mut m = Map::new();
            m.insert("status".into(), Dynamic::from_int(0));
            m.insert("category".into(), category.into());
            m.insert("message".into(), e.to_string().into());
            m.insert("correlationId".into(), "".into());
            m.insert("errors".into(), Dynamic::from_array(vec![]));
            m
        }
    };
    Box::new(EvalAltResult::ErrorRuntime(map.into(), pos))
}

/// A script-usage error (bad argument) at `pos`: catchable, with a plain message.
pub(crate) fn usage(pos: Position, message: impl Into<String>) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into().into(), pos))
}
