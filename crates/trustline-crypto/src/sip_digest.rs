//! SIP digest authentication (RFC 3261 §22.4 over RFC 2617, and RFC 7616's
//! SHA-256, RFC 8760) for agents' desk phones. The password itself is
//! never kept: only its HA1 per algorithm, which is as good as the
//! password for this realm and so is sealed like any secret.

use md5::Md5;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The digest algorithms desk phones use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Md5,
    Sha256,
}

impl DigestAlgorithm {
    /// The name in `algorithm=`; absent means MD5.
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Sha256 => "SHA-256",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "MD5" => Some(Self::Md5),
            "SHA-256" => Some(Self::Sha256),
            _ => None,
        }
    }

    fn hex(self, text: &str) -> String {
        match self {
            Self::Md5 => crate::hex(&Md5::digest(text.as_bytes())),
            Self::Sha256 => crate::hex(&Sha256::digest(text.as_bytes())),
        }
    }
}

/// A login's HA1 (`H(username:realm:password)`) for each algorithm, as hex.
#[derive(Clone, PartialEq, Eq)]
pub struct DigestSecrets {
    pub md5: Zeroizing<String>,
    pub sha256: Zeroizing<String>,
}

impl std::fmt::Debug for DigestSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestSecrets(<redacted>)")
    }
}

impl DigestSecrets {
    pub fn new(username: &str, realm: &str, password: &str) -> Self {
        let a1 = Zeroizing::new(format!("{username}:{realm}:{password}"));
        Self { md5: Zeroizing::new(DigestAlgorithm::Md5.hex(&a1)), sha256: Zeroizing::new(DigestAlgorithm::Sha256.hex(&a1)) }
    }

    /// Both, as one sealable text (`md5 sha256`).
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{} {}", *self.md5, *self.sha256))
    }

    pub fn from_text(text: &str) -> Option<Self> {
        let (md5, sha256) = text.split_once(' ')?;
        let hex = |value: &str, length: usize| value.len() == length && value.bytes().all(|b| b.is_ascii_hexdigit());
        (hex(md5, 32) && hex(sha256, 64)).then(|| Self { md5: Zeroizing::new(md5.to_owned()), sha256: Zeroizing::new(sha256.to_owned()) })
    }

    fn ha1(&self, algorithm: DigestAlgorithm) -> &str {
        match algorithm {
            DigestAlgorithm::Md5 => &self.md5,
            DigestAlgorithm::Sha256 => &self.sha256,
        }
    }
}

/// What a phone's `Authorization` header answers to a challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestAnswer {
    pub algorithm: DigestAlgorithm,
    pub method: String,
    pub uri: String,
    pub nonce: String,
    /// `qop=auth` with its count and client nonce, or none (RFC 2069 form).
    pub quality: Option<(String, String)>,
    pub response: String,
}

impl DigestAnswer {
    /// Whether the answer proves the password behind `secrets`, compared
    /// in constant time.
    pub fn proves(&self, secrets: &DigestSecrets) -> bool {
        let ha1 = secrets.ha1(self.algorithm);
        let ha2 = self.algorithm.hex(&format!("{}:{}", self.method, self.uri));
        let expected = Zeroizing::new(match &self.quality {
            Some((count, client_nonce)) => self.algorithm.hex(&format!("{ha1}:{}:{count}:{client_nonce}:auth:{ha2}", self.nonce)),
            None => self.algorithm.hex(&format!("{ha1}:{}:{ha2}", self.nonce)),
        });
        expected.as_bytes().ct_eq(self.response.to_ascii_lowercase().as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2617 §3.5: Mufasa at testrealm@host.com.
    fn mufasa(quality: Option<(&str, &str)>, response: &str) -> DigestAnswer {
        DigestAnswer {
            algorithm: DigestAlgorithm::Md5,
            method: "GET".into(),
            uri: "/dir/index.html".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            quality: quality.map(|(count, client)| (count.into(), client.into())),
            response: response.into(),
        }
    }

    #[test]
    fn the_rfc_2617_example_is_proved_and_a_wrong_password_is_not() {
        let secrets = DigestSecrets::new("Mufasa", "testrealm@host.com", "Circle Of Life");
        let answer = mufasa(Some(("00000001", "0a4f113b")), "6629fae49393a05397450978507c4ef1");
        assert!(answer.proves(&secrets));
        assert!(!answer.proves(&DigestSecrets::new("Mufasa", "testrealm@host.com", "Circle of Life")));
        let changed = DigestAnswer { uri: "/dir/other.html".into(), ..answer };
        assert!(!changed.proves(&secrets), "the answer is bound to its URI");
    }

    #[test]
    fn rfc_7616s_sha_256_example_is_proved() {
        let secrets = DigestSecrets::new("Mufasa", "http-auth@example.org", "Circle of Life");
        let answer = DigestAnswer {
            algorithm: DigestAlgorithm::Sha256,
            method: "GET".into(),
            uri: "/dir/index.html".into(),
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".into(),
            quality: Some(("00000001".into(), "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ".into())),
            response: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1".into(),
        };
        assert!(answer.proves(&secrets));
    }

    #[test]
    fn secrets_read_back_from_their_text_and_nothing_else_does() {
        let secrets = DigestSecrets::new("d4k2", "trustline", "pass");
        assert_eq!(DigestSecrets::from_text(&secrets.to_text()), Some(secrets.clone()));
        assert!(!format!("{secrets:?}").contains(&*secrets.md5));
        for bad in ["", "abc", "zz def", &format!("{} {}", "g".repeat(32), "0".repeat(64))] {
            assert_eq!(DigestSecrets::from_text(bad), None, "{bad}");
        }
    }
}
