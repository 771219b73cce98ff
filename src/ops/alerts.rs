//! Alerts: a Slack-compatible JSON message posted to a webhook when a script starts failing
//! (its first failed or timed-out run after a success, or its first run ever) and when it
//! recovers (its first success after failures). Runs in between, failing or not, send
//! nothing: one alert per streak. The decision uses the run history (the previous finished run
//! of the script), so a daemon restart in the middle of a streak does not alert again.
//!
//! The message names the script, the first line of the error, the run id and the backend as
//! the run record has it (never the token). A post that fails is logged and not retried: an
//! alert must never hold up the schedule.

use std::time::Duration;

use serde_json::json;

use crate::state::{RunRecord, RunStatus};

/// What changed for a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    /// It failed after a success (or on its first run).
    Failing,
    /// It succeeded after failing.
    Recovered,
}

fn is_failure(s: RunStatus) -> bool {
    matches!(s, RunStatus::Failed | RunStatus::TimedOut)
}

/// The transition a finished run with status `now` makes after `previous` (the script's previous
/// finished, not-cancelled run), if any.
pub fn transition(previous: Option<RunStatus>, now: RunStatus) -> Option<Transition> {
    match (previous.map(is_failure), now) {
        (_, RunStatus::Running | RunStatus::Cancelled) => None,
        (Some(true), RunStatus::Ok) => Some(Transition::Recovered),
        (Some(false) | None, s) if is_failure(s) => Some(Transition::Failing),
        _ => None,
    }
}

/// The error in one line, cut to 300 characters: the message under the caret with where it
/// happened (`ticket 1 is not fixed yet (at flaky.rhai:3:38)`), or the first line of an error
/// rendered without a caret.
fn first_line(error: Option<&str>) -> String {
    let Some(error) = error else {
        return "(no error text)".into();
    };
    let mut lines = error.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("(no error text)");
    let caret = error
        .lines()
        .find_map(|l| l.split_once("^ ").map(|(_, msg)| msg.trim()));
    let line = match (caret, first.strip_prefix("error ")) {
        (Some(msg), Some(at)) => format!("{msg} ({at})"),
        (Some(msg), None) => msg.to_string(),
        (None, _) => first.to_string(),
    };
    line.chars().take(300).collect()
}

/// The Slack-compatible message (`text` for any receiver, `attachments` with fields for Slack).
pub fn message(run: &RunRecord, t: Transition, streak: u32) -> serde_json::Value {
    let backend = run.backend.label();
    let (title, color) = match t {
        Transition::Failing => (
            format!("hubscript: {} is failing (run {})", run.script, run.id),
            "danger",
        ),
        Transition::Recovered => (
            format!("hubscript: {} recovered (run {})", run.script, run.id),
            "good",
        ),
    };
    let detail = match t {
        Transition::Failing => first_line(run.error.as_deref()),
        Transition::Recovered => {
            format!("ok again after {streak} failed run(s)")
        }
    };
    json!({
        "text": format!("{title}: {detail} [{backend}]"),
        "attachments": [{
            "color": color,
            "title": title,
            "text": detail,
            "fields": [
                {"title": "script", "value": run.script, "short": true},
                {"title": "run", "value": run.id.to_string(), "short": true},
                {"title": "status", "value": run.status.as_str(), "short": true},
                {"title": "backend", "value": backend, "short": true},
            ],
        }],
        "hubscript": {
            "event": match t { Transition::Failing => "failing", Transition::Recovered => "recovered" },
            "script": run.script,
            "run_id": run.id,
            "status": run.status.as_str(),
            "backend": run.backend,
            "error": match t { Transition::Failing => Some(first_line(run.error.as_deref())), Transition::Recovered => None },
        },
    })
}

/// Posts alerts to one webhook URL.
#[derive(Clone)]
pub struct Webhook {
    url: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // a webhook URL is a secret too (Slack's carry a token in the path)
        f.debug_struct("Webhook").finish_non_exhaustive()
    }
}

impl Webhook {
    /// A webhook posting to `url` (http or https).
    pub fn new(url: &str) -> Result<Self, String> {
        let parsed =
            reqwest::Url::parse(url).map_err(|e| format!("--alert-webhook: not a URL ({e})"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("--alert-webhook must be an http:// or https:// URL".into());
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("--alert-webhook: {e}"))?;
        Ok(Self {
            url: url.to_string(),
            http,
        })
    }

    /// Posts `body`; failures are logged with the host only.
    pub async fn post(&self, body: &serde_json::Value) {
        let host = reqwest::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
            .unwrap_or_default();
        match self.http.post(&self.url).json(body).send().await {
            Ok(r) if r.status().is_success() => {
                tracing::info!(host, "alert sent");
            }
            Ok(r) => tracing::warn!(
                host,
                status = r.status().as_u16(),
                "alert webhook refused the alert"
            ),
            Err(e) => tracing::warn!(host, error = %e.without_url(), "could not send the alert"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RunStatus::*;

    #[test]
    fn the_error_line_is_the_cause_and_where() {
        let rendered = "error at f.rhai:2:13\n  |\n2 | throw \"boom\";\n  |   ^ boom\n";
        assert_eq!(first_line(Some(rendered)), "boom (at f.rhai:2:13)");
        assert_eq!(
            first_line(Some("no answer from x\nmore")),
            "no answer from x"
        );
        assert_eq!(first_line(None), "(no error text)");
    }

    #[test]
    fn one_alert_per_streak() {
        assert_eq!(transition(None, Failed), Some(Transition::Failing));
        assert_eq!(transition(Some(Ok), TimedOut), Some(Transition::Failing));
        assert_eq!(transition(Some(Failed), Failed), None);
        assert_eq!(transition(Some(TimedOut), Ok), Some(Transition::Recovered));
        assert_eq!(transition(Some(Ok), Ok), None);
        assert_eq!(transition(None, Ok), None);
        assert_eq!(transition(Some(Failed), Cancelled), None);
    }
}
