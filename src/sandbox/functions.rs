//! The text matching rules of search, as pure functions plus their registration as SQLite
//! scalar functions (`hs_contains_token`, `hs_query_match`, `hs_multi_has`).
//!
//! - `CONTAINS_TOKEN`: the stored value is split into tokens on whitespace and `;` (the
//!   separator of multi-select values); a token matches when it equals the pattern
//!   case-insensitively, either as written or with leading and trailing punctuation trimmed
//!   (`"fails,"` is the token `fails`). `*` in the pattern matches
//!   any run of characters (`*@example.com`, `refund*`). A pattern containing whitespace is
//!   matched against the whole value.
//! - `query`: every word of the query must be the case-insensitive prefix of some token of one
//!   of the searchable fields (tokens split on anything that is not a letter or a digit).
//! - multi-select enumerations hold `;`-joined options; `hs_multi_has` tests one option.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// Case-insensitive glob match where `*` matches any run of characters.
pub(super) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Whether `value` contains the token `pattern` (see the module docs).
pub(super) fn contains_token(value: &str, pattern: &str) -> bool {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return false;
    }
    if pattern.contains(char::is_whitespace) {
        return glob_match(&format!("*{pattern}*"), value);
    }
    value
        .split(|c: char| c.is_whitespace() || c == ';')
        .filter(|t| !t.is_empty())
        .any(|tok| {
            glob_match(pattern, tok)
                || glob_match(
                    pattern,
                    tok.trim_matches(|c: char| !c.is_alphanumeric() && c != '*'),
                )
        })
}

/// Whether every word of `query` prefixes a token of one of `fields` (case-insensitive).
pub(super) fn query_match(query: &str, fields: &[&str]) -> bool {
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return true;
    }
    let tokens: Vec<String> = fields
        .iter()
        .flat_map(|f| f.split(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .iter()
        .all(|w| tokens.iter().any(|t| t.starts_with(w.as_str())))
}

/// Whether the `;`-joined multi-select `value` holds `option` (case-sensitive).
pub(super) fn multi_has(value: &str, option: &str) -> bool {
    value.split(';').any(|v| v == option)
}

fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

/// Registers the scalar functions on a connection.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("hs_contains_token", 2, flags, |ctx| {
        let (Some(value), Some(pattern)) = (text(ctx.get_raw(0)), text(ctx.get_raw(1))) else {
            return Ok(false);
        };
        Ok(contains_token(&value, &pattern))
    })?;
    conn.create_scalar_function("hs_multi_has", 2, flags, |ctx| {
        let (Some(value), Some(option)) = (text(ctx.get_raw(0)), text(ctx.get_raw(1))) else {
            return Ok(false);
        };
        Ok(multi_has(&value, &option))
    })?;
    conn.create_scalar_function("hs_query_match", -1, flags, |ctx| {
        let Some(query) = text(ctx.get_raw(0)) else {
            return Ok(true);
        };
        let fields: Vec<String> = (1..ctx.len())
            .filter_map(|i| text(ctx.get_raw(i)))
            .collect();
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        Ok(query_match(&query, &refs))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_handles_stars_anywhere() {
        assert!(glob_match("*@hubspot.com", "jane@HubSpot.com"));
        assert!(glob_match("ref*", "refund"));
        assert!(glob_match("*fun*", "refund"));
        assert!(!glob_match("ref*", "prefund"));
        assert!(glob_match("refund", "REFUND"));
        assert!(!glob_match("refund", "refunds"));
    }

    #[test]
    fn contains_token_matches_whole_tokens_only() {
        let v = "Login fails, urgent. Contact jane@hubspot.com";
        assert!(contains_token(v, "fails"));
        assert!(contains_token(v, "LOGIN"));
        assert!(!contains_token(v, "fail"));
        assert!(contains_token(v, "fail*"));
        assert!(contains_token(v, "*@hubspot.com"));
        assert!(contains_token(v, "login fails"));
        assert!(!contains_token(v, ""));
        assert!(contains_token(
            "BILLING_ISSUE;PRODUCT_ISSUE",
            "product_issue"
        ));
    }

    #[test]
    fn query_is_a_prefix_match_per_word() {
        let f = [
            "Refund not received",
            "Customer paid twice",
            "3",
            "BILLING_ISSUE",
            "42",
        ];
        assert!(query_match("refu", &f));
        assert!(query_match("refund twice", &f));
        assert!(!query_match("refund thrice", &f));
        assert!(query_match("billing", &f));
        assert!(query_match("42", &f));
        assert!(!query_match("und", &f));
        assert!(query_match("", &f));
    }

    #[test]
    fn multi_select_membership_is_exact() {
        assert!(multi_has("BILLING_ISSUE;PRODUCT_ISSUE", "PRODUCT_ISSUE"));
        assert!(!multi_has("BILLING_ISSUE", "billing_issue"));
    }
}
