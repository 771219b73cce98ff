//! A TCP proxy on 127.0.0.1:0 in front of a test server that counts the HTTP/1.1 responses
//! passing back to the client, in all and by status. It reads nothing but the status lines of
//! the byte stream, so it works with keep-alive and needs no hook inside the server.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The running proxy; stops accepting when dropped.
pub(crate) struct CountingProxy {
    /// `http://127.0.0.1:PORT` of the proxy.
    pub url: String,
    counts: Arc<Counts>,
    accept: JoinHandle<()>,
}

#[derive(Default)]
struct Counts {
    responses: AtomicUsize,
    too_many: AtomicUsize,
}

const RESPONSE: &[u8] = b"HTTP/1.1 ";
const TOO_MANY: &[u8] = b"HTTP/1.1 429 ";

impl CountingProxy {
    /// Proxies to `target` (an `http://host:port` URL of a server on 127.0.0.1).
    pub(crate) async fn start(target: &str) -> CountingProxy {
        let target: SocketAddr = target.trim_start_matches("http://").parse().unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Counts::default());
        let shared = counts.clone();
        let accept = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                let counts = shared.clone();
                tokio::spawn(async move {
                    if let Ok(outbound) = TcpStream::connect(target).await {
                        pipe(inbound, outbound, counts).await;
                    }
                });
            }
        });
        CountingProxy {
            url,
            counts,
            accept,
        }
    }

    /// Responses seen so far.
    pub(crate) fn responses(&self) -> usize {
        self.counts.responses.load(Ordering::SeqCst)
    }

    /// 429 responses seen so far.
    pub(crate) fn too_many_requests(&self) -> usize {
        self.counts.too_many.load(Ordering::SeqCst)
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn pipe(inbound: TcpStream, outbound: TcpStream, counts: Arc<Counts>) {
    let (mut client_read, mut client_write) = inbound.into_split();
    let (mut server_read, mut server_write) = outbound.into_split();
    let up = async move {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    };
    let down = async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut responses = Scanner::new(RESPONSE);
        let mut too_many = Scanner::new(TOO_MANY);
        loop {
            let n = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            counts
                .responses
                .fetch_add(responses.scan(chunk), Ordering::SeqCst);
            counts
                .too_many
                .fetch_add(too_many.scan(chunk), Ordering::SeqCst);
            if client_write.write_all(chunk).await.is_err() {
                break;
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}

/// Counts a pattern in a byte stream read in chunks: a match split across two reads is
/// found by searching the previous read's last `len - 1` bytes too (too short to hold a whole
/// match, so none is counted twice).
struct Scanner {
    needle: &'static [u8],
    tail: Vec<u8>,
}

impl Scanner {
    fn new(needle: &'static [u8]) -> Self {
        Self {
            needle,
            tail: Vec::new(),
        }
    }

    fn scan(&mut self, chunk: &[u8]) -> usize {
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(chunk);
        let n = window
            .windows(self.needle.len())
            .filter(|w| *w == self.needle)
            .count();
        let keep = self.needle.len() - 1;
        self.tail = window[window.len().saturating_sub(keep)..].to_vec();
        n
    }
}

#[test]
fn scanner_counts_matches_split_across_reads_once() {
    let mut s = Scanner::new(TOO_MANY);
    let mut r = Scanner::new(RESPONSE);
    let stream = b"HTTP/1.1 200 OK\r\n\r\n{}HTTP/1.1 429 Too Many Requests\r\n\r\nHTTP/1.1 429 T";
    let (mut too_many, mut responses) = (0, 0);
    for chunk in stream.chunks(5) {
        too_many += s.scan(chunk);
        responses += r.scan(chunk);
    }
    assert_eq!((too_many, responses), (2, 3));
}
