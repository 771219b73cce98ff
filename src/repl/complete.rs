//! Tab completion and parameter hints, as pure functions over a [`Catalog`].
//!
//! Completes `:` commands, module paths and functions (`tickets::se` -> `tickets::search`),
//! variables, property names after `properties.` and as object-map keys (`#{ hs_ti` in the
//! terse search form, or after `, ` inside the map) and, inside a string, property names and
//! pipeline stage labels. Hints show a function's parameters once its name is typed. Nothing
//! here touches rustyline, the session or the backend: `helper.rs` feeds the catalog.

use crate::script::FnInfo;

use super::command::{command_name, COMMANDS};

/// Everything completion knows about.
#[derive(Debug, Clone, Default)]
pub(super) struct Catalog {
    /// API and script functions.
    pub functions: Vec<FnInfo>,
    /// Variables in the session.
    pub variables: Vec<String>,
    /// Ticket property names from the portal.
    pub properties: Vec<String>,
    /// Pipeline stage labels from the portal.
    pub stages: Vec<String>,
}

/// A hint: what is shown after the cursor and what accepting it inserts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HintText {
    /// Shown (dimmed) after the cursor.
    pub display: String,
    /// Inserted when the hint is accepted (the rest of the name only, never the parameters).
    pub insert: String,
}

/// Shortest unqualified word that gets a name hint.
const MIN_HINT: usize = 3;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == ':' || c == '.'
}

/// Byte index where the word ending at the end of `before` starts.
fn word_start(before: &str) -> usize {
    before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(before.len(), |(i, _)| i)
}

/// Byte index just after the opening quote when `before` ends inside a string literal.
fn open_string(before: &str) -> Option<usize> {
    let mut open = None;
    let mut escaped = false;
    for (i, c) in before.char_indices() {
        match c {
            '\\' if open.is_some() && !escaped => {
                escaped = true;
                continue;
            }
            '"' if !escaped => open = if open.is_some() { None } else { Some(i + 1) },
            _ => {}
        }
        escaped = false;
    }
    open
}

/// The innermost bracket still open at the end of `before` (`#{` for an object map), skipping
/// string literals.
fn innermost_open(before: &str) -> Option<&'static str> {
    let mut stack = Vec::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut prev = '\0';
    for c in before.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
        } else {
            match c {
                '"' | '`' => quote = Some(c),
                '{' => stack.push(if prev == '#' { "#{" } else { "{" }),
                '(' => stack.push("("),
                '[' => stack.push("["),
                '}' | ')' | ']' => {
                    stack.pop();
                }
                _ => {}
            }
        }
        prev = c;
    }
    stack.last().copied()
}

/// Whether a word typed after `head` is a key of an object map: right after `#{`, or after a
/// `,` whose innermost open bracket is a `#{`. Keys of the terse search form (and of the maps
/// `create`/`update` take) are property names.
fn at_map_key(head: &str) -> bool {
    let head = head.trim_end();
    (head.ends_with("#{") || head.ends_with(',')) && innermost_open(head) == Some("#{")
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn starting_with<'a>(items: impl Iterator<Item = &'a String>, prefix: &str) -> Vec<String> {
    items.filter(|s| s.starts_with(prefix)).cloned().collect()
}

impl Catalog {
    /// Candidates for the text before the cursor: the byte index where the replaced text
    /// starts and the replacements, sorted.
    pub(super) fn complete(&self, before: &str) -> (usize, Vec<String>) {
        let trimmed = before.trim_start();
        if trimmed.starts_with(':') {
            return self.complete_command(before);
        }
        if let Some(start) = open_string(before) {
            let prefix = &before[start..];
            let mut v = starting_with(self.properties.iter(), prefix);
            v.extend(starting_with(self.stages.iter(), prefix));
            return (start, sorted(v));
        }
        let start = word_start(before);
        let word = &before[start..];
        if !word.contains([':', '.']) && at_map_key(&before[..start]) {
            return (start, sorted(starting_with(self.properties.iter(), word)));
        }
        if word.is_empty() {
            return (start, Vec::new());
        }
        if let Some((head, tail)) = word.rsplit_once('.') {
            if head.ends_with("properties") {
                let at = before.len() - tail.len();
                return (at, sorted(starting_with(self.properties.iter(), tail)));
            }
            return (start, Vec::new());
        }
        let qualified = word.contains("::");
        let mut v: Vec<String> = self
            .functions
            .iter()
            .filter(|f| qualified == f.namespace.is_some())
            .map(FnInfo::path)
            .filter(|p| p.starts_with(word))
            .collect();
        if !qualified {
            v.extend(
                self.functions
                    .iter()
                    .filter_map(|f| f.namespace.as_ref())
                    .map(|ns| format!("{ns}::"))
                    .filter(|p| p.starts_with(word)),
            );
            v.extend(starting_with(self.variables.iter(), word));
        }
        (start, sorted(v))
    }

    fn complete_command(&self, before: &str) -> (usize, Vec<String>) {
        let lead = before.len() - before.trim_start().len();
        let body = &before[lead..];
        match body.split_once(' ') {
            None => {
                let v = COMMANDS
                    .iter()
                    .map(|(usage, _)| command_name(usage).to_string())
                    .filter(|c| c.starts_with(body))
                    .collect();
                (lead, sorted(v))
            }
            Some((":help", arg)) => {
                let arg = arg.trim_start();
                let start = before.len() - arg.len();
                let v = self
                    .functions
                    .iter()
                    .map(FnInfo::path)
                    .filter(|p| p.starts_with(arg))
                    .collect();
                (start, sorted(v))
            }
            Some((":dry-run" | ":timing" | ":pager", arg)) => {
                let arg = arg.trim_start();
                let start = before.len() - arg.len();
                let v = ["off", "on"]
                    .iter()
                    .filter(|o| o.starts_with(arg))
                    .map(|o| o.to_string())
                    .collect();
                (start, v)
            }
            Some(_) => (before.len(), Vec::new()),
        }
    }

    /// The overloads of the function whose full path is `path`.
    pub(super) fn overloads(&self, path: &str) -> Vec<&FnInfo> {
        self.functions.iter().filter(|f| f.path() == path).collect()
    }

    /// The parameter hint for the text before the cursor (which must be the end of the line).
    pub(super) fn hint(&self, before: &str) -> Option<HintText> {
        if open_string(before).is_some() || before.trim_start().starts_with(':') {
            return None;
        }
        // Right after `name(`: the parameters.
        if let Some(call) = before.strip_suffix('(') {
            let name = &call[word_start(call)..];
            let params = self.param_lists(name)?;
            return Some(HintText {
                display: format!("{params})"),
                insert: String::new(),
            });
        }
        let word = &before[word_start(before)..];
        // Short bare words are mostly keywords and variables being typed (`le` of `let`).
        if word.contains('.') || (!word.contains("::") && word.chars().count() < MIN_HINT) {
            return None;
        }
        // A unique function with this prefix: the rest of its name, then its parameters.
        let mut paths: Vec<String> = self
            .functions
            .iter()
            .map(FnInfo::path)
            .filter(|p| p.starts_with(word))
            .collect();
        paths.dedup();
        let [path] = paths.as_slice() else {
            return None;
        };
        let params = self.param_lists(path)?;
        let rest = path[word.len()..].to_string();
        Some(HintText {
            display: format!("{rest}({params})"),
            insert: rest,
        })
    }

    /// `a: T, b: U` for each overload of `path`, joined with ` | `.
    fn param_lists(&self, path: &str) -> Option<String> {
        let mut lists: Vec<String> = self
            .overloads(path)
            .iter()
            .map(|f| f.params.join(", "))
            .collect();
        lists.dedup();
        (!lists.is_empty()).then(|| lists.join(" | "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(ns: Option<&str>, name: &str, params: &[&str]) -> FnInfo {
        FnInfo {
            namespace: ns.map(str::to_string),
            name: name.into(),
            params: params.iter().map(|p| p.to_string()).collect(),
            returns: "()".into(),
            doc: String::new(),
        }
    }

    fn catalog() -> Catalog {
        Catalog {
            functions: vec![
                f(Some("tickets"), "search", &["request: map"]),
                f(Some("tickets"), "search", &["query: string"]),
                f(Some("tickets"), "get", &["id: ?"]),
                f(Some("tickets"), "update", &["id: ?", "props: map"]),
                f(Some("pipelines"), "stages", &["pipeline: string"]),
                f(None, "now", &[]),
                f(None, "hours", &["n: int"]),
            ],
            variables: vec!["tix".into(), "total".into()],
            properties: vec![
                "subject".into(),
                "hs_ticket_priority".into(),
                "hs_pipeline_stage".into(),
            ],
            stages: vec!["New".into(), "Waiting on contact".into()],
        }
    }

    #[test]
    fn completes_module_functions() {
        let c = catalog();
        assert_eq!(
            c.complete("tickets::se"),
            (0, vec!["tickets::search".into()])
        );
        assert_eq!(
            c.complete("let t = tickets::"),
            (
                8,
                vec![
                    "tickets::get".into(),
                    "tickets::search".into(),
                    "tickets::update".into()
                ]
            )
        );
        assert_eq!(c.complete("x = tickets::zz").1, Vec::<String>::new());
    }

    #[test]
    fn completes_modules_globals_and_variables() {
        let c = catalog();
        assert_eq!(
            c.complete("ti"),
            (0, vec!["tickets::".into(), "tix".into()])
        );
        assert_eq!(c.complete("1 + t").1, vec!["tickets::", "tix", "total"]);
        assert_eq!(c.complete("let x = ho").1, vec!["hours"]);
        assert_eq!(c.complete("let x = ").1, Vec::<String>::new());
    }

    #[test]
    fn completes_property_names_after_properties_dot() {
        let c = catalog();
        let (start, v) = c.complete("t.properties.hs_");
        assert_eq!(start, "t.properties.".len());
        assert_eq!(v, vec!["hs_pipeline_stage", "hs_ticket_priority"]);
        assert_eq!(c.complete("t.foo.hs").1, Vec::<String>::new());
    }

    #[test]
    fn completes_property_names_as_map_keys() {
        let c = catalog();
        let line = "tickets::search(#{ hs_ti";
        assert_eq!(
            c.complete(line),
            (line.len() - 5, vec!["hs_ticket_priority".into()])
        );
        // Every property right after `#{`; after `, ` inside the map too.
        assert_eq!(c.complete("tickets::search(#{ ").1.len(), 3);
        assert_eq!(
            c.complete("tickets::search(#{ subject: \"a, {b\", hs_p").1,
            vec!["hs_pipeline_stage"]
        );
        assert_eq!(
            c.complete("tickets::update(t.id, #{subject: \"x\",hs_t").1,
            vec!["hs_ticket_priority"]
        );
        // A value, a block, an array in the map and a later argument are not keys.
        assert_eq!(c.complete("x(#{ subject: ti").1, vec!["tickets::", "tix"]);
        assert_eq!(c.complete("if true { ti").1, vec!["tickets::", "tix"]);
        assert_eq!(c.complete("#{ a: [1, ti").1, vec!["tickets::", "tix"]);
        assert_eq!(c.complete("f(#{ a: 1 }, ti").1, vec!["tickets::", "tix"]);
        assert_eq!(innermost_open("#{ a: #{ b: 1 }, "), Some("#{"));
        assert_eq!(innermost_open("{ #{ a: 1 } "), Some("{"));
    }

    #[test]
    fn completes_properties_and_stage_labels_inside_strings() {
        let c = catalog();
        let line = "tickets::search(\"hs_ticket";
        assert_eq!(
            c.complete(line),
            (line.len() - 9, vec!["hs_ticket_priority".into()])
        );
        let line = "x == \"Wa";
        assert_eq!(c.complete(line).1, vec!["Waiting on contact"]);
        // A closed string is not completed as a string.
        assert_eq!(c.complete("\"a\" + ti").1, vec!["tickets::", "tix"]);
        // An escaped quote does not close the string.
        assert_eq!(open_string("\"a\\\"b"), Some(1));
    }

    #[test]
    fn completes_commands_and_their_arguments() {
        let c = catalog();
        assert_eq!(c.complete(":he"), (0, vec![":help".into()]));
        assert_eq!(
            c.complete(":help tickets::g"),
            (6, vec!["tickets::get".into()])
        );
        assert_eq!(c.complete(":dry-run o").1, vec!["off", "on"]);
        assert_eq!(c.complete(":load fi").1, Vec::<String>::new());
    }

    #[test]
    fn hints_show_the_rest_of_a_unique_name_and_its_parameters() {
        let c = catalog();
        assert_eq!(
            c.hint("tickets::upd"),
            Some(HintText {
                display: "ate(id: ?, props: map)".into(),
                insert: "ate".into()
            })
        );
        assert_eq!(
            c.hint("let r = tickets::search("),
            Some(HintText {
                display: "request: map | query: string)".into(),
                insert: String::new()
            })
        );
        assert_eq!(c.hint("tickets::"), None, "ambiguous");
        assert_eq!(c.hint("ho"), None, "too short");
        assert_eq!(c.hint("hou").map(|h| h.insert), Some("rs".to_string()));
        assert_eq!(c.hint("\"tickets::upd"), None, "inside a string");
    }
}
