//! `hubscript run-child` (hidden): the child side of a daemon or watch run (see
//! `cli::child_runner`). Reads the script's source on stdin (the parent's last good version,
//! not the file on disk), runs and records it under its memory budget in this process, prints
//! the log, plan and summary like `run`, and reports the run's id, each log line and the end on
//! file descriptor 3. Not for people: the parent builds its command line.

use std::io::Read;
use std::path::PathBuf;

use crate::cli::args::{BackendArgs, RunArgs};
use crate::cli::child_protocol::{End, Event, EventWriter, CHANNEL_FD};
use crate::cli::context::Context;
use crate::cli::error::{CliError, CliResult};
use crate::cli::{output, signals};
use crate::model::TicketEvent;
use crate::script::memory::{self, DEFAULT_MEMORY};
use crate::script::{script_name, RunOptions, RunRequest};

/// Runs one job for a parent daemon or watch.
pub(crate) async fn run_child(
    script: PathBuf,
    trigger: String,
    plain_print: bool,
    claim: Option<i64>,
    event: Option<String>,
    run: RunArgs,
    backend: BackendArgs,
) -> CliResult {
    let channel = channel()?;
    let event = event
        .map(|text| serde_json::from_str::<TicketEvent>(&text))
        .transpose()
        .map_err(|e| CliError::usage(format!("run-child: invalid --event: {e}")))?
        .map(std::sync::Arc::new);
    let mut source = String::new();
    std::io::stdin()
        .read_to_string(&mut source)
        .map_err(|e| CliError::usage(format!("run-child: cannot read the source on stdin: {e}")))?;
    let ctx = Context::open_quietly(&backend)?;
    memory::set_limit(Some(run.memory.unwrap_or(DEFAULT_MEMORY)));
    let name = script_name(&script);
    let channel = std::sync::Arc::new(channel);
    let print = output::stderr_log(&name);
    let report = channel.clone();
    let started = channel.clone();
    let printed = channel.clone();
    let printer = if plain_print {
        output::stdout_print()
    } else {
        output::print_as_log(&name)
    };
    let request = RunRequest {
        path: script,
        source,
        options: RunOptions {
            dry_run: run.dry_run,
            args: run.args.into_iter().collect(),
            timeout: run.timeout,
            max_writes: run.max_writes,
            trigger,
            undo_of: None,
            claim,
            memory: run.memory,
            event,
        },
        cancel: signals::shutdown_token(),
        on_log: Some(std::sync::Arc::new(move |line| {
            print(line);
            report.send(&Event::Log(line.clone()));
        })),
        on_print: Some(std::sync::Arc::new(move |line| {
            printer(line);
            printed.send(&Event::Log(line.clone()));
        })),
        on_start: Some(std::sync::Arc::new(move |id| {
            started.send(&Event::Started(id));
        })),
    };
    let outcome = ctx.host.run(request).await;
    output::print_outcome(&name, &outcome, false);
    channel.send(&Event::End(End {
        status: outcome.status,
        error: outcome.error.as_ref().map(|e| e.render()),
        record_error: outcome.record_error.clone(),
        peak_rss: memory::peak_rss(),
        peak_heap: memory::peak(),
    }));
    match &outcome.error {
        None => Ok(()),
        Some(e) => Err(CliError::silent(e.exit_code())),
    }
}

/// The parent's channel, file descriptor 3.
fn channel() -> Result<EventWriter<std::fs::File>, CliError> {
    use std::os::fd::FromRawFd;
    // SAFETY: F_GETFD only asks whether descriptor 3 is open.
    if unsafe { libc::fcntl(CHANNEL_FD, libc::F_GETFD) } < 0 {
        return Err(CliError::usage(
            "run-child is internal to `hubscript daemon` and `hubscript watch`",
        ));
    }
    // SAFETY: descriptor 3 is open (checked above) and this process's only user of it.
    let file = unsafe { std::fs::File::from_raw_fd(CHANNEL_FD) };
    Ok(EventWriter::new(file))
}
