//! Triggers: what starts script runs by itself. `watch` reruns scripts when their files change,
//! `daemon` runs scripts on their cron schedules (with overlap, catch-up, jitter and hot
//! reload), `schedule` lists upcoming fire times. Runs go through the [`Runner`] seam, which the
//! CLI implements over the script host; this layer never imports clap and never touches Rhai.

pub mod cron;
mod cron_expr;

pub use cron::{CronError, CronSchedule};
pub mod clock;
mod error;
mod overlap;
mod run_group;
pub mod runner;
#[cfg(test)]
mod test_support;

pub use clock::{Clock, SystemClock, TokioClock};
pub use error::TriggerError;
pub use runner::{Job, RunResult, Runner, Trigger};
mod catch_up;
mod daemon;
mod fswatch;
mod reload;
pub mod scheduled;
mod scheduler;

pub use daemon::{run_daemon, run_daemon_with_clock, DaemonConfig};
mod watch;

pub use watch::{run_watch, WatchConfig, CLEAR_SCREEN};
