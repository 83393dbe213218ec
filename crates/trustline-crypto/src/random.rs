use crate::mac::{hex, sha256};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngExt as _;
use zeroize::Zeroizing;

pub(crate) fn fill(dest: &mut [u8]) {
    rand::fill(dest);
}

pub fn random_bytes<const N: usize>() -> Zeroizing<[u8; N]> {
    let mut bytes = Zeroizing::new([0u8; N]);
    fill(bytes.as_mut());
    bytes
}

/// A bearer secret (session cookie, API token) handed to a client once. Only
/// its SHA-256 is stored, so a database leak yields nothing usable: the token
/// carries 256 bits of entropy, which makes a slow hash unnecessary.
pub struct SecretToken(Zeroizing<String>);

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(..)")
    }
}

impl SecretToken {
    /// `prefix` lets secret scanners recognise a leaked token (e.g. `tlk_`).
    pub fn generate(prefix: &str) -> Self {
        let bytes = random_bytes::<32>();
        Self(Zeroizing::new(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes.as_ref()))))
    }

    pub fn from_presented(value: &str) -> Self {
        Self(Zeroizing::new(value.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database stores and looks up.
    pub fn digest(&self) -> [u8; 32] {
        sha256(self.0.as_bytes())
    }
}

/// A generated password for first sign-in, shown once. 20 characters from a
/// 56-symbol alphabet without look-alikes is about 116 bits.
pub fn random_password() -> Zeroizing<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let mut out = Zeroizing::new(String::with_capacity(23));
    for i in 0..20 {
        if i > 0 && i % 5 == 0 {
            out.push('-');
        }
        let index = rng.random_range(0..ALPHABET.len());
        out.push(ALPHABET.get(index).map_or('x', |b| char::from(*b)));
    }
    out
}

/// A one-time MFA recovery code, `xxxxx-xxxxx` in lower-case hex (40 bits).
pub fn recovery_code() -> Zeroizing<String> {
    let bytes = random_bytes::<5>();
    let hex = Zeroizing::new(hex(bytes.as_ref()));
    Zeroizing::new(format!("{}-{}", hex.get(..5).unwrap_or_default(), hex.get(5..).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hashed() {
        let a = SecretToken::generate("tlk_");
        let b = SecretToken::generate("tlk_");
        assert!(a.expose().starts_with("tlk_"));
        assert_ne!(a.expose(), b.expose());
        assert_eq!(SecretToken::from_presented(a.expose()).digest(), a.digest());
        assert_eq!(format!("{a:?}"), "SecretToken(..)");
        assert_eq!(random_password().len(), 23);
        assert_eq!(recovery_code().len(), 11);
    }
}
