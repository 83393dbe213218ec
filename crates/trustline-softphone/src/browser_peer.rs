//! A stand-in for an agent's browser: a WebRTC peer (str0m, full ICE,
//! DTLS-SRTP) that offers one audio line, speaks a G.711 frame every 20 ms
//! once connected and reports what it hears. The softphone service's
//! tests and the desks benchmark drive the service with it, as Chromium
//! would.

use crate::error::SoftphoneError;
use crate::law::Law;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc, RtcConfig};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// What a browser peer hears: the law and the payload of each packet, with
/// when it arrived.
pub type Hearing = mpsc::UnboundedSender<(Law, Vec<u8>, Instant)>;

pub struct BrowserPeer {
    rtc: Rtc,
    mid: Mid,
    pending: Option<SdpPendingOffer>,
    socket: UdpSocket,
    /// Where the frames it speaks are counted, if anywhere.
    spoken: Option<Arc<AtomicU64>>,
}

impl BrowserPeer {
    /// A peer on its own socket at `at` (port 0: any), and its offer: Opus
    /// first, then both G.711 laws, as Chromium offers.
    pub async fn offer(at: SocketAddr) -> Result<(Self, String), SoftphoneError> {
        let socket = UdpSocket::bind(at).await.map_err(SoftphoneError::Bind)?;
        let local = socket.local_addr().map_err(SoftphoneError::Bind)?;
        let mut rtc = RtcConfig::new()
            .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()))
            .clear_codecs()
            .enable_opus(true, false)
            .enable_pcmu(true, false)
            .enable_pcma(true, false)
            .build(Instant::now());
        let candidate = Candidate::host(local, "udp").map_err(|e| SoftphoneError::BadOffer(e.to_string()))?;
        rtc.add_local_candidate(candidate);
        let mut change = rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().ok_or_else(|| SoftphoneError::BadOffer("nothing to offer".into()))?;
        Ok((Self { rtc, mid, pending: Some(pending), socket, spoken: None }, offer.to_sdp_string()))
    }

    /// Counts each frame the peer speaks on `spoken`.
    pub fn counting_spoken(mut self, spoken: Arc<AtomicU64>) -> Self {
        self.spoken = Some(spoken);
        self
    }

    /// Takes the service's answer to the offer.
    pub fn accept(&mut self, answer: &str) -> Result<(), SoftphoneError> {
        let answer = SdpAnswer::from_sdp_string(answer).map_err(|e| SoftphoneError::BadOffer(e.to_string()))?;
        let pending = self.pending.take().ok_or_else(|| SoftphoneError::BadOffer("answered twice".into()))?;
        self.rtc.sdp_api().accept_answer(pending, answer).map_err(|e| SoftphoneError::BadOffer(e.to_string()))
    }

    /// Runs the peer until `speak_for` has passed (or its connection
    /// fails): once connected it speaks `say` in PCMU every 20 ms, and
    /// reports each packet it hears on `heard`.
    pub async fn run(mut self, say: Vec<u8>, heard: Hearing, speak_for: Duration) {
        let Ok(local) = self.socket.local_addr() else { return };
        let until = Instant::now() + speak_for;
        let (mut connected, mut next_frame, mut sent) = (false, Instant::now(), 0u64);
        let mut buffer = vec![0u8; 2048];
        while Instant::now() < until {
            let wake = loop {
                match self.rtc.poll_output() {
                    Ok(Output::Timeout(at)) => break at,
                    Ok(Output::Transmit(t)) => {
                        let _ = self.socket.send_to(&t.contents, t.destination).await;
                    }
                    Ok(Output::Event(Event::Connected)) => connected = true,
                    Ok(Output::Event(Event::MediaData(data))) => {
                        let law = match data.params.spec().codec {
                            Codec::PCMU => Law::Ulaw,
                            Codec::PCMA => Law::Alaw,
                            _ => continue,
                        };
                        let _ = heard.send((law, data.data.to_vec(), Instant::now()));
                    }
                    Ok(Output::Event(_)) => {}
                    Err(_) => return,
                }
            };
            let wake = if connected { wake.min(next_frame) } else { wake };
            let input = tokio::select! {
                received = self.socket.recv_from(&mut buffer) => {
                    let Ok((length, source)) = received else { return };
                    let Some(contents) = buffer.get(..length).and_then(|c| c.try_into().ok()) else { continue };
                    Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination: local, contents })
                }
                () = tokio::time::sleep_until(wake.into()) => Input::Timeout(Instant::now()),
            };
            if self.rtc.handle_input(input).is_err() {
                return;
            }
            if connected && Instant::now() >= next_frame {
                next_frame += Duration::from_millis(20);
                if let Some(writer) = self.rtc.writer(self.mid) {
                    let pt = writer.payload_params().find(|p| p.spec().codec == Codec::PCMU).map(|p| p.pt());
                    if let Some(pt) = pt
                        && writer.write(pt, Instant::now(), MediaTime::new(sent, Frequency::EIGHT_KHZ), say.clone()).is_ok()
                    {
                        sent += say.len() as u64;
                        if let Some(spoken) = &self.spoken {
                            spoken.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }
        }
    }
}
