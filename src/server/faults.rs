//! Fault injection (`--faults`): before a `/crm/` request is processed, wait the configured
//! latency, then draw once from a seeded RNG and maybe answer a 429, a 500, or nothing at all.
//! A faulted request never reaches the backend. The seed makes a run repeatable for a given
//! request order.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use tokio_util::sync::CancellationToken;

use super::fault_spec::FaultSpec;
use super::limiter::Refusal;
use super::rate_limit::refusal_error;
use super::response::HttpError;
use crate::model::{ApiError, ErrorCategory};

/// How long a "timeout" fault holds a request when nothing else ends it first.
const HOLD: Duration = Duration::from_secs(600);

/// What one draw decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Process the request normally.
    Pass,
    /// Answer a `TEN_SECONDLY_ROLLING` 429.
    RateLimited,
    /// Answer a 500.
    ServerError,
    /// Never answer.
    Timeout,
}

/// The seeded fault source of one server.
#[derive(Debug)]
pub(crate) struct FaultInjector {
    spec: FaultSpec,
    rng: Mutex<StdRng>,
    shutdown: CancellationToken,
}

impl FaultInjector {
    /// `shutdown` releases held ("timeout") requests so a graceful shutdown is not blocked.
    pub(crate) fn new(spec: FaultSpec, seed: u64, shutdown: CancellationToken) -> Self {
        Self {
            spec,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            shutdown,
        }
    }

    /// One draw: at most one fault per request.
    pub(crate) fn draw(&self) -> Fault {
        let u: f64 = self
            .rng
            .lock()
            .expect("fault RNG lock poisoned by a panic")
            .random();
        let s = &self.spec;
        if u < s.rate_limited {
            Fault::RateLimited
        } else if u < s.rate_limited + s.server_error {
            Fault::ServerError
        } else if u < s.rate_limited + s.server_error + s.timeout {
            Fault::Timeout
        } else {
            Fault::Pass
        }
    }
}

/// Middleware: latency, then maybe a fault instead of the real handler.
pub(crate) async fn inject_faults(
    State(faults): State<Arc<FaultInjector>>,
    req: Request,
    next: Next,
) -> Response {
    if !req.uri().path().starts_with("/crm/") {
        return next.run(req).await;
    }
    if !faults.spec.latency.is_zero() {
        tokio::time::sleep(faults.spec.latency).await;
    }
    match faults.draw() {
        Fault::Pass => next.run(req).await,
        // Like HubSpot's REST 429s this carries no Retry-After: clients must cope without it.
        Fault::RateLimited => HttpError::from(refusal_error(Refusal::TenSecondly)).into_response(),
        Fault::ServerError => HttpError::from(ApiError::internal(
            "Internal error (injected by hubscript serve --faults)",
        ))
        .into_response(),
        Fault::Timeout => hold(&faults.shutdown).await,
    }
}

/// Holds the request until the client gives up (hyper then drops this future), the server shuts
/// down, or [`HOLD`] passes; whatever is answered then is never meant to be read.
async fn hold(shutdown: &CancellationToken) -> Response {
    tokio::select! {
        () = tokio::time::sleep(HOLD) => {}
        () = shutdown.cancelled() => {}
    }
    let mut response = HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCategory::INTERNAL_ERROR,
        "Request held by an injected timeout fault",
    )
    .into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn injector(spec: &str, seed: u64) -> FaultInjector {
        FaultInjector::new(spec.parse().unwrap(), seed, CancellationToken::new())
    }

    #[test]
    fn certain_faults_always_happen() {
        let f = injector("500=1", 1);
        assert!((0..100).all(|_| f.draw() == Fault::ServerError));
        let f = injector("429=1", 1);
        assert!((0..100).all(|_| f.draw() == Fault::RateLimited));
        let f = injector("latency=1ms", 1);
        assert!((0..100).all(|_| f.draw() == Fault::Pass));
    }

    #[test]
    fn same_seed_same_sequence_and_rough_proportions() {
        let spec = "429=0.25,500=0.25,timeout=0.25";
        let a: Vec<Fault> = (0..400)
            .map({
                let f = injector(spec, 7);
                move |_| f.draw()
            })
            .collect();
        let b: Vec<Fault> = (0..400)
            .map({
                let f = injector(spec, 7);
                move |_| f.draw()
            })
            .collect();
        assert_eq!(a, b);
        for kind in [
            Fault::Pass,
            Fault::RateLimited,
            Fault::ServerError,
            Fault::Timeout,
        ] {
            let n = a.iter().filter(|f| **f == kind).count();
            assert!((50..150).contains(&n), "{kind:?}: {n}");
        }
    }
}
