//! The secret this installation shares with its TURN relay (coturn's
//! `use-auth-secret`): from it come short-lived relay passwords that the
//! relay checks on its own, so none is stored and none needs revoking; each
//! names its expiry in its username.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::{Digest, Sha1};
use zeroize::Zeroizing;

/// HMAC's block size for SHA-1.
const BLOCK: usize = 64;

pub struct RelaySecret(Zeroizing<Vec<u8>>);

impl RelaySecret {
    /// The secret as written in the relay's configuration; surrounding
    /// whitespace (a file's final newline) is not part of it. `None` when
    /// nothing is left.
    pub fn from_text(text: &str) -> Option<Self> {
        let secret = text.trim();
        (!secret.is_empty()).then(|| Self(Zeroizing::new(secret.as_bytes().to_vec())))
    }

    /// The password for `username` (the TURN REST convention: base64 of
    /// HMAC-SHA1 of the username under the shared secret).
    pub fn password_for(&self, username: &str) -> String {
        // HMAC hashes keys longer than a block and zero-pads the rest;
        // doing it here keeps the constructor infallible.
        let hashed;
        let key: &[u8] = if self.0.len() > BLOCK {
            hashed = Zeroizing::new(Sha1::digest(self.0.as_slice()).to_vec());
            hashed.as_slice()
        } else {
            self.0.as_slice()
        };
        let mut block = Zeroizing::new([0u8; BLOCK]);
        block.iter_mut().zip(key).for_each(|(b, k)| *b = *k);
        let mut mac = <Hmac<Sha1> as KeyInit>::new(&(*block).into());
        mac.update(username.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for RelaySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RelaySecret(redacted)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed with Python's hmac module.
    #[test]
    fn passwords_match_an_independent_hmac_sha1() {
        let secret = RelaySecret::from_text("north-wind-relay-secret\n").unwrap();
        assert_eq!(secret.password_for("1796659200:desk-7"), "YRt1TmA9Mma3Szq0lMftYuDMDJw=");
        let long = RelaySecret::from_text(&"k".repeat(100)).unwrap();
        assert_eq!(long.password_for("1796659200:desk-7"), "MKBvtREgi7znu2CYgiFkvUse5tQ=");
    }

    #[test]
    fn an_empty_secret_is_refused_and_none_is_printed() {
        assert!(RelaySecret::from_text(" \n").is_none());
        let secret = RelaySecret::from_text("north-wind-relay-secret").unwrap();
        assert!(!format!("{secret:?}").contains("north"));
    }
}
