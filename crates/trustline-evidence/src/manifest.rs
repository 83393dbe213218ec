//! The signed table of contents of a bundle.

use serde::{Deserialize, Serialize};

/// The bundle format this version writes and reads.
pub const FORMAT: &str = "trustline-evidence-v1";
pub const MANIFEST: &str = "manifest.json";
/// The manifest's Ed25519 signature, in hex.
pub const SIGNATURE: &str = "manifest.sig";
pub const CONTROLS: &str = "report/controls.json";
pub const EVENTS: &str = "audit/events.jsonl";
pub const CHECKPOINTS: &str = "audit/checkpoints.json";

/// What a bundle holds and for which tenant and period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub tenant: String,
    pub tenant_id: i64,
    /// Unix seconds, from inclusive, to exclusive.
    pub period_from: i64,
    pub period_to: i64,
    pub generated_at: i64,
    /// The installation's audit signing key (Ed25519, hex): the checkpoints
    /// and this manifest verify with it.
    pub signing_key: String,
    /// The audit events in the bundle: positions `first_seq..=last_seq`.
    pub first_seq: i64,
    pub last_seq: i64,
    pub checkpoints: usize,
    pub files: Vec<ManifestFile>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestFile {
    pub path: String,
    pub bytes: u64,
    /// Hex SHA-256 of the contents.
    pub sha256: String,
}

/// The bytes signed: the manifest exactly as stored, under a label of its own.
pub fn signed_message(manifest: &[u8]) -> Vec<u8> {
    let mut message = b"trustline-evidence-manifest-v1".to_vec();
    message.extend_from_slice(manifest);
    message
}
