//! Keys and cryptographic primitives used across Trustline.
//!
//! Every key hangs off one master key that lives outside the database (a file
//! or the environment); see `keyring` for the hierarchy. Secret material is held in zeroizing types and
//! never implements `Debug` with its contents.

mod base32;
mod keyring;
mod mac;
mod master_key;
mod password;
mod random;
mod relay_secret;
mod seal;
mod signing;
mod sip_digest;
mod totp;

pub use base32::{base32_decode, base32_encode};
pub use keyring::{BlindIndexKey, InstallationSecret, Keyring, SubjectKey, TenantKey};
pub use mac::{ValueMac, hex, hex_decode, hmac_sha256_hex, sha256};
pub use master_key::{KeyError, MasterKey};
pub use password::{PasswordHashError, PasswordHasher};
pub use random::{SecretToken, random_bytes, random_password, recovery_code};
pub use relay_secret::RelaySecret;
pub use seal::{SealError, Sealer};
pub use signing::{CheckpointSigner, SignatureError, verify_signature};
pub use sip_digest::{DigestAlgorithm, DigestAnswer, DigestSecrets};
pub use totp::{Totp, TotpSecret};
