//! SRTP (RFC 3711) for a call's audio with a carrier, keyed by SDES: the
//! AES-CM-128 suites with HMAC-SHA1 tags of 80 or 32 bits, the ones every
//! carrier and phone offers. One master key per direction; the session
//! keys come from it once (key derivation rate 0). Packets in are
//! authenticated and checked against replay before anything reads them.

use aes::Aes128;
use aes::cipher::{KeyIvInit, StreamCipher};
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::rtp_packet::header_length;

pub const MASTER_KEY: usize = 16;
pub const MASTER_SALT: usize = 14;
/// Packets older than this many behind the newest are refused (RFC 3711 §3.3.2).
const REPLAY_WINDOW: u64 = 64;
const AUTH_KEY: usize = 20;

type AesCounter = ctr::Ctr128BE<Aes128>;

/// The crypto suites this side speaks (RFC 4568 §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SrtpSuite {
    AesCm128HmacSha1_80,
    AesCm128HmacSha1_32,
}

impl SrtpSuite {
    pub fn name(self) -> &'static str {
        match self {
            Self::AesCm128HmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
            Self::AesCm128HmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "AES_CM_128_HMAC_SHA1_80" => Some(Self::AesCm128HmacSha1_80),
            "AES_CM_128_HMAC_SHA1_32" => Some(Self::AesCm128HmacSha1_32),
            _ => None,
        }
    }

    fn tag_length(self) -> usize {
        match self {
            Self::AesCm128HmacSha1_80 => 10,
            Self::AesCm128HmacSha1_32 => 4,
        }
    }
}

/// A master key and salt, as SDES carries them.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterKey {
    pub key: Zeroizing<[u8; MASTER_KEY]>,
    pub salt: Zeroizing<[u8; MASTER_SALT]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// A fresh key from the operating system's generator.
    pub fn random() -> Self {
        Self { key: Zeroizing::new(rand::random()), salt: Zeroizing::new(rand::random()) }
    }

    /// Key then salt, as the `inline:` parameter encodes them.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(MASTER_KEY + MASTER_SALT));
        bytes.extend_from_slice(&*self.key);
        bytes.extend_from_slice(&*self.salt);
        bytes
    }

    /// `None` unless exactly key then salt.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (key, salt) = bytes.split_first_chunk::<MASTER_KEY>()?;
        let salt: &[u8; MASTER_SALT] = salt.try_into().ok()?;
        Some(Self { key: Zeroizing::new(*key), salt: Zeroizing::new(*salt) })
    }

    /// Fills `out` with the session key labelled `label` (RFC 3711 §4.3,
    /// key derivation rate 0).
    fn derive(&self, label: u8, out: &mut [u8]) {
        let mut iv = [0u8; 16];
        iv[..MASTER_SALT].copy_from_slice(&*self.salt);
        iv[7] ^= label;
        AesCounter::new((&*self.key).into(), (&iv).into()).apply_keystream(out);
    }

    /// The session keys for RTP: cipher (label 0), authentication (1), salt (2).
    fn session(&self) -> SessionKeys {
        let mut cipher = Zeroizing::new([0u8; MASTER_KEY]);
        let mut salt = Zeroizing::new([0u8; MASTER_SALT]);
        // HMAC pads a short key with zeros to its block: the same key, keyed once here.
        let mut auth = Zeroizing::new([0u8; 64]);
        self.derive(0, &mut *cipher);
        if let Some(key) = auth.get_mut(..AUTH_KEY) {
            self.derive(1, key);
        }
        self.derive(2, &mut *salt);
        SessionKeys { cipher, salt, auth: <Hmac<Sha1> as KeyInit>::new(&(*auth).into()) }
    }
}

struct SessionKeys {
    cipher: Zeroizing<[u8; MASTER_KEY]>,
    salt: Zeroizing<[u8; MASTER_SALT]>,
    auth: Hmac<Sha1>,
}

impl SessionKeys {
    /// Encrypts or decrypts (the same operation) `payload` of packet `index` from `ssrc`.
    fn apply(&self, ssrc: u32, index: u64, payload: &mut [u8]) {
        let mut iv = [0u8; 16];
        iv[..MASTER_SALT].copy_from_slice(&*self.salt);
        for (byte, ssrc_byte) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
            *byte ^= ssrc_byte;
        }
        for (byte, index_byte) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
            *byte ^= index_byte;
        }
        AesCounter::new((&*self.cipher).into(), (&iv).into()).apply_keystream(payload);
    }

    /// The full HMAC-SHA1 of the packet and its rollover counter.
    fn tag(&self, packet: &[u8], rollover: u32) -> [u8; 20] {
        let mut mac = self.auth.clone();
        mac.update(packet);
        mac.update(&rollover.to_be_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SrtpError {
    #[error("the packet is too short for an RTP header and an authentication tag")]
    TooShort,
    #[error("the packet's authentication tag is wrong")]
    Forged,
    #[error("the packet was already received, or is too old to tell")]
    Replayed,
}

/// What one direction of a call needs to protect the packets it sends.
pub struct SrtpSender {
    suite: SrtpSuite,
    keys: SessionKeys,
    rollover: u32,
    last_sequence: Option<u16>,
}

impl SrtpSender {
    pub fn new(suite: SrtpSuite, master: &MasterKey) -> Self {
        Self { suite, keys: master.session(), rollover: 0, last_sequence: None }
    }

    /// `packet` (an RTP packet this side made) encrypted and tagged.
    pub fn protect(&mut self, mut packet: Vec<u8>) -> Vec<u8> {
        let Ok(header) = header_length(&packet) else { return packet };
        let (sequence, ssrc) = sequence_and_ssrc(&packet);
        if self.last_sequence.is_some_and(|last| sequence < last && last - sequence > 0x8000) {
            self.rollover = self.rollover.wrapping_add(1);
        }
        self.last_sequence = Some(sequence);
        let index = u64::from(self.rollover) << 16 | u64::from(sequence);
        if let Some(payload) = packet.get_mut(header..) {
            self.keys.apply(ssrc, index, payload);
        }
        let tag = self.keys.tag(&packet, self.rollover);
        packet.extend_from_slice(tag.get(..self.suite.tag_length()).unwrap_or_default());
        packet
    }
}

/// What one direction of a call needs to read the packets it receives.
pub struct SrtpReceiver {
    suite: SrtpSuite,
    keys: SessionKeys,
    /// The newest index taken, and which of the 64 before it were.
    newest: Option<u64>,
    seen: u64,
}

impl SrtpReceiver {
    pub fn new(suite: SrtpSuite, master: &MasterKey) -> Self {
        Self { suite, keys: master.session(), newest: None, seen: 0 }
    }

    /// The RTP packet inside `datagram`, once its tag and index are good.
    pub fn unprotect(&mut self, datagram: &[u8]) -> Result<Vec<u8>, SrtpError> {
        let tag_length = self.suite.tag_length();
        let body_length = datagram.len().checked_sub(tag_length).ok_or(SrtpError::TooShort)?;
        let (body, tag) = datagram.split_at(body_length);
        let header = header_length(body).map_err(|_| SrtpError::TooShort)?;
        let (sequence, ssrc) = sequence_and_ssrc(body);
        let index = self.estimate(sequence);
        let rollover = u32::try_from(index >> 16).unwrap_or(u32::MAX);
        let expected = self.keys.tag(body, rollover);
        let matches = expected.get(..tag_length).is_some_and(|expected| bool::from(expected.ct_eq(tag)));
        if !matches {
            return Err(SrtpError::Forged);
        }
        self.accept(index)?;
        let mut packet = body.to_vec();
        if let Some(payload) = packet.get_mut(header..) {
            self.keys.apply(ssrc, index, payload);
        }
        Ok(packet)
    }

    /// The packet's full index from its sequence number (RFC 3711 §3.3.1).
    fn estimate(&self, sequence: u16) -> u64 {
        let Some(newest) = self.newest else { return u64::from(sequence) };
        let rollover = newest >> 16;
        let last = newest & 0xffff;
        let sequence = u64::from(sequence);
        let guess = if last < 0x8000 {
            if sequence > last + 0x8000 { rollover.wrapping_sub(1) } else { rollover }
        } else if last - 0x8000 > sequence {
            rollover + 1
        } else {
            rollover
        };
        (guess & 0xffff_ffff) << 16 | sequence
    }

    /// Records `index` as taken unless it was already or is too old.
    fn accept(&mut self, index: u64) -> Result<(), SrtpError> {
        let Some(newest) = self.newest else {
            self.newest = Some(index);
            self.seen = 1;
            return Ok(());
        };
        if index > newest {
            let ahead = index - newest;
            self.seen = if ahead >= REPLAY_WINDOW { 1 } else { self.seen << ahead | 1 };
            self.newest = Some(index);
            return Ok(());
        }
        let behind = newest - index;
        if behind >= REPLAY_WINDOW || self.seen & (1 << behind) != 0 {
            return Err(SrtpError::Replayed);
        }
        self.seen |= 1 << behind;
        Ok(())
    }
}

fn sequence_and_ssrc(packet: &[u8]) -> (u16, u32) {
    let sequence = packet.get(2..4).and_then(|b| b.try_into().ok()).map_or(0, u16::from_be_bytes);
    let ssrc = packet.get(8..12).and_then(|b| b.try_into().ok()).map_or(0, u32::from_be_bytes);
    (sequence, ssrc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp_packet::RtpPacket;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    fn rfc_master() -> MasterKey {
        let mut bytes = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
        bytes.extend(hex("0EC675AD498AFEEBB6960B3AABE6"));
        MasterKey::from_bytes(&bytes).unwrap()
    }

    #[test]
    fn session_keys_are_those_of_rfc_3711_appendix_b_3() {
        let keys = rfc_master().session();
        assert_eq!(keys.cipher.to_vec(), hex("C61E7A93744F39EE10734AFE3FF7A087"));
        assert_eq!(keys.salt.to_vec(), hex("30CBBC08863D8C85D49DB34A9AE1"));
        let mut auth = [0u8; AUTH_KEY];
        rfc_master().derive(1, &mut auth);
        assert_eq!(auth.to_vec(), hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
    }

    #[test]
    fn the_keystream_is_that_of_rfc_3711_appendix_b_2() {
        let keys = SessionKeys {
            cipher: Zeroizing::new(hex("2B7E151628AED2A6ABF7158809CF4F3C").try_into().unwrap()),
            salt: Zeroizing::new(hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD").try_into().unwrap()),
            auth: <Hmac<Sha1> as KeyInit>::new(&[0u8; 64].into()),
        };
        let mut stream = [0u8; 48];
        keys.apply(0, 0, &mut stream);
        assert_eq!(
            stream.to_vec(),
            hex("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0")
        );
    }

    fn packet(sequence: u16, payload: &[u8]) -> Vec<u8> {
        RtpPacket { marker: false, payload_type: 0, sequence, timestamp: 160 * u32::from(sequence), ssrc: 0xdead_beef, payload }.to_bytes()
    }

    #[test]
    fn a_protected_packet_reads_back_once_and_a_changed_one_never() {
        for suite in [SrtpSuite::AesCm128HmacSha1_80, SrtpSuite::AesCm128HmacSha1_32] {
            let master = MasterKey::random();
            let (mut sender, mut receiver) = (SrtpSender::new(suite, &master), SrtpReceiver::new(suite, &master));
            let plain = packet(7, &[0x55; 160]);
            let protected = sender.protect(plain.clone());
            assert_eq!(protected.len(), plain.len() + suite.tag_length());
            assert_eq!(protected[..12], plain[..12], "the header stays readable");
            assert_ne!(protected[12..172], plain[12..], "the audio does not");
            let mut forged = protected.clone();
            forged[20] ^= 1;
            assert_eq!(receiver.unprotect(&forged), Err(SrtpError::Forged));
            assert_eq!(receiver.unprotect(&protected).unwrap(), plain);
            assert_eq!(receiver.unprotect(&protected), Err(SrtpError::Replayed));
            let stranger = SrtpReceiver::new(suite, &MasterKey::random()).unprotect(&protected);
            assert_eq!(stranger, Err(SrtpError::Forged), "another key reads nothing");
            assert_eq!(receiver.unprotect(&protected[..3]), Err(SrtpError::TooShort));
        }
    }

    #[test]
    fn sequence_numbers_wrap_into_the_rollover_counter_and_late_packets_within_the_window_pass() {
        let master = MasterKey::random();
        let suite = SrtpSuite::AesCm128HmacSha1_80;
        let (mut sender, mut receiver) = (SrtpSender::new(suite, &master), SrtpReceiver::new(suite, &master));
        let mut held_back = Vec::new();
        for step in 0..200u16 {
            let sequence = 65_500u16.wrapping_add(step);
            let protected = sender.protect(packet(sequence, &[step as u8; 20]));
            if step % 10 == 3 {
                held_back.push((sequence, protected));
                continue;
            }
            let plain = receiver.unprotect(&protected).unwrap_or_else(|e| panic!("{sequence}: {e}"));
            assert_eq!(RtpPacket::parse(&plain).unwrap().payload, [step as u8; 20]);
        }
        let (recent, old): (Vec<_>, Vec<_>) = held_back.into_iter().partition(|(sequence, _)| sequence.wrapping_sub(65_500) >= 140);
        for (sequence, protected) in recent {
            assert!(receiver.unprotect(&protected).is_ok(), "{sequence} is late but within the window");
        }
        for (sequence, protected) in old {
            assert_eq!(receiver.unprotect(&protected), Err(SrtpError::Replayed), "{sequence} is too old");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_datagram_is_read_or_refused_without_panic(datagram in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let mut receiver = SrtpReceiver::new(SrtpSuite::AesCm128HmacSha1_32, &MasterKey::random());
            proptest::prop_assert!(receiver.unprotect(&datagram).is_err());
        }
    }
}
