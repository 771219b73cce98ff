//! The REPL loop: read a line, run it (code or `:` command), show the result, save history.
//!
//! Owns the session, the editor and the display toggles (`:json`, `:timing`). Results go to
//! stdout, errors, progress and prompts for confirmation to stderr. Rendering is `output.rs`;
//! completion `complete.rs`; Ctrl-C `interrupt.rs`.

use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor};
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use crate::backend::TicketsBackend;
use crate::script::{ReplSession, RunOptions, ScriptError};

use super::command::{self, Command, COMMANDS};
use super::complete::Catalog;
use super::helper::ReplHelper;
use super::history::default_history_path;
use super::interrupt::{Interrupts, Progress};
use super::output::{self, StageLabels};
use super::{ReplConfig, ReplError, CONFIRM_ABOVE, TABLE_ROWS};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock()
        .expect("REPL lock poisoned by a panicking evaluation")
}

/// One REPL session on the terminal.
pub(super) struct Driver {
    session: Arc<Mutex<ReplSession>>,
    editor: Editor<ReplHelper, DefaultHistory>,
    handle: Handle,
    interrupts: Interrupts,
    stages: Arc<Mutex<StageLabels>>,
    stale: Arc<AtomicBool>,
    history: Option<PathBuf>,
    describe: String,
    json: bool,
    timing: bool,
}

/// The prompt for the current mode.
fn prompt(dry_run: bool) -> &'static str {
    if dry_run {
        "hubscript (dry run)> "
    } else {
        "hubscript> "
    }
}

/// Asks on the terminal whether one input may change `n` tickets on the live portal.
fn confirm_on_terminal(n: u64) -> bool {
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r\x1b[2KThis input would change {n} tickets on the LIVE portal. Continue? [y/N] "
    );
    let _ = err.flush();
    drop(err);
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes")
}

/// Fetches property names and stage labels once, in the background (start-up never waits).
fn fetch_portal(
    handle: &Handle,
    backend: Arc<dyn TicketsBackend>,
    catalog: Arc<Mutex<Catalog>>,
    stages: Arc<Mutex<StageLabels>>,
) {
    handle.spawn(async move {
        if let Ok(props) = backend.properties().await {
            let mut names: Vec<String> = props.into_iter().map(|p| p.name).collect();
            names.sort();
            lock(&catalog).properties = names;
        }
        if let Ok(pipelines) = backend.pipelines().await {
            let mut labels = Vec::new();
            let mut map = HashMap::new();
            for p in pipelines {
                for s in p.stages {
                    labels.push(s.label.clone());
                    map.insert(s.id, s.label);
                }
            }
            labels.sort();
            labels.dedup();
            lock(&catalog).stages = labels;
            *lock(&stages) = map;
        }
    });
}

/// The width of the terminal on stdout, where results are printed (or `$COLUMNS`, or 100).
fn terminal_width() -> usize {
    if let Some(w) = crate::terminal::width(1) {
        return w;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

impl Driver {
    /// Opens the session, the editor and its history; nothing is read yet.
    pub(super) fn new(config: ReplConfig, handle: Handle) -> Result<Self, ReplError> {
        let session = config.host.repl(RunOptions {
            dry_run: config.dry_run,
            max_writes: config.max_writes,
            trigger: "repl".into(),
            ..RunOptions::default()
        });
        if config.live {
            session.set_confirm(CONFIRM_ABOVE, Arc::new(confirm_on_terminal));
        }
        let session = Arc::new(Mutex::new(session));
        let catalog = Arc::new(Mutex::new(Catalog::default()));
        let stages = Arc::new(Mutex::new(StageLabels::new()));
        let stale = Arc::new(AtomicBool::new(true));
        fetch_portal(
            &handle,
            config.backend.clone(),
            catalog.clone(),
            stages.clone(),
        );
        let editor_config = Config::builder()
            .auto_add_history(false)
            .history_ignore_dups(true)?
            .history_ignore_space(true)
            .max_history_size(10_000)?
            .completion_type(CompletionType::List)
            .tab_stop(4)
            .indent_size(4)
            .build();
        let mut editor = Editor::with_config(editor_config)?;
        editor.set_helper(Some(ReplHelper::new(
            session.clone(),
            catalog,
            stale.clone(),
        )));
        let history = config.history_path.or_else(default_history_path);
        if let Some(path) = &history {
            // A missing file is a first session; an unreadable one starts empty.
            let _ = editor.load_history(path);
        }
        let interrupts = Interrupts::install(&handle)?;
        Ok(Self {
            session,
            editor,
            handle,
            interrupts,
            stages,
            stale,
            history,
            describe: config.backend.describe(),
            json: false,
            timing: false,
        })
    }

    /// Reads and runs inputs until `:quit` or Ctrl-D.
    pub(super) fn run(mut self) -> Result<(), ReplError> {
        println!(
            "hubscript repl on {} - :help for commands, Tab completes, Ctrl-D leaves",
            self.describe
        );
        loop {
            let dry = lock(&self.session).dry_run();
            match self.editor.readline(prompt(dry)) {
                Ok(line) => {
                    if line.trim().is_empty() {
                        continue;
                    }
                    self.remember(&line);
                    if command::is_command(&line) {
                        match command::parse(&line) {
                            Ok(Command::Quit) => return Ok(()),
                            Ok(c) => self.command(c),
                            Err(msg) => eprintln!("{msg}"),
                        }
                    } else {
                        self.evaluate(None, &line);
                    }
                }
                Err(ReadlineError::Interrupted) => {}
                Err(ReadlineError::Eof) => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Adds `line` to the history and saves it now (a crash must not lose the session).
    fn remember(&mut self, line: &str) {
        let _ = self.editor.add_history_entry(line);
        let Some(path) = &self.history else { return };
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if self.editor.append_history(path).is_err() {
            let _ = self.editor.save_history(path);
        }
    }

    /// Evaluates code typed (`file` = None) or loaded, showing the result or the error.
    fn evaluate(&mut self, file: Option<&Path>, code: &str) {
        let token = CancellationToken::new();
        let reads = lock(&self.session).reads();
        let started = Instant::now();
        let result = {
            let _armed = self.interrupts.arm(token.clone());
            let progress = Progress::start(&self.handle, reads);
            let mut session = lock(&self.session);
            let result = match file {
                Some(f) => session.eval_source(&f.display().to_string(), code, TABLE_ROWS, token),
                None => session.eval_value(code, TABLE_ROWS, token),
            };
            progress.finish(&self.handle);
            result
        };
        let elapsed = started.elapsed();
        self.stale.store(true, Ordering::Release);
        self.show_log();
        match result {
            Ok(v) => {
                let stages = lock(&self.stages).clone();
                print!(
                    "{}",
                    output::render(&v, self.json, &stages, terminal_width())
                );
            }
            Err(ScriptError::Cancelled(_)) => eprintln!("cancelled"),
            Err(e) => eprint!("{}", e.render()),
        }
        let _ = std::io::stdout().flush();
        if self.timing {
            eprintln!("took {elapsed:.1?}");
        }
    }

    fn show_log(&self) {
        for line in lock(&self.session).take_log() {
            match line.level.as_str() {
                "info" => println!("{}", line.message),
                level => println!("[{level}] {}", line.message),
            }
        }
    }

    fn command(&mut self, c: Command) {
        match c {
            Command::Help(topic) => print!("{}", self.help(topic.as_deref())),
            Command::Load(path) => match std::fs::read_to_string(&path) {
                Ok(code) => self.evaluate(Some(&path), &code),
                Err(e) => eprintln!("cannot read {}: {e}", path.display()),
            },
            Command::DryRun(on) => {
                let session = lock(&self.session);
                if let Some(on) = on {
                    session.set_dry_run(on);
                }
                let state = if session.dry_run() { "on" } else { "off" };
                println!("dry run {state}");
            }
            Command::Plan => print!("{}", lock(&self.session).plan().render_table()),
            Command::Vars => {
                let width = terminal_width();
                let vars = lock(&self.session).variables_detail();
                if vars.is_empty() {
                    println!("(no variables)");
                }
                for v in vars {
                    let line = format!("{}: {} = {}", v.name, v.type_name, v.display);
                    println!("{}", output::cut(&line, width));
                }
            }
            Command::Reset => {
                lock(&self.session).reset();
                self.stale.store(true, Ordering::Release);
                println!("session reset: no variables, functions or planned writes");
            }
            Command::Timing(on) => {
                self.timing = on.unwrap_or(!self.timing);
                println!("timing {}", if self.timing { "on" } else { "off" });
            }
            Command::Json => {
                self.json = !self.json;
                println!("JSON output {}", if self.json { "on" } else { "off" });
            }
            Command::Quit => {}
        }
    }

    /// `:help` text: the commands and the API, or one function's overloads.
    fn help(&self, topic: Option<&str>) -> String {
        let functions = lock(&self.session).functions();
        let Some(topic) = topic else {
            let mut out = String::from("Commands:\n");
            for (usage, what) in COMMANDS {
                out.push_str(&format!("  {usage:<18} {what}\n"));
            }
            out.push_str("\nFunctions (:help NAME for one):\n");
            let mut namespaces: Vec<String> = functions
                .iter()
                .filter_map(|f| f.namespace.clone())
                .collect();
            namespaces.dedup();
            for ns in namespaces {
                let mut names: Vec<&str> = functions
                    .iter()
                    .filter(|f| f.namespace.as_deref() == Some(ns.as_str()))
                    .map(|f| f.name.as_str())
                    .collect();
                names.dedup();
                out.push_str(&format!("  {ns}:: {}\n", names.join(" ")));
            }
            // Global functions of the API (`ago`, `now`, `parse_time`...): documented ones
            // only, so the script's own functions and bare methods stay out.
            let mut globals: Vec<&str> = functions
                .iter()
                .filter(|f| f.namespace.is_none() && !f.doc.is_empty())
                .map(|f| f.name.as_str())
                .collect();
            globals.sort_unstable();
            globals.dedup();
            if !globals.is_empty() {
                out.push_str(&format!("  global: {}\n", globals.join(" ")));
            }
            return out;
        };
        let topic = topic.trim().trim_end_matches("()");
        let matches: Vec<_> = functions
            .iter()
            .filter(|f| f.path() == topic)
            .chain(
                functions
                    .iter()
                    .filter(|f| f.path() != topic && f.name == topic),
            )
            .collect();
        if matches.is_empty() {
            return format!("no function `{topic}`; :help lists them\n");
        }
        let mut out = String::new();
        for f in matches {
            out.push_str(&f.signature());
            out.push('\n');
            if !f.doc.is_empty() {
                out.push_str(&format!("    {}\n", f.doc));
            }
        }
        out
    }
}
