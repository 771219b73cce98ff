//! Triggers: what starts script runs by itself. `watch` reruns scripts when their files change
//! ([`run_watch`]), `daemon` runs scripts on their cron schedules with overlap policies,
//! catch-up after downtime, jitter, hot reload and graceful shutdown ([`run_daemon`]), and
//! `schedule` lists upcoming fire times ([`schedule_report`]).
//!
//! Runs go through the [`Runner`] seam, which the CLI implements over the script host; this
//! layer never imports clap and never touches Rhai. Time: sleeping uses `tokio::time` and wall
//! time comes from an injectable [`Clock`], so tests drive everything with tokio's paused
//! clock. Daylight-saving rules are documented in [`cron`].
//!
//! Idle cost: an idle daemon sleeps in tokio timers; each scheduled script wakes once per fire
//! time and at most once a minute besides (to notice wall-clock jumps), and file events wake
//! it only when the directory changes. No polling loop.

pub mod clock;
pub mod cron;
mod cron_expr;
mod daemon;
mod error;
pub mod events;
mod fswatch;
pub mod runner;
mod schedule_report;
pub mod scheduled;
mod watch;

pub use clock::{Clock, SystemClock, TokioClock};
pub use cron::{CronError, CronSchedule};
pub use daemon::{run_daemon, run_daemon_with_clock, ClaimGuard, DaemonConfig, DEFAULT_LEASE};
pub use error::TriggerError;
pub use runner::{Job, RunResult, Runner, Trigger};
pub use schedule_report::{format_fire_time, schedule_report, ScheduleEntry};
pub use scheduled::ScheduledScript;
pub use watch::{run_watch, WatchConfig, CLEAR_SCREEN};
