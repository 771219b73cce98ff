//! The host allow-list a script header declares (`http = ["hooks.slack.com", "*.pagerduty.com"]`)
//! and the check every outbound URL passes before anything is sent: the scheme is `https` (plain
//! `http` only to loopback hosts, so a secret never crosses the network in clear), and the host
//! matches an entry exactly, or is a subdomain of a `*.` entry. An entry may pin a port
//! (`"127.0.0.1:9000"`); without one, any port matches.

use reqwest::Url;

use super::error::OutboundError;

/// One allow-list entry.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HostPattern {
    /// Lower-case host, without the `*.` of a wildcard.
    host: String,
    /// `*.example.com`: subdomains of `host` (not `host` itself).
    wildcard: bool,
    port: Option<u16>,
}

/// The hosts a script may call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    entries: Vec<HostPattern>,
    /// The entries as written, for messages.
    written: Vec<String>,
}

impl AllowList {
    /// Reads the header's entries; an entry that is not a host name (a URL, a path, an empty
    /// string, a bare `*`) is an error naming it.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        let mut list = Self::default();
        for raw in entries {
            let raw = raw.as_ref();
            let entry = raw.trim().to_ascii_lowercase();
            let bad = |why: &str| {
                format!("`http` entry \"{raw}\" {why} (write a host such as \"hooks.slack.com\", \"*.example.com\" or \"127.0.0.1:9000\")")
            };
            if entry.contains("://") || entry.contains('/') {
                return Err(bad("is not a host name"));
            }
            let (wildcard, rest) = match entry.strip_prefix("*.") {
                Some(rest) => (true, rest),
                None => (false, entry.as_str()),
            };
            let (host, port) = match rest.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (
                    h,
                    Some(p.parse::<u16>().map_err(|_| bad("has an invalid port"))?),
                ),
                _ => (rest, None),
            };
            // The URL parser is the authority on what a host is.
            let valid = Url::parse(&format!("https://{host}/"))
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .is_some_and(|h| h == host);
            if host.is_empty() || host.contains('*') || !valid {
                return Err(bad("is not a host name"));
            }
            list.entries.push(HostPattern {
                host: host.to_string(),
                wildcard,
                port,
            });
            list.written.push(raw.trim().to_string());
        }
        Ok(list)
    }

    /// Whether the list is empty (the script may not call out at all).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries as written.
    pub fn entries(&self) -> &[String] {
        &self.written
    }

    fn allows(&self, host: &str, port: u16) -> bool {
        self.entries.iter().any(|e| {
            let host_ok = if e.wildcard {
                host.strip_suffix(e.host.as_str())
                    .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.'))
            } else {
                host == e.host
            };
            host_ok && e.port.is_none_or(|p| p == port)
        })
    }

    /// Checks `url` against the list; returns it parsed. `shown` is how the URL may be
    /// printed (secrets replaced), used in errors.
    pub fn check(&self, url: &str, shown: &str) -> Result<Url, OutboundError> {
        let parsed = check_url(url, shown)?;
        let host = parsed.host_str().unwrap_or_default().to_ascii_lowercase();
        let port = parsed.port_or_known_default().unwrap_or(0);
        if !self.allows(&host, port) {
            return Err(OutboundError::NotAllowed {
                host,
                allowed: self.written.clone(),
            });
        }
        Ok(parsed)
    }
}

/// Whether `host` is the local machine (plain `http` is allowed there).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Parses `url` and applies the scheme rule (https, or http to loopback only).
pub fn check_url(url: &str, shown: &str) -> Result<Url, OutboundError> {
    let bad = |why: String| OutboundError::BadUrl {
        url: shown.to_string(),
        why,
    };
    let parsed = Url::parse(url.trim()).map_err(|e| bad(e.to_string()))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| bad("it has no host".into()))?;
    match parsed.scheme() {
        "https" => {}
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(bad(
                "plain http is only allowed to loopback hosts; use https".into(),
            ))
        }
        other => return Err(bad(format!("scheme `{other}` is not http or https"))),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad(
            "credentials in the URL are not allowed; pass them as a header".into(),
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> AllowList {
        AllowList::parse(entries).unwrap()
    }

    #[test]
    fn exact_hosts_and_wildcards() {
        let l = list(&["hooks.slack.com", "*.pagerduty.com", "127.0.0.1:9000"]);
        assert!(l
            .check("https://hooks.slack.com/services/T/B/x", "")
            .is_ok());
        assert!(l.check("https://HOOKS.slack.com:443/x", "").is_ok());
        assert!(l
            .check("https://events.pagerduty.com/v2/enqueue", "")
            .is_ok());
        assert!(l.check("http://127.0.0.1:9000/hook", "").is_ok());
        for refused in [
            "https://pagerduty.com/",           // the wildcard covers subdomains only
            "https://evilpagerduty.com/",       // not a subdomain
            "https://hooks.slack.com.evil.io/", // suffix tricks
            "https://slack.com/",
            "http://127.0.0.1:9001/hook", // another port
        ] {
            let e = l.check(refused, refused).unwrap_err();
            assert!(
                matches!(e, OutboundError::NotAllowed { .. }),
                "{refused}: {e}"
            );
        }
        let e = l
            .check("https://example.org/", "https://example.org/")
            .unwrap_err();
        assert!(e.to_string().contains("example.org"), "{e}");
        assert!(e.to_string().contains("hooks.slack.com"), "{e}");
    }

    #[test]
    fn scheme_rules() {
        let l = list(&["example.com", "localhost", "127.0.0.1"]);
        assert!(l.check("http://localhost:8080/", "").is_ok());
        assert!(l.check("http://127.0.0.1/", "").is_ok());
        let e = l
            .check("http://example.com/", "http://example.com/")
            .unwrap_err();
        assert!(e.to_string().contains("https"), "{e}");
        let e = l
            .check("ftp://example.com/", "ftp://example.com/")
            .unwrap_err();
        assert!(e.to_string().contains("ftp"), "{e}");
        assert!(l.check("https://user:pw@example.com/", "x").is_err());
        assert!(l.check("not a url", "not a url").is_err());
    }

    #[test]
    fn entries_must_be_hosts() {
        for bad in [
            "https://hooks.slack.com",
            "hooks.slack.com/x",
            "",
            "*",
            "*.",
            "a b",
            "h:99999",
        ] {
            assert!(AllowList::parse(&[bad]).is_err(), "{bad:?} was accepted");
        }
        assert!(AllowList::parse::<&str>(&[]).unwrap().is_empty());
        assert!(is_loopback("[::1]") && is_loopback("127.0.0.2") && !is_loopback("10.0.0.1"));
    }
}
