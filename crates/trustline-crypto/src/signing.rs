use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use zeroize::Zeroizing;

#[derive(Debug, thiserror::Error)]
pub enum SignatureError {
    #[error("public key is malformed")]
    PublicKey,
    #[error("signature is malformed")]
    Malformed,
    #[error("signature does not match")]
    Mismatch,
}

/// Signs audit checkpoints with Ed25519. The key is derived from the
/// installation secret; the public half is published with every export so anyone can check
/// checkpoints without access to secrets.
pub struct CheckpointSigner {
    key: SigningKey,
}

impl std::fmt::Debug for CheckpointSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckpointSigner(ed25519)")
    }
}

impl CheckpointSigner {
    pub fn from_seed(seed: Zeroizing<[u8; 32]>) -> Self {
        Self { key: SigningKey::from_bytes(&seed) }
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

pub fn verify_signature(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
    let public_key = <[u8; 32]>::try_from(public_key).map_err(|_| SignatureError::PublicKey)?;
    let key = VerifyingKey::from_bytes(&public_key).map_err(|_| SignatureError::PublicKey)?;
    let signature = Signature::from_slice(signature).map_err(|_| SignatureError::Malformed)?;
    key.verify(message, &signature).map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_detect_changes() {
        let signer = CheckpointSigner::from_seed(Zeroizing::new([9u8; 32]));
        let sig = signer.sign(b"checkpoint");
        assert!(verify_signature(&signer.public_key(), b"checkpoint", &sig).is_ok());
        assert!(matches!(verify_signature(&signer.public_key(), b"checkpoinT", &sig), Err(SignatureError::Mismatch)));
        assert!(verify_signature(&signer.public_key(), b"checkpoint", &sig[..10]).is_err());
    }
}
