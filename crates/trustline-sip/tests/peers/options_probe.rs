//! OPTIONS from a chosen address, as a scanner or a carrier's keep-alive
//! sends them, and the status lines that come back.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// An OPTIONS request as a scanner sends it, numbered `n`.
fn options(n: u32, from: SocketAddr, to: SocketAddr) -> String {
    format!(
        "OPTIONS sip:{to} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bK-scan-{n}\r\nMax-Forwards: 70\r\n\
         From: <sip:scan@{from}>;tag=scan{n}\r\nTo: <sip:{to}>\r\nCall-ID: scan-{n}@{from}\r\nCSeq: 1 OPTIONS\r\n\
         Content-Length: 0\r\n\r\n"
    )
}

/// Sends `count` OPTIONS to `edge` from `source` and returns the status
/// line of every answer that comes within a second.
pub async fn options_flood(edge: SocketAddr, source: IpAddr, count: u32) -> Vec<String> {
    padded_options(edge, source, count, 0).await
}

/// [`options_flood`] with each request carrying `padding` bytes of extra
/// header, to make it as large as wanted.
pub async fn padded_options(edge: SocketAddr, source: IpAddr, count: u32, padding: usize) -> Vec<String> {
    let socket = tokio::net::UdpSocket::bind((source, 0)).await.unwrap();
    socket.connect(edge).await.unwrap();
    let extra = if padding == 0 { String::new() } else { format!("X-Padding: {}\r\n", "x".repeat(padding)) };
    for n in 0..count {
        let request = options(n, socket.local_addr().unwrap(), edge).replacen("Content-Length", &format!("{extra}Content-Length"), 1);
        socket.send(request.as_bytes()).await.unwrap();
    }
    answers(&socket, Duration::from_secs(1)).await
}

/// The status lines of every datagram `socket` receives within `window`.
async fn answers(socket: &tokio::net::UdpSocket, window: Duration) -> Vec<String> {
    let mut answers = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + window;
    while let Ok(Ok(length)) = tokio::time::timeout_at(deadline, socket.recv(&mut buffer)).await {
        let text = String::from_utf8_lossy(&buffer[..length]);
        answers.push(text.lines().next().unwrap_or_default().to_owned());
    }
    answers
}
