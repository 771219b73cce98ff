//! The daemon's Prometheus metrics (the `prometheus-client` crate): runs by script and status,
//! run duration, API calls split into reads and writes, retries and 429 waits, the last success
//! time and failure streak per script, the daemon's up time, and what ticket events cost and
//! did (change feed searches and reads, webhook requests, events, event runs, stopped loops). Fed from each run's record
//! (so the numbers match `hubscript runs`); served as text by `service.rs`.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::state::{RunRecord, RunStatus};
use crate::triggers::events::EventStats;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScriptLabel {
    script: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    script: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    script: String,
    kind: String,
}

fn duration_histogram() -> Histogram {
    // 50 ms to about 7 minutes
    Histogram::new(exponential_buckets(0.05, 2.0, 14))
}

/// Every metric the daemon exports.
pub struct Metrics {
    registry: Registry,
    started: Instant,
    runs: Family<StatusLabels, Counter>,
    duration: Family<ScriptLabel, Histogram, fn() -> Histogram>,
    calls: Family<CallLabels, Counter>,
    retries: Family<ScriptLabel, Counter>,
    rate_limit_waits: Family<ScriptLabel, Counter>,
    last_success: Family<ScriptLabel, Gauge<f64, AtomicU64>>,
    streak: Family<ScriptLabel, Gauge>,
    uptime: Gauge<f64, AtomicU64>,
    scheduled: Gauge,
    events: Family<KindLabel, Counter>,
    event_stats: Mutex<Option<Arc<EventStats>>>,
    encode_lock: Mutex<()>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// The metrics, registered, all zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("hubscript");
        let runs = Family::<StatusLabels, Counter>::default();
        registry.register("runs", "Finished runs by script and status", runs.clone());
        let duration: Family<ScriptLabel, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(duration_histogram);
        registry.register(
            "run_duration_seconds",
            "Wall-clock duration of finished runs",
            duration.clone(),
        );
        let calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "api_calls",
            "API calls made by runs, kind read or write",
            calls.clone(),
        );
        let retries = Family::<ScriptLabel, Counter>::default();
        registry.register(
            "api_retries",
            "API attempts repeated after a failure",
            retries.clone(),
        );
        let rate_limit_waits = Family::<ScriptLabel, Counter>::default();
        registry.register(
            "rate_limit_waits",
            "Waits after HubSpot answered 429 (rate limited)",
            rate_limit_waits.clone(),
        );
        let last_success = Family::<ScriptLabel, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "last_success_timestamp_seconds",
            "End of the last successful run, Unix time",
            last_success.clone(),
        );
        let streak = Family::<ScriptLabel, Gauge>::default();
        registry.register(
            "failure_streak",
            "Failed or timed-out runs in a row since the last success",
            streak.clone(),
        );
        let uptime = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "uptime_seconds",
            "Seconds since the daemon started",
            uptime.clone(),
        );
        let scheduled = Gauge::default();
        registry.register(
            "scheduled_scripts",
            "Scripts with a valid schedule in the daemon's directory",
            scheduled.clone(),
        );
        let events = Family::<KindLabel, Counter>::default();
        registry.register(
            "events",
            "Ticket events: feed_search and read are the change feed's API calls, webhook_accepted, webhook_rejected and webhook_duplicate count webhook requests and events, detected the events, run the runs started, own_change the changes not sent back to the script that made them, loop_stopped the chains of event scripts stopped",
            events.clone(),
        );
        Self {
            events,
            event_stats: Mutex::new(None),
            registry,
            started: Instant::now(),
            runs,
            duration,
            calls,
            retries,
            rate_limit_waits,
            last_success,
            streak,
            uptime,
            scheduled,
            encode_lock: Mutex::new(()),
        }
    }

    /// Counts a finished run from its record; `streak` is the script's failure streak after it.
    pub fn observe(&self, run: &RunRecord, streak: u32) {
        let script = ScriptLabel {
            script: run.script.clone(),
        };
        self.runs
            .get_or_create(&StatusLabels {
                script: run.script.clone(),
                status: run.status.as_str().to_string(),
            })
            .inc();
        if let Some(end) = run.ended_at {
            let secs = (end - run.started_at).num_milliseconds().max(0) as f64 / 1000.0;
            self.duration.get_or_create(&script).observe(secs);
            if run.status == RunStatus::Ok {
                self.last_success
                    .get_or_create(&script)
                    .set(end.timestamp_millis() as f64 / 1000.0);
            }
        }
        for (kind, n) in [("read", run.api_reads), ("write", run.api_writes)] {
            self.calls
                .get_or_create(&CallLabels {
                    script: run.script.clone(),
                    kind: kind.to_string(),
                })
                .inc_by(n);
        }
        self.retries.get_or_create(&script).inc_by(run.retries);
        self.rate_limit_waits
            .get_or_create(&script)
            .inc_by(run.rate_limit_waits);
        self.streak.get_or_create(&script).set(i64::from(streak));
    }

    /// Sets how many scripts are scheduled.
    pub fn set_scheduled(&self, n: usize) {
        self.scheduled.set(n as i64);
    }

    /// Reports the counters of the daemon's ticket events.
    pub fn attach_events(&self, stats: Arc<EventStats>) {
        *self.event_stats.lock().expect("metrics lock poisoned") = Some(stats);
    }

    fn sync_events(&self) {
        let Some(s) = self
            .event_stats
            .lock()
            .expect("metrics lock poisoned")
            .clone()
        else {
            return;
        };
        for (kind, counter) in [
            ("feed_search", &s.feed_searches),
            ("read", &s.reads),
            ("webhook_accepted", &s.webhook_requests),
            ("webhook_rejected", &s.webhook_rejected),
            ("webhook_duplicate", &s.webhook_duplicates),
            ("detected", &s.events),
            ("run", &s.runs),
            ("own_change", &s.own_changes),
            ("loop_stopped", &s.loops_stopped),
        ] {
            let c = self.events.get_or_create(&KindLabel {
                kind: kind.to_string(),
            });
            let now = EventStats::get(counter);
            c.inc_by(now.saturating_sub(c.get()));
        }
    }

    /// The metrics in the text exposition format (OpenMetrics, which Prometheus reads).
    pub fn encode(&self) -> String {
        let _one_at_a_time = self.encode_lock.lock().expect("metrics lock poisoned");
        self.uptime.set(self.started.elapsed().as_secs_f64());
        self.sync_events();
        let mut out = String::new();
        // writing to a String cannot fail
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The content type of [`Metrics::encode`].
pub(super) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
