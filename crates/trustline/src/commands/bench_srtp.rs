//! What SRTP costs a call's audio: one G.711 packet (20 ms, a 12-byte RTP
//! header and 160 bytes of audio) protected and then unprotected, in order,
//! on one core, for each suite the edge speaks; and from that, how many
//! calls with one SRTP leg (50 packets a second each way) one core
//! encrypts and decrypts.

use std::time::Instant;
use trustline_sip::{MasterKey, SrtpReceiver, SrtpSender, SrtpSuite};

/// An RTP header and 20 ms of G.711.
const PACKET_BYTES: usize = 172;
/// Packets a second, each way, of one G.711 call.
const PACKETS_PER_SECOND: f64 = 50.0;

#[derive(serde::Serialize)]
struct SuiteFigures {
    suite: &'static str,
    protect_ns: f64,
    unprotect_ns: f64,
    /// Calls whose SRTP leg one core keeps up with (both directions).
    calls_per_core: f64,
}

pub fn run(packets: u32, json: bool) -> anyhow::Result<()> {
    let mut figures = Vec::new();
    for suite in [SrtpSuite::AesCm128HmacSha1_80, SrtpSuite::AesCm128HmacSha1_32] {
        figures.push(measure(suite, packets)?);
    }
    if json {
        println!("{}", serde_json::json!({ "packets": packets, "packet_bytes": PACKET_BYTES, "suites": figures }));
        return Ok(());
    }
    for f in &figures {
        println!(
            "{}: protect {:.0} ns, unprotect {:.0} ns per {PACKET_BYTES}-byte packet; {:.0} calls' SRTP legs per core",
            f.suite, f.protect_ns, f.unprotect_ns, f.calls_per_core
        );
    }
    Ok(())
}

fn measure(suite: SrtpSuite, packets: u32) -> anyhow::Result<SuiteFigures> {
    let key = MasterKey::random();
    let (mut sender, mut receiver) = (SrtpSender::new(suite, &key), SrtpReceiver::new(suite, &key));
    let plain: Vec<Vec<u8>> = (0..packets).map(packet).collect();
    let started = Instant::now();
    let protected: Vec<Vec<u8>> = plain.into_iter().map(|p| sender.protect(p)).collect();
    let protecting = started.elapsed();
    let started = Instant::now();
    let mut read = 0usize;
    for datagram in &protected {
        read += receiver.unprotect(datagram).map_err(|e| anyhow::anyhow!("a packet this side protected did not read back: {e}"))?.len();
    }
    let unprotecting = started.elapsed();
    anyhow::ensure!(read == packets as usize * PACKET_BYTES, "every packet reads back whole");
    let per = |elapsed: std::time::Duration| elapsed.as_secs_f64() * 1e9 / f64::from(packets.max(1));
    let (protect_ns, unprotect_ns) = (per(protecting), per(unprotecting));
    let calls_per_core = 1e9 / ((protect_ns + unprotect_ns) * PACKETS_PER_SECOND);
    Ok(SuiteFigures { suite: suite.name(), protect_ns, unprotect_ns, calls_per_core })
}

/// The `n`th packet of a stream: sequence numbers wrap as a call's do.
fn packet(n: u32) -> Vec<u8> {
    let sequence = (n & 0xffff) as u16;
    let timestamp = n.wrapping_mul(160);
    let mut packet = vec![0x80, 0x00];
    packet.extend_from_slice(&sequence.to_be_bytes());
    packet.extend_from_slice(&timestamp.to_be_bytes());
    packet.extend_from_slice(&0x5eed_cafe_u32.to_be_bytes());
    packet.extend(std::iter::repeat_n(0xd5, 160));
    packet
}
