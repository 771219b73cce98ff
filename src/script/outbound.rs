//! The script side of outbound HTTP and notifications: script values into requests (URL and
//! header values with `{{env.NAME}}` expanded from the run's secrets, bodies as JSON), a dry
//! run's plan or a real send over the bridge (so cancellation and the run's deadline interrupt
//! it), a log line per request (kept in the run history, secrets shown by name), and answers
//! and failures as script values. The rules themselves (allow-list, secrets, caps, timeouts,
//! size cap) are in [`crate::outbound`], which knows nothing of Rhai.

use rhai::{Dynamic, EvalAltResult, Map, Position};

use crate::outbound::{Destination, Method, OutboundError, OutboundRequest, Response, Sensitive};

use super::context::RunCtx;

type Res<T> = Result<T, Box<EvalAltResult>>;

/// A failure as a catchable map `#{ status, category, message }`: status 0 and categories
/// `NOT_ALLOWED`, `BAD_URL`, `ENV`, `RATE_CAP`, `TIMEOUT`, `TOO_LARGE`, `NETWORK` when no
/// answer came; the answer's status and `HTTP` for an error answer (`notify::slack`).
pub(crate) fn error(e: &OutboundError, ctx: &RunCtx, pos: Position) -> Box<EvalAltResult> {
    let category = match e {
        OutboundError::NotAllowed { .. } => "NOT_ALLOWED",
        OutboundError::BadUrl { .. } => "BAD_URL",
        OutboundError::EnvNotDeclared { .. } | OutboundError::EnvUnset { .. } => "ENV",
        OutboundError::RateCap { .. } => "RATE_CAP",
        OutboundError::Timeout { .. } => "TIMEOUT",
        OutboundError::TooLarge { .. } => "TOO_LARGE",
        _ => "NETWORK",
    };
    failure(0, category, &ctx.outbound.redact(&e.to_string()), pos)
}

fn failure(status: i64, category: &str, message: &str, pos: Position) -> Box<EvalAltResult> {
    let mut m = Map::new();
    m.insert("status".into(), Dynamic::from_int(status));
    m.insert("category".into(), category.into());
    m.insert("message".into(), message.into());
    Box::new(EvalAltResult::ErrorRuntime(m.into(), pos))
}

/// Builds a request: `url` and the `headers` option's values may hold `{{env.NAME}}`; `body`
/// (any script value) is sent as JSON, its strings expanded the same way.
pub(crate) fn request(
    ctx: &RunCtx,
    pos: Position,
    method: Method,
    url: &str,
    body: Option<&Dynamic>,
    options: &Map,
) -> Res<OutboundRequest> {
    let secrets = ctx.outbound.secrets();
    let url = secrets.expand(url).map_err(|e| error(&e, ctx, pos))?;
    let mut headers = Vec::new();
    if let Some(h) = options.get("headers") {
        let map = h.read_lock::<Map>().ok_or_else(|| {
            super::bridge::usage(
                pos,
                format!(
                    "http: `headers` must be a map of strings, not {}",
                    h.type_name()
                ),
            )
        })?;
        for (name, value) in map.iter() {
            let value = secrets
                .expand(&value.to_string())
                .map_err(|e| error(&e, ctx, pos))?;
            headers.push((name.to_string(), value));
        }
    }
    let body = match body {
        None => None,
        Some(b) => {
            let shown: serde_json::Value = rhai::serde::from_dynamic(b).map_err(|e| {
                super::bridge::usage(pos, format!("http: the body cannot be sent as JSON: {e}"))
            })?;
            let mut real = shown.clone();
            expand_json(&mut real, ctx, pos)?;
            Some(Sensitive::from_parts(real.to_string(), shown.to_string()))
        }
    };
    Ok(OutboundRequest {
        method,
        url,
        headers,
        body,
    })
}

fn expand_json(v: &mut serde_json::Value, ctx: &RunCtx, pos: Position) -> Res<()> {
    match v {
        serde_json::Value::String(s) => {
            let expanded = ctx
                .outbound
                .secrets()
                .expand(s)
                .map_err(|e| error(&e, ctx, pos))?;
            *s = expanded.real().to_string();
        }
        serde_json::Value::Array(items) => {
            for i in items {
                expand_json(i, ctx, pos)?;
            }
        }
        serde_json::Value::Object(m) => {
            for (_, i) in m.iter_mut() {
                expand_json(i, ctx, pos)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Admits `req` (allow-list and cap), then plans it in a dry run, queues it for after the
/// apply (a POST while a plan-then-apply run plans) or sends it; logs one line. `None` means
/// planned or queued: the script sees `planned: true`.
pub(crate) fn perform(
    ctx: &RunCtx,
    pos: Position,
    req: &OutboundRequest,
    to: Destination,
) -> Res<Option<Response>> {
    ctx.outbound
        .admit(req, to)
        .map_err(|e| error(&e, ctx, pos))?;
    if ctx.user_dry_run() {
        let rec = ctx.outbound.plan(req);
        ctx.log(
            "info",
            format!(
                "would {} {} (dry run: not sent)",
                rec.method.as_str(),
                rec.url
            ),
        );
        return Ok(None);
    }
    if ctx.planning_for_apply() && req.method != Method::Get {
        // A message about changes must not go out before the changes: the request is sent
        // after the apply, and only if every change planned before it was applied.
        ctx.defer_request(req.clone());
        ctx.log(
            "info",
            format!(
                "queued {} {} (sent after the run's changes are applied)",
                req.method.as_str(),
                req.url.shown()
            ),
        );
        return Ok(None);
    }
    let (rec, result) = ctx.wait(pos, ctx.outbound.send(req))?;
    ctx.log(
        if rec.error.is_some() { "warn" } else { "info" },
        format!("http {}", rec.line()),
    );
    result.map(Some).map_err(|e| error(&e, ctx, pos))
}

/// An answer as `#{ status, ok, body, text, planned: false }` (`body` is the parsed JSON, or
/// `()` when the answer is not JSON); a planned request as `#{ status: 0, ok: true, body: (),
/// text: "", planned: true }`.
pub(crate) fn response_map(resp: Option<Response>) -> Map {
    let mut m = Map::new();
    let (status, text, planned) = match &resp {
        Some(r) => (i64::from(r.status), r.text.clone(), false),
        None => (0, String::new(), true),
    };
    let body = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| rhai::serde::to_dynamic(v).ok())
        .unwrap_or(Dynamic::UNIT);
    m.insert("status".into(), Dynamic::from_int(status));
    m.insert(
        "ok".into(),
        (planned || (200..300).contains(&status)).into(),
    );
    m.insert("body".into(), body);
    m.insert("text".into(), text.into());
    m.insert("planned".into(), planned.into());
    m
}

/// An error answer (`notify::slack`): `#{ status, category: "HTTP", message }` with the
/// answer's text (Slack says why: `invalid_payload`, `no_service`, ...).
pub(crate) fn answer_error(
    ctx: &RunCtx,
    what: &str,
    r: &Response,
    pos: Position,
) -> Box<EvalAltResult> {
    let text: String = r.text.chars().take(200).collect();
    failure(
        i64::from(r.status),
        "HTTP",
        &ctx.outbound.redact(&format!(
            "{what}: the answer was {} {}",
            r.status,
            text.trim()
        )),
        pos,
    )
}

/// After the apply of a plan-then-apply run: sends the queued requests whose preceding changes
/// were all applied (logging each like a request sent during the run) and records the others as
/// planned, not sent, with a warning saying why. `applied` is the apply's applied prefix; `None`
/// when nothing was applied (the script failed).
pub(crate) async fn send_deferred(ctx: &RunCtx, applied: Option<usize>) {
    let (send, hold) = ctx.take_deferred(applied.unwrap_or(0));
    let (send, hold) = match applied {
        Some(_) => (send, hold),
        None => (Vec::new(), send.into_iter().chain(hold).collect()),
    };
    for req in &send {
        let (rec, _) = ctx.outbound.send(req).await;
        ctx.log(
            if rec.error.is_some() { "warn" } else { "info" },
            format!("http {}", rec.line()),
        );
    }
    for req in &hold {
        let rec = ctx.outbound.plan(req);
        ctx.log(
            "warn",
            format!(
                "not sent: {} {} ({})",
                rec.method.as_str(),
                rec.url,
                if applied.is_some() {
                    "a change planned before it was not applied"
                } else {
                    "the run failed, so nothing was applied"
                }
            ),
        );
    }
}
