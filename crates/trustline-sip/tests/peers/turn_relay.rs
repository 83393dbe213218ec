//! coturn as the TURN relay desks behind strict firewalls go through: it
//! shares a secret with the installation and checks each desk's credential
//! itself (`use-auth-secret`).

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub struct TurnRelay {
    child: Child,
    /// The relay as browsers name it (`turn:127.0.0.1:PORT?transport=udp`).
    pub url: String,
    dir: tempfile::TempDir,
}

impl TurnRelay {
    /// A relay on a free loopback port that relays to loopback (the
    /// softphone port here; a production relay allows only the media
    /// address), answering STUN before this returns.
    pub async fn start(turnserver: &Path, secret: &str) -> TurnRelay {
        let port = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        // An empty configuration: nothing from the machine's /etc/turnserver.conf.
        let config = dir.path().join("turnserver.conf");
        std::fs::write(&config, "").unwrap();
        let child = Command::new(turnserver)
            .arg("-c")
            .arg(&config)
            .args(["-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--realm=trustline.test"])
            .arg(format!("--listening-port={port}"))
            .args(["--use-auth-secret", &format!("--static-auth-secret={secret}")])
            .args(["--allow-loopback-peers", "--no-tls", "--no-dtls", "--no-cli", "--no-tcp-relay", "--simple-log", "--verbose"])
            .arg(format!("--pidfile={}", dir.path().join("turnserver.pid").display()))
            .arg(format!("--log-file={}", dir.path().join("turn.log").display()))
            .arg(format!("--userdb={}", dir.path().join("turndb").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("turnserver starts");
        let relay = TurnRelay { child, url: format!("turn:127.0.0.1:{port}?transport=udp"), dir };
        relay.answering(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await;
        relay
    }

    /// Waits until a STUN binding request gets an answer.
    async fn answering(&self, relay: SocketAddr) {
        let probe = tokio::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let mut request = vec![0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42];
        request.extend_from_slice(b"trustline-ok");
        let mut answer = [0u8; 512];
        for _ in 0..100 {
            probe.send_to(&request, relay).await.unwrap();
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_millis(100), probe.recv_from(&mut answer)).await {
                return;
            }
        }
        panic!("coturn did not answer on {relay}: {}", self.log());
    }

    /// What the relay logged so far.
    pub fn log(&self) -> String {
        // coturn names its log after the file asked for, with a date in it.
        let mut text = String::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap().flatten() {
            if entry.file_name().to_string_lossy().starts_with("turn") && entry.file_name().to_string_lossy().ends_with(".log") {
                text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
            }
        }
        text
    }
}

impl Drop for TurnRelay {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// The coturn binary, found as the other peers are.
pub fn turnserver() -> Option<PathBuf> {
    super::tool("turnserver", "TRUSTLINE_TEST_TURNSERVER")
}
