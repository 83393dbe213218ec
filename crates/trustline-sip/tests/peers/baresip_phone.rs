//! baresip as a caller: it dials one number, sends a tone from a WAV file
//! for a few seconds, records what it hears, and quits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

pub struct BaresipPhone {
    child: Child,
    dir: tempfile::TempDir,
}

impl BaresipPhone {
    /// Calls `number` at `edge`, sending `frequency` Hz, for `seconds`.
    pub fn call(binary: &Path, edge: SocketAddr, number: &str, frequency: f64, seconds: u32) -> Self {
        let dir = tempfile::tempdir().expect("a directory for baresip");
        let sip_port = std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let tone = dir.path().join("tone.wav");
        std::fs::write(&tone, wav(frequency, seconds + 2)).unwrap();
        let config = format!(
            "sip_listen 127.0.0.1:{sip_port}\naudio_player aufile,/dev/null\naudio_source aufile,{tone}\naudio_alert aufile,/dev/null\n\
             module_path /usr/lib/baresip/modules\nmodule g711.so\nmodule aufile.so\nmodule sndfile.so\n\
             module_app account.so\nmodule_app menu.so\nsnd_path {dir}\n",
            tone = tone.display(),
            dir = dir.path().display(),
        );
        std::fs::write(dir.path().join("config"), config).unwrap();
        std::fs::write(dir.path().join("accounts"), "<sip:caller@127.0.0.1>;regint=0;audio_codecs=PCMU\n").unwrap();
        let child = Command::new(binary)
            .arg("-f")
            .arg(dir.path())
            .args(["-e", &format!("/dial sip:{number}@{edge}"), "-t", &seconds.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("baresip starts");
        Self { child, dir }
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
