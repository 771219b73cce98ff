//! Sending one allowed request: a per-request timeout, a cap on the answer's size (read in
//! chunks, stopped as soon as it is exceeded), no redirects (a redirect could lead to a host
//! the allow-list does not name; the 3xx answer is returned as is). Errors carry the shown URL
//! only: reqwest's own messages include the URL, so they are never passed through.

use std::time::Duration;

use super::error::OutboundError;
use super::request::{Method, OutboundRequest, Response};

/// Timeouts and size caps of outbound requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpLimits {
    /// Connect plus answer, per request.
    pub timeout: Duration,
    /// The largest answer body read.
    pub max_response_bytes: usize,
}

impl Default for HttpLimits {
    /// 10 seconds, 1 MiB.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_response_bytes: 1024 * 1024,
        }
    }
}

/// The client outbound requests share (no redirects, hubscript's user agent).
pub(super) fn build_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hubscript/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// Sends `req` (already checked against the allow-list) and reads the answer.
pub(super) async fn send(
    client: &reqwest::Client,
    req: &OutboundRequest,
    limits: HttpLimits,
) -> Result<Response, OutboundError> {
    let method = req.method.as_str().to_string();
    let shown = req.url.shown().to_string();
    let transport = |e: reqwest::Error| OutboundError::Transport {
        method: method.clone(),
        url: shown.clone(),
        why: describe(&e),
    };
    let mut builder = match req.method {
        Method::Get => client.get(req.url.real()),
        Method::Post => client.post(req.url.real()),
    };
    for (name, value) in &req.headers {
        builder = builder.header(name.as_str(), value.real());
    }
    if let Some(body) = &req.body {
        builder = builder
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.real().to_string());
    }
    let work = async {
        let mut resp = builder.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > limits.max_response_bytes {
                return Err(OutboundError::TooLarge {
                    method: method.clone(),
                    url: shown.clone(),
                    limit: limits.max_response_bytes,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Response {
            status,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        })
    };
    match tokio::time::timeout(limits.timeout, work).await {
        Ok(result) => result,
        Err(_) => Err(OutboundError::Timeout {
            method: method.clone(),
            url: shown.clone(),
            secs: limits.timeout.as_secs().max(1),
        }),
    }
}

/// A transport failure in words, without the URL reqwest would add.
fn describe(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "connection failed".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else if e.is_builder() {
        "the request could not be built (check header names and values)".into()
    } else if e.is_body() || e.is_decode() {
        "the answer could not be read".into()
    } else {
        "the request failed on the way".into()
    }
}

#[cfg(test)]
mod tests {

    use axum::routing::{get, post};
    use axum::Router;

    use super::super::request::Sensitive;
    use super::*;

    use crate::test_support::{closed_port, serve_router as serve, silent_server};

    fn req(method: Method, url: String, body: Option<&str>) -> OutboundRequest {
        OutboundRequest {
            method,
            url: Sensitive::plain(url),
            headers: vec![("X-Test".into(), Sensitive::secret("K", "v1"))],
            body: body.map(Sensitive::plain),
        }
    }

    #[tokio::test]
    async fn posts_json_and_reads_the_answer() {
        let app = Router::new().route(
            "/hook",
            post(|headers: axum::http::HeaderMap, body: String| async move {
                format!(
                    "{}|{}|{body}",
                    headers["content-type"].to_str().unwrap(),
                    headers["x-test"].to_str().unwrap()
                )
            }),
        );
        let addr = serve(app).await;
        let r = send(
            &build_client(),
            &req(
                Method::Post,
                format!("http://{addr}/hook"),
                Some("{\"a\":1}"),
            ),
            HttpLimits::default(),
        )
        .await
        .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.text, "application/json|v1|{\"a\":1}");
    }

    #[tokio::test]
    async fn caps_the_answer_and_does_not_follow_redirects() {
        let app = Router::new()
            .route("/big", get(|| async { "x".repeat(5_000) }))
            .route(
                "/moved",
                get(|| async { axum::response::Redirect::temporary("https://elsewhere.example/") }),
            );
        let addr = serve(app).await;
        let limits = HttpLimits {
            max_response_bytes: 1_000,
            ..HttpLimits::default()
        };
        let e = send(
            &build_client(),
            &req(Method::Get, format!("http://{addr}/big"), None),
            limits,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(e, OutboundError::TooLarge { limit: 1_000, .. }),
            "{e}"
        );
        let r = send(
            &build_client(),
            &req(Method::Get, format!("http://{addr}/moved"), None),
            limits,
        )
        .await
        .unwrap();
        assert_eq!(r.status, 307);
    }

    #[tokio::test]
    async fn times_out_on_a_silent_server() {
        let addr = silent_server().await;
        let limits = HttpLimits {
            timeout: Duration::from_millis(200),
            ..HttpLimits::default()
        };
        let url = format!("http://{addr}/slow");
        let e = send(
            &build_client(),
            &req(Method::Get, url.clone(), None),
            limits,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, OutboundError::Timeout { .. }), "{e}");
        assert!(e.to_string().contains(&url), "{e}");
    }

    #[tokio::test]
    async fn transport_errors_show_the_shown_url_only() {
        let port = closed_port().port();
        let mut r = req(Method::Get, String::new(), None);
        r.url = Sensitive::secret("HOOK", format!("http://127.0.0.1:{port}/T0/secret-path"));
        let e = send(&build_client(), &r, HttpLimits::default())
            .await
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("[secret HOOK]") && !text.contains("secret-path"),
            "{text}"
        );
    }
}
