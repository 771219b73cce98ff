//! Where the REPL keeps its history: one file per user.
//!
//! `HUBSCRIPT_HISTORY` wins (tests use it), then `$XDG_STATE_HOME/hubscript/history`, then
//! `~/.local/state/hubscript/history`. Pure path logic over an injected environment lookup;
//! the editor loads and saves the file.

use std::path::PathBuf;

/// The history file for the environment `var` describes (`None`: no home to keep it in).
pub(super) fn history_path(var: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    if let Some(p) = set("HUBSCRIPT_HISTORY") {
        return Some(PathBuf::from(p));
    }
    if let Some(state) = set("XDG_STATE_HOME") {
        return Some(PathBuf::from(state).join("hubscript").join("history"));
    }
    set("HOME").map(|home| {
        PathBuf::from(home)
            .join(".local")
            .join("state")
            .join("hubscript")
            .join("history")
    })
}

/// The history file for this process's environment.
pub fn default_history_path() -> Option<PathBuf> {
    history_path(|name| std::env::var(name).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_override_then_xdg_then_home() {
        let all = [
            ("HUBSCRIPT_HISTORY", "/tmp/h"),
            ("XDG_STATE_HOME", "/s"),
            ("HOME", "/home/u"),
        ];
        assert_eq!(history_path(env(&all)), Some(PathBuf::from("/tmp/h")));
        assert_eq!(
            history_path(env(&all[1..])),
            Some(PathBuf::from("/s/hubscript/history"))
        );
        assert_eq!(
            history_path(env(&all[2..])),
            Some(PathBuf::from("/home/u/.local/state/hubscript/history"))
        );
        assert_eq!(
            history_path(env(&[("XDG_STATE_HOME", ""), ("HOME", "/h")])),
            Some(PathBuf::from("/h/.local/state/hubscript/history"))
        );
        assert_eq!(history_path(env(&[])), None);
    }
}
