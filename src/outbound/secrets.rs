//! Secrets a script may use: the values of the environment variables its header names
//! (`env = ["SLACK_WEBHOOK_URL"]`), read once per run, and the redaction every text leaving a
//! run passes through (log lines, errors, the recorded requests), so a secret's value never
//! reaches the terminal or the run history even when a script prints it.

use std::collections::BTreeMap;

use super::error::OutboundError;
use super::request::Sensitive;

/// How a script names a secret inside a URL, a header value or a body string:
/// `"{{env.SLACK_WEBHOOK_URL}}"`, `"Bearer {{env.API_TOKEN}}"`. The script never holds the value.
pub const PLACEHOLDER_OPEN: &str = "{{env.";

/// Whether `name` is a usable environment variable name (`[A-Za-z_][A-Za-z0-9_]*`).
pub fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The declared variables and the values that were set.
#[derive(Clone, Default)]
pub struct Secrets {
    declared: Vec<String>,
    values: BTreeMap<String, String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the values.
        f.debug_struct("Secrets")
            .field("declared", &self.declared)
            .field("set", &self.values.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Secrets {
    /// Reads the declared variables through `lookup` (the process environment in a run).
    pub fn load(declared: &[String], lookup: impl Fn(&str) -> Option<String>) -> Self {
        let values = declared
            .iter()
            .filter_map(|n| lookup(n).map(|v| (n.clone(), v)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        Self {
            declared: declared.to_vec(),
            values,
        }
    }

    /// Reads the declared variables from the process environment.
    pub fn from_env(declared: &[String]) -> Self {
        Self::load(declared, |n| std::env::var(n).ok())
    }

    /// The value of `name`: an error when the header does not declare it or it is unset.
    pub fn get(&self, name: &str) -> Result<&str, OutboundError> {
        if !self.declared.iter().any(|d| d == name) {
            return Err(OutboundError::EnvNotDeclared {
                name: name.to_string(),
                declared: self.declared.clone(),
            });
        }
        self.values
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| OutboundError::EnvUnset {
                name: name.to_string(),
            })
    }

    /// Expands every `{{env.NAME}}` in `text` to the variable's value (which must be declared
    /// and set); the shown form keeps the placeholders. Text without placeholders is plain.
    pub fn expand(&self, text: &str) -> Result<Sensitive, OutboundError> {
        let mut real = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(PLACEHOLDER_OPEN) {
            let after = &rest[start + PLACEHOLDER_OPEN.len()..];
            let Some(end) = after.find("}}") else { break };
            let name = after[..end].trim();
            real.push_str(&rest[..start]);
            real.push_str(self.get(name)?);
            rest = &after[end + 2..];
        }
        real.push_str(rest);
        Ok(Sensitive::from_parts(real, text.to_string()))
    }

    /// `text` with every secret value replaced by `[secret NAME]`. Longer values are replaced
    /// first so a value containing another is hidden whole.
    pub fn redact(&self, text: &str) -> String {
        let mut pairs: Vec<(&String, &String)> = self.values.iter().collect();
        pairs.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
        let mut out = text.to_string();
        for (name, value) in pairs {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), &format!("[secret {name}]"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets() -> Secrets {
        let env = BTreeMap::from([
            (
                "HOOK".to_string(),
                "https://hooks.example/T1/B2/abcdef".to_string(),
            ),
            ("TOKEN".to_string(), "abcdef".to_string()),
            ("EMPTY".to_string(), String::new()),
        ]);
        Secrets::load(
            &[
                "HOOK".into(),
                "TOKEN".into(),
                "EMPTY".into(),
                "MISSING".into(),
            ],
            |n| env.get(n).cloned(),
        )
    }

    #[test]
    fn declared_and_set_only() {
        let s = secrets();
        assert_eq!(s.get("TOKEN").unwrap(), "abcdef");
        let e = s.get("PATH").unwrap_err().to_string();
        assert!(e.contains("PATH") && e.contains("`env` list"), "{e}");
        let e = s.get("MISSING").unwrap_err().to_string();
        assert!(e.contains("MISSING") && e.contains("not set"), "{e}");
        assert!(matches!(
            s.get("EMPTY"),
            Err(OutboundError::EnvUnset { .. })
        ));
    }

    #[test]
    fn redaction_hides_every_value() {
        let s = secrets();
        let text = "posting to https://hooks.example/T1/B2/abcdef with abcdef";
        let red = s.redact(text);
        assert_eq!(red, "posting to [secret HOOK] with [secret TOKEN]");
        assert!(!format!("{s:?}").contains("abcdef"));
    }

    #[test]
    fn placeholders_expand_to_values_and_show_as_written() {
        let s = secrets();
        let t = s.expand("Bearer {{env.TOKEN}}").unwrap();
        assert_eq!(t.real(), "Bearer abcdef");
        assert_eq!(t.shown(), "Bearer {{env.TOKEN}}");
        let t = s.expand("{{env.HOOK}}?a={{env.TOKEN}}").unwrap();
        assert_eq!(t.real(), "https://hooks.example/T1/B2/abcdef?a=abcdef");
        assert!(!s
            .expand("plain {{ not a placeholder }}")
            .unwrap()
            .is_secret());
        assert!(matches!(
            s.expand("{{env.PATH}}"),
            Err(OutboundError::EnvNotDeclared { .. })
        ));
        assert!(matches!(
            s.expand("{{env.MISSING}}"),
            Err(OutboundError::EnvUnset { .. })
        ));
        // An unterminated placeholder is left as text.
        assert_eq!(s.expand("x {{env.TOKEN").unwrap().real(), "x {{env.TOKEN");
    }

    #[test]
    fn env_names() {
        assert!(valid_env_name("SLACK_WEBHOOK_URL") && valid_env_name("_x1"));
        assert!(!valid_env_name("1X") && !valid_env_name("A-B") && !valid_env_name(""));
    }
}
