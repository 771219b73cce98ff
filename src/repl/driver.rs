//! The REPL loop: read lines until a statement is complete (a continuation prompt meanwhile),
//! run it (code or `:` command), show the result, save history.
//!
//! Owns the session, the editor, the lines of an unfinished statement and the display toggles
//! (`:json`, `:timing`, `:pager`). Results go to stdout (long ones through the pager), errors,
//! progress and prompts for confirmation to stderr. Rendering is `output.rs`; completion
//! `complete.rs`; continuation `continuation.rs`; the pager `pager.rs`; Ctrl-C `interrupt.rs`.

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
use crate::model::OwnerQuery;
use crate::script::{ReplSession, RunOptions, ScriptError};

use super::command::{self, Command, COMMANDS};
use super::complete::Catalog;
use super::continuation::{continuation_prompt, incomplete};
use super::helper::ReplHelper;
use super::history::default_history_path;
use super::interrupt::{Interrupts, Progress};
use super::output::{self, Labels, TABLE_PROPERTIES};
use super::pager::Pager;
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
    labels: Arc<Mutex<Labels>>,
    stale: Arc<AtomicBool>,
    history: Option<PathBuf>,
    describe: String,
    json: bool,
    timing: bool,
    pager: Pager,
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

/// Fetches property names, stage and pipeline labels and owner names once per session, in the
/// background (start-up never waits; until they arrive, completion lacks them and tables show
/// ids).
///
/// Owner names come from the `hubspot_owner_id` options of the definitions (the sandbox lists
/// its owners there: no extra call). HubSpot leaves those options empty (owners live behind
/// its owners API), so then one page of `GET /crm/v3/owners` (up to 500, HubSpot's maximum)
/// is read: one call per session, and a token without the owners scope just leaves ids.
fn fetch_portal(
    handle: &Handle,
    backend: Arc<dyn TicketsBackend>,
    catalog: Arc<Mutex<Catalog>>,
    labels: Arc<Mutex<Labels>>,
) {
    handle.spawn(async move {
        let mut owners: HashMap<String, String> = HashMap::new();
        if let Ok(props) = backend.properties().await {
            if let Some(owner) = props.iter().find(|p| p.name == "hubspot_owner_id") {
                owners.extend(
                    owner
                        .options
                        .iter()
                        .filter(|o| !o.label.is_empty() && o.label != o.value)
                        .map(|o| (o.value.clone(), o.label.clone())),
                );
            }
            let mut names: Vec<String> = props.into_iter().map(|p| p.name).collect();
            names.sort();
            lock(&catalog).properties = names;
        }
        if let Ok(pipelines) = backend.pipelines().await {
            let mut names = Vec::new();
            let mut stages = HashMap::new();
            let mut by_id = HashMap::new();
            for p in pipelines {
                by_id.insert(p.id, p.label);
                for s in p.stages {
                    names.push(s.label.clone());
                    stages.insert(s.id, s.label);
                }
            }
            names.sort();
            names.dedup();
            lock(&catalog).stages = names;
            let mut l = lock(&labels);
            l.insert("hs_pipeline_stage".into(), stages);
            l.insert("hs_pipeline".into(), by_id);
        }
        if owners.is_empty() {
            let query = OwnerQuery {
                limit: Some(500),
                ..OwnerQuery::default()
            };
            if let Ok(page) = backend.owners(&query).await {
                owners.extend(
                    page.results
                        .iter()
                        .map(|o| (o.id.clone(), o.display_name())),
                );
            }
        }
        if !owners.is_empty() {
            lock(&labels).insert("hubspot_owner_id".into(), owners);
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
        let mut session = session;
        session.set_shown_properties(TABLE_PROPERTIES);
        let session = Arc::new(Mutex::new(session));
        let catalog = Arc::new(Mutex::new(Catalog::default()));
        let labels = Arc::new(Mutex::new(Labels::new()));
        let stale = Arc::new(AtomicBool::new(true));
        fetch_portal(
            &handle,
            config.backend.clone(),
            catalog.clone(),
            labels.clone(),
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
            labels,
            stale,
            history,
            describe: config.backend.describe(),
            json: false,
            timing: false,
            pager: Pager::new(),
        })
    }

    /// Reads and runs inputs until `:quit` or Ctrl-D.
    ///
    /// A statement left open (a brace, bracket, parenthesis or string) continues at
    /// [`continuation_prompt`]; the lines run together once it is complete and go to the
    /// history as one entry. Ctrl-C or Ctrl-D at a continuation prompt drops the unfinished
    /// statement (Ctrl-D leaves only from an empty prompt, so a stray one cannot end the
    /// session with a half-typed statement).
    pub(super) fn run(mut self) -> Result<(), ReplError> {
        println!(
            "hubscript repl on {} - :help for commands, Tab completes, Ctrl-D leaves",
            self.describe
        );
        let mut pending = String::new();
        loop {
            let first = prompt(lock(&self.session).dry_run());
            let shown = if pending.is_empty() {
                first.to_string()
            } else {
                continuation_prompt(first)
            };
            match self.editor.readline(&shown) {
                Ok(line) => {
                    if pending.is_empty() {
                        if line.trim().is_empty() {
                            continue;
                        }
                        if command::is_command(&line) {
                            self.remember(&line);
                            match command::parse(&line) {
                                Ok(Command::Quit) => return Ok(()),
                                Ok(c) => self.command(c),
                                Err(msg) => eprintln!("{msg}"),
                            }
                            continue;
                        }
                        pending = line;
                    } else {
                        pending.push('\n');
                        pending.push_str(&line);
                    }
                    let more = {
                        let session = lock(&self.session);
                        incomplete(&pending, |s| session.needs_more_input(s))
                    };
                    if more {
                        continue;
                    }
                    let code = std::mem::take(&mut pending);
                    self.remember(&code);
                    self.evaluate(None, &code);
                }
                Err(ReadlineError::Interrupted | ReadlineError::Eof) if !pending.is_empty() => {
                    pending.clear();
                    eprintln!("(unfinished statement dropped)");
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
                let labels = lock(&self.labels).clone();
                let text = output::render(&v, self.json, &labels, terminal_width());
                self.pager.show(&text);
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
            Command::Help(topic) => {
                let text = self.help(topic.as_deref());
                self.pager.show(&text);
            }
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
            Command::Plan => {
                let text = lock(&self.session).plan().render_table();
                self.pager.show(&text);
            }
            Command::Vars => {
                let width = terminal_width();
                let vars = lock(&self.session).variables_detail();
                let mut text = String::new();
                if vars.is_empty() {
                    text.push_str("(no variables)\n");
                }
                for v in vars {
                    let line = format!("{}: {} = {}", v.name, v.type_name, v.display);
                    text.push_str(&output::cut(&line, width));
                    text.push('\n');
                }
                self.pager.show(&text);
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
                // Raw JSON shows what the input asked for; the table asks for its columns.
                let shown: &[&str] = if self.json { &[] } else { TABLE_PROPERTIES };
                lock(&self.session).set_shown_properties(shown);
                println!("JSON output {}", if self.json { "on" } else { "off" });
            }
            Command::Pager(on) => {
                self.pager.enabled = on.unwrap_or(!self.pager.enabled);
                println!("pager {}", if self.pager.enabled { "on" } else { "off" });
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
