//! RTP packets (RFC 3550) as the relay reads and writes them, and the
//! telephone-event payload (RFC 4733) that carries keys. Outside input:
//! every length is checked before it is used.

/// The fixed header.
const HEADER: usize = 12;

/// One RTP packet, borrowed from the datagram it came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    pub marker: bool,
    pub payload_type: u8,
    pub sequence: u16,
    pub timestamp: u32,
    pub ssrc: u32,
    pub payload: &'a [u8],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    #[error("an RTP packet is at least 12 bytes")]
    TooShort,
    #[error("only RTP version 2 is carried")]
    Version,
    #[error("the RTP header's lists or padding run past the packet")]
    Truncated,
}

impl<'a> RtpPacket<'a> {
    pub fn parse(datagram: &'a [u8]) -> Result<Self, RtpError> {
        let start = header_length(datagram)?;
        let header: &[u8; HEADER] = datagram.first_chunk().ok_or(RtpError::TooShort)?;
        let [first, second, s0, s1, t0, t1, t2, t3, i0, i1, i2, i3] = *header;
        let mut end = datagram.len();
        if first & 0x20 != 0 {
            let padding = usize::from(*datagram.last().ok_or(RtpError::Truncated)?);
            end = end.checked_sub(padding).ok_or(RtpError::Truncated)?;
        }
        let payload = datagram.get(start..end).ok_or(RtpError::Truncated)?;
        Ok(Self {
            marker: second & 0x80 != 0,
            payload_type: second & 0x7f,
            sequence: u16::from_be_bytes([s0, s1]),
            timestamp: u32::from_be_bytes([t0, t1, t2, t3]),
            ssrc: u32::from_be_bytes([i0, i1, i2, i3]),
            payload,
        })
    }

    /// The datagram: a plain version-2 header (no CSRC, extension or
    /// padding) and the payload.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut datagram = Vec::with_capacity(HEADER + self.payload.len());
        datagram.push(0x80);
        datagram.push(u8::from(self.marker) << 7 | (self.payload_type & 0x7f));
        datagram.extend_from_slice(&self.sequence.to_be_bytes());
        datagram.extend_from_slice(&self.timestamp.to_be_bytes());
        datagram.extend_from_slice(&self.ssrc.to_be_bytes());
        datagram.extend_from_slice(self.payload);
        datagram
    }
}

/// How long a version-2 RTP packet's header is, with its CSRC list and
/// extension: where its payload (what SRTP encrypts) starts.
pub(crate) fn header_length(datagram: &[u8]) -> Result<usize, RtpError> {
    let first = *datagram.first().ok_or(RtpError::TooShort)?;
    if datagram.len() < HEADER {
        return Err(RtpError::TooShort);
    }
    if first >> 6 != 2 {
        return Err(RtpError::Version);
    }
    let mut start = HEADER + 4 * usize::from(first & 0x0f);
    if first & 0x10 != 0 {
        let words: &[u8; 2] = datagram.get(start + 2..).and_then(<[u8]>::first_chunk).ok_or(RtpError::Truncated)?;
        start += 4 + 4 * usize::from(u16::from_be_bytes(*words));
    }
    if start > datagram.len() {
        return Err(RtpError::Truncated);
    }
    Ok(start)
}

/// A telephone event (RFC 4733 §2.3): which key, whether this packet ends
/// it, and how long it has lasted in timestamp units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyEvent {
    pub key: char,
    pub end: bool,
    pub duration: u16,
}

/// The keys in RFC 4733's event code order: 0-9, *, #, A-D.
const KEYS: [char; 16] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'];
/// Volume (dBm0 below zero) our events are sent at.
const VOLUME: u8 = 10;

impl KeyEvent {
    /// `None` for events that are not keys (tones, flash) or a payload of
    /// the wrong size.
    pub fn parse(payload: &[u8]) -> Option<Self> {
        let [code, flags, high, low] = payload.get(..4)?.try_into().ok()?;
        let key = *KEYS.get(usize::from(code))?;
        Some(Self { key, end: flags & 0x80 != 0, duration: u16::from_be_bytes([high, low]) })
    }

    pub fn to_bytes(self) -> Option<[u8; 4]> {
        let code = KEYS.iter().position(|k| *k == self.key)?;
        let [high, low] = self.duration.to_be_bytes();
        Some([code as u8, u8::from(self.end) << 7 | VOLUME, high, low])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_packet_reads_back_as_written() {
        let payload = [0xffu8; 160];
        let packet = RtpPacket { marker: true, payload_type: 0, sequence: 65_535, timestamp: 1 << 31, ssrc: 7, payload: &payload };
        assert_eq!(RtpPacket::parse(&packet.to_bytes()), Ok(packet));
    }

    #[test]
    fn csrc_extension_and_padding_are_skipped_and_bad_lengths_refused() {
        // Two CSRCs, a one-word extension, three bytes of padding.
        let mut datagram = vec![0xb2, 8, 0, 1, 0, 0, 0, 160, 0, 0, 0, 9];
        datagram.extend_from_slice(&[1, 1, 1, 1, 2, 2, 2, 2]);
        datagram.extend_from_slice(&[0xbe, 0xde, 0, 1, 9, 9, 9, 9]);
        datagram.extend_from_slice(&[0x55, 0x55, 0, 0, 3]);
        let packet = RtpPacket::parse(&datagram).unwrap();
        assert_eq!((packet.payload_type, packet.payload), (8, &[0x55, 0x55][..]));
        assert_eq!(RtpPacket::parse(&datagram[..11]), Err(RtpError::TooShort));
        assert_eq!(RtpPacket::parse(&datagram[..20]), Err(RtpError::Truncated));
        let mut version_one = datagram.clone();
        version_one[0] = 0x40;
        assert_eq!(RtpPacket::parse(&version_one), Err(RtpError::Version));
        let mut all_padding = vec![0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        all_padding.push(200);
        assert_eq!(RtpPacket::parse(&all_padding), Err(RtpError::Truncated));
    }

    #[test]
    fn key_events_name_their_key() {
        for key in KEYS {
            let event = KeyEvent { key, end: true, duration: 800 };
            assert_eq!(KeyEvent::parse(&event.to_bytes().unwrap()), Some(event));
        }
        assert_eq!(KeyEvent::parse(&[16, 0x80, 0, 160]), None, "flash is not a key");
        assert_eq!(KeyEvent::parse(&[1, 0x80]), None);
        assert_eq!(KeyEvent { key: 'x', end: false, duration: 0 }.to_bytes(), None);
    }

    proptest! {
        #[test]
        fn any_datagram_is_read_or_refused_without_panic(datagram in proptest::collection::vec(any::<u8>(), 0..300)) {
            if let Ok(packet) = RtpPacket::parse(&datagram) {
                prop_assert!(packet.payload.len() <= datagram.len() - 12);
            }
            let _ = KeyEvent::parse(&datagram);
        }
    }
}
