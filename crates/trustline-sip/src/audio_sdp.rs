//! The audio part of SDP (RFC 4566, offer/answer RFC 3264) as this edge
//! speaks it: G.711 only (PCMU, PCMA), so the relay never transcodes, and
//! RFC 4733 telephone events for keys. Carriers' SDP is outside input:
//! bounded, parsed line by line, and each refusal says which line and why.

use std::net::{IpAddr, SocketAddr};

/// Longest SDP read; a carrier's audio answer is a few hundred bytes.
const MAX_LEN: usize = 8 * 1024;

/// The G.711 codecs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum G711 {
    Pcmu,
    Pcma,
}

impl G711 {
    fn named(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "PCMU/8000" | "PCMU/8000/1" => Some(G711::Pcmu),
            "PCMA/8000" | "PCMA/8000/1" => Some(G711::Pcma),
            _ => None,
        }
    }
}

/// Whether each side sends audio (RFC 3264 §6.1), as the other side says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl G711 {
    /// The static RTP payload type (RFC 3551).
    pub fn payload_type(self) -> u8 {
        match self {
            G711::Pcmu => 0,
            G711::Pcma => 8,
        }
    }

    fn rtpmap(self) -> &'static str {
        match self {
            G711::Pcmu => "PCMU/8000",
            G711::Pcma => "PCMA/8000",
        }
    }
}

impl Direction {
    fn attribute(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// What an answer says to an offer with this direction (RFC 3264 §6.1).
    fn answered(self) -> Self {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        }
    }
}

/// Our offer: our RTP address, PCMU then PCMA, and telephone events.
pub fn audio_offer(rtp: SocketAddr, session_id: u64, version: u64) -> String {
    let codecs = [G711::Pcmu, G711::Pcma].map(|codec| (codec.payload_type(), codec));
    describe(rtp, (session_id, version), &codecs, Some(TELEPHONE_EVENT), Direction::SendRecv)
}

/// Our answer to `offer`: the codec it put first (under the payload type it
/// gave it), its telephone-event payload type if it has one, and the
/// mirrored direction.
pub fn audio_answer(rtp: SocketAddr, session_id: u64, version: u64, offer: &RemoteAudio) -> String {
    describe(rtp, (session_id, version), &[(offer.payload_type, offer.codec)], offer.telephone_event, offer.direction.answered())
}

fn describe(
    rtp: SocketAddr,
    (session_id, version): (u64, u64),
    codecs: &[(u8, G711)],
    telephone_event: Option<u8>,
    direction: Direction,
) -> String {
    let family = if rtp.is_ipv4() { "IP4" } else { "IP6" };
    let ip = rtp.ip();
    let mut formats: Vec<String> = codecs.iter().map(|(pt, _)| pt.to_string()).collect();
    let mut attributes: Vec<String> = codecs.iter().map(|(pt, codec)| format!("a=rtpmap:{pt} {}\r\n", codec.rtpmap())).collect();
    if let Some(pt) = telephone_event {
        formats.push(pt.to_string());
        attributes.push(format!("a=rtpmap:{pt} telephone-event/8000\r\na=fmtp:{pt} 0-16\r\n"));
    }
    format!(
        "v=0\r\no=trustline {session_id} {version} IN {family} {ip}\r\ns=-\r\nc=IN {family} {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP {formats}\r\n{attributes}a=ptime:20\r\na={direction}\r\n",
        port = rtp.port(),
        formats = formats.join(" "),
        attributes = attributes.concat(),
        direction = direction.attribute(),
    )
}

/// The payload type our offers give telephone events.
pub const TELEPHONE_EVENT: u8 = 101;

/// What the other side's SDP says about its audio.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemoteAudio {
    /// Where to send RTP. Port 0 means the stream is refused.
    pub rtp: SocketAddr,
    /// The first G.711 codec the other side lists.
    pub codec: G711,
    /// The payload type it gives that codec: 0 or 8, or a dynamic one it named.
    pub payload_type: u8,
    /// The payload type it gives telephone events, if it takes them.
    pub telephone_event: Option<u8>,
    pub direction: Direction,
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    #[error("the SDP is longer than {MAX_LEN} bytes")]
    TooLong,
    #[error("SDP line {line}: {why}")]
    Malformed { line: usize, why: &'static str },
    #[error("the SDP has no audio stream")]
    NoAudio,
    #[error("the SDP's audio stream has no connection address")]
    NoAddress,
    #[error("the SDP's audio stream offers neither PCMU nor PCMA (only G.711 is carried)")]
    NoCommonCodec,
}

impl RemoteAudio {
    /// The audio a SIP message's body describes, if it is SDP with audio
    /// this edge can carry.
    pub(crate) fn in_body(body: &[u8]) -> Option<Self> {
        std::str::from_utf8(body).ok().and_then(|sdp| Self::parse(sdp).ok())
    }

    /// Reads the first audio stream of `sdp`.
    pub fn parse(sdp: &str) -> Result<Self, SdpError> {
        if sdp.len() > MAX_LEN {
            return Err(SdpError::TooLong);
        }
        let mut session_address = None;
        let mut audio: Option<AudioSection> = None;
        let mut in_other_media = false;
        for (index, raw) in sdp.lines().enumerate() {
            let line = index + 1;
            let text = raw.trim_end_matches('\r');
            if text.is_empty() {
                continue;
            }
            let (kind, value) = text.split_once('=').ok_or(SdpError::Malformed { line, why: "not `type=value`" })?;
            match kind {
                "m" => {
                    if audio.is_some() {
                        // Only the first audio stream is used.
                        break;
                    }
                    let section = AudioSection::from_media_line(value, line)?;
                    in_other_media = section.is_none();
                    audio = section;
                }
                "c" if in_other_media => {}
                "c" => {
                    let address = connection_address(value, line)?;
                    match audio.as_mut() {
                        Some(section) => section.address = Some(address),
                        None => session_address = Some(address),
                    }
                }
                "a" => {
                    if let Some(section) = audio.as_mut() {
                        section.attribute(value, line)?;
                    }
                }
                k if k.len() == 1 => {}
                _ => return Err(SdpError::Malformed { line, why: "the type is not one letter" }),
            }
        }
        let section = audio.ok_or(SdpError::NoAudio)?;
        let address = section.address.or(session_address).ok_or(SdpError::NoAddress)?;
        let (payload_type, codec) = section.codec().ok_or(SdpError::NoCommonCodec)?;
        Ok(RemoteAudio {
            rtp: SocketAddr::new(address, section.port),
            codec,
            payload_type,
            telephone_event: section.telephone_event,
            direction: section.direction,
        })
    }
}

struct AudioSection {
    port: u16,
    formats: Vec<u8>,
    names: Vec<(u8, G711)>,
    telephone_event: Option<u8>,
    address: Option<IpAddr>,
    direction: Direction,
}

impl AudioSection {
    /// `None` for a stream that is not RTP audio.
    fn from_media_line(value: &str, line: usize) -> Result<Option<Self>, SdpError> {
        let mut parts = value.split_ascii_whitespace();
        let (Some(media), Some(port), Some(protocol)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SdpError::Malformed { line, why: "a media line needs media, port, protocol and formats" });
        };
        if media != "audio" || !protocol.starts_with("RTP/") {
            return Ok(None);
        }
        let port = port.split('/').next().and_then(|p| p.parse::<u16>().ok());
        let port = port.ok_or(SdpError::Malformed { line, why: "the port is not a number from 0 to 65535" })?;
        let formats = parts
            .map(|f| f.parse::<u8>().ok().filter(|pt| *pt < 128))
            .collect::<Option<Vec<u8>>>()
            .ok_or(SdpError::Malformed { line, why: "an RTP format is not a payload type from 0 to 127" })?;
        Ok(Some(Self { port, formats, names: Vec::new(), telephone_event: None, address: None, direction: Direction::SendRecv }))
    }

    fn attribute(&mut self, value: &str, line: usize) -> Result<(), SdpError> {
        match value {
            "sendrecv" => self.direction = Direction::SendRecv,
            "sendonly" => self.direction = Direction::SendOnly,
            "recvonly" => self.direction = Direction::RecvOnly,
            "inactive" => self.direction = Direction::Inactive,
            _ => {
                let Some(map) = value.strip_prefix("rtpmap:") else { return Ok(()) };
                let (pt, name) =
                    map.split_once(' ').ok_or(SdpError::Malformed { line, why: "an rtpmap needs a payload type and a name" })?;
                let pt = pt.parse::<u8>().ok().filter(|pt| *pt < 128);
                let pt = pt.ok_or(SdpError::Malformed { line, why: "an rtpmap's payload type is not from 0 to 127" })?;
                let name = name.trim();
                if let Some(codec) = G711::named(name) {
                    self.names.push((pt, codec));
                } else if name.to_ascii_lowercase().starts_with("telephone-event/8000") && self.formats.contains(&pt) {
                    self.telephone_event = Some(pt);
                }
            }
        }
        Ok(())
    }

    /// The first listed format that is G.711, by static type or by name,
    /// with its payload type.
    fn codec(&self) -> Option<(u8, G711)> {
        self.formats.iter().find_map(|pt| {
            let codec = match pt {
                0 => Some(G711::Pcmu),
                8 => Some(G711::Pcma),
                _ => self.names.iter().find(|(named, _)| named == pt).map(|(_, codec)| *codec),
            };
            codec.map(|codec| (*pt, codec))
        })
    }
}

fn connection_address(value: &str, line: usize) -> Result<IpAddr, SdpError> {
    let mut parts = value.split_ascii_whitespace();
    let (Some("IN"), Some(family @ ("IP4" | "IP6")), Some(address)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(SdpError::Malformed { line, why: "a connection line is `IN IP4 address` or `IN IP6 address`" });
    };
    // A multicast TTL or count after a slash is not for unicast calls.
    let address = address.split('/').next().unwrap_or_default();
    match (family, address.parse::<IpAddr>()) {
        ("IP4", Ok(ip @ IpAddr::V4(_))) | ("IP6", Ok(ip @ IpAddr::V6(_))) => Ok(ip),
        _ => Err(SdpError::Malformed { line, why: "the connection address is not an IP address of its family" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CARRIER: &str = "v=0\r\no=- 5 5 IN IP4 198.51.100.7\r\ns=call\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n\
        m=audio 30000 RTP/AVP 8 0 96\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-15\r\na=sendrecv\r\n";

    #[test]
    fn a_carriers_answer_is_read() {
        let audio = RemoteAudio::parse(CARRIER).unwrap();
        assert_eq!(audio.rtp, "198.51.100.7:30000".parse().unwrap());
        assert_eq!((audio.codec, audio.telephone_event, audio.direction), (G711::Pcma, Some(96), Direction::SendRecv));
    }

    #[test]
    fn our_offer_reads_back_as_pcmu_with_events() {
        let sdp = audio_offer("203.0.113.5:40000".parse().unwrap(), 1, 2);
        let audio = RemoteAudio::parse(&sdp).unwrap();
        assert_eq!(audio.rtp, "203.0.113.5:40000".parse().unwrap());
        assert_eq!((audio.codec, audio.telephone_event), (G711::Pcmu, Some(TELEPHONE_EVENT)));
        let v6 = audio_offer("[2001:db8::1]:40002".parse().unwrap(), 1, 2);
        assert!(v6.contains("c=IN IP6 2001:db8::1"), "{v6}");
        assert_eq!(RemoteAudio::parse(&v6).unwrap().rtp.port(), 40002);
    }

    #[test]
    fn an_answer_keeps_the_offers_codec_and_events_and_mirrors_its_direction() {
        let offer = RemoteAudio {
            rtp: "198.51.100.7:30000".parse().unwrap(),
            codec: G711::Pcma,
            payload_type: 8,
            telephone_event: Some(96),
            direction: Direction::SendOnly,
        };
        let answer = audio_answer("203.0.113.5:40000".parse().unwrap(), 9, 1, &offer);
        assert!(answer.contains("m=audio 40000 RTP/AVP 8 96\r\n"), "{answer}");
        let read = RemoteAudio::parse(&answer).unwrap();
        assert_eq!(read.codec, G711::Pcma);
        assert_eq!(read.telephone_event, Some(96));
        assert_eq!(read.direction, Direction::RecvOnly);
        let plain = RemoteAudio { telephone_event: None, direction: Direction::SendRecv, ..offer };
        let answer = audio_answer("203.0.113.5:40000".parse().unwrap(), 9, 2, &plain);
        assert!(!answer.contains("telephone-event"), "{answer}");
        assert_eq!(RemoteAudio::parse(&answer).unwrap().direction, Direction::SendRecv);
    }

    #[test]
    fn hold_video_and_a_media_level_address_are_understood() {
        let held = CARRIER.replace("a=sendrecv", "a=sendonly");
        assert_eq!(RemoteAudio::parse(&held).unwrap().direction, Direction::SendOnly);
        let video_first = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=video 5000 RTP/AVP 96\r\nc=IN IP4 192.0.2.9\r\n\
            m=audio 6000 RTP/AVP 0\r\nc=IN IP4 192.0.2.2\r\n";
        assert_eq!(RemoteAudio::parse(video_first).unwrap().rtp, "192.0.2.2:6000".parse().unwrap());
        let dynamic_pcmu = "c=IN IP4 192.0.2.1\r\nm=audio 6000 RTP/AVP 97\r\na=rtpmap:97 pcmu/8000\r\n";
        let dynamic = RemoteAudio::parse(dynamic_pcmu).unwrap();
        assert_eq!((dynamic.codec, dynamic.payload_type), (G711::Pcmu, 97), "named, in any case");
        let answer = audio_answer("203.0.113.5:40000".parse().unwrap(), 1, 1, &dynamic);
        assert!(answer.contains("m=audio 40000 RTP/AVP 97\r\na=rtpmap:97 PCMU/8000\r\n"), "answered under its own type: {answer}");
    }

    #[test]
    fn bad_sdp_says_which_line_and_why() {
        let opus_only = CARRIER.replace("RTP/AVP 8 0 96", "RTP/AVP 111").replace("a=rtpmap:8 PCMA/8000\r\n", "");
        assert_eq!(RemoteAudio::parse(&opus_only), Err(SdpError::NoCommonCodec));
        assert_eq!(RemoteAudio::parse("v=0\r\nm=audio 1 RTP/AVP 0\r\n"), Err(SdpError::NoAddress));
        assert_eq!(RemoteAudio::parse("v=0\r\nc=IN IP4 192.0.2.1\r\n"), Err(SdpError::NoAudio));
        assert_eq!(RemoteAudio::parse("v=0\r\nnonsense\r\n"), Err(SdpError::Malformed { line: 2, why: "not `type=value`" }));
        assert!(matches!(RemoteAudio::parse("c=IN IP4 192.0.2.1\r\nm=audio 70000 RTP/AVP 0"), Err(SdpError::Malformed { line: 2, .. })));
        assert!(matches!(RemoteAudio::parse("c=IN IP4 2001:db8::1\r\nm=audio 1 RTP/AVP 0"), Err(SdpError::Malformed { line: 1, .. })));
        assert!(matches!(RemoteAudio::parse("c=IN IP4 192.0.2.1\r\nm=audio 1 RTP/AVP 0 300"), Err(SdpError::Malformed { line: 2, .. })));
        assert_eq!(RemoteAudio::parse(&"a=x\r\n".repeat(2000)), Err(SdpError::TooLong));
    }

    proptest! {
        #[test]
        fn any_text_is_read_or_refused_without_panic(sdp in "(([vocmat]|xx)=[ -~]{0,40}\r\n){0,12}") {
            if let Ok(audio) = RemoteAudio::parse(&sdp) {
                prop_assert!(matches!(audio.codec, G711::Pcmu | G711::Pcma));
            }
        }
    }
}
