use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A keyed HMAC-SHA256 state, ready to be cloned per message.
fn keyed(key: &[u8; 32]) -> Hmac<Sha256> {
    keyed_short(key)
}

/// The same for any key of at most one block (64 bytes); longer keys are
/// cut to the block, so callers check the length first.
fn keyed_short(key: &[u8]) -> Hmac<Sha256> {
    // HMAC zero-pads keys shorter than the block, so padding here gives the
    // standard result while using the infallible constructor.
    let mut block = Zeroizing::new([0u8; 64]);
    block.iter_mut().zip(key).for_each(|(b, k)| *b = *k);
    <Hmac<Sha256> as KeyInit>::new(&(*block).into())
}

/// Lower-case hex of HMAC-SHA256 over the concatenation of `parts` under a
/// key given as text (a shared secret such as a webhook's), as any HMAC
/// library computes it; `None` for keys longer than 64 bytes.
pub fn hmac_sha256_hex(key: &[u8], parts: &[&[u8]]) -> Option<String> {
    if key.len() > 64 {
        return None;
    }
    let mut mac = keyed_short(key);
    for part in parts {
        mac.update(part);
    }
    Some(hex(&mac.finalize().into_bytes()))
}

/// HMAC-SHA256 over the concatenation of `parts` under a 32-byte key.
pub(crate) fn hmac_sha256(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A keyed MAC for values that must be comparable but not readable: the audit
/// log records `ValueMac` of sensitive values, throttling keys hide usernames.
pub struct ValueMac {
    /// Keyed once; each MAC starts from a copy, which saves hashing the key
    /// pads per message (it matters when verifying a million audit seals).
    keyed: Hmac<Sha256>,
}

impl ValueMac {
    pub fn new(key: Zeroizing<[u8; 32]>) -> Self {
        Self { keyed: keyed(&key) }
    }

    pub fn mac(&self, value: &[u8]) -> [u8; 32] {
        let mut mac = self.keyed.clone();
        mac.update(value);
        mac.finalize().into_bytes().into()
    }

    /// Lower-case hex of the MAC, for text columns and JSON.
    pub fn mac_hex(&self, value: &[u8]) -> String {
        hex(&self.mac(value))
    }

    /// Constant-time check that `tag` is the MAC of `value`.
    pub fn verify(&self, value: &[u8], tag: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        self.mac(value).ct_eq(tag).into()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Decodes hex (either case); `None` if it is not hex of whole bytes.
pub fn hex_decode(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes.chunks_exact(2).map(|pair| Some(nibble(*pair.first()?)? << 4 | nibble(*pair.get(1)?)?)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_round_trips() {
        let bytes = [0u8, 1, 0xab, 0xff];
        assert_eq!(super::hex_decode(&super::hex(&bytes)).as_deref(), Some(&bytes[..]));
        assert_eq!(super::hex_decode("ABff"), Some(vec![0xab, 0xff]));
        assert_eq!(super::hex_decode("abc"), None);
        assert_eq!(super::hex_decode("zz"), None);
    }

    use super::*;

    #[test]
    fn rfc4231_case_2_with_padded_key() {
        // RFC 4231 test case 2 uses the key "Jefe"; zero padding gives the same MAC.
        let mut key = [0u8; 32];
        key.iter_mut().zip(b"Jefe").for_each(|(k, v)| *k = *v);
        let tag = hmac_sha256(&key, &[b"what do ya want ", b"for nothing?"]);
        assert_eq!(hex(&tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        let text_key = hmac_sha256_hex(b"Jefe", &[b"what do ya want for nothing?"]);
        assert_eq!(text_key.as_deref(), Some("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
        assert_eq!(hmac_sha256_hex(&[7u8; 65], &[b"x"]), None);
    }
}
