//! HubSpot-shaped bodies for the requests hyper rejects before our router sees them: a
//! malformed request line or header (400), a URI too long (414), a request head too large
//! (431). hyper answers those itself with an empty body and offers no hook, so this adapter
//! sits between hyper and the socket and recognises its answers: a 400, 414 or 431 head with
//! `content-length: 0` and no `content-type`, written on its own. Our router never produces
//! such a response (every error it sends is JSON with a content type), so nothing else is
//! touched. The head is replaced by the same status with a JSON error body and
//! `connection: close` (hyper closes the connection after these answers anyway).
//!
//! A request hyper gives up on without answering (a header read timeout) is closed without a
//! response, as HTTP allows: there is no request to answer.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::model::{ApiError, ErrorCategory};

/// A socket whose writes are watched for hyper's bodyless protocol rejections.
pub(crate) struct ProtocolErrors<S> {
    inner: S,
    /// A rewritten answer not yet fully written, and how much of it has been.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> ProtocolErrors<S> {
    pub(crate) fn new(inner: S) -> Self {
        Self {
            inner,
            pending: None,
        }
    }
}

impl<S: AsyncWrite + Unpin> ProtocolErrors<S> {
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written >= bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ProtocolErrors<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ProtocolErrors<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        if let Some(answer) = rewrite(buf) {
            self.pending = Some((answer, 0));
            // Queued: flush and shutdown write the rest.
            let _ = self.drain(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The message of each status hyper produces on its own.
fn message(status: u16) -> Option<String> {
    Some(match status {
        400 => "The request could not be parsed: malformed request line or header".to_string(),
        414 => "The request URI is too long".to_string(),
        431 => format!(
            "The request line and headers are too large (at most {} KiB)",
            super::connections::MAX_HEAD_BYTES / 1024
        ),
        _ => return None,
    })
}

/// The replacement of `buf` when it is exactly one of hyper's bodyless rejections.
fn rewrite(buf: &[u8]) -> Option<Vec<u8>> {
    let head = std::str::from_utf8(buf).ok()?;
    let rest = head
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| head.strip_prefix("HTTP/1.0 "))?;
    let status: u16 = rest.get(..3)?.parse().ok()?;
    let message = message(status)?;
    let head = head.strip_suffix("\r\n\r\n")?;
    if head.contains("\r\n\r\n") {
        return None;
    }
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut kept = Vec::new();
    let mut empty_body = false;
    for line in lines {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("content-type:") {
            return None;
        }
        if let Some(v) = lower.strip_prefix("content-length:") {
            empty_body = v.trim() == "0";
            continue;
        }
        if lower.starts_with("connection:") {
            continue;
        }
        kept.push(line);
    }
    if !empty_body {
        return None;
    }
    let body = serde_json::to_string(&ApiError::new(
        status,
        ErrorCategory::VALIDATION_ERROR,
        message,
    ))
    .ok()?;
    let mut out = format!("{status_line}\r\n");
    for line in kept {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(&format!(
        "content-type: application/json;charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    ));
    Some(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bodyless_rejections_get_a_hubspot_body() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Sun, 06 Dec 2026 05:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(rewrite(hyper).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(head.contains("date: Sun"), "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        assert!(head.contains("connection: close"), "{head}");
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["status"], "error");
        assert_eq!(v["category"], "VALIDATION_ERROR");
        assert!(v["correlationId"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(v["message"].as_str().unwrap().contains("too large"));
    }

    #[test]
    fn every_other_write_passes_untouched() {
        for buf in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 12\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{\"x\":1}",
            b"{\"status\":\"error\"}",
            b"HTTP/1.1 400",
        ] {
            assert!(rewrite(buf).is_none(), "{}", String::from_utf8_lossy(buf));
        }
    }
}
