use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::{Zeroize, Zeroizing};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("master key must be 32 bytes encoded as base64 (got {0} bytes)")]
    WrongLength(usize),
    #[error("master key is not valid base64")]
    NotBase64,
}

/// The root of every key in a Trustline installation. Kept in a file readable
/// only by the service account, or in `TRUSTLINE_MASTER_KEY`; never stored in
/// the database, so a stolen database alone reveals no secret.
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        crate::random::fill(bytes.as_mut());
        Self(bytes)
    }

    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let mut decoded = STANDARD.decode(text.trim()).map_err(|_| KeyError::NotBase64)?;
        let result =
            <[u8; 32]>::try_from(decoded.as_slice()).map(|b| Self(Zeroizing::new(b))).map_err(|_| KeyError::WrongLength(decoded.len()));
        decoded.zeroize();
        result
    }

    /// The text written to the key file.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.0.as_ref()))
    }

    /// Writes the key to a new file readable by its owner only; refuses to
    /// overwrite an existing file, and syncs it to disk before returning.
    #[cfg(unix)]
    pub fn write_new_file(&self, path: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        file.write_all(self.to_base64().as_bytes())?;
        file.sync_all()
    }

    /// A purpose-bound 32-byte key: HMAC-SHA256(master, label). Distinct labels
    /// give independent keys, so one compromised purpose does not expose another.
    pub fn derive(&self, label: &str) -> Zeroizing<[u8; 32]> {
        derive(&self.0, label)
    }

    /// A public identifier of this key (a MAC of a fixed label, truncated).
    pub fn fingerprint(&self) -> [u8; 16] {
        let full = self.derive("fingerprint");
        let mut out = [0u8; 16];
        out.copy_from_slice(full.get(..16).unwrap_or(&[0u8; 16]));
        out
    }
}

pub(crate) fn derive(key: &[u8; 32], label: &str) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(crate::mac::hmac_sha256(key, &[b"trustline/v1/", label.as_bytes()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_derives_distinct_keys() {
        let key = MasterKey::generate();
        let again = MasterKey::from_base64(&key.to_base64()).unwrap();
        assert_eq!(key.derive("a").as_ref(), again.derive("a").as_ref());
        assert_ne!(key.derive("a").as_ref(), key.derive("b").as_ref());
        assert!(matches!(MasterKey::from_base64("AAAA"), Err(KeyError::WrongLength(3))));
        assert!(matches!(MasterKey::from_base64("!!"), Err(KeyError::NotBase64)));
        assert_eq!(format!("{key:?}"), "MasterKey(..)");
    }
}
