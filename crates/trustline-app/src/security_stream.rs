//! The security event stream for a SIEM. Every security-relevant event,
//! incident and breach reminder is one JSON object, written to each
//! configured output: a file of JSON lines, and syslog (RFC 5424) over UDP
//! (RFC 5426) or TCP with octet counting (RFC 6587). An output that fails
//! is logged and retried with the next line; the audit log stays the record.

use serde_json::Value;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

/// Where syslog messages go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyslogTarget {
    Udp(SocketAddr),
    Tcp(SocketAddr),
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("syslog destination {given:?}: {why} (expected udp://host:port or tcp://host:port)")]
pub struct InvalidSyslogTarget {
    given: String,
    why: &'static str,
}

impl FromStr for SyslogTarget {
    type Err = InvalidSyslogTarget;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |why| InvalidSyslogTarget { given: text.to_owned(), why };
        let (scheme, rest) = text.split_once("://").ok_or_else(|| fail("no scheme"))?;
        let address = rest
            .to_socket_addrs()
            .map_err(|_| fail("not a host and port that resolve"))?
            .next()
            .ok_or_else(|| fail("the host has no address"))?;
        match scheme {
            "udp" => Ok(Self::Udp(address)),
            "tcp" => Ok(Self::Tcp(address)),
            _ => Err(fail("unknown scheme")),
        }
    }
}

/// The SIEM outputs a server writes to; none by default.
#[derive(Clone, Debug, Default)]
pub struct SiemOutputs {
    /// Appended to, one JSON object per line.
    pub file: Option<PathBuf>,
    pub syslog: Option<SyslogTarget>,
}

/// How urgent a line is, as syslog's severity (RFC 5424 table 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Urgency {
    Critical = 2,
    Error = 3,
    Warning = 4,
    Notice = 5,
}

impl Urgency {
    /// An incident's urgency from its severity.
    pub fn of_severity(severity: trustline_domain::incidents::Severity) -> Self {
        use trustline_domain::incidents::Severity;
        match severity {
            Severity::Critical => Self::Critical,
            Severity::High => Self::Error,
            Severity::Medium => Self::Warning,
            Severity::Low => Self::Notice,
        }
    }
}

/// Security and authorization messages (RFC 5424 facility 10).
const AUTHPRIV: u8 = 10;
const WAIT: Duration = Duration::from_secs(2);

/// One RFC 5424 message: the line's `type` is the MSGID, the JSON the MSG.
pub(crate) fn syslog_message(line: &Value, urgency: Urgency, at: i64, host: &str) -> String {
    let pri = u16::from(AUTHPRIV) * 8 + urgency as u16;
    let timestamp = jiff::Timestamp::from_second(at).map_or_else(|_| "-".to_owned(), |t| t.to_string());
    let msgid: String = line.get("type").and_then(Value::as_str).unwrap_or("-").chars().filter(|c| c.is_ascii_graphic()).take(32).collect();
    format!("<{pri}>1 {timestamp} {host} trustline {} {msgid} - {line}", std::process::id())
}

/// This machine's name for syslog headers, or the nil value.
fn host_name() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name: String = name.trim().chars().filter(|c| c.is_ascii_graphic()).take(255).collect();
    if name.is_empty() { "-".into() } else { name }
}

enum Syslog {
    Udp { socket: tokio::net::UdpSocket, to: SocketAddr },
    Tcp { to: SocketAddr, connection: Mutex<Option<tokio::net::TcpStream>> },
}

impl Syslog {
    fn open(target: &SyslogTarget) -> std::io::Result<Self> {
        Ok(match target {
            SyslogTarget::Udp(to) => {
                let local: SocketAddr = if to.is_ipv4() { ([0, 0, 0, 0], 0).into() } else { ([0u16; 8], 0).into() };
                let socket = std::net::UdpSocket::bind(local)?;
                socket.set_nonblocking(true)?;
                Self::Udp { socket: tokio::net::UdpSocket::from_std(socket)?, to: *to }
            }
            SyslogTarget::Tcp(to) => Self::Tcp { to: *to, connection: Mutex::new(None) },
        })
    }

    async fn send(&self, message: &str) -> std::io::Result<()> {
        match self {
            Self::Udp { socket, to } => socket.send_to(message.as_bytes(), to).await.map(|_| ()),
            Self::Tcp { to, connection } => {
                let mut connection = connection.lock().await;
                let framed = format!("{} {message}", message.len());
                if connection.is_none() {
                    let stream = tokio::time::timeout(WAIT, tokio::net::TcpStream::connect(to)).await.map_err(std::io::Error::other)??;
                    *connection = Some(stream);
                }
                let Some(stream) = connection.as_mut() else { return Ok(()) };
                let sent = tokio::time::timeout(WAIT, stream.write_all(framed.as_bytes())).await.map_err(std::io::Error::other);
                if !matches!(sent, Ok(Ok(()))) {
                    // Reconnect with the next line.
                    *connection = None;
                }
                sent?
            }
        }
    }
}

/// The configured outputs, open.
pub struct SecurityStream {
    file: Option<Mutex<tokio::fs::File>>,
    syslog: Option<Syslog>,
    host: String,
}

impl SecurityStream {
    /// Opens the outputs; one that cannot be opened is logged and left out.
    /// Must be called inside a Tokio runtime.
    pub fn open(outputs: &SiemOutputs) -> Self {
        let file = outputs.file.as_ref().and_then(|path| match std::fs::OpenOptions::new().create(true).append(true).open(path) {
            Ok(file) => Some(Mutex::new(tokio::fs::File::from_std(file))),
            Err(error) => {
                tracing::error!(%error, path = %path.display(), "the SIEM file cannot be opened; security events go to the audit log only");
                None
            }
        });
        let syslog = outputs.syslog.as_ref().and_then(|target| match Syslog::open(target) {
            Ok(syslog) => Some(syslog),
            Err(error) => {
                tracing::error!(%error, ?target, "syslog cannot be opened; security events go to the audit log only");
                None
            }
        });
        Self { file, syslog, host: host_name() }
    }

    /// Writes `line` (which names its `type`) to every output.
    pub async fn send(&self, line: Value, urgency: Urgency, at: i64) {
        if let Some(file) = &self.file {
            let mut text = line.to_string();
            text.push('\n');
            if let Err(error) = file.lock().await.write_all(text.as_bytes()).await {
                tracing::warn!(%error, "a security event could not be written to the SIEM file");
            }
        }
        if let Some(syslog) = &self.syslog
            && let Err(error) = syslog.send(&syslog_message(&line, urgency, at, &self.host)).await
        {
            tracing::warn!(%error, "a security event could not be sent to syslog");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_follow_rfc_5424() {
        let line = json!({ "type": "incident", "severity": "high" });
        let text = syslog_message(&line, Urgency::Error, 1_900_000_000, "node-1");
        assert!(text.starts_with("<83>1 2030-03-17T17:46:40Z node-1 trustline "), "{text}");
        assert!(text.ends_with(&format!(" incident - {line}")), "{text}");
        let odd = syslog_message(&json!({ "type": "bad id with spaces" }), Urgency::Notice, 0, "-");
        assert!(odd.contains(" badidwithspaces - "), "{odd}");
    }

    #[tokio::test]
    async fn tcp_syslog_frames_each_message_with_its_length() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target = SyslogTarget::Tcp(listener.local_addr().unwrap());
        let stream = SecurityStream::open(&SiemOutputs { file: None, syslog: Some(target) });
        stream.send(json!({ "type": "security_event", "n": 1 }), Urgency::Warning, 0).await;
        stream.send(json!({ "type": "incident", "n": 2 }), Urgency::Critical, 0).await;
        let (mut connection, _) = listener.accept().await.unwrap();
        drop(stream);
        let mut received = String::new();
        connection.read_to_string(&mut received).await.unwrap();
        let mut rest = received.as_str();
        let mut messages = Vec::new();
        while let Some((length, after)) = rest.split_once(' ') {
            let length: usize = length.parse().unwrap();
            messages.push(&after[..length]);
            rest = &after[length..];
        }
        assert_eq!(messages.len(), 2, "{received}");
        assert!(messages[0].starts_with("<84>1 ") && messages[0].ends_with(r#"security_event - {"n":1,"type":"security_event"}"#));
        assert!(messages[1].starts_with("<82>1 ") && messages[1].contains(" incident - "));
    }

    #[test]
    fn targets_are_parsed_with_clear_errors() {
        assert_eq!("udp://127.0.0.1:514".parse(), Ok(SyslogTarget::Udp(([127, 0, 0, 1], 514).into())));
        assert_eq!("tcp://127.0.0.1:6514".parse(), Ok(SyslogTarget::Tcp(([127, 0, 0, 1], 6514).into())));
        for bad in ["127.0.0.1:514", "http://127.0.0.1:514", "udp://127.0.0.1", "udp://:x"] {
            let error = bad.parse::<SyslogTarget>().unwrap_err().to_string();
            assert!(error.contains(bad) && error.contains("udp://host:port"), "{error}");
        }
    }
}
