//! Slack incoming webhooks: the message body, mrkdwn links and escaping, and the defaults of
//! `notify::slack` (the webhook URL's environment variable, the per-run message cap).
//!
//! Slack answers a webhook post with 200 `ok`, or an error status with a short reason in the
//! body (`invalid_payload`, `no_service`, `channel_is_archived`), which callers report.

/// The environment variable holding the incoming-webhook URL.
pub const WEBHOOK_ENV: &str = "SLACK_WEBHOOK_URL";

/// At most this many Slack messages per run.
pub const MAX_MESSAGES_PER_RUN: u32 = 20;

/// Slack's limit on a message's `text`; longer text is cut with a note.
pub const MAX_TEXT_CHARS: usize = 40_000;

/// The JSON body of a webhook message.
pub fn payload(text: &str) -> String {
    let text = match text.char_indices().nth(MAX_TEXT_CHARS - 20) {
        Some((i, _)) => format!("{}\n… (cut)", &text[..i]),
        None => text.to_string(),
    };
    serde_json::json!({ "text": text }).to_string()
}

/// `text` with the three characters Slack's mrkdwn reserves escaped.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A mrkdwn link `<url|text>`.
pub fn link(url: &str, text: &str) -> String {
    format!("<{url}|{}>", escape(text).replace('|', "¦"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_is_json_text() {
        let v: serde_json::Value = serde_json::from_str(&payload("a \"quoted\"\nline")).unwrap();
        assert_eq!(v["text"], "a \"quoted\"\nline");
        let long = payload(&"x".repeat(MAX_TEXT_CHARS * 2));
        let v: serde_json::Value = serde_json::from_str(&long).unwrap();
        assert!(v["text"].as_str().unwrap().chars().count() <= MAX_TEXT_CHARS);
    }

    #[test]
    fn links_escape_their_text() {
        assert_eq!(
            link(
                "https://app.hubspot.com/contacts/1/record/0-5/2",
                "A <b> & c|d"
            ),
            "<https://app.hubspot.com/contacts/1/record/0-5/2|A &lt;b&gt; &amp; c¦d>"
        );
    }
}
