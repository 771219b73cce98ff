//! `notify::`: telling people. `slack(text)` posts to the incoming webhook in the
//! `SLACK_WEBHOOK_URL` environment variable (which the header must list in `env`); the
//! operator sets that URL, the script cannot choose it, so the `http` allow-list does not
//! apply (the https rule does). At most [`slack::MAX_MESSAGES_PER_RUN`] messages per run; in a
//! dry run the message is planned, not sent. `ticket_url`/`ticket_link` point at a ticket's
//! HubSpot record, built from the portal id in `HUBSPOT_PORTAL_ID`.

use rhai::ImmutableString;

use crate::outbound::{slack, Destination, Method, OutboundRequest, Sensitive};

use super::super::outbound::{answer_error, error, perform};
use super::declare::{Area, Call, Id, Res, ScriptFn, Str};

const API: Area = Area::module("notify");

fn send_slack(c: &Call, text: &str) -> Res<bool> {
    let secrets = c.outbound.secrets();
    let url = match secrets.get(slack::WEBHOOK_ENV) {
        Ok(url) => Sensitive::secret(slack::WEBHOOK_ENV, url),
        // Declared but not set: the message cannot go anywhere; the script decides what to do.
        Err(crate::outbound::OutboundError::EnvUnset { .. }) => {
            c.log(
                "warn",
                format!(
                    "notify::slack: {} is not set; the message was not sent",
                    slack::WEBHOOK_ENV
                ),
            );
            return Ok(false);
        }
        Err(e) => return Err(error(&e, c, c.pos)),
    };
    c.slack_cap.take().map_err(|e| error(&e, c, c.pos))?;
    let req = OutboundRequest {
        method: Method::Post,
        url,
        headers: Vec::new(),
        body: Some(Sensitive::plain(slack::payload(text))),
    };
    match perform(c, c.pos, &req, Destination::Operator)? {
        Some(r) if !(200..300).contains(&r.status) => {
            Err(answer_error(c, "notify::slack", &r, c.pos))
        }
        _ => Ok(true),
    }
}

fn ticket_url(c: &Call, id: &str) -> Res<Option<String>> {
    match &c.links {
        Ok(links) => Ok(links.as_ref().map(|l| l.ticket_url(id))),
        Err(e) => Err(c.usage(format!("{}: {e}", c.name))),
    }
}

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("slack", "Posts `text` (Slack mrkdwn) to the webhook in SLACK_WEBHOOK_URL (listed in the header's `env`); false when the variable is not set. At most 20 per run; planned in a dry run; sent after the run's ticket changes are applied.")
            .params((Str("text: string"),))
            .returns("bool")
            .read(|c, (text,)| send_slack(c, &text)),
        API.func("ticket_url", "The HubSpot record URL of ticket `id` (needs HUBSPOT_PORTAL_ID; HUBSPOT_APP_URL for EU portals).")
            .params((Id("id: string"),))
            .returns("string")
            .read(|c, (id,)| {
                ticket_url(c, &id)?.map(ImmutableString::from).ok_or_else(|| {
                    c.usage(format!("{}: set HUBSPOT_PORTAL_ID (the portal's Hub ID) to build ticket links", c.name))
                })
            }),
        API.func("ticket_link", "A Slack link to ticket `id` showing `text`; just `text` (escaped) when HUBSPOT_PORTAL_ID is not set.")
            .params((Id("id: string"), Str("text: string")))
            .returns("string")
            .read(|c, (id, text)| {
                Ok(ImmutableString::from(match ticket_url(c, &id)? {
                    Some(url) => slack::link(&url, &text),
                    None => slack::escape(&text),
                }))
            }),
    ]
}
