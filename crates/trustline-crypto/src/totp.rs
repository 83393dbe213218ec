//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s), the
//! variant every authenticator app supports.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use zeroize::Zeroizing;

/// A TOTP seed. 160 bits, as RFC 4226 recommends.
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    pub fn generate() -> Self {
        Self(Zeroizing::new(crate::random_bytes::<20>().to_vec()))
    }
    pub fn from_bytes(bytes: Zeroizing<Vec<u8>>) -> Self {
        Self(bytes)
    }
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
    /// The form typed into an authenticator app by hand.
    pub fn base32(&self) -> Zeroizing<String> {
        Zeroizing::new(crate::base32_encode(&self.0))
    }
}

pub struct Totp;

impl Totp {
    pub const STEP_SECONDS: i64 = 30;
    /// Codes from one step before or after are accepted, for clock drift.
    pub const DRIFT_STEPS: i64 = 1;

    pub fn step_at(unix_time: i64) -> i64 {
        unix_time.div_euclid(Self::STEP_SECONDS)
    }

    pub fn code(secret: &TotpSecret, step: i64) -> u32 {
        let mut mac = match <Hmac<Sha1> as KeyInit>::new_from_slice(secret.as_bytes()) {
            Ok(mac) => mac,
            Err(_) => return u32::MAX,
        };
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest.last().copied().unwrap_or_default() & 0x0f);
        let word = digest.get(offset..offset + 4).and_then(|w| <[u8; 4]>::try_from(w).ok()).map_or(0, u32::from_be_bytes);
        (word & 0x7fff_ffff) % 1_000_000
    }

    /// The step the code matches, if any, among steps later than `last_used`
    /// (a code is good once: replay of a used code is refused).
    pub fn verify(secret: &TotpSecret, code: &str, now: i64, last_used: Option<i64>) -> Option<i64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let wanted: u32 = code.parse().ok()?;
        let current = Self::step_at(now);
        let mut matched = None;
        // Check every candidate so timing does not depend on which one matched.
        for step in (current - Self::DRIFT_STEPS)..=(current + Self::DRIFT_STEPS) {
            let fresh = last_used.is_none_or(|last| step > last);
            if Self::code(secret, step) == wanted && fresh && matched.is_none() {
                matched = Some(step);
            }
        }
        matched
    }

    pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
            secret.base32().as_str(),
            issuer = percent_encode(issuer),
            account = percent_encode(account),
        ))
    }
}

fn percent_encode(value: &str) -> String {
    value.bytes().fold(String::new(), |mut out, b| {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(Zeroizing::new(b"12345678901234567890".to_vec()))
    }

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, truncated to 6 digits.
        for (time, code) in [(59, 287082), (1111111109, 81804), (1111111111, 50471), (1234567890, 5924), (2000000000, 279037)] {
            assert_eq!(Totp::code(&rfc_secret(), Totp::step_at(time)), code, "t={time}");
        }
    }

    #[test]
    fn accepts_drift_refuses_replay() {
        let secret = rfc_secret();
        let now = 1_111_111_111;
        let step = Totp::step_at(now);
        let code = format!("{:06}", Totp::code(&secret, step - 1));
        assert_eq!(Totp::verify(&secret, &code, now, None), Some(step - 1));
        assert_eq!(Totp::verify(&secret, &code, now, Some(step - 1)), None);
        let old = format!("{:06}", Totp::code(&secret, step - 2));
        assert_eq!(Totp::verify(&secret, &old, now, None), None);
        assert_eq!(Totp::verify(&secret, "12345", now, None), None);
        assert_eq!(Totp::verify(&secret, "abcdef", now, None), None);
    }

    #[test]
    fn uri_is_well_formed() {
        let uri = Totp::otpauth_uri(&rfc_secret(), "Trustline acme", "alice@x");
        assert!(uri.starts_with("otpauth://totp/Trustline%20acme:alice%40x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"), "{}", uri.as_str());
    }
}
