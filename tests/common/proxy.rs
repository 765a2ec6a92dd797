//! A loopback TCP proxy that adds latency and counts what passes through.
//!
//! Each chunk is delivered `rtt / 2` after it was read, in each direction,
//! without limiting throughput (chunks queue with their due time), so every
//! request/response exchange costs one round trip. Connection set-up is not
//! delayed. Requests are counted by the HTTP method that starts a chunk sent
//! to the server. `GET /__proxy/stats` on the proxy answers the counters as JSON.
//!
//! With a rate cap, each connection sends the client at most that many bytes
//! a second; one that was idle may send a burst of 64 KiB, not its idle time's worth.
//!
//! With a [`FaultPlan`] the proxy also misbehaves on purpose: it sees each
//! request (one per connection: it asks the server to close after each
//! response) and, for those matching a rule, answers an error status itself,
//! stalls without a byte, or cuts the response after some bytes.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Counters of a proxy, shared with its tasks.
#[derive(Debug, Default)]
pub struct ProxyStats {
    pub requests: AtomicU64,
    /// Requests by any method but GET and HEAD.
    pub writes: AtomicU64,
    pub bytes_to_server: AtomicU64,
    pub bytes_to_client: AtomicU64,
    pub connections: AtomicU64,
    pub open_connections: AtomicU64,
    pub max_open_connections: AtomicU64,
}

impl ProxyStats {
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    pub fn to_json(&self) -> String {
        format!(
            "{{\"requests\":{},\"bytes_to_server\":{},\"bytes_to_client\":{},\"connections\":{},\"max_open_connections\":{}}}",
            self.requests.load(Ordering::SeqCst),
            self.bytes_to_server.load(Ordering::SeqCst),
            self.bytes_to_client.load(Ordering::SeqCst),
            self.connections.load(Ordering::SeqCst),
            self.max_open_connections.load(Ordering::SeqCst),
        )
    }

    pub fn reset(&self) {
        for counter in [&self.requests, &self.bytes_to_server, &self.bytes_to_client, &self.connections] {
            counter.store(0, Ordering::SeqCst);
        }
        self.max_open_connections.store(self.open_connections.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

const METHODS: [&[u8]; 6] = [b"GET ", b"HEAD ", b"PUT ", b"POST ", b"DELETE ", b"OPTIONS "];

/// What the proxy does to a request that matches a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer this status with an S3 error body (503 is `SlowDown`, 500 `InternalError`).
    Status(u16),
    /// Hold the connection open and send nothing.
    Stall,
    /// Forward the request, then drop the connection after this many bytes of the response.
    Cut(u64),
    /// Forward the response at full speed up to this many bytes, then a byte a second.
    Trickle(u64),
}

/// Rules: requests whose request line contains `needle` get `fault`, `times` times.
#[derive(Debug, Default)]
pub struct FaultPlan {
    rules: Mutex<Vec<(String, Fault, u64)>>,
    /// Faults dealt so far.
    pub dealt: AtomicU64,
}

impl FaultPlan {
    pub fn new(rules: &[(&str, Fault, u64)]) -> Arc<Self> {
        let rules = rules.iter().map(|(needle, fault, times)| (needle.to_string(), *fault, *times)).collect();
        Arc::new(Self { rules: Mutex::new(rules), dealt: AtomicU64::new(0) })
    }

    /// The fault for a request line, using up one of its rule's times.
    fn take(&self, request_line: &str) -> Option<Fault> {
        let mut rules = self.rules.lock().unwrap();
        let rule = rules.iter_mut().find(|(needle, _, times)| *times > 0 && request_line.contains(needle.as_str()))?;
        rule.2 -= 1;
        self.dealt.fetch_add(1, Ordering::SeqCst);
        Some(rule.1)
    }
}

/// How a proxy treats the traffic.
#[derive(Debug, Clone, Default)]
pub struct Shaping {
    pub rtt: Duration,
    /// Cap on what each connection sends to the client.
    pub bytes_per_second: Option<u64>,
    /// The first this-many connections are cut after `cut_after_bytes`
    /// bytes to the client (a dropped connection in the middle of a body).
    pub cut_first_connections: u64,
    pub cut_after_bytes: u64,
    /// Faults by request (each connection then carries one request).
    pub faults: Option<Arc<FaultPlan>>,
}

/// Starts a proxy on 127.0.0.1 (any free port) in front of `upstream`.
pub async fn start_proxy(upstream: SocketAddr, rtt: Duration) -> std::io::Result<(SocketAddr, Arc<ProxyStats>)> {
    start_shaped_proxy(upstream, Shaping { rtt, ..Shaping::default() }).await
}

/// A proxy that also caps what each connection sends to the client at
/// `bytes_per_second`.
pub async fn start_throttled_proxy(
    upstream: SocketAddr,
    rtt: Duration,
    bytes_per_second: Option<u64>,
) -> std::io::Result<(SocketAddr, Arc<ProxyStats>)> {
    start_shaped_proxy(upstream, Shaping { rtt, bytes_per_second, ..Shaping::default() }).await
}

pub async fn start_shaped_proxy(
    upstream: SocketAddr,
    shaping: Shaping,
) -> std::io::Result<(SocketAddr, Arc<ProxyStats>)> {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let stats = Arc::new(ProxyStats::default());
    let shared = stats.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let stats = shared.clone();
            let shaping = shaping.clone();
            tokio::spawn(async move {
                let _ = handle(client, upstream, shaping, stats).await;
            });
        }
    });
    Ok((addr, stats))
}

async fn handle(
    client: TcpStream,
    upstream: SocketAddr,
    shaping: Shaping,
    stats: Arc<ProxyStats>,
) -> std::io::Result<()> {
    let mut first = [0u8; 18];
    let n = client.peek(&mut first).await?;
    if first[..n].starts_with(b"GET /__proxy/stats") {
        return answer_stats(client, &stats).await;
    }
    let mut client = client;
    let (head, fault) = match &shaping.faults {
        Some(plan) => {
            let head = read_head(&mut client).await?;
            let line =
                String::from_utf8_lossy(&head[..head.iter().position(|&b| b == b'\r').unwrap_or(0)]).into_owned();
            (Some(one_request(&head)), plan.take(&line))
        }
        None => (None, None),
    };
    match fault {
        Some(Fault::Status(code)) => return answer_error(client, code).await,
        Some(Fault::Stall) => {
            // Read whatever comes until the client gives up.
            let mut sink = [0u8; 1024];
            while matches!(client.read(&mut sink).await, Ok(n) if n > 0) {}
            return Ok(());
        }
        _ => {}
    }
    let mut server = TcpStream::connect(upstream).await?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    if let Some(head) = &head {
        server.write_all(head).await?;
        stats.requests.fetch_add(1, Ordering::SeqCst);
        stats.bytes_to_server.fetch_add(head.len() as u64, Ordering::SeqCst);
    }
    let index = stats.connections.fetch_add(1, Ordering::SeqCst);
    let cut = match fault {
        Some(Fault::Cut(bytes)) => Some(bytes),
        _ => (index < shaping.cut_first_connections).then_some(shaping.cut_after_bytes),
    };
    let trickle = match fault {
        Some(Fault::Trickle(bytes)) => Some(bytes),
        _ => None,
    };
    let open = stats.open_connections.fetch_add(1, Ordering::SeqCst) + 1;
    stats.max_open_connections.fetch_max(open, Ordering::SeqCst);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let rtt = shaping.rtt;
    let up = pump(client_read, server_write, Pump { delay: rtt / 2, ..Pump::default() }, stats.clone(), true);
    let down = Pump { delay: rtt / 2, rate: shaping.bytes_per_second, cut_after: cut, trickle_after: trickle };
    let down = pump(server_read, client_write, down, stats.clone(), false);
    let _ = tokio::join!(up, down);
    stats.open_connections.fetch_sub(1, Ordering::SeqCst);
    Ok(())
}

/// Reads a request head (GETs and HEADs carry no body) from the client.
async fn read_head(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(head)
}

/// The head with `connection: close`, so the next request needs a new connection.
fn one_request(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let kept: Vec<&str> =
        text.trim_end().split("\r\n").filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    format!("{}\r\nconnection: close\r\n\r\n", kept.join("\r\n")).into_bytes()
}

async fn answer_error(mut client: TcpStream, code: u16) -> std::io::Result<()> {
    let (reason, s3_code) = match code {
        503 => ("Service Unavailable", "SlowDown"),
        500 => ("Internal Server Error", "InternalError"),
        403 => ("Forbidden", "AccessDenied"),
        _ => ("Error", "InternalError"),
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{s3_code}</Code><Message>injected by the test proxy</Message></Error>"
    );
    let response = format!(
        "HTTP/1.1 {code} {reason}\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    client.write_all(response.as_bytes()).await?;
    client.shutdown().await
}

async fn answer_stats(mut client: TcpStream, stats: &ProxyStats) -> std::io::Result<()> {
    let mut request = [0u8; 1024];
    let _ = client.read(&mut request).await?;
    let body = stats.to_json();
    if request.starts_with(b"GET /__proxy/stats?reset") {
        stats.reset();
    }
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    client.write_all(response.as_bytes()).await
}

/// How one direction is delivered.
#[derive(Debug, Clone, Copy, Default)]
struct Pump {
    /// Each chunk arrives this long after it was read.
    delay: Duration,
    /// No faster than this many bytes a second.
    rate: Option<u64>,
    /// The connection ends after this many bytes.
    cut_after: Option<u64>,
    /// After this many bytes, a byte a second.
    trickle_after: Option<u64>,
}

/// Bytes a rate-capped connection may send at once after being idle (at
/// most a second's worth).
const RATE_BURST: u64 = 64 * 1024;

/// Copies one direction as `how` says.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, how: Pump, stats: Arc<ProxyStats>, to_server: bool) {
    let Pump { delay, rate, cut_after, trickle_after } = how;
    let (sender, mut receiver) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if to_server {
                if METHODS.iter().any(|m| buf[..n].starts_with(m)) {
                    stats.requests.fetch_add(1, Ordering::SeqCst);
                    if !(buf[..n].starts_with(b"GET ") || buf[..n].starts_with(b"HEAD ")) {
                        stats.writes.fetch_add(1, Ordering::SeqCst);
                    }
                }
                stats.bytes_to_server.fetch_add(n as u64, Ordering::SeqCst);
            } else {
                stats.bytes_to_client.fetch_add(n as u64, Ordering::SeqCst);
            }
            if sender.send((Instant::now() + delay, buf[..n].to_vec())).is_err() {
                break;
            }
        }
    };
    let writer = async move {
        // A token bucket: `paid` is when the bytes sent so far are paid for;
        // a piece goes once the earlier ones are, and an idle connection
        // saves up at most one burst (not the whole idle time).
        let mut paid = Instant::now();
        let mut sent = 0u64;
        'chunks: while let Some((due, chunk)) = receiver.recv().await {
            tokio::time::sleep_until(due).await;
            // Small slices keep a throttled stream smooth.
            let slice = match rate {
                Some(rate) => rate.clamp(1, 16 * 1024) as usize,
                None => chunk.len().max(1),
            };
            for piece in chunk.chunks(slice) {
                if let Some(rate) = rate {
                    let burst = Duration::from_secs_f64(RATE_BURST.min(rate) as f64 / rate as f64);
                    let now = Instant::now();
                    let start = paid.max(now.checked_sub(burst).unwrap_or(now));
                    tokio::time::sleep_until(start).await;
                    paid = start + Duration::from_secs_f64(piece.len() as f64 / rate as f64);
                }
                // Never more than the cut allows, however large the chunk;
                // up to the trickle's start at full speed, then byte by byte.
                let mut limit = piece.len() as u64;
                if let Some(cut) = cut_after {
                    limit = limit.min(cut.saturating_sub(sent));
                }
                let fast = match trickle_after {
                    Some(after) => limit.min(after.saturating_sub(sent)),
                    None => limit,
                };
                if to.write_all(&piece[..fast as usize]).await.is_err() {
                    break 'chunks;
                }
                sent += fast;
                for byte in &piece[fast as usize..limit as usize] {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if to.write_all(std::slice::from_ref(byte)).await.is_err() {
                        break 'chunks;
                    }
                    sent += 1;
                }
                if cut_after.is_some_and(|cut| sent >= cut) {
                    break 'chunks;
                }
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}
