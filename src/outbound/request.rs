//! One outbound request as a script asked for it, the text it may carry secrets in, the answer,
//! and the record kept of it (in a dry run's plan, the log and the run's outcome), which holds
//! only the shown forms.

use serde::Serialize;

/// Text that may contain secrets: the value sent, and the form that may be shown, in which
/// each secret is `[secret NAME]`. `Debug` shows the shown form only.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Sensitive {
    real: String,
    shown: String,
}

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.shown)
    }
}

impl Sensitive {
    /// Text without secrets.
    pub fn plain(text: impl Into<String>) -> Self {
        let text = text.into();
        Self {
            real: text.clone(),
            shown: text,
        }
    }

    /// The value of the environment variable `name`.
    pub fn secret(name: &str, value: impl Into<String>) -> Self {
        Self {
            real: value.into(),
            shown: format!("[secret {name}]"),
        }
    }

    /// Text built from parts that may hold secrets.
    pub fn from_parts(real: String, shown: String) -> Self {
        Self { real, shown }
    }

    /// This text followed by `other`.
    pub fn concat(&self, other: &Sensitive) -> Self {
        Self {
            real: format!("{}{}", self.real, other.real),
            shown: format!("{}{}", self.shown, other.shown),
        }
    }

    /// What is sent. Never log this.
    pub fn real(&self) -> &str {
        &self.real
    }

    /// What may be shown.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether the text holds a secret.
    pub fn is_secret(&self) -> bool {
        self.real != self.shown
    }
}

/// The HTTP methods scripts use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// GET.
    Get,
    /// POST with a JSON body.
    Post,
}

impl Method {
    /// `GET` or `POST`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A request a script asked for.
#[derive(Debug, Clone)]
pub struct OutboundRequest {
    /// The method.
    pub method: Method,
    /// The URL.
    pub url: Sensitive,
    /// Extra headers (`Content-Type: application/json` is added for a body).
    pub headers: Vec<(String, Sensitive)>,
    /// The JSON body, serialised.
    pub body: Option<Sensitive>,
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The body as text (at most the size cap).
    pub text: String,
}

/// What is kept about one request: shown forms only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// `GET` or `POST`.
    pub method: Method,
    /// The URL, secrets replaced.
    pub url: String,
    /// The body, secrets replaced (cut to [`BODY_PREVIEW`] characters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Planned in a dry run, not sent.
    pub planned: bool,
    /// The answer's status, when one came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why it failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// How much of a body a record keeps.
pub const BODY_PREVIEW: usize = 2_000;

impl RequestRecord {
    /// The record of `req` before it is sent or planned.
    pub fn of(req: &OutboundRequest, planned: bool) -> Self {
        Self {
            method: req.method,
            url: req.url.shown().to_string(),
            body: req.body.as_ref().map(|b| preview(b.shown())),
            planned,
            status: None,
            error: None,
        }
    }

    /// One line: `POST https://host/path -> 200`, `... (planned)`, `... failed: why`.
    pub fn line(&self) -> String {
        let head = format!("{} {}", self.method.as_str(), self.url);
        match (&self.status, &self.error) {
            _ if self.planned => format!("{head} (planned, not sent)"),
            (_, Some(e)) => format!("{head} failed: {e}"),
            (Some(s), None) => format!("{head} -> {s}"),
            (None, None) => head,
        }
    }
}

fn preview(s: &str) -> String {
    match s.char_indices().nth(BODY_PREVIEW) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_text_shows_names_not_values() {
        let url = Sensitive::secret("HOOK", "https://hooks.slack.com/services/T/B/xyz");
        let auth = Sensitive::plain("Bearer ").concat(&Sensitive::secret("TOKEN", "s3cr3t"));
        assert_eq!(auth.real(), "Bearer s3cr3t");
        assert_eq!(auth.shown(), "Bearer [secret TOKEN]");
        assert!(auth.is_secret() && !Sensitive::plain("x").is_secret());
        let req = OutboundRequest {
            method: Method::Post,
            url,
            headers: vec![("Authorization".into(), auth)],
            body: Some(Sensitive::plain("{\"text\":\"hi\"}")),
        };
        let debug = format!("{req:?}");
        assert!(
            !debug.contains("xyz") && !debug.contains("s3cr3t"),
            "{debug}"
        );
        let rec = RequestRecord::of(&req, true);
        assert_eq!(rec.line(), "POST [secret HOOK] (planned, not sent)");
        assert_eq!(rec.body.as_deref(), Some("{\"text\":\"hi\"}"));
    }

    #[test]
    fn record_lines() {
        let mut rec = RequestRecord {
            method: Method::Get,
            url: "https://x.example/a".into(),
            body: None,
            planned: false,
            status: Some(204),
            error: None,
        };
        assert_eq!(rec.line(), "GET https://x.example/a -> 204");
        rec.error = Some("no answer within 10s".into());
        assert_eq!(
            rec.line(),
            "GET https://x.example/a failed: no answer within 10s"
        );
        assert_eq!(
            preview(&"é".repeat(BODY_PREVIEW + 5)).chars().count(),
            BODY_PREVIEW + 3
        );
    }
}
