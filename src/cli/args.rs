//! The command-line grammar (clap derive types only). Validation into a [`super::config`]
//! happens separately; nothing here touches the network or the disk.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::server::{FaultSpec, RateLimitSpec, ServerConfig};

/// hubscript: automate HubSpot tickets with small Rhai scripts.
///
/// Without HUBSPOT_ACCESS_TOKEN everything runs against the local sandbox
/// (.hubscript/sandbox.db, seeded with demo tickets). With the token set, the same scripts run
/// against your HubSpot portal.
#[derive(Debug, Parser)]
#[command(name = "hubscript", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,

    /// More detail in logs (-v debug, -vv trace). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Only warnings and errors in logs.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Where `.hubscript/` (sandbox, state, run history) lives (default: the working
    /// directory).
    #[arg(long, global = true, env = "HUBSCRIPT_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    /// Where state and run history live: a SQLite file (default: `.hubscript/state.db` under
    /// the home) or a PostgreSQL URL (`postgres://user:password@host:5432/db`), which several
    /// daemons can share for one history and exactly-once fires. Prefer the environment
    /// variable for a URL with a password (command lines are visible to other users).
    #[arg(
        long,
        global = true,
        env = "HUBSCRIPT_STATE_URL",
        hide_env_values = true,
        value_name = "FILE|URL"
    )]
    pub state: Option<String>,
}

/// Log formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Human,
    /// One JSON object per line.
    Json,
}

/// Which tickets API to use. With none given: HUBSPOT_ACCESS_TOKEN set means HubSpot, else the
/// sandbox file.
#[derive(Debug, Clone, Default, Args)]
pub struct BackendArgs {
    /// Base URL of a HubSpot-compatible API (e.g. a `hubscript serve`).
    #[arg(
        long,
        env = "HUBSPOT_API_URL",
        value_name = "URL",
        conflicts_with = "sandbox"
    )]
    pub api: Option<String>,

    /// Use this sandbox file (default .hubscript/sandbox.db).
    #[arg(long, value_name = "PATH")]
    pub sandbox: Option<PathBuf>,

    /// HubSpot requests allowed per 10 seconds (your portal's tier: 100, 190 or 250).
    #[arg(long, value_name = "N", default_value_t = crate::model::limits::BURST_REQUESTS)]
    pub rate_per_10s: u32,

    /// Connect timeout for HubSpot calls.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub connect_timeout: std::time::Duration,

    /// Request timeout for HubSpot calls.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: std::time::Duration,

    /// Treat the --api server as a live portal (e.g. a proxy in front of HubSpot): write cap
    /// on by default, watch plans only, the REPL asks before large writes. Default: live
    /// exactly when the URL's host is api.hubapi.com or ends in .hubapi.com.
    #[arg(long, conflicts_with_all = ["not_live", "sandbox"])]
    pub live: bool,

    /// Treat the API as not live even on a *.hubapi.com host (e.g. a developer test portal).
    #[arg(long, conflicts_with = "sandbox")]
    pub not_live: bool,

    /// Sandbox only: search sees a write only this long after it (e.g. 30s), with the old
    /// values until then, as HubSpot's search index does; reads by id see it at once.
    #[arg(long, env = "HUBSCRIPT_SEARCH_LAG", value_name = "DURATION", value_parser = parse_duration)]
    pub search_lag: Option<std::time::Duration>,
}

impl BackendArgs {
    /// What the user said about liveness: `Some(true)` for --live, `Some(false)` for
    /// --not-live, `None` for the rule.
    pub fn live_override(&self) -> Option<bool> {
        match (self.live, self.not_live) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

/// Options shared by commands that run scripts.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// Read for real, but only plan writes; print the plan.
    #[arg(long)]
    pub dry_run: bool,

    /// Script argument, `key=value` (repeatable); read with `run::arg("key")`.
    #[arg(long = "arg", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub args: Vec<(String, String)>,

    /// Stop the script after this long (e.g. 60s, 5m; 0 for no limit); default: the header's
    /// `timeout`, else 10m.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,

    /// Stop before the write that would change ticket N+1.
    #[arg(long, value_name = "N")]
    pub max_writes: Option<u64>,

    /// Memory budget of a run (e.g. 256MiB, 1GiB); default: the header's `memory`, else 512MiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
    pub memory: Option<u64>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a script once.
    Run {
        /// The script file.
        script: PathBuf,
        /// Script options.
        #[command(flatten)]
        run: RunArgs,
        /// Print the plan and summary as JSON on stdout.
        #[arg(long)]
        json: bool,
        /// Plan only (as --dry-run) and save the plan to this file, for `hubscript apply`.
        #[arg(long, value_name = "FILE")]
        plan_out: Option<PathBuf>,
        /// Backend choice.
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Compile scripts and validate their headers without running anything.
    ///
    /// Offline by default: no backend is opened. With --schema the backend's schema is read
    /// once (never written) and the literal arguments of API calls are compared with it.
    Check {
        /// Script files (or directories of .rhai files).
        #[arg(required = true)]
        scripts: Vec<PathBuf>,
        /// Also compare literal arguments with the backend's schema: property names in
        /// writes, search filters, `properties` lists and sorts; enumeration values; pipeline,
        /// stage and owner ids. Reads the ticket properties, pipelines and owners (and company
        /// or contact properties when a script reads those) from the sandbox, --api or
        /// HubSpot, chosen as `run` chooses. Values computed at run time are skipped silently.
        /// Errors (exit 1) are what the run would fail on: an unknown property, option,
        /// pipeline, stage or owner in a write, a value the write rules refuse (read-only
        /// property, unparsable date), an unknown property in a filter or sort, an
        /// unknown pipeline or stage named in a pipelines:: call. Warnings (exit 0) are what
        /// it would survive but likely not mean: a filter value that is no option, stage or
        /// owner (it matches nothing), an unknown name in a `properties` list.
        #[arg(long)]
        schema: bool,
        /// Backend choice (read with --schema only).
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Rerun scripts whenever they change (plans only against a live portal unless --apply).
    Watch {
        /// Files or directories to watch (default scripts/).
        paths: Vec<PathBuf>,
        /// Against a live portal, really write (default: dry run).
        #[arg(long)]
        apply: bool,
        /// Clear the screen before each run.
        #[arg(long)]
        clear: bool,
        /// Run every watched script once at start, then on each change (watchexec's default;
        /// without it the first run waits for the first change).
        #[arg(long)]
        run_now: bool,
        /// Script options.
        #[command(flatten)]
        run: RunArgs,
        /// Backend choice.
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Run every script whose header has a `schedule`, on its schedule.
    Daemon {
        /// Directory of scripts (default scripts/).
        dir: Option<PathBuf>,
        /// How long running scripts get to finish at shutdown.
        #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
        grace: std::time::Duration,
        /// Serve /metrics (Prometheus), /healthz and /status on this address (e.g.
        /// 127.0.0.1:9464; port 0 picks a free one).
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
        /// Post a Slack-compatible message here when a script starts failing and when it
        /// recovers (one per streak). From the environment, it stays out of `ps`.
        #[arg(
            long,
            env = "HUBSCRIPT_ALERT_WEBHOOK",
            value_name = "URL",
            hide_env_values = true
        )]
        alert_webhook: Option<String>,
        /// At most this many runs at once; a fire that finds every slot busy waits (and is
        /// skipped when its next fire comes first).
        #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=256))]
        max_concurrent: u16,
        /// Memory budget of each run (e.g. 256MiB, 1GiB); default: the header's `memory`, else
        /// 512MiB.
        #[arg(long, value_name = "SIZE", value_parser = parse_memory)]
        memory: Option<u64>,
        /// With several daemons on one PostgreSQL state store: how long a daemon may go
        /// silent before another takes over its running claims (marks their runs interrupted
        /// and reruns those of `catch_up = "once"` scripts). Renewed every third of it.
        #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
        lease: std::time::Duration,
        /// How many daemons share this portal (replicas of one Deployment): each takes its
        /// share of `--rate-per-10s`, so together they stay within the portal's limit.
        #[arg(long, env = "HUBSCRIPT_REPLICAS", value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1000))]
        replicas: u16,
        /// Ticket events for scripts with `on = [...]`.
        #[command(flatten)]
        events: EventArgs,
        /// Backend choice.
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Each scheduled script with its next run, last run and failure streak.
    Status {
        /// Directory of scripts (default scripts/).
        dir: Option<PathBuf>,
        /// Print JSON (the same as the daemon's /status).
        #[arg(long)]
        json: bool,
    },
    /// Apply a plan saved by `run --plan-out` (tickets changed since are skipped as conflicts).
    Apply {
        /// The plan file.
        plan: PathBuf,
        /// Apply without asking (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
        /// Refuse a plan older than this.
        #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = parse_duration)]
        max_age: std::time::Duration,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Backend choice (the plan's own backend).
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Put back what a recorded run changed (a ticket changed since is left alone).
    Undo {
        /// The run to undo (see `hubscript runs`).
        run: i64,
        /// Only show what would be put back.
        #[arg(long)]
        dry_run: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Backend choice (the run's own backend).
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Show each scheduled script's next fire times.
    Schedule {
        /// Directory of scripts (default scripts/).
        dir: Option<PathBuf>,
        /// How many fire times per script.
        #[arg(long, default_value_t = 5)]
        count: usize,
    },
    /// List recorded runs, or show one with its changes and log.
    Runs {
        /// `show ID` prints one run.
        #[command(subcommand)]
        show: Option<RunsCommand>,
        /// Which runs.
        #[command(flatten)]
        filter: RunsFilterArgs,
        /// Print the runs as JSON (stable; see docs/run-record.md).
        #[arg(long)]
        json: bool,
    },
    /// Interactive session with the tickets API.
    Repl {
        /// Only plan writes.
        #[arg(long)]
        dry_run: bool,
        /// Stop a statement before it changes ticket N+1.
        #[arg(long, value_name = "N")]
        max_writes: Option<u64>,
        /// Backend choice.
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Serve HubSpot's tickets API from the sandbox over HTTP.
    Serve {
        /// Address to listen on (loopback by default).
        #[arg(long, value_name = "IP:PORT", default_value_t = ServerConfig::DEFAULT_ADDR)]
        addr: SocketAddr,
        /// The sandbox file.
        #[arg(long, value_name = "PATH")]
        sandbox: Option<PathBuf>,
        /// Require `Authorization: Bearer TOKEN`. Prefer the environment variable, which `ps`
        /// does not show.
        #[arg(
            long,
            value_name = "TOKEN",
            env = "HUBSCRIPT_SERVE_TOKEN",
            hide_env_values = true
        )]
        token: Option<String>,
        /// Emulate HubSpot's rate limits, e.g. 100/10s (search: 5 per second).
        #[arg(long, value_name = "N/WINDOW")]
        rate_limit: Option<RateLimitSpec>,
        /// Emulate a daily quota.
        #[arg(long, value_name = "N")]
        daily_limit: Option<u64>,
        /// Inject failures, e.g. 429=0.1,500=0.05,timeout=0.02,latency=20ms.
        #[arg(long, value_name = "SPEC")]
        faults: Option<FaultSpec>,
        /// Seed of the fault injection.
        #[arg(long, default_value_t = ServerConfig::DEFAULT_SEED)]
        seed: u64,
        /// Send HubSpot-shaped webhook batches (ticket.creation, ticket.propertyChange,
        /// ticket.deletion) for every write to this URL, signed with the secret of
        /// --webhook-secret-env.
        #[arg(long, value_name = "URL")]
        webhook_url: Option<String>,
        /// The environment variable holding the secret that signs the webhooks.
        #[arg(long, value_name = "NAME", default_value = "HUBSPOT_CLIENT_SECRET")]
        webhook_secret_env: String,
        /// Search sees a write only this long after it (e.g. 30s), with the old values until
        /// then, as HubSpot's search index does; reads by id see it at once.
        #[arg(long, env = "HUBSCRIPT_SEARCH_LAG", value_name = "DURATION", value_parser = parse_duration)]
        search_lag: Option<std::time::Duration>,
    },
    /// Internal: one daemon or watch run in a child process (the parent writes its command
    /// line, the source comes on stdin, events go to file descriptor 3).
    #[command(name = "run-child", hide = true)]
    RunChild {
        /// The script file (names the run; the source comes on stdin).
        script: PathBuf,
        /// What started it.
        #[arg(long)]
        trigger: String,
        /// `print` lines as plain lines on stdout (watch) rather than labelled log lines.
        #[arg(long)]
        plain_print: bool,
        /// The daemon's claim this run fulfils (recorded with the run).
        #[arg(long, value_name = "ID")]
        claim: Option<i64>,
        /// The ticket event of an event run, as JSON.
        #[arg(long, value_name = "JSON")]
        event: Option<String>,
        /// Script options.
        #[command(flatten)]
        run: RunArgs,
        /// Backend choice.
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Manage the sandbox file.
    Sandbox {
        /// What to do.
        #[command(subcommand)]
        action: SandboxCommand,
    },
}

/// How `daemon` finds ticket events.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Ticket events")]
pub struct EventArgs {
    /// How often the change feed searches for modified tickets (one search for every event
    /// script together, plus paging when much changed).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub feed_interval: std::time::Duration,
    /// No change feed: events come from webhooks only (--webhooks).
    #[arg(long)]
    pub no_feed: bool,
    /// After downtime the feed catches up on changes at most this far back.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub event_horizon: std::time::Duration,
    /// A ticket changed by this many rounds of event scripts in a row (A changes it, which
    /// starts B, which changes it, ...) starts no further script (logged).
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub event_rounds: u32,
    /// Receive HubSpot webhook batches on this address (e.g. 0.0.0.0:8080; port 0 picks a
    /// free one); requests must carry a valid v3 signature.
    #[arg(long, value_name = "ADDR")]
    pub webhooks: Option<SocketAddr>,
    /// The environment variable holding the app's client secret that signs webhooks.
    #[arg(long, value_name = "NAME", default_value = "HUBSPOT_CLIENT_SECRET")]
    pub webhook_secret_env: String,
}

/// The filters of `hubscript runs`.
#[derive(Debug, Clone, Default, Args)]
pub struct RunsFilterArgs {
    /// Only this script.
    #[arg(long)]
    pub script: Option<String>,
    /// Only failed, timed-out, cancelled or interrupted runs.
    #[arg(long)]
    pub failed: bool,
    /// Only runs with this status: ok, failed, timed_out, cancelled, running.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only runs started since then: a duration back from now (24h, 7d) or a date/time
    /// (2026-12-01, 2026-12-01T08:00:00Z).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Only runs against this backend: a kind (sandbox, server, hubspot), part of a sandbox
    /// path or URL, or a portal id.
    #[arg(long, value_name = "BACKEND")]
    pub backend: Option<String>,
    /// At most this many, newest first (0: all).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
}

/// `hubscript runs show ID`.
#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Print one run: where and what ran, its counts, the changes it made and its log.
    Show {
        /// The run id.
        id: i64,
        /// Print the whole record as JSON (stable; see docs/run-record.md).
        #[arg(long)]
        json: bool,
    },
}

/// `hubscript sandbox ...`.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Recreate the sandbox file with fresh demo data.
    Reset {
        /// How many demo tickets.
        #[arg(long, default_value_t = 500)]
        tickets: usize,
        /// Seed of the demo data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The sandbox file.
        #[arg(long, value_name = "PATH")]
        sandbox: Option<PathBuf>,
        /// Also replace a damaged file (empty, not SQLite, corrupt). Another application's
        /// database is refused even then.
        #[arg(long)]
        force: bool,
    },
    /// Copy a portal into a fresh sandbox (reads only): its ticket properties, pipelines,
    /// owners, the N most recent tickets and their companies and contacts.
    Pull {
        /// The source: any HubSpot-compatible server (default: HubSpot itself, with
        /// HUBSPOT_ACCESS_TOKEN).
        #[arg(long, value_name = "URL")]
        from: Option<String>,
        /// How many of the most recent tickets (at most 10,000).
        #[arg(long, default_value_t = 500)]
        tickets: usize,
        /// Replace personal and free text with generated text of the same shape.
        #[arg(long)]
        anonymize: bool,
        /// The sandbox file to build (replaced when it exists).
        #[arg(long, value_name = "PATH")]
        sandbox: Option<PathBuf>,
        /// The source's request budget per 10 seconds (HubSpot's tiers: 100, 190, 250).
        #[arg(long, default_value_t = 100)]
        rate_per_10s: u32,
    },
    /// Add demo tickets.
    Seed {
        /// How many.
        #[arg(long)]
        tickets: usize,
        /// Seed of the demo data (default: the current ticket count, so repeated seeding adds
        /// different tickets).
        #[arg(long)]
        seed: Option<u64>,
        /// The sandbox file.
        #[arg(long, value_name = "PATH")]
        sandbox: Option<PathBuf>,
    },
}

/// Parses `30s`, `5m`, `1h 30m`: hubscript's one duration dialect, `humantime`'s, shared with
/// `--rate-limit`, `--faults` and script headers. A unit is required: a bare `90` is refused
/// rather than guessed (seconds? milliseconds?). At most a week
/// ([`crate::script::limits::MAX_DURATION`]).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let d =
        humantime::parse_duration(s.trim()).map_err(|e| format!("{e} (write e.g. 30s, 5m, 1h)"))?;
    crate::script::limits::check_duration(d)
}

/// Parses a memory size such as `512MiB` or `1GiB` (see [`crate::script::memory::parse_size`]).
pub fn parse_memory(s: &str) -> Result<u64, String> {
    crate::script::memory::parse_size(s)
}

/// Parses `key=value`.
pub fn parse_key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected KEY=VALUE, got `{s}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    fn serve(args: &[&str]) -> Result<Command, clap::Error> {
        let argv = ["hubscript", "serve"].iter().chain(args);
        Cli::try_parse_from(argv).map(|c| c.command)
    }

    #[test]
    fn serve_defaults_are_the_server_config_defaults() {
        let Command::Serve {
            addr,
            rate_limit,
            faults,
            seed,
            ..
        } = serve(&[]).unwrap()
        else {
            panic!("not serve");
        };
        let d = ServerConfig::default();
        assert_eq!(addr, d.addr);
        assert_eq!(seed, d.seed);
        assert_eq!(rate_limit, d.rate_limit);
        assert_eq!(faults, d.faults);
    }

    #[test]
    fn serve_values_are_parsed_into_their_types() {
        let Command::Serve {
            addr,
            rate_limit,
            faults,
            ..
        } = serve(&[
            "--addr",
            "127.0.0.1:0",
            "--rate-limit",
            "5/s",
            "--faults",
            "500=0.5,latency=1s 500ms",
        ])
        .unwrap()
        else {
            panic!("not serve");
        };
        assert_eq!(addr.port(), 0);
        assert_eq!(rate_limit, Some(RateLimitSpec::SEARCH));
        let faults = faults.unwrap();
        assert_eq!(faults.server_error, 0.5);
        assert_eq!(faults.latency, std::time::Duration::from_millis(1_500));
    }

    #[test]
    fn bad_serve_values_are_usage_errors_naming_the_flag_and_the_part() {
        for (args, part) in [
            (["--addr", "localhost"], "localhost"),
            (["--rate-limit", "100/10x"], "`10x`"),
            (["--rate-limit", "100/10"], "a unit is required"),
            (["--faults", "503=0.1"], "`503`"),
            (["--faults", "latency=20"], "a unit is required"),
        ] {
            let e = serve(&args).unwrap_err();
            assert_eq!(
                e.kind(),
                clap::error::ErrorKind::ValueValidation,
                "{args:?}"
            );
            let text = e.to_string();
            assert!(text.contains(args[0]), "{args:?}: {text}");
            assert!(text.contains(part), "{args:?}: {text}");
        }
    }

    #[test]
    fn durations_and_pairs() {
        assert_eq!(parse_duration("90s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration("5m").unwrap().as_secs(), 300);
        assert_eq!(parse_duration("1h 30m").unwrap().as_secs(), 5_400);
        let e = parse_duration("90").unwrap_err();
        assert!(e.contains("unit") && e.contains("30s"), "{e}");
        assert!(parse_duration("soon").is_err());
        // Regression (issue 9): an absurd duration is a usage error, not an overflow panic.
        let e = parse_duration("18446744073709551615s").unwrap_err();
        assert!(e.contains("too long"), "{e}");
        assert!(parse_duration("18446744073709551615").is_err());
        assert!(parse_duration("7d").is_ok());
        assert_eq!(
            parse_key_value("hours=4").unwrap(),
            ("hours".into(), "4".into())
        );
        assert_eq!(parse_key_value("q=a=b").unwrap().1, "a=b");
        assert!(parse_key_value("=x").is_err());
        assert!(parse_key_value("novalue").is_err());
    }
}
