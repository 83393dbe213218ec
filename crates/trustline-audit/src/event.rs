use serde::Serialize;
use trustline_crypto::{ValueMac, sha256};

pub type Hash = [u8; 32];

/// The hashed part of an event, in chain position `seq` (1-based).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct EventBody {
    pub tenant_id: i64,
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// The client address, or `system` and the like for the service's own work.
    pub source: String,
    /// A JSON object of strings, as hashed.
    pub details: String,
}

impl EventBody {
    /// Length-prefixed fields, so no two different events encode alike.
    fn canonical(&self, prev_hash: &Hash) -> Vec<u8> {
        let mut out = Vec::with_capacity(160 + self.details.len());
        out.extend_from_slice(b"trustline-audit-v1");
        out.extend_from_slice(prev_hash);
        for number in [self.tenant_id, self.seq, self.at] {
            out.extend_from_slice(&number.to_be_bytes());
        }
        for text in [&self.actor, &self.action, &self.target, &self.outcome, &self.source, &self.details] {
            out.extend_from_slice(&(text.len() as u64).to_be_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out
    }

    pub fn hash(&self, prev_hash: &Hash) -> Hash {
        sha256(&self.canonical(prev_hash))
    }
}

/// An event as stored: body, link to its predecessor, its hash and its seal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StoredEvent {
    #[serde(flatten)]
    pub body: EventBody,
    #[serde(serialize_with = "hex")]
    #[schemars(with = "HexHash")]
    pub prev_hash: Hash,
    #[serde(serialize_with = "hex")]
    #[schemars(with = "HexHash")]
    pub hash: Hash,
    #[serde(serialize_with = "hex")]
    #[schemars(with = "HexHash")]
    pub seal: Hash,
}

/// How a hash is written: 64 lower-case hex digits.
struct HexHash;

impl schemars::JsonSchema for HexHash {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HexHash".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[0-9a-f]{64}$" })
    }
}

fn hex<S: serde::Serializer>(bytes: &Hash, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&trustline_crypto::hex(bytes))
}

/// The last link of a tenant's chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainHead {
    pub tenant_id: i64,
    pub seq: i64,
    pub hash: Hash,
}

/// The first `prev_hash` of a tenant's chain.
pub fn genesis_hash(tenant_id: i64) -> Hash {
    let mut seed = b"trustline-audit-genesis".to_vec();
    seed.extend_from_slice(&tenant_id.to_be_bytes());
    sha256(&seed)
}

/// The key that seals each event hash. Without it a consistent chain cannot be
/// forged, even by someone who can rewrite every row.
pub struct ChainKeys {
    seal: ValueMac,
}

impl ChainKeys {
    pub fn new(seal: ValueMac) -> Self {
        Self { seal }
    }

    pub fn seal(&self, hash: &Hash) -> Hash {
        self.seal.mac(hash)
    }

    pub fn seal_matches(&self, hash: &Hash, seal: &Hash) -> bool {
        self.seal.verify(hash, seal)
    }

    /// Places drafts, in order, at the ends of their tenants' chains. `heads`
    /// holds `(tenant, seq, hash)` of each chain and is advanced in place; a
    /// tenant missing from it starts a new chain.
    pub fn link_batch(&self, heads: &mut Vec<ChainHead>, drafts: Vec<crate::AuditDraft>) -> Vec<StoredEvent> {
        let mut events = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let tenant = draft.tenant_id;
            let position = match heads.iter().position(|h| h.tenant_id == tenant) {
                Some(position) => position,
                None => {
                    heads.push(ChainHead { tenant_id: tenant, seq: 0, hash: genesis_hash(tenant) });
                    heads.len() - 1
                }
            };
            if let Some(head) = heads.get_mut(position) {
                let event = self.link(head.hash, draft.into_body(head.seq + 1));
                head.seq = event.body.seq;
                head.hash = event.hash;
                events.push(event);
            }
        }
        events
    }

    /// Places `body` after `prev_hash`.
    pub fn link(&self, prev_hash: Hash, body: EventBody) -> StoredEvent {
        let hash = body.hash(&prev_hash);
        StoredEvent { seal: self.seal(&hash), body, prev_hash, hash }
    }
}
