use crate::Hash;
use serde::Serialize;

/// A signed statement that tenant `tenant_id`'s chain had `hash` at `seq`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    pub tenant_id: i64,
    pub seq: i64,
    #[serde(serialize_with = "hex32")]
    pub hash: Hash,
    pub at: i64,
    #[serde(serialize_with = "hex64")]
    pub signature: Vec<u8>,
}

fn hex32<S: serde::Serializer>(bytes: &Hash, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&trustline_crypto::hex(bytes))
}

fn hex64<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&trustline_crypto::hex(bytes))
}

/// The bytes that are signed.
pub fn checkpoint_message(tenant_id: i64, seq: i64, hash: &Hash, at: i64) -> Vec<u8> {
    let mut out = b"trustline-audit-checkpoint-v1".to_vec();
    out.extend_from_slice(&tenant_id.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out.extend_from_slice(hash);
    out.extend_from_slice(&at.to_be_bytes());
    out
}
