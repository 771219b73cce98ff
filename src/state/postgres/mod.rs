//! The PostgreSQL store (`--state postgres://...` or `HUBSCRIPT_STATE_URL`): one database shared
//! by any number of daemons and `run` jobs on any number of machines, for one run history and
//! exactly-once fires (`claims`). Built on tokio-postgres (the maintained async driver) with a
//! small deadpool-postgres pool, so concurrent calls of one daemon (claims, run records of
//! several scripts) do not queue behind one connection.
//!
//! The rest of hubscript calls the state store synchronously (a Rhai function, a daemon step),
//! as it always called SQLite. So this store owns a small tokio runtime of its own: each call is
//! a task on it, awaited by the calling thread. That works from plain threads and from inside
//! the daemon's runtime alike (no nested `block_on` on one runtime), and a slow database blocks
//! only the calling thread, as a busy SQLite file does. The URL (which may hold a password) is
//! only ever shown redacted. TLS is not offered yet: use `sslmode=disable` or a local proxy
//! (documented in README).

mod claims;
mod events;
mod kv;
mod runs;
mod schema;

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use super::{
    redact_url, Claim, ClaimId, ClaimSubject, Delivery, DeliveryStatus, ExpiredClaim, FeedCursor,
    LogLine, Reclaimed, RunEnd, RunFilter, RunId, RunRecord, RunStart, RunStatus, SnapshotUpdate,
    StateError, Store, TicketSnapshot,
};

/// Connections one process keeps at most (opened when needed): enough for a daemon's claims of
/// scripts firing at the same second to go side by side, few enough that several replicas
/// (and their run processes, which use one each) fit PostgreSQL's default of 100.
const POOL_SIZE: usize = 8;
/// How long a call waits for a free connection or a new one.
const POOL_WAIT: Duration = Duration::from_secs(30);
/// Connect timeout when the URL does not set one.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The milliseconds of PostgreSQL's clock now: leases are judged by the database's clock, so
/// replicas whose clocks differ still agree on when a lease expired.
pub(super) const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

impl From<tokio_postgres::Error> for StateError {
    fn from(e: tokio_postgres::Error) -> Self {
        // The source holds the server's message (e.g. "relation ... does not exist").
        match e.as_db_error() {
            Some(db) => Self::Postgres(format!("{}: {}", db.severity(), db.message())),
            None => {
                // The display of a connection error leaves out its cause ("connection refused").
                let mut text = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    text.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                Self::Postgres(text)
            }
        }
    }
}

impl From<deadpool_postgres::PoolError> for StateError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            e => Self::Postgres(format!("no database connection: {e}")),
        }
    }
}

/// A runtime dropped without waiting: dropping one blocks, which panics inside another
/// runtime (a daemon dropping its last handle).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// A PostgreSQL database.
pub(super) struct PgStore {
    rt: OwnRuntime,
    pool: Pool,
    /// The URL without its password.
    shown: String,
}

impl PgStore {
    /// Connects to `url` and brings the schema up to date.
    pub(super) fn open(url: &str) -> Result<Self, StateError> {
        let shown = redact_url(url);
        let open_err = |reason: String| StateError::OpenDatabase {
            url: shown.clone(),
            reason,
        };
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| open_err(format!("not a valid PostgreSQL URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("hubscript");
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("hubscript-state")
            .enable_all()
            .build()
            .map_err(|e| open_err(format!("cannot start its runtime: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(POOL_WAIT))
            .create_timeout(Some(CONNECT_TIMEOUT + Duration::from_secs(1)))
            .build()
            .map_err(|e| open_err(e.to_string()))?;
        let store = Self {
            rt: OwnRuntime(Some(rt)),
            pool,
            shown: shown.clone(),
        };
        let for_migration = shown.clone();
        let migrated = store.call(|pool| async move {
            let mut c = pool.get().await?;
            schema::migrate(&mut c, &for_migration).await
        });
        match migrated {
            Ok(()) => Ok(store),
            Err(StateError::InDatabase { source, .. }) => match *source {
                e @ StateError::DatabaseTooNew { .. } => Err(e),
                e => Err(open_err(e.to_string())),
            },
            Err(e) => Err(e),
        }
    }

    /// Runs `f` (given the pool) on this store's runtime and waits for it; errors name the
    /// database.
    fn call<T, F, Fut>(&self, f: F) -> Result<T, StateError>
    where
        F: FnOnce(Pool) -> Fut,
        Fut: Future<Output = Result<T, StateError>> + Send + 'static,
        T: Send + 'static,
    {
        let rt = self
            .rt
            .0
            .as_ref()
            .expect("runtime lives as long as the store");
        let task = rt.spawn(f(self.pool.clone()));
        let out = futures::executor::block_on(task)
            .map_err(|e| StateError::Postgres(format!("state store task failed: {e}")))
            .and_then(|r| r);
        out.map_err(|e| e.in_database(&self.shown))
    }
}

fn owned(s: &str) -> String {
    s.to_string()
}

impl Store for PgStore {
    fn describe(&self) -> String {
        self.shown.clone()
    }

    fn check_writable(&self) -> Result<(), StateError> {
        // A write in a transaction that is rolled back: needs a writable primary, changes
        // nothing.
        self.call(|pool| async move {
            let mut c = pool.get().await?;
            let tx = c.transaction().await?;
            tx.execute("UPDATE hubscript_schema SET version = version", &[])
                .await?;
            tx.rollback().await?;
            Ok(())
        })
    }

    fn kv_get(&self, script: &str, key: &str) -> Result<Option<serde_json::Value>, StateError> {
        let (script, key) = (owned(script), owned(key));
        self.call(|pool| async move { kv::get(&pool, &script, &key).await })
    }

    fn kv_set(&self, script: &str, key: &str, value: &serde_json::Value) -> Result<(), StateError> {
        let (script, key, value) = (owned(script), owned(key), value.clone());
        self.call(|pool| async move { kv::set(&pool, &script, &key, &value).await })
    }

    fn kv_add(
        &self,
        script: &str,
        key: &str,
        by: &serde_json::Value,
    ) -> Result<serde_json::Value, StateError> {
        let (script, key, by) = (owned(script), owned(key), by.clone());
        self.call(|pool| async move { kv::add(&pool, &script, &key, &by).await })
    }

    fn kv_remove(&self, script: &str, key: &str) -> Result<bool, StateError> {
        let (script, key) = (owned(script), owned(key));
        self.call(|pool| async move { kv::remove(&pool, &script, &key).await })
    }

    fn kv_keys(&self, script: &str) -> Result<Vec<String>, StateError> {
        let script = owned(script);
        self.call(|pool| async move { kv::keys(&pool, &script).await })
    }

    fn last_fire(&self, script: &str) -> Result<Option<DateTime<Utc>>, StateError> {
        let script = owned(script);
        self.call(|pool| async move { kv::last_fire(&pool, &script).await })
    }

    fn set_last_fire(&self, script: &str, at: DateTime<Utc>) -> Result<(), StateError> {
        let script = owned(script);
        self.call(|pool| async move {
            let c = pool.get().await?;
            kv::set_last_fire(&**c, &script, at).await
        })
    }

    fn start_run(&self, start: &RunStart) -> Result<RunId, StateError> {
        let start = start.clone();
        self.call(|pool| async move { runs::start(&pool, &start).await })
    }

    fn finish_run(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        end: &RunEnd<'_>,
    ) -> Result<(), StateError> {
        let end = runs::OwnedEnd::from(end)?;
        self.call(|pool| async move { runs::finish(&pool, id, status, ended_at, &end).await })
    }

    fn settle(
        &self,
        id: RunId,
        status: RunStatus,
        ended_at: DateTime<Utc>,
        error: &str,
        log: &[LogLine],
    ) -> Result<bool, StateError> {
        let error = owned(error);
        let log = serde_json::to_string(log)?;
        self.call(
            |pool| async move { runs::settle(&pool, id, status, ended_at, &error, &log).await },
        )
    }

    fn settle_interrupted(&self, found_at: DateTime<Utc>) -> Result<Vec<RunId>, StateError> {
        self.call(|pool| async move { runs::settle_interrupted(&pool, found_at).await })
    }

    fn runs(&self, filter: &RunFilter) -> Result<Vec<RunRecord>, StateError> {
        let filter = filter.clone();
        self.call(|pool| async move { runs::list(&pool, &filter).await })
    }

    fn run(&self, id: RunId) -> Result<Option<RunRecord>, StateError> {
        self.call(|pool| async move { runs::one(&pool, id).await })
    }

    fn recent_runs(
        &self,
        script: &str,
        n: usize,
    ) -> Result<Vec<(RunId, RunStatus, DateTime<Utc>)>, StateError> {
        let script = owned(script);
        self.call(|pool| async move { runs::recent(&pool, &script, n).await })
    }

    fn script_text(&self, hash: &str) -> Result<Option<String>, StateError> {
        let hash = owned(hash);
        self.call(|pool| async move { runs::script_text(&pool, &hash).await })
    }

    fn claim(
        &self,
        script: &str,
        subject: &ClaimSubject,
        owner: &str,
        lease: Duration,
    ) -> Result<Claim, StateError> {
        let (script, subject, owner) = (owned(script), subject.clone(), owned(owner));
        self.call(
            |pool| async move { claims::claim(&pool, &script, &subject, &owner, lease).await },
        )
    }

    fn end_claim(&self, id: ClaimId, owner: &str, status: RunStatus) -> Result<(), StateError> {
        let owner = owned(owner);
        self.call(|pool| async move { claims::end(&pool, id, &owner, status).await })
    }

    fn renew_claims(&self, owner: &str, lease: Duration) -> Result<u64, StateError> {
        let owner = owned(owner);
        self.call(|pool| async move { claims::renew(&pool, &owner, lease).await })
    }

    fn expired_claims(&self) -> Result<Vec<ExpiredClaim>, StateError> {
        self.call(|pool| async move { claims::expired(&pool).await })
    }

    fn reclaim(
        &self,
        claim: &ExpiredClaim,
        owner: &str,
        lease: Duration,
        rerun: bool,
    ) -> Result<Option<Reclaimed>, StateError> {
        let (claim, owner) = (claim.clone(), owned(owner));
        self.call(|pool| async move { claims::reclaim(&pool, &claim, &owner, lease, rerun).await })
    }

    #[cfg(test)]
    fn set_run_owner(&self, id: RunId, host: &str, pid: u32) -> Result<(), StateError> {
        let host = owned(host);
        self.call(|pool| async move {
            let c = pool.get().await?;
            c.execute(
                "UPDATE runs SET pid = $2, host = $3 WHERE id = $1",
                &[&id, &i64::from(pid), &host],
            )
            .await?;
            Ok(())
        })
    }

    fn feed_cursor(&self) -> Result<Option<FeedCursor>, StateError> {
        self.call(|pool| async move { events::feed_cursor(&pool).await })
    }

    fn ticket_snapshot(&self, ticket: &str) -> Result<Option<TicketSnapshot>, StateError> {
        let ticket = owned(ticket);
        self.call(|pool| async move { events::ticket_snapshot(&pool, &ticket).await })
    }

    fn commit_events(
        &self,
        updates: &[SnapshotUpdate],
        deliveries: &[Delivery],
        cursor: Option<FeedCursor>,
    ) -> Result<Vec<Delivery>, StateError> {
        let (updates, deliveries) = (updates.to_vec(), deliveries.to_vec());
        self.call(|pool| async move {
            events::commit_events(&pool, &updates, &deliveries, cursor).await
        })
    }

    fn pending_deliveries(&self) -> Result<Vec<Delivery>, StateError> {
        self.call(|pool| async move { events::pending_deliveries(&pool).await })
    }

    fn mark_delivery(
        &self,
        d: &Delivery,
        status: DeliveryStatus,
        run_id: Option<RunId>,
    ) -> Result<(), StateError> {
        let d = d.clone();
        self.call(|pool| async move { events::mark_delivery(&pool, &d, status, run_id).await })
    }

    fn ran_for_ticket(&self, script: &str, ticket: &str) -> Result<bool, StateError> {
        let (script, ticket) = (owned(script), owned(ticket));
        self.call(|pool| async move { events::ran_for_ticket(&pool, &script, &ticket).await })
    }

    fn webhook_event_new(&self, event_id: i64, now_ms: i64) -> Result<bool, StateError> {
        self.call(|pool| async move { events::webhook_event_new(&pool, event_id, now_ms).await })
    }
}
