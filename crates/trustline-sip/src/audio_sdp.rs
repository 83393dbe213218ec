//! The audio part of SDP (RFC 4566, offer/answer RFC 3264) as this edge
//! speaks it: G.711 only (PCMU, PCMA), so the relay never transcodes, and
//! RFC 4733 telephone events for keys, and SDES keys (RFC 4568) when the
//! audio is SRTP. Carriers' SDP is outside input: bounded, parsed line by
//! line, and each refusal says which line and why.

use crate::srtp::{MasterKey, SrtpSuite};
use base64::Engine;
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

/// An SDES crypto attribute (RFC 4568 §9.1): the key one side sends its
/// SRTP under, with the attribute's tag and suite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdesCrypto {
    pub tag: u32,
    pub suite: SrtpSuite,
    pub key: MasterKey,
}

impl SdesCrypto {
    fn attribute(&self) -> String {
        let inline = base64::engine::general_purpose::STANDARD.encode(&*self.key.to_bytes());
        format!("a=crypto:{} {} inline:{inline}\r\n", self.tag, self.suite.name())
    }

    /// An attribute's value after `crypto:`; `None` for one this side cannot
    /// use (another suite, several keys, a key index or session parameters).
    fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split_ascii_whitespace();
        let (tag, suite, keys) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || keys.contains(';') {
            return None;
        }
        let tag = tag.parse::<u32>().ok().filter(|tag| *tag < 1_000_000_000)?;
        let suite = SrtpSuite::from_name(suite)?;
        let mut key_parts = keys.strip_prefix("inline:")?.split('|');
        let inline = key_parts.next()?;
        // A lifetime may follow (this side rekeys with every call); a key index may not.
        if key_parts.any(|part| part.contains(':')) {
            return None;
        }
        let bytes = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.decode(inline).ok()?);
        Some(Self { tag, suite, key: MasterKey::from_bytes(&bytes)? })
    }
}

/// Our offer: our RTP address, PCMU then PCMA, and telephone events; over
/// SRTP, with `key` (AES_CM_128_HMAC_SHA1_80).
pub(crate) fn audio_offer(rtp: SocketAddr, session_id: u64, version: u64, key: Option<&MasterKey>) -> String {
    let codecs = [G711::Pcmu, G711::Pcma].map(|codec| (codec.payload_type(), codec));
    let crypto = key.map(|key| SdesCrypto { tag: 1, suite: SrtpSuite::AesCm128HmacSha1_80, key: key.clone() });
    describe(rtp, (session_id, version), &codecs, Some(TELEPHONE_EVENT), Direction::SendRecv, crypto.as_ref())
}

/// Our answer to `offer`: the codec it put first (under the payload type it
/// gave it), its telephone-event payload type if it has one, the mirrored
/// direction, and over SRTP our `key` under the offered tag and suite.
pub(crate) fn audio_answer(rtp: SocketAddr, session_id: u64, version: u64, offer: &RemoteAudio, key: &MasterKey) -> String {
    let crypto = offer.crypto.as_ref().map(|theirs| SdesCrypto { tag: theirs.tag, suite: theirs.suite, key: key.clone() });
    let codecs = [(offer.payload_type, offer.codec)];
    describe(rtp, (session_id, version), &codecs, offer.telephone_event, offer.direction.answered(), crypto.as_ref())
}

fn describe(
    rtp: SocketAddr,
    (session_id, version): (u64, u64),
    codecs: &[(u8, G711)],
    telephone_event: Option<u8>,
    direction: Direction,
    crypto: Option<&SdesCrypto>,
) -> String {
    let family = if rtp.is_ipv4() { "IP4" } else { "IP6" };
    let ip = rtp.ip();
    let mut formats: Vec<String> = codecs.iter().map(|(pt, _)| pt.to_string()).collect();
    let mut attributes: Vec<String> = codecs.iter().map(|(pt, codec)| format!("a=rtpmap:{pt} {}\r\n", codec.rtpmap())).collect();
    if let Some(pt) = telephone_event {
        formats.push(pt.to_string());
        attributes.push(format!("a=rtpmap:{pt} telephone-event/8000\r\na=fmtp:{pt} 0-16\r\n"));
    }
    let profile = if crypto.is_some() { "RTP/SAVP" } else { "RTP/AVP" };
    format!(
        "v=0\r\no=trustline {session_id} {version} IN {family} {ip}\r\ns=-\r\nc=IN {family} {ip}\r\nt=0 0\r\n\
         m=audio {port} {profile} {formats}\r\n{attributes}{crypto}a=ptime:20\r\na={direction}\r\n",
        port = rtp.port(),
        crypto = crypto.map(SdesCrypto::attribute).unwrap_or_default(),
        formats = formats.join(" "),
        attributes = attributes.concat(),
        direction = direction.attribute(),
    )
}

/// The payload type our offers give telephone events.
pub const TELEPHONE_EVENT: u8 = 101;

/// What the other side's SDP says about its audio.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    /// The SRTP key it sends under, when its audio is SRTP (RTP/SAVP).
    pub crypto: Option<SdesCrypto>,
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
    #[error("the SDP's audio stream is SRTP with no key this side can use (AES_CM_128_HMAC_SHA1_80 or _32, one inline key)")]
    NoUsableKey,
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
        let crypto = match (section.secure, section.crypto) {
            (false, _) => None,
            (true, Some(crypto)) => Some(crypto),
            (true, None) => return Err(SdpError::NoUsableKey),
        };
        Ok(RemoteAudio {
            rtp: SocketAddr::new(address, section.port),
            codec,
            payload_type,
            telephone_event: section.telephone_event,
            direction: section.direction,
            crypto,
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
    /// Whether the profile is RTP/SAVP: the audio is SRTP.
    secure: bool,
    /// The first crypto attribute this side can use.
    crypto: Option<SdesCrypto>,
}

impl AudioSection {
    /// `None` for a stream that is not RTP audio.
    fn from_media_line(value: &str, line: usize) -> Result<Option<Self>, SdpError> {
        let mut parts = value.split_ascii_whitespace();
        let (Some(media), Some(port), Some(protocol)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(SdpError::Malformed { line, why: "a media line needs media, port, protocol and formats" });
        };
        // RTP/SAVP (and its feedback form) is SRTP; any other RTP profile is plain.
        let Some(profile) = protocol.strip_prefix("RTP/").filter(|_| media == "audio") else { return Ok(None) };
        let secure = profile.starts_with('S');
        let port = port.split('/').next().and_then(|p| p.parse::<u16>().ok());
        let port = port.ok_or(SdpError::Malformed { line, why: "the port is not a number from 0 to 65535" })?;
        let formats = parts
            .map(|f| f.parse::<u8>().ok().filter(|pt| *pt < 128))
            .collect::<Option<Vec<u8>>>()
            .ok_or(SdpError::Malformed { line, why: "an RTP format is not a payload type from 0 to 127" })?;
        Ok(Some(Self {
            port,
            formats,
            names: Vec::new(),
            telephone_event: None,
            address: None,
            direction: Direction::SendRecv,
            secure,
            crypto: None,
        }))
    }

    fn attribute(&mut self, value: &str, line: usize) -> Result<(), SdpError> {
        match value {
            "sendrecv" => self.direction = Direction::SendRecv,
            "sendonly" => self.direction = Direction::SendOnly,
            "recvonly" => self.direction = Direction::RecvOnly,
            "inactive" => self.direction = Direction::Inactive,
            _ if value.starts_with("crypto:") => {
                if self.crypto.is_none() {
                    self.crypto = value.strip_prefix("crypto:").and_then(SdesCrypto::parse);
                }
            }
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
    use crate::srtp::{MasterKey, SrtpSuite};
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
        let sdp = audio_offer("203.0.113.5:40000".parse().unwrap(), 1, 2, None);
        let audio = RemoteAudio::parse(&sdp).unwrap();
        assert_eq!(audio.rtp, "203.0.113.5:40000".parse().unwrap());
        assert_eq!((audio.codec, audio.telephone_event), (G711::Pcmu, Some(TELEPHONE_EVENT)));
        let v6 = audio_offer("[2001:db8::1]:40002".parse().unwrap(), 1, 2, None);
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
            crypto: None,
        };
        let key = MasterKey::random();
        let answer = audio_answer("203.0.113.5:40000".parse().unwrap(), 9, 1, &offer, &key);
        assert!(answer.contains("m=audio 40000 RTP/AVP 8 96\r\n"), "{answer}");
        let read = RemoteAudio::parse(&answer).unwrap();
        assert_eq!(read.codec, G711::Pcma);
        assert_eq!(read.telephone_event, Some(96));
        assert_eq!(read.direction, Direction::RecvOnly);
        let plain = RemoteAudio { telephone_event: None, direction: Direction::SendRecv, ..offer };
        let answer = audio_answer("203.0.113.5:40000".parse().unwrap(), 9, 2, &plain, &key);
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
        let answer = audio_answer("203.0.113.5:40000".parse().unwrap(), 1, 1, &dynamic, &MasterKey::random());
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

    /// What baresip offers over SRTP: two suites, the first with a lifetime.
    const SECURE_OFFER: &str = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 30000 RTP/SAVP 0\r\n\
        a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:ExZodXcGN5f+GjtkNAZ6c+9Ug0X6YhdVX/8Ki3y4|2^31\r\n\
        a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:EDaVdRpn9yfJBwW9GSZX2b4thnNxR69E13/LskWB\r\n";

    #[test]
    fn an_srtp_offer_gives_its_first_usable_key_and_is_answered_under_its_tag_with_ours() {
        let offer = RemoteAudio::parse(SECURE_OFFER).unwrap();
        let theirs = offer.crypto.clone().expect("the first usable key");
        assert_eq!((theirs.tag, theirs.suite), (1, SrtpSuite::AesCm128HmacSha1_32));
        let ours = MasterKey::random();
        let answer = audio_answer("203.0.113.5:40000".parse().unwrap(), 1, 1, &offer, &ours);
        assert!(answer.contains("m=audio 40000 RTP/SAVP 0\r\n"), "{answer}");
        let read = RemoteAudio::parse(&answer).unwrap().crypto.unwrap();
        assert_eq!((read.tag, read.suite), (1, SrtpSuite::AesCm128HmacSha1_32));
        assert_eq!(read.key, ours, "the answer carries this side's own key, not the offer's");

        let offered = audio_offer("203.0.113.5:40000".parse().unwrap(), 1, 1, Some(&ours));
        let read = RemoteAudio::parse(&offered).unwrap().crypto.unwrap();
        assert_eq!((read.tag, read.suite, read.key), (1, SrtpSuite::AesCm128HmacSha1_80, ours));
        assert!(RemoteAudio::parse(CARRIER).unwrap().crypto.is_none(), "plain RTP carries no key");
    }

    #[test]
    fn an_srtp_stream_without_a_usable_key_is_refused() {
        const KEY: &str = "EDaVdRpn9yfJBwW9GSZX2b4thnNxR69E13/LskWB";
        let single = |crypto: &str| format!("v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 30000 RTP/SAVP 0\r\na=crypto:{crypto}\r\n");
        assert!(RemoteAudio::parse(&single(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY}|2^31"))).is_ok(), "a lifetime is fine");
        let unusable = [
            format!("1 AES_256_CM_HMAC_SHA1_80 inline:{KEY}"),
            "1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=".to_owned(),
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY}|2^31|1:4"),
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY} KDR=1"),
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY};inline:{KEY}"),
            format!("x AES_CM_128_HMAC_SHA1_80 inline:{KEY}"),
            "1 AES_CM_128_HMAC_SHA1_80 inline:!!!".to_owned(),
        ];
        for crypto in unusable {
            assert_eq!(RemoteAudio::parse(&single(&crypto)), Err(SdpError::NoUsableKey), "{crypto}");
        }
        let keyless = "v=0\r\nc=IN IP4 198.51.100.7\r\nm=audio 30000 RTP/SAVP 0\r\n";
        assert_eq!(RemoteAudio::parse(keyless), Err(SdpError::NoUsableKey));
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
