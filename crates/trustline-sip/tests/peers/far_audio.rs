//! The far end's audio, played by the test through the socket a SIPp
//! scenario names in its SDP: it hears what the edge sends, speaks tones
//! and presses keys (RFC 4733), and measures tones by Goertzel.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::UdpSocket;
use trustline_sip::{G711, KeyEvent, RtpPacket};

/// One packet heard.
#[derive(Clone, Debug)]
pub struct Heard {
    pub from: SocketAddr,
    pub payload_type: u8,
    pub marker: bool,
    pub timestamp: u32,
    pub payload: Vec<u8>,
}

pub struct FarAudio<'a> {
    socket: &'a UdpSocket,
    ssrc: u32,
    sequence: u16,
}

impl<'a> FarAudio<'a> {
    pub fn on(socket: &'a UdpSocket) -> Self {
        Self { socket, ssrc: 0x1234_5678, sequence: 1 }
    }

    /// Every packet that arrives within `window`.
    pub async fn listen(&self, window: Duration) -> Vec<Heard> {
        let mut heard = Vec::new();
        let mut buffer = [0u8; 2048];
        let deadline = tokio::time::Instant::now() + window;
        while let Ok(Ok((length, from))) = tokio::time::timeout_at(deadline, self.socket.recv_from(&mut buffer)).await {
            if let Ok(packet) = RtpPacket::parse(&buffer[..length]) {
                heard.push(Heard {
                    from,
                    payload_type: packet.payload_type,
                    marker: packet.marker,
                    timestamp: packet.timestamp,
                    payload: packet.payload.to_vec(),
                });
            }
        }
        heard
    }

    /// Where the first RTP packet within `window` comes from, as soon as it
    /// arrives (a loaded machine may take seconds to answer a call).
    pub async fn first_source(&self, window: Duration) -> Option<SocketAddr> {
        let mut buffer = [0u8; 2048];
        let deadline = tokio::time::Instant::now() + window;
        while let Ok(Ok((length, from))) = tokio::time::timeout_at(deadline, self.socket.recv_from(&mut buffer)).await {
            if RtpPacket::parse(&buffer[..length]).is_ok() {
                return Some(from);
            }
        }
        None
    }

    /// Throws away whatever has arrived so far.
    pub async fn drain(&self) {
        let _ = self.listen(Duration::from_millis(60)).await;
    }

    /// Speaks a `frequency` tone in PCMU to `to` for `frames` × 20 ms, and
    /// returns what arrived meanwhile.
    pub async fn speak(&mut self, to: SocketAddr, frequency: f64, frames: u32) -> Vec<Heard> {
        let mut heard = Vec::new();
        for frame in 0..frames {
            let payload: Vec<u8> = (0..160)
                .map(|n| {
                    let t = f64::from(frame * 160 + n) / 8000.0;
                    G711::Pcmu.encode((8000.0 * (std::f64::consts::TAU * frequency * t).sin()) as i16)
                })
                .collect();
            self.send(to, 0, false, frame * 160, &payload).await;
            heard.extend(self.listen(Duration::from_millis(20)).await);
        }
        heard
    }

    /// Presses `key` for 100 ms as RFC 4733 events with payload type 101.
    pub async fn press(&mut self, to: SocketAddr, key: char, timestamp: u32) {
        for step in 1..=5u16 {
            let end = step == 5;
            let payload = KeyEvent { key, end, duration: step * 160 }.to_bytes().expect("a key");
            let copies = if end { 3 } else { 1 };
            for _ in 0..copies {
                self.send(to, 101, step == 1, timestamp, &payload).await;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn send(&mut self, to: SocketAddr, payload_type: u8, marker: bool, timestamp: u32, payload: &[u8]) {
        let packet = RtpPacket { marker, payload_type, sequence: self.sequence, timestamp, ssrc: self.ssrc, payload };
        self.sequence = self.sequence.wrapping_add(1);
        self.socket.send_to(&packet.to_bytes(), to).await.expect("RTP goes out");
    }
}

/// The share of the audio in `heard` (PCMU or PCMA packets from `from`)
/// that is at `frequency`, against the strongest of `others`.
pub fn tone_ratio(heard: &[Heard], from: SocketAddr, frequency: f64, others: &[f64]) -> f64 {
    samples_ratio(&samples_from(heard, from), frequency, others)
}

/// How much of the audio from `from` is made of the pure tones
/// `frequencies`: near 1 for one steady tone over the whole window, 0.5
/// for two tones a half each, far lower for speech or noise.
pub fn purity(heard: &[Heard], from: SocketAddr, frequencies: &[f64]) -> f64 {
    let samples = samples_from(heard, from);
    let energy: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    if energy == 0.0 {
        return 0.0;
    }
    let scale = samples.len() as f64 / 2.0 * energy;
    frequencies.iter().map(|f| goertzel(&samples, *f) / scale).sum()
}

pub fn samples_from(heard: &[Heard], from: SocketAddr) -> Vec<i16> {
    heard
        .iter()
        .filter(|h| h.from == from)
        .filter_map(|h| G711::of_payload_type(h.payload_type).map(|codec| (codec, &h.payload)))
        .flat_map(|(codec, payload)| payload.iter().map(move |code| codec.decode(*code)))
        .collect()
}

fn goertzel(samples: &[i16], frequency: f64) -> f64 {
    let coefficient = 2.0 * (std::f64::consts::TAU * frequency / 8000.0).cos();
    let (mut previous, mut before) = (0.0, 0.0);
    for sample in samples {
        let current = f64::from(*sample) + coefficient * previous - before;
        before = previous;
        previous = current;
    }
    previous * previous + before * before - coefficient * previous * before
}

/// `tone_ratio` for plain samples.
pub fn samples_ratio(samples: &[i16], frequency: f64, others: &[f64]) -> f64 {
    let wanted = goertzel(samples, frequency);
    let strongest_other = others.iter().map(|f| goertzel(samples, *f)).fold(1.0, f64::max);
    wanted / strongest_other
}
