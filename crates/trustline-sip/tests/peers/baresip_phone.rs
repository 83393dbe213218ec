//! baresip as a phone: it dials one number (or, as a carrier, answers the
//! calls it is sent), sends a tone from a WAV file for a few seconds,
//! records what it hears, and quits. Over TLS it presents a certificate,
//! listens for TLS on its SIP port + 1, as baresip does, and takes SRTP
//! only (SDES keys, baresip's `srtp-mand`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A certificate and its private key, in PEM.
pub struct Identity {
    pub certificate: String,
    pub key: String,
}

pub struct BaresipPhone {
    child: Child,
    dir: tempfile::TempDir,
}

impl BaresipPhone {
    /// Calls `number` at `edge`, sending `frequency` Hz, for `seconds`.
    pub fn call(binary: &Path, edge: SocketAddr, number: &str, frequency: f64, seconds: u32) -> Self {
        let dir = setup(None, "<sip:caller@127.0.0.1>", frequency, seconds);
        Self::run(binary, dir, Some(format!("sip:{number}@{edge}")), seconds)
    }

    /// Calls `number` at the edge's TLS port `edge_tls`, trusting `authority`.
    pub fn call_over_tls(binary: &Path, edge_tls: SocketAddr, authority: &str, number: &str, frequency: f64, seconds: u32) -> Self {
        let account = "<sip:caller@127.0.0.1;transport=tls>;mediaenc=srtp-mand";
        let dir = setup(Some(Tls { identity: None, authority }), account, frequency, seconds);
        Self::run(binary, dir, Some(format!("sip:{number}@{edge_tls};transport=tls")), seconds)
    }

    /// A carrier on loopback answering the calls sent to `number` over TLS
    /// as `identity`, sending `frequency` Hz until `seconds` have passed;
    /// with where its TLS listens.
    pub async fn answer_over_tls(binary: &Path, identity: &Identity, number: &str, frequency: f64, seconds: u32) -> (Self, SocketAddr) {
        let tls = Tls { identity: Some(identity), authority: "" };
        let account = format!("<sip:{number}@localhost;transport=tls>;answermode=auto;mediaenc=srtp-mand");
        let dir = setup(Some(tls), &account, frequency, seconds);
        let sip_port: u16 = std::fs::read_to_string(dir.path().join("port")).unwrap().parse().unwrap();
        let phone = Self::run(binary, dir, None, seconds);
        let tls_address = SocketAddr::from(([127, 0, 0, 1], sip_port + 1));
        for _ in 0..200 {
            if std::net::TcpStream::connect(tls_address).is_ok() {
                return (phone, tls_address);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("baresip did not listen for TLS on {tls_address} within 5 s");
    }

    /// A desk phone registering with `login` (username, password) at the
    /// edge's TLS port `edge_tls`, trusting `authority`, for `seconds`; it
    /// answers the edge's call at once, in SRTP only, sending `frequency` Hz.
    pub fn register_over_tls(
        binary: &Path,
        edge_tls: SocketAddr,
        authority: &str,
        login: (&str, &str),
        frequency: f64,
        seconds: u32,
    ) -> Self {
        let (username, password) = login;
        let account = format!(
            "<sip:{username}@127.0.0.1;transport=tls>;auth_pass={password};outbound=\"sip:{edge_tls};transport=tls\";regint=60;answermode=auto;mediaenc=srtp-mand"
        );
        let dir = setup(Some(Tls { identity: None, authority }), &account, frequency, seconds);
        Self::run(binary, dir, None, seconds)
    }

    fn run(binary: &Path, dir: tempfile::TempDir, dial: Option<String>, seconds: u32) -> Self {
        let mut command = Command::new(binary);
        command.arg("-f").arg(dir.path());
        if let Some(target) = dial {
            command.args(["-e", &format!("/dial {target}")]);
        }
        let child = command
            .args(["-t", &seconds.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("baresip starts");
        Self { child, dir }
    }

    /// Waits for baresip to quit (hanging its calls up) at the end of its time.
    pub async fn quits(mut self) {
        tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await.expect("baresip quits").unwrap();
    }

    /// Waits for baresip to quit and returns what it heard (16-bit samples at 8 kHz).
    pub async fn heard(mut self) -> Vec<i16> {
        tokio::time::timeout(Duration::from_secs(30), self.child.wait()).await.expect("baresip quits").unwrap();
        let dump: PathBuf = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .find(|path| path.to_string_lossy().ends_with("-dec.wav"))
            .expect("baresip recorded what it heard");
        samples_of_wav(&std::fs::read(dump).unwrap())
    }
}

/// What baresip needs for SIP over TLS: its own certificate when it
/// listens (a carrier), the authority it is told to trust when it calls.
struct Tls<'a> {
    identity: Option<&'a Identity>,
    authority: &'a str,
}

/// baresip's directory: its configuration, its one account, the tone it
/// sends, and (in `port`) the SIP port it listens on.
fn setup(tls: Option<Tls<'_>>, account: &str, frequency: f64, seconds: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a directory for baresip");
    let sip_port = free_port_pair();
    let tone = dir.path().join("tone.wav");
    std::fs::write(&tone, wav(frequency, seconds + 2)).unwrap();
    let mut config = format!(
        "sip_listen 127.0.0.1:{sip_port}\naudio_player aufile,/dev/null\naudio_source aufile,{tone}\naudio_alert aufile,/dev/null\n\
         module_path /usr/lib/baresip/modules\nmodule g711.so\nmodule aufile.so\nmodule sndfile.so\n\
         module_app account.so\nmodule_app menu.so\nsnd_path {dir}\n",
        tone = tone.display(),
        dir = dir.path().display(),
    );
    if let Some(tls) = tls {
        config.push_str("module srtp.so\n");
        if let Some(identity) = tls.identity {
            let file = dir.path().join("identity.pem");
            std::fs::write(&file, format!("{}{}", identity.certificate, identity.key)).unwrap();
            config.push_str(&format!("sip_certificate {}\n", file.display()));
        }
        if !tls.authority.is_empty() {
            let file = dir.path().join("authority.pem");
            std::fs::write(&file, tls.authority).unwrap();
            config.push_str(&format!("sip_cafile {}\n", file.display()));
        }
    }
    std::fs::write(dir.path().join("config"), config).unwrap();
    let registers = if account.contains(";regint=") { "" } else { ";regint=0" };
    std::fs::write(dir.path().join("accounts"), format!("{account}{registers};audio_codecs=PCMU\n")).unwrap();
    std::fs::write(dir.path().join("port"), sip_port.to_string()).unwrap();
    dir
}

/// A port free for UDP and TCP whose next port is free for TCP (baresip's TLS).
fn free_port_pair() -> u16 {
    for _ in 0..50 {
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if port < u16::MAX
            && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
            && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok()
        {
            return port;
        }
    }
    panic!("no free pair of ports for baresip");
}

/// A mono 16-bit 8 kHz WAV file of a tone.
fn wav(frequency: f64, seconds: u32) -> Vec<u8> {
    let samples: Vec<u8> = (0..8000 * seconds)
        .flat_map(|n| ((8000.0 * (std::f64::consts::TAU * frequency * f64::from(n) / 8000.0).sin()) as i16).to_le_bytes())
        .collect();
    let mut file = Vec::new();
    file.extend_from_slice(b"RIFF");
    file.extend_from_slice(&(36 + samples.len() as u32).to_le_bytes());
    file.extend_from_slice(b"WAVEfmt ");
    file.extend_from_slice(&16u32.to_le_bytes());
    file.extend_from_slice(&1u16.to_le_bytes());
    file.extend_from_slice(&1u16.to_le_bytes());
    file.extend_from_slice(&8000u32.to_le_bytes());
    file.extend_from_slice(&16_000u32.to_le_bytes());
    file.extend_from_slice(&2u16.to_le_bytes());
    file.extend_from_slice(&16u16.to_le_bytes());
    file.extend_from_slice(b"data");
    file.extend_from_slice(&(samples.len() as u32).to_le_bytes());
    file.extend_from_slice(&samples);
    file
}

/// The samples of a 16-bit PCM WAV file's `data` chunk.
fn samples_of_wav(file: &[u8]) -> Vec<i16> {
    let start = file.windows(4).position(|w| w == b"data").expect("a data chunk") + 8;
    file[start..].chunks_exact(2).map(|pair| i16::from_le_bytes([pair[0], pair[1]])).collect()
}
