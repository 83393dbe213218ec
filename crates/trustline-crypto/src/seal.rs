use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("sealed value is malformed or was not sealed for this place")]
    Open,
    #[error("sealing failed")]
    Seal,
}

/// AES-256-GCM for small secrets kept in the database (e.g. TOTP seeds).
/// The associated data names where the value belongs, so a ciphertext copied
/// to another row or column fails to open.
pub struct Sealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(aes-256-gcm)")
    }
}

impl Sealer {
    pub fn new(key: Zeroizing<[u8; 32]>) -> Result<Self, SealError> {
        let unbound = UnboundKey::new(&AES_256_GCM, key.as_ref()).map_err(|_| SealError::Seal)?;
        Ok(Self { key: LessSafeKey::new(unbound) })
    }

    /// nonce || ciphertext || tag, with a random 96-bit nonce.
    pub fn seal(&self, plaintext: &[u8], place: &str) -> Result<Vec<u8>, SealError> {
        let nonce_bytes = crate::random_bytes::<NONCE_LEN>();
        let nonce = Nonce::assume_unique_for_key(*nonce_bytes);
        let tag_len = AES_256_GCM.tag_len();
        let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + tag_len);
        out.extend_from_slice(nonce_bytes.as_ref());
        out.extend_from_slice(plaintext);
        let body = out.get_mut(NONCE_LEN..).ok_or(SealError::Seal)?;
        let tag = self.key.seal_in_place_separate_tag(nonce, Aad::from(place.as_bytes()), body).map_err(|_| SealError::Seal)?;
        out.extend_from_slice(tag.as_ref());
        Ok(out)
    }

    pub fn open(&self, sealed: &[u8], place: &str) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let (nonce, body) = sealed.split_at_checked(NONCE_LEN).ok_or(SealError::Open)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Open)?;
        let mut body = Zeroizing::new(body.to_vec());
        let plain_len = self.key.open_in_place(nonce, Aad::from(place.as_bytes()), &mut body).map_err(|_| SealError::Open)?.len();
        body.truncate(plain_len);
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_in_its_place() {
        let sealer = Sealer::new(Zeroizing::new([7u8; 32])).unwrap();
        let sealed = sealer.seal(b"seed", "user:1:totp").unwrap();
        assert_eq!(sealer.open(&sealed, "user:1:totp").unwrap().as_slice(), b"seed");
        assert!(sealer.open(&sealed, "user:2:totp").is_err());
        let mut flipped = sealed.clone();
        if let Some(last) = flipped.last_mut() {
            *last ^= 1;
        }
        assert!(sealer.open(&flipped, "user:1:totp").is_err());
        assert!(sealer.open(&[1, 2, 3], "user:1:totp").is_err());
    }
}
