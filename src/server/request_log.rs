//! One `tracing` line per request: method, path (never the query string or any header, so no
//! token or personal data reaches the log), status and duration in milliseconds.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Middleware: log the request once its response is ready.
pub(crate) async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    let ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    tracing::info!(
        target: "hubscript::server",
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms,
        "request"
    );
    response
}
