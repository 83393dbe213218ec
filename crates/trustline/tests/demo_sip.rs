//! `trustline serve --demo --sip-listen`: a SIP caller on this machine
//! dials a demo queue's number, hears hold music while it waits, and is
//! answered by a floor agent, who greets them with a recording.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../../trustline-sip/tests/peers/mod.rs"]
mod peers;

mod demo_process;

use demo_process::{Killed, trustline};
use peers::far_audio::{Heard, purity, samples_from};
use peers::{FarAudio, Sipp};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

/// The hold music's notes.
const MUSIC: [f64; 6] = [220.0, 261.63, 329.63, 392.0, 440.0, 523.25];

#[tokio::test]
async fn a_sip_caller_hears_music_until_a_floor_agent_greets_them() {
    let Some(sipp) = peers::sipp() else { return };
    let dir = tempfile::tempdir().unwrap();
    let child =
        trustline(dir.path(), &["serve", "--demo", "--listen", "127.0.0.1:0", "--sip-listen", "127.0.0.1:0", "--simulated-speed", "1000"])
            .env("TRUSTLINE_LOG", "trace")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
    let mut child = Killed(child);
    let stderr = child.0.stderr.take().unwrap();
    let logged = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut lines = BufReader::new(child.0.stdout.take().unwrap()).lines().map(Result::unwrap);
    let sip_line = lines.find(|l| l.starts_with("SIP calls")).expect("the demo says where SIP calls go");
    let edge: SocketAddr = sip_line.split('@').nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();

    let caller = Sipp::caller(&sipp, "caller_stays.xml", edge, "+442079460990");
    let far = FarAudio::on(&caller.audio);
    let heard = far.listen(Duration::from_secs(11)).await;
    let source = heard.first().expect("the caller hears something").from;
    // 400 ms windows: music is a pure tone; the greeting is speech.
    let windows: Vec<&[Heard]> = heard.chunks(20).filter(|w| w.len() == 20).collect();
    let music = |w: &&[Heard]| purity(w, source, &MUSIC) > 0.3;
    let speech = |w: &&[Heard]| {
        let samples = samples_from(w, source);
        let loud = samples.iter().filter(|s| s.unsigned_abs() > 500).count();
        loud > samples.len() / 10 && purity(w, source, &MUSIC) < 0.1
    };
    // Whether a floor agent is free when the call arrives depends on the
    // simulated floor, so the wait may be long or nil: what must hold is that
    // every window before the greeting (bar the one just before it, where
    // the greeting may begin) is music, never dead air. Music for a caller on its own is measured exactly in
    // trustline-sip's call_audio tests.
    let first_greeting = windows.iter().position(speech).expect("a floor agent answers with the greeting");
    let waiting = windows.get(..first_greeting.saturating_sub(1)).unwrap_or_default();
    assert!(waiting.iter().all(music), "the waiting caller hears hold music until the agent");
    assert!(caller.finished().await.success(), "the caller was answered with PCMA and hung up cleanly");
    drop(child);
    let logged = logged.join().unwrap();
    assert!(logged.contains("TRACE") || logged.contains("DEBUG"), "the server logged at the most detailed level");
    assert!(!logged.contains("447700900123"), "the caller's number reached the log");
    let printed: String = lines.collect();
    assert!(!printed.contains("447700900123"), "the caller's number was printed");
}

#[test]
fn sip_flags_that_cannot_work_are_refused_before_anything_changes() {
    let dir = tempfile::tempdir().unwrap();
    // The demo lets loopback call in; elsewhere the trunk's sources must be named.
    let cases: [(&[&str], &str); 4] = [
        (&["--demo", "--telephony", "none", "--sip-listen", "127.0.0.1:0"], "needs a dialer"),
        (&["--demo", "--telephony", "sip"], "needs --sip-listen"),
        (&["--demo", "--sip-listen", "0.0.0.0:0"], "--media-ip is needed"),
        (&["--demo", "--sip-listen", "127.0.0.1:0", "--rtp-ports", "40000-30000"], "low-high"),
    ];
    for (flags, said) in cases {
        let output = trustline(dir.path(), &["serve", "--listen", "127.0.0.1:0"]).args(flags).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains(said), "{flags:?}: {stderr}");
        assert!(!dir.path().join("trustline-data").exists(), "{flags:?} created the data directory");
    }
}
