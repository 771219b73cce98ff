//! The request loop every endpoint goes through: take a slot from the shared limiter, send,
//! feed the rate-limit headers back, and on failure apply the retry rules of `retry.rs` with
//! the waits they call for. Each wait and retry is logged at debug level with its reason; a
//! long wait (a retry or rate-limit wait of a second or more, an answer slower than 5 s) also
//! gets one status line at info level, so a run at default verbosity never sits silent. Nothing
//! logged contains the token (it only exists in a header marked sensitive).
//!
//! Everything is plain async: dropping the returned future cancels the wait or the request in
//! flight, which is how Ctrl-C and run timeouts stop a call.

use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::client::HubspotClient;
use super::limiter::Bucket;
use super::response;
use super::retry::{backoff_delay, classify, Failure, Idempotency, Verdict};
use crate::backend::{BackendError, BackendResult};

/// One API call, ready to be sent (and re-sent).
pub(super) struct Call {
    pub method: Method,
    /// Path segments after the base URL, each percent-encoded on the wire.
    pub segments: Vec<String>,
    /// Query pairs; a key may repeat (`properties=a&properties=b`).
    pub query: Vec<(&'static str, String)>,
    /// JSON body.
    pub body: Option<Vec<u8>>,
    /// Why the body could not be encoded (reported instead of sending).
    pub encode_error: Option<String>,
    pub op: Idempotency,
    pub bucket: Bucket,
}

impl Call {
    /// A call with no query and no body.
    pub(super) fn new(method: Method, segments: &[&str], op: Idempotency) -> Self {
        Self {
            method,
            segments: segments.iter().map(|s| (*s).to_string()).collect(),
            query: Vec::new(),
            body: None,
            encode_error: None,
            op,
            bucket: Bucket::General,
        }
    }

    /// Adds one query pair.
    pub(super) fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    /// Adds `key=v` once per value (the form HubSpot's official clients send).
    pub(super) fn query_list(mut self, key: &'static str, values: &[String]) -> Self {
        self.query.extend(values.iter().map(|v| (key, v.clone())));
        self
    }

    /// Sets the JSON body.
    pub(super) fn json<B: Serialize>(mut self, body: &B) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => self.encode_error = Some(e.to_string()),
        }
        self
    }

    /// Draws from the search budget.
    pub(super) fn search(mut self) -> Self {
        self.bucket = Bucket::Search;
        self
    }

    fn path(&self) -> String {
        format!("/{}", self.segments.join("/"))
    }
}

/// Waits this long or longer are shown at default verbosity (info), shorter ones at debug.
pub(super) const STATUS_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// An answer not back after this long gets a status line saying the run is still waiting.
const SLOW_ANSWER: std::time::Duration = std::time::Duration::from_secs(5);

/// What one attempt produced.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl HubspotClient {
    fn url_for(&self, call: &Call) -> Url {
        let mut url = self.inner.base.clone();
        // The base URL is validated as http(s) with a host in `new`, so it can carry segments.
        if let Ok(mut segs) = url.path_segments_mut() {
            segs.pop_if_empty().extend(call.segments.iter());
        }
        url
    }

    async fn attempt(&self, call: &Call) -> Result<Answer, reqwest::Error> {
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), self.url_for(call));
        if !call.query.is_empty() {
            req = req.query(&call.query);
        }
        if let Some(body) = &call.body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let resp = req.send().await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = resp.bytes().await?.to_vec();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// [`Self::attempt`], with one status line when the server keeps the run waiting longer
    /// than [`SLOW_ANSWER`].
    async fn attempt_watched(&self, call: &Call) -> Result<Answer, reqwest::Error> {
        let attempt = self.attempt(call);
        tokio::pin!(attempt);
        tokio::select! {
            r = &mut attempt => r,
            () = tokio::time::sleep(SLOW_ANSWER) => {
                tracing::info!(
                    "slow server: {} {} has not answered after {}s; still waiting (request timeout {}s)",
                    call.method,
                    call.path(),
                    SLOW_ANSWER.as_secs(),
                    self.inner.config.request_timeout.as_secs()
                );
                attempt.await
            }
        }
    }

    /// Turns a reqwest failure into the retry classification and the error reported if no
    /// retry follows.
    fn transport_failure(&self, e: &reqwest::Error) -> (Failure, BackendError) {
        let url = self.inner.base_display.clone();
        let cfg = &self.inner.config;
        if e.is_connect() {
            let err = if e.is_timeout() {
                BackendError::Timeout {
                    url,
                    timeout: cfg.connect_timeout,
                }
            } else {
                BackendError::Transport {
                    url,
                    message: error_chain(e),
                }
            };
            (Failure::Connect, err)
        } else if e.is_timeout() {
            (
                Failure::Timeout,
                BackendError::Timeout {
                    url,
                    timeout: cfg.request_timeout,
                },
            )
        } else {
            (
                Failure::Transport,
                BackendError::Transport {
                    url,
                    message: error_chain(e),
                },
            )
        }
    }

    /// Sends `call` until it succeeds or the retry rules give up; returns the 2xx answer.
    async fn execute(&self, call: &Call) -> BackendResult<Answer> {
        let cfg = &self.inner.config;
        let limiter = &self.inner.limiter;
        if let Some(e) = &call.encode_error {
            return Err(BackendError::Decode {
                url: self.inner.base_display.clone(),
                message: format!(
                    "could not encode the body of {} {}: {e}",
                    call.method,
                    call.path()
                ),
            });
        }
        let mut retries = 0u32;
        loop {
            limiter.acquire(call.bucket).await;
            tracing::trace!(method = %call.method, path = %call.path(), "sending");
            let (failure, error) = match self.attempt_watched(call).await {
                Ok(answer) => {
                    if call.bucket == Bucket::General {
                        limiter.observe(call.bucket, response::rate_headers(&answer.headers));
                    }
                    if answer.status.is_success() {
                        return Ok(answer);
                    }
                    let status = answer.status.as_u16();
                    let api = response::api_error(status, &answer.headers, &answer.body);
                    let failure = Failure::Status {
                        status,
                        retry_after: response::retry_after(&answer.headers),
                        daily: api.is_daily_limit(),
                    };
                    (failure, BackendError::from(api))
                }
                Err(e) => self.transport_failure(&e),
            };
            let verdict = classify(call.op, failure, cfg.locked_wait, cfg.max_retry_after);
            if verdict == Verdict::Stop || retries >= cfg.max_retries {
                if verdict != Verdict::Stop {
                    tracing::debug!(
                        method = %call.method,
                        path = %call.path(),
                        retries,
                        "giving up: retry budget used"
                    );
                }
                return Err(error);
            }
            let (wait, reason) = match verdict {
                Verdict::Backoff { min, reason } => {
                    let jitter: f64 = rand::random();
                    let d = backoff_delay(retries, cfg.backoff_base, cfg.backoff_max, jitter);
                    (d.max(min), reason)
                }
                Verdict::RateLimited { retry_after } => {
                    let floor = cfg.rate_limited_wait;
                    let wait = limiter.block_after_429(call.bucket, retry_after, floor);
                    (wait, "429 rate limited")
                }
                Verdict::Stop => return Err(error),
            };
            retries += 1;
            crate::backend::note_retry(
                matches!(verdict, Verdict::RateLimited { .. }).then_some(wait),
            );
            tracing::debug!(
                method = %call.method,
                path = %call.path(),
                retry = retries,
                wait_ms = wait.as_millis() as u64,
                reason,
                error = %error,
                "retrying"
            );
            if wait >= STATUS_WAIT {
                tracing::info!(
                    "{reason}: retrying {} {} in {:.1}s (retry {retries} of at most {})",
                    call.method,
                    call.path(),
                    wait.as_secs_f64(),
                    cfg.max_retries
                );
            }
            // For 429 the limiter itself holds every caller until the block ends; sleeping
            // here too keeps this caller's retry after it as well.
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends `call` and decodes the JSON answer.
    pub(super) async fn fetch<T: DeserializeOwned>(&self, call: Call) -> BackendResult<T> {
        let answer = self.execute(&call).await?;
        serde_json::from_slice(&answer.body).map_err(|e| BackendError::Decode {
            url: self.inner.base_display.clone(),
            message: format!(
                "{} {} answered {} with a body that does not parse ({e}): {}",
                call.method,
                call.path(),
                answer.status.as_u16(),
                response::snippet(&answer.body)
            ),
        })
    }

    /// Sends `call`, expecting no body (204).
    pub(super) async fn send_empty(&self, call: Call) -> BackendResult<()> {
        self.execute(&call).await.map(|_| ())
    }
}

/// A reqwest error with its sources, which carry the useful part ("connection refused").
fn error_chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
