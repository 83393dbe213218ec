//! Real SIP peers for the edge's tests: SIPp (Debian's sip-tester) playing
//! a carrier from the scenarios in `tests/sipp/`, and baresip, a SIP phone.
//! `scripts/sip-peers-up` installs them; without them the tests are
//! skipped, except under `CI=true` where they fail. Each test binary uses a
//! part of this module.
#![allow(dead_code, unused_imports)]

mod baresip_phone;
pub mod far_audio;
mod kamailio_registrar;
mod lossy_line;
mod options_probe;
mod turn_relay;

pub use baresip_phone::{BaresipPhone, Identity};
pub use far_audio::FarAudio;
pub use kamailio_registrar::KamailioRegistrar;
pub use lossy_line::LossyLine;
pub use options_probe::{options_flood, padded_options};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::process::{Child, Command};
pub use turn_relay::{TurnRelay, turnserver};

const ENV: &str = "TRUSTLINE_TEST_SIPP";
/// The scenarios, found the same way from this crate's tests and from the
/// other crates that include this module (`#[path]`): they are siblings.
const SCENARIOS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../trustline-sip/tests/sipp");
/// Longest any one scenario may take.
const SCENARIO_LIMIT: Duration = Duration::from_secs(30);

/// The sipp binary, or `None` (with a note) when the tests should skip.
pub fn sipp() -> Option<PathBuf> {
    tool("sipp", ENV)
}

/// The baresip binary (a real SIP phone), or `None` when the tests should skip.
pub fn baresip() -> Option<PathBuf> {
    tool("baresip", "TRUSTLINE_TEST_BARESIP")
}

/// Kamailio (a SIP server, as carriers run them), or `None` when the tests should skip.
pub fn kamailio() -> Option<PathBuf> {
    tool("kamailio", "TRUSTLINE_TEST_KAMAILIO")
}

/// A tool of SIPVicious (`svmap`, `svwar`, `svcrack`), the scanners SIP
/// servers are attacked with, or `None` when the tests should skip.
pub fn sipvicious(tool_name: &str) -> Option<PathBuf> {
    tool(tool_name, "TRUSTLINE_TEST_SIPVICIOUS_DIR").map(|found| if found.is_dir() { found.join(tool_name) } else { found })
}

/// `name` from `env` or the PATH; missing fails under `CI=true`.
fn tool(name: &str, env: &str) -> Option<PathBuf> {
    let found = std::env::var_os(env)
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| PathBuf::from(dir).join(name)).find(|p| p.is_file()));
    match found {
        Some(path) => Some(path),
        None if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("{name} is required under CI=true: run scripts/sip-peers-up or set {env}")
        }
        None => {
            eprintln!("skipped: {name} is not installed (scripts/sip-peers-up installs it)");
            None
        }
    }
}

/// A running SIPp, and the socket its SDP names for audio (SIPp itself
/// plays none): the test hears and speaks for the far end through it.
pub struct Sipp {
    child: Child,
    pub address: SocketAddr,
    pub audio: tokio::net::UdpSocket,
}

impl Sipp {
    /// SIPp answering calls as `scenario` (a file of `tests/sipp/`) on a
    /// free loopback port, for `calls` calls, with `extra` options.
    pub async fn carrier(binary: &PathBuf, scenario: &str, calls: u32, extra: &[&str]) -> Self {
        let address = free_udp_port(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let audio = audio_socket();
        let child = command(binary, scenario, address, calls, &audio, extra).spawn().expect("SIPp starts");
        listening(address).await;
        Self { child, address, audio }
    }

    /// [`Self::carrier`] over TCP: SIPp listens on a free loopback TCP port
    /// and takes the edge's connection.
    pub async fn carrier_over_tcp(binary: &PathBuf, scenario: &str, calls: u32) -> Self {
        let address = std::net::TcpListener::bind("127.0.0.1:0").expect("a free TCP port").local_addr().expect("its address");
        let audio = audio_socket();
        let child = command(binary, scenario, address, calls, &audio, &["-t", "t1"]).spawn().expect("SIPp starts");
        for _ in 0..200 {
            if std::net::TcpStream::connect(address).is_ok() {
                return Self { child, address, audio };
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("SIPp did not listen on TCP {address} within 5 s");
    }

    /// SIPp calling `target` over TCP as `scenario`, dialling `number`.
    pub fn caller_over_tcp(binary: &PathBuf, scenario: &str, target: SocketAddr, number: &str) -> Self {
        let address = free_udp_port(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let audio = audio_socket();
        let mut command = command(binary, scenario, address, 1, &audio, &["-s", number, "-t", "t1"]);
        command.arg(target.to_string());
        let child = command.spawn().expect("SIPp starts");
        Self { child, address, audio }
    }

    /// SIPp calling `target` as `scenario`, dialling `number`.
    pub fn caller(binary: &PathBuf, scenario: &str, target: SocketAddr, number: &str) -> Self {
        Self::caller_from(binary, scenario, IpAddr::V4(Ipv4Addr::LOCALHOST), target, number)
    }

    /// [`Self::caller`] with `extra` options (`-key` values the scenario names).
    pub fn caller_with(binary: &PathBuf, scenario: &str, target: SocketAddr, number: &str, extra: &[&str]) -> Self {
        let address = free_udp_port(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let audio = audio_socket();
        let mut command = command(binary, scenario, address, 1, &audio, &[&["-s", number], extra].concat());
        command.arg(target.to_string());
        let child = command.spawn().expect("SIPp starts");
        Self { child, address, audio }
    }

    /// [`Self::caller`] signalling from `ip` (another loopback address
    /// stands for another carrier); its audio stays on 127.0.0.1.
    pub fn caller_from(binary: &PathBuf, scenario: &str, ip: IpAddr, target: SocketAddr, number: &str) -> Self {
        let address = free_udp_port(ip);
        let audio = audio_socket();
        let mut command = command(binary, scenario, address, 1, &audio, &["-s", number]);
        command.arg(target.to_string());
        let child = command.spawn().expect("SIPp starts");
        Self { child, address, audio }
    }

    /// Waits for SIPp to end; it passes when every call followed its scenario.
    pub async fn finished(mut self) -> ExitStatus {
        match tokio::time::timeout(SCENARIO_LIMIT, self.child.wait()).await {
            Ok(status) => status.expect("SIPp ran"),
            Err(_) => {
                let _ = self.child.kill().await;
                panic!("SIPp did not finish within {SCENARIO_LIMIT:?}")
            }
        }
    }
}

fn command(binary: &PathBuf, scenario: &str, address: SocketAddr, calls: u32, audio: &tokio::net::UdpSocket, extra: &[&str]) -> Command {
    let rtp_port = audio.local_addr().expect("the audio socket's address").port().to_string();
    let file = PathBuf::from(SCENARIOS).join(scenario);
    let mut command = Command::new(binary);
    command
        .arg("-sf")
        .arg(file)
        .args(["-i", &address.ip().to_string(), "-p", &address.port().to_string(), "-mi", "127.0.0.1"])
        .args(["-m", &calls.to_string(), "-timeout", "25s", "-timeout_error", "-nostdin"])
        .args(["-key", "rtp_port", &rtp_port])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .kill_on_drop(true);
    command
}

/// An edge on loopback whose trunk is `proxy`, trusting `sources`, with
/// fast SIP timers (T1 50 ms, so Timer B is 3.2 s).
pub fn edge_settings(proxy: Option<SocketAddr>, sources: Vec<std::net::IpAddr>) -> trustline_sip::EdgeSettings {
    let loopback = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    let mut settings = trustline_sip::EdgeSettings::new(
        SocketAddr::new(loopback, 0),
        loopback,
        trustline_sip::Trunk { proxy: proxy.map(Into::into), sources },
    );
    settings.t1 = Duration::from_millis(50);
    settings
}

/// Waits until the edge has let go of every call (its followers end a
/// moment after the SIP that ends a call).
pub async fn wait_until_no_calls(edge: &trustline_sip::SipTelephony) {
    for _ in 0..100 {
        if edge.calls_in_progress() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{} calls are still held after the other side finished", edge.calls_in_progress());
}

/// Waits until SIPp has bound `address` (binding it ourselves fails), so
/// no INVITE is spent on a carrier not yet there.
async fn listening(address: SocketAddr) {
    for _ in 0..200 {
        if UdpSocket::bind(address).is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("SIPp did not listen on {address} within 5 s");
}

fn audio_socket() -> tokio::net::UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a UDP port for audio");
    socket.set_nonblocking(true).expect("a non-blocking socket");
    tokio::net::UdpSocket::from_std(socket).expect("a tokio socket")
}

/// A loopback UDP port nobody uses now (SIPp binds it a moment later).
fn free_udp_port(ip: IpAddr) -> SocketAddr {
    let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).expect("a free UDP port");
    socket.local_addr().expect("its address")
}
