//! The outbound side of one run: the header's allow-list, the run's secrets, the per-run caps
//! (requests, Slack messages), and the records of every request, planned or sent. Every
//! request passes [`OutboundSession::admit`] (allow-list and cap) before it is planned or
//! sent, so a dry run refuses exactly what a real run would.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

use super::allow::{check_url, AllowList};
use super::client::{build_client, send, HttpLimits};
use super::error::OutboundError;
use super::request::{OutboundRequest, RequestRecord, Response};
use super::secrets::Secrets;

/// At most this many HTTP requests (planned or sent) per run.
pub const MAX_REQUESTS_PER_RUN: u32 = 100;

/// A per-run counter with a cap.
#[derive(Debug)]
pub struct RateCap {
    what: &'static str,
    limit: u32,
    used: AtomicU32,
}

impl RateCap {
    /// A cap of `limit` on `what` (`"Slack messages"`).
    pub fn new(what: &'static str, limit: u32) -> Self {
        Self {
            what,
            limit,
            used: AtomicU32::new(0),
        }
    }

    /// Takes one; an error once `limit` were taken.
    pub fn take(&self) -> Result<(), OutboundError> {
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.limit).then_some(n + 1)
            })
            .map(|_| ())
            .map_err(|_| OutboundError::RateCap {
                what: self.what,
                limit: self.limit,
            })
    }

    /// How many were taken.
    pub fn used(&self) -> u32 {
        self.used.load(Ordering::SeqCst)
    }
}

/// Where a request may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// A URL the script chose: its host must be in the allow-list.
    Script,
    /// A URL the operator configured in the environment (the Slack webhook): the script cannot
    /// choose it, so the allow-list does not apply; the scheme rule does.
    Operator,
}

/// The outbound state of one run.
#[derive(Debug)]
pub struct OutboundSession {
    allow: AllowList,
    secrets: Secrets,
    limits: HttpLimits,
    requests: RateCap,
    client: OnceLock<reqwest::Client>,
    records: Mutex<Vec<RequestRecord>>,
}

impl OutboundSession {
    /// A session for a run whose header allows `allow` and declares `secrets`.
    pub fn new(allow: AllowList, secrets: Secrets, limits: HttpLimits) -> Self {
        Self {
            allow,
            secrets,
            limits,
            requests: RateCap::new("http requests", MAX_REQUESTS_PER_RUN),
            client: OnceLock::new(),
            records: Mutex::new(Vec::new()),
        }
    }

    /// The run's secrets.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// `text` with the run's secret values replaced.
    pub fn redact(&self, text: &str) -> String {
        self.secrets.redact(text)
    }

    /// Checks `req` may go to its destination and counts it against the run's cap.
    pub fn admit(&self, req: &OutboundRequest, to: Destination) -> Result<(), OutboundError> {
        match to {
            Destination::Script => self
                .allow
                .check(req.url.real(), req.url.shown())
                .map(|_| ()),
            Destination::Operator => check_url(req.url.real(), req.url.shown()).map(|_| ()),
        }?;
        self.requests.take()
    }

    /// Records `req` as planned (dry run); returns the record.
    pub fn plan(&self, req: &OutboundRequest) -> RequestRecord {
        let rec = RequestRecord::of(req, true);
        self.push(rec.clone());
        rec
    }

    /// Sends an admitted request and records the outcome.
    pub async fn send(
        &self,
        req: &OutboundRequest,
    ) -> (RequestRecord, Result<Response, OutboundError>) {
        let client = self.client.get_or_init(build_client);
        let result = send(client, req, self.limits).await;
        let mut rec = RequestRecord::of(req, false);
        match &result {
            Ok(r) => rec.status = Some(r.status),
            Err(e) => rec.error = Some(self.redact(&e.to_string())),
        }
        self.push(rec.clone());
        (rec, result.map_err(|e| self.redact_error(e)))
    }

    fn redact_error(&self, e: OutboundError) -> OutboundError {
        match e {
            OutboundError::Transport { method, url, why } => OutboundError::Transport {
                method,
                url: self.redact(&url),
                why: self.redact(&why),
            },
            other => other,
        }
    }

    fn push(&self, rec: RequestRecord) {
        self.records
            .lock()
            .expect("outbound records lock poisoned")
            .push(rec);
    }

    /// Every request of the run so far, in order.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.records
            .lock()
            .expect("outbound records lock poisoned")
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::super::request::{Method, Sensitive};
    use super::*;

    fn session() -> OutboundSession {
        let secrets = Secrets::load(&["HOOK".into()], |_| {
            Some("https://hooks.slack.com/services/T/B/k".into())
        });
        OutboundSession::new(
            AllowList::parse(&["events.pagerduty.com"]).unwrap(),
            secrets,
            HttpLimits::default(),
        )
    }

    fn post(url: Sensitive) -> OutboundRequest {
        OutboundRequest {
            method: Method::Post,
            url,
            headers: Vec::new(),
            body: Some(Sensitive::plain("{}")),
        }
    }

    #[test]
    fn admits_allowed_hosts_and_operator_urls_only() {
        let s = session();
        let pd = post(Sensitive::plain("https://events.pagerduty.com/v2/enqueue"));
        s.admit(&pd, Destination::Script).unwrap();
        let hook = post(Sensitive::secret("HOOK", s.secrets().get("HOOK").unwrap()));
        // The operator's webhook is not in the list, but the script did not choose it.
        assert!(matches!(
            s.admit(&hook, Destination::Script),
            Err(OutboundError::NotAllowed { .. })
        ));
        s.admit(&hook, Destination::Operator).unwrap();
        let plain = post(Sensitive::plain("http://example.com/"));
        assert!(s.admit(&plain, Destination::Operator).is_err());
    }

    #[test]
    fn plans_are_recorded_with_shown_forms() {
        let s = session();
        let hook = post(Sensitive::secret("HOOK", s.secrets().get("HOOK").unwrap()));
        s.plan(&hook);
        let recs = s.records();
        assert_eq!(recs.len(), 1);
        assert!(recs[0].planned);
        assert_eq!(recs[0].url, "[secret HOOK]");
        assert_eq!(
            s.redact("see https://hooks.slack.com/services/T/B/k"),
            "see [secret HOOK]"
        );
    }

    #[test]
    fn the_request_cap_stops_a_runaway_loop() {
        let s = session();
        let pd = post(Sensitive::plain("https://events.pagerduty.com/v2/enqueue"));
        for _ in 0..MAX_REQUESTS_PER_RUN {
            s.admit(&pd, Destination::Script).unwrap();
        }
        let e = s.admit(&pd, Destination::Script).unwrap_err();
        assert!(
            matches!(
                e,
                OutboundError::RateCap {
                    limit: MAX_REQUESTS_PER_RUN,
                    ..
                }
            ),
            "{e}"
        );
        let cap = RateCap::new("Slack messages", 2);
        assert!(cap.take().is_ok() && cap.take().is_ok() && cap.take().is_err());
        assert_eq!(cap.used(), 2);
    }
}
