//! A desk phone's `Authorization: Digest ...` header (RFC 3261 §25.1,
//! RFC 7616 §3.4), read as sent: the URI is kept as the phone wrote it,
//! since its answer is computed over those very characters. Outside input:
//! bounded, every parameter checked, each refusal says why.

use trustline_crypto::DigestAlgorithm;

/// Longest header read; a phone's answer is a few hundred bytes.
const MAX_LEN: usize = 2048;

/// The parameters of a digest answer this side checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestCredentials {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    pub response: String,
    pub algorithm: DigestAlgorithm,
    /// `nc` and `cnonce` when `qop=auth`.
    pub quality: Option<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DigestHeaderError {
    #[error("the Authorization header is longer than {MAX_LEN} bytes")]
    TooLong,
    #[error("the Authorization header is not of the Digest scheme")]
    NotDigest,
    #[error("a digest parameter is not `name=value` with a closed quote")]
    Malformed,
    #[error("the digest answer lacks username, realm, nonce, uri or response")]
    Missing,
    #[error("the digest algorithm is neither MD5 nor SHA-256")]
    Algorithm,
    #[error("only qop=auth is taken, with its nc and cnonce")]
    Quality,
}

impl DigestCredentials {
    pub fn parse(header: &str) -> Result<Self, DigestHeaderError> {
        if header.len() > MAX_LEN {
            return Err(DigestHeaderError::TooLong);
        }
        let text = header.trim();
        let (scheme, rest) = text.split_once(|c: char| c.is_ascii_whitespace()).ok_or(DigestHeaderError::NotDigest)?;
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(DigestHeaderError::NotDigest);
        }
        let params = parameters(rest)?;
        let find = |name: &str| params.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.clone());
        let required = |name: &str| find(name).filter(|value| !value.is_empty()).ok_or(DigestHeaderError::Missing);
        let algorithm = match find("algorithm") {
            None => DigestAlgorithm::Md5,
            Some(name) => DigestAlgorithm::from_name(&name).ok_or(DigestHeaderError::Algorithm)?,
        };
        let quality = match find("qop") {
            None => None,
            Some(qop) if qop.eq_ignore_ascii_case("auth") => {
                let count = find("nc").filter(|nc| nc.len() == 8 && nc.bytes().all(|b| b.is_ascii_hexdigit()));
                let client = find("cnonce").filter(|cnonce| !cnonce.is_empty());
                Some(count.zip(client).ok_or(DigestHeaderError::Quality)?)
            }
            Some(_) => return Err(DigestHeaderError::Quality),
        };
        Ok(Self {
            username: required("username")?,
            realm: required("realm")?,
            nonce: required("nonce")?,
            uri: required("uri")?,
            response: required("response")?,
            algorithm,
            quality,
        })
    }
}

/// `name=value` pairs separated by commas; a value may be quoted (with
/// backslash escapes) and hold commas.
fn parameters(text: &str) -> Result<Vec<(String, String)>, DigestHeaderError> {
    let mut found = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=').ok_or(DigestHeaderError::Malformed)?;
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(DigestHeaderError::Malformed);
        }
        let after = after.trim_start();
        let (value, remaining) = match after.strip_prefix('"') {
            Some(quoted) => {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let end = loop {
                    match chars.next() {
                        Some((_, '\\')) => value.push(chars.next().ok_or(DigestHeaderError::Malformed)?.1),
                        Some((at, '"')) => break at,
                        Some((_, c)) => value.push(c),
                        None => return Err(DigestHeaderError::Malformed),
                    }
                };
                (value, quoted.get(end + 1..).unwrap_or_default())
            }
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after[..end].trim().to_owned(), &after[end..])
            }
        };
        found.push((name.to_owned(), value));
        let remaining = remaining.trim_start();
        rest = match remaining.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if remaining.is_empty() => remaining,
            None => return Err(DigestHeaderError::Malformed),
        };
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What baresip sends.
    const PHONE: &str = "Digest username=\"dq3x\",realm=\"trustline\",nonce=\"MTcwMDAwMDAwMA,abc\",uri=\"sip:127.0.0.1:5061;transport=tls\",\
        response=\"6629fae49393a05397450978507c4ef1\",algorithm=MD5,cnonce=\"0a4f113b\",qop=auth,nc=00000001";

    #[test]
    fn a_phones_answer_is_read_as_written() {
        let read = DigestCredentials::parse(PHONE).unwrap();
        assert_eq!((read.username.as_str(), read.realm.as_str()), ("dq3x", "trustline"));
        assert_eq!(read.nonce, "MTcwMDAwMDAwMA,abc", "a comma inside quotes stays");
        assert_eq!(read.uri, "sip:127.0.0.1:5061;transport=tls", "the URI as sent");
        assert_eq!(read.quality, Some(("00000001".into(), "0a4f113b".into())));
        assert_eq!(read.algorithm, DigestAlgorithm::Md5);
        let plain = DigestCredentials::parse("digest username=a, realm=r, nonce=n, uri=\"sip:x\", response=ff").unwrap();
        assert_eq!((plain.quality, plain.algorithm), (None, DigestAlgorithm::Md5));
        let sha = PHONE.replace("algorithm=MD5", "algorithm=SHA-256");
        assert_eq!(DigestCredentials::parse(&sha).unwrap().algorithm, DigestAlgorithm::Sha256);
        let escaped = DigestCredentials::parse("Digest username=\"a\\\"b\", realm=r, nonce=n, uri=u, response=f").unwrap();
        assert_eq!(escaped.username, "a\"b");
    }

    #[test]
    fn bad_answers_say_why() {
        assert_eq!(DigestCredentials::parse("Basic dXNlcjpwYXNz"), Err(DigestHeaderError::NotDigest));
        assert_eq!(DigestCredentials::parse("Digest"), Err(DigestHeaderError::NotDigest));
        assert_eq!(DigestCredentials::parse("Digest username=\"open"), Err(DigestHeaderError::Malformed));
        assert_eq!(DigestCredentials::parse("Digest username"), Err(DigestHeaderError::Malformed));
        assert_eq!(DigestCredentials::parse("Digest username=a realm=b"), Err(DigestHeaderError::Missing));
        assert_eq!(DigestCredentials::parse("Digest username=a"), Err(DigestHeaderError::Missing));
        assert_eq!(DigestCredentials::parse(&PHONE.replace("algorithm=MD5", "algorithm=MD5-sess")), Err(DigestHeaderError::Algorithm));
        assert_eq!(DigestCredentials::parse(&PHONE.replace("qop=auth", "qop=auth-int")), Err(DigestHeaderError::Quality));
        assert_eq!(DigestCredentials::parse(&PHONE.replace("nc=00000001", "nc=1")), Err(DigestHeaderError::Quality));
        assert_eq!(DigestCredentials::parse(&format!("Digest username=\"{}\"", "a".repeat(3000))), Err(DigestHeaderError::TooLong));
    }

    proptest! {
        #[test]
        fn any_header_is_read_or_refused_without_panic(header in "(Digest )?([a-z]{1,8}=(\"[ -~]{0,12}\"|[!-~]{0,8}), ?){0,10}") {
            let _ = DigestCredentials::parse(&header);
        }
    }
}
