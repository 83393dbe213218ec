//! One browser's session as negotiated: its offer answered ICE-lite with
//! G.711 audio only, and the datagrams (STUN, DTLS, SRTP) it takes. The
//! service drives these; fuzzing reaches every parser of outside input
//! through them.

use crate::error::SoftphoneError;
use crate::law::Law;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use str0m::change::SdpOffer;
use str0m::config::CryptoProvider;
use str0m::media::Mid;
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Input, Rtc, RtcConfig};

/// The largest offer taken; a browser's audio offer is about 4 KiB.
pub const MAX_OFFER_BYTES: usize = 64 * 1024;

pub struct DeskPeer {
    pub(crate) rtc: Rtc,
    pub(crate) audio: Mid,
    pub(crate) laws: Vec<Law>,
    /// Where the browser reaches this side: the destination of what it sends.
    at: SocketAddr,
    answer: String,
    /// This side's ICE username fragment: the browser's checks name it.
    ufrag: String,
}

fn crypto() -> Arc<CryptoProvider> {
    static CRYPTO: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    CRYPTO.get_or_init(|| Arc::new(str0m::crypto::from_feature_flags())).clone()
}

impl DeskPeer {
    /// Answers a browser's SDP `offer` for a session it reaches at `at`.
    pub fn answer_offer(offer: &str, at: SocketAddr, now: Instant) -> Result<Self, SoftphoneError> {
        if offer.len() > MAX_OFFER_BYTES {
            return Err(SoftphoneError::BadOffer(format!("longer than {MAX_OFFER_BYTES} bytes")));
        }
        let offer = SdpOffer::from_sdp_string(offer).map_err(|e| SoftphoneError::BadOffer(e.to_string()))?;
        let candidate = Candidate::host(at, "udp").map_err(|e| SoftphoneError::Bind(std::io::Error::other(e.to_string())))?;
        let mut rtc = RtcConfig::new()
            .set_crypto_provider(crypto())
            .set_ice_lite(true)
            .clear_codecs()
            .enable_pcmu(true, false)
            .enable_pcma(true, false)
            .build(now);
        rtc.add_local_candidate(candidate);
        let answer = rtc.sdp_api().accept_offer(offer).map_err(|e| SoftphoneError::BadOffer(e.to_string()))?.to_sdp_string();
        // Media events come only once DTLS is up; the answer already says which line is audio.
        let audio = answered_audio(&answer).ok_or(SoftphoneError::NoAudio)?;
        let laws: Vec<Law> = rtc
            .writer(audio)
            .map(|writer| writer.payload_params().filter_map(|params| Law::of_codec(params.spec().codec)).collect())
            .unwrap_or_default();
        if laws.is_empty() {
            return Err(SoftphoneError::NoAudio);
        }
        let ufrag = rtc.direct_api().local_ice_credentials().ufrag;
        Ok(Self { rtc, audio, laws, at, answer, ufrag })
    }

    /// This side's SDP answer.
    pub fn answer(&self) -> &str {
        &self.answer
    }

    /// The ICE username fragment the answer gave the browser.
    pub fn ufrag(&self) -> &str {
        &self.ufrag
    }

    /// Whether `datagram` from `source` belongs to this session.
    pub fn accepts(&self, datagram: &[u8], source: SocketAddr, now: Instant) -> bool {
        self.input(datagram, source, now).is_some_and(|input| self.rtc.accepts(&input))
    }

    /// Takes `datagram` from `source`; `false` if the session refuses it.
    pub fn take(&mut self, datagram: &[u8], source: SocketAddr, now: Instant) -> bool {
        match self.input(datagram, source, now) {
            Some(input) => self.rtc.handle_input(input).is_ok(),
            None => false,
        }
    }

    fn input<'a>(&self, datagram: &'a [u8], source: SocketAddr, now: Instant) -> Option<Input<'a>> {
        let contents = datagram.try_into().ok()?;
        Some(Input::Receive(now, Receive { proto: Protocol::Udp, source, destination: self.at, contents }))
    }
}

/// The media id of the audio line an SDP answer takes (a rejected line has port 0).
fn answered_audio(answer: &str) -> Option<Mid> {
    let mut in_audio = false;
    for line in answer.lines() {
        if let Some(media) = line.strip_prefix("m=") {
            let mut fields = media.split(' ');
            in_audio = fields.next() == Some("audio") && fields.next().is_some_and(|port| port != "0");
        } else if in_audio && let Some(mid) = line.strip_prefix("a=mid:") {
            return Some(Mid::from(mid.trim()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{DeskPeer, answered_audio};
    use crate::law::Law;
    use std::time::Instant;

    const CHROMIUM: &str = include_str!("../tests/offers/chromium.sdp");

    #[test]
    fn a_chromium_offer_is_answered_ice_lite_with_g711_only() {
        let at = "192.0.2.1:3478".parse().unwrap();
        let peer = DeskPeer::answer_offer(CHROMIUM, at, Instant::now()).unwrap();
        assert_eq!(peer.laws, [Law::Ulaw, Law::Alaw]);
        let answer = peer.answer();
        assert!(answer.contains("a=ice-lite"), "{answer}");
        assert!(answer.contains("a=candidate:") && answer.contains("192.0.2.1 3478 typ host"), "{answer}");
        let formats = answer.lines().find(|l| l.starts_with("m=audio")).unwrap();
        assert!(formats.ends_with("SAVPF 0 8"), "G.711 only, µ-law first: {formats}");
        assert!(!answer.to_ascii_lowercase().contains("opus"), "{answer}");
        assert!(answer.contains(&format!("a=ice-ufrag:{}\r\n", peer.ufrag())), "{answer}");
    }

    #[test]
    fn a_datagram_from_a_stranger_is_not_the_session_s() {
        let at = "192.0.2.1:3478".parse().unwrap();
        let now = Instant::now();
        let mut peer = DeskPeer::answer_offer(CHROMIUM, at, now).unwrap();
        let stranger = "198.51.100.9:40000".parse().unwrap();
        // An RTP-looking packet and a STUN binding request for another session's name.
        let rtp = [0x80u8, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff];
        assert!(!peer.accepts(&rtp, stranger, now));
        let mut stun = vec![0x00, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42];
        stun.extend_from_slice(&[7; 12]);
        stun.extend_from_slice(&[0x00, 0x06, 0x00, 0x08]);
        stun.extend_from_slice(b"nope:abc");
        assert!(!peer.accepts(&stun, stranger, now));
        assert!(!peer.take(&[], stranger, now), "an empty datagram is refused");
    }

    #[test]
    fn the_answered_audio_line_is_the_first_taken_one() {
        let answer = "v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\nm=audio 0 UDP/TLS/RTP/SAVPF 0\r\na=mid:1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:2\r\n";
        assert_eq!(answered_audio(answer).map(|mid| mid.to_string()), Some("2".to_owned()));
        assert_eq!(answered_audio("v=0\r\nm=audio 0 RTP/AVP 0\r\na=mid:0\r\n"), None);
        assert_eq!(answered_audio("a=mid:0\r\n"), None);
    }
}
