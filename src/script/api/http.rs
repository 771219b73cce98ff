//! `http::`: outbound requests with JSON bodies, to the hosts the script header allows
//! (`http = ["hooks.slack.com"]`; checked by `check` for literal URLs and on every call).
//! Secrets go in as `{{env.NAME}}` placeholders (the variable named in the header's `env`) in
//! the URL, a header value or a body string. In a dry run the request is planned, not sent,
//! and listed with the plan. In a run that plans, then applies, a POST is queued and sent after
//! the apply, only if every ticket change planned before it was applied (a message never
//! announces changes that did not happen); GETs are sent at once. The rules are in `script/outbound.rs` and [`crate::outbound`].

use rhai::{Dynamic, Map};

use crate::outbound::{Destination, Method};

use super::super::outbound::{perform, request, response_map};
use super::declare::{Any, Area, Call, Res, ScriptFn, Str};

const API: Area = Area::module("http");

/// Keys of the options map.
const OPTIONS: &[&str] = &["headers"];

fn call(c: &Call, method: Method, url: &str, body: Option<&Dynamic>) -> Res<Map> {
    let req = request(c, c.pos, method, url, body, &c.options)?;
    Ok(response_map(perform(c, c.pos, &req, Destination::Script)?))
}

pub(super) fn functions() -> Vec<ScriptFn> {
    vec![
        API.func("get", "GETs `url` (an allowed host) and returns #{ status, ok, body, text, planned }; `body` is the parsed JSON answer or (); header values may hold {{env.NAME}}.")
            .params((Str("url: string"),))
            .returns("response: map")
            .options(OPTIONS)
            .read(|c, (url,)| call(c, Method::Get, &url, None)),
        API.func("post", "POSTs `body` as JSON to `url` (an allowed host) and returns #{ status, ok, body, text, planned }; strings in the body and header values may hold {{env.NAME}}. In a run that plans then applies, the POST is sent after the run's ticket changes are applied (planned: true here); `apply = \"immediate\"` sends it at once.")
            .params((Str("url: string"), Any("body")))
            .returns("response: map")
            .options(OPTIONS)
            .read(|c, (url, body)| call(c, Method::Post, &url, Some(&body))),
    ]
}
