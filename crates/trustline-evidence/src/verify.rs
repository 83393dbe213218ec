//! Verifying a bundle with nothing but the signing key's public half.

use crate::archive::{self, ArchiveError};
use crate::manifest::{CHECKPOINTS, CONTROLS, EVENTS, FORMAT, MANIFEST, Manifest, SIGNATURE, signed_message};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use trustline_audit::{EventBody, Hash, checkpoint_message, genesis_hash};
use trustline_crypto::{hex, hex_decode, sha256, verify_signature};

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error("the bundle has no {0}")]
    Missing(String),
    #[error("{file} is not valid: {why}")]
    Malformed { file: String, why: String },
    #[error("unknown bundle format {0:?} (this version reads {FORMAT})")]
    Format(String),
    #[error("the bundle is signed with key {found}, not the expected {expected}")]
    KeyMismatch { expected: String, found: String },
    #[error("the manifest's signature does not verify: the manifest was altered, or signed with another key")]
    Signature,
    #[error("{0} does not match its digest in the signed manifest: it was altered")]
    Digest(String),
    #[error("{0} is not listed in the signed manifest: it was added")]
    Unlisted(String),
    #[error("audit event {seq}: {why}")]
    Chain { seq: i64, why: String },
    #[error("the checkpoint at event {0} has an invalid signature")]
    CheckpointSignature(i64),
    #[error("the audit log is not pinned by a signed checkpoint: {0}")]
    Unanchored(String),
}

/// A bundle that verified, with what it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedBundle {
    pub manifest: Manifest,
    pub files: usize,
    pub events: usize,
    pub checkpoints: usize,
    /// Control statuses in the report: PASS, FAIL and MANUAL counts.
    pub passed: usize,
    pub failed: usize,
    pub manual: usize,
}

/// An audit event as the bundle stores it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventLine {
    tenant_id: i64,
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    target: String,
    outcome: String,
    source: String,
    details: String,
    prev_hash: String,
    hash: String,
    /// Needs the master key: checked on the installation only.
    #[serde(rename = "seal")]
    _seal: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointLine {
    tenant_id: i64,
    seq: i64,
    hash: String,
    at: i64,
    signature: String,
}

fn malformed(file: &str, why: impl ToString) -> BundleError {
    BundleError::Malformed { file: file.into(), why: why.to_string() }
}

fn hash_of(file: &str, text: &str) -> Result<Hash, BundleError> {
    hex_decode(text).and_then(|bytes| bytes.try_into().ok()).ok_or_else(|| malformed(file, format!("{text:?} is not a 32-byte hex hash")))
}

/// Verifies `bundle`; with `expected_key`, it must be signed with that key.
pub fn verify_bundle(bundle: &[u8], expected_key: Option<&[u8]>) -> Result<VerifiedBundle, BundleError> {
    let mut files: BTreeMap<String, Vec<u8>> = archive::read(bundle)?.into_iter().collect();
    let manifest_bytes = files.remove(MANIFEST).ok_or_else(|| BundleError::Missing(MANIFEST.into()))?;
    let signature = files.remove(SIGNATURE).ok_or_else(|| BundleError::Missing(SIGNATURE.into()))?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes).map_err(|e| malformed(MANIFEST, e))?;
    if manifest.format != FORMAT {
        return Err(BundleError::Format(manifest.format));
    }
    let key = hex_decode(&manifest.signing_key)
        .filter(|k| k.len() == 32)
        .ok_or_else(|| malformed(MANIFEST, "signing_key is not a 32-byte hex key"))?;
    if let Some(expected) = expected_key
        && expected != key.as_slice()
    {
        return Err(BundleError::KeyMismatch { expected: hex(expected), found: manifest.signing_key });
    }
    let signature = std::str::from_utf8(&signature).ok().and_then(|s| hex_decode(s.trim())).ok_or(BundleError::Signature)?;
    verify_signature(&key, &signed_message(&manifest_bytes), &signature).map_err(|_| BundleError::Signature)?;

    for listed in &manifest.files {
        let contents = files.get(&listed.path).ok_or_else(|| BundleError::Missing(listed.path.clone()))?;
        if contents.len() as u64 != listed.bytes || hex(&sha256(contents)) != listed.sha256 {
            return Err(BundleError::Digest(listed.path.clone()));
        }
    }
    if let Some(extra) = files.keys().find(|path| !manifest.files.iter().any(|f| &f.path == *path)) {
        return Err(BundleError::Unlisted(extra.clone()));
    }

    let file = |name: &str| files.get(name).ok_or_else(|| BundleError::Missing(name.into()));
    let checkpoints = checkpoints(&manifest, &key, file(CHECKPOINTS)?)?;
    let events = chain(&manifest, &checkpoints, file(EVENTS)?)?;
    let (passed, failed, manual) = statuses(file(CONTROLS)?)?;
    Ok(VerifiedBundle { files: manifest.files.len(), events, checkpoints: checkpoints.len(), passed, failed, manual, manifest })
}

/// The signed checkpoints, by position, each signature checked.
fn checkpoints(manifest: &Manifest, key: &[u8], bytes: &[u8]) -> Result<HashMap<i64, Hash>, BundleError> {
    let lines: Vec<CheckpointLine> = serde_json::from_slice(bytes).map_err(|e| malformed(CHECKPOINTS, e))?;
    if lines.len() != manifest.checkpoints {
        return Err(malformed(CHECKPOINTS, format!("{} checkpoints where the manifest lists {}", lines.len(), manifest.checkpoints)));
    }
    let mut pinned = HashMap::with_capacity(lines.len());
    for line in lines {
        let hash = hash_of(CHECKPOINTS, &line.hash)?;
        let signature = hex_decode(&line.signature).ok_or(BundleError::CheckpointSignature(line.seq))?;
        let message = checkpoint_message(line.tenant_id, line.seq, &hash, line.at);
        if line.tenant_id != manifest.tenant_id || verify_signature(key, &message, &signature).is_err() {
            return Err(BundleError::CheckpointSignature(line.seq));
        }
        pinned.insert(line.seq, hash);
    }
    Ok(pinned)
}

/// Recomputes every event's hash and link, and checks that signed
/// checkpoints pin the first event's predecessor and the last event.
fn chain(manifest: &Manifest, pinned: &HashMap<i64, Hash>, bytes: &[u8]) -> Result<usize, BundleError> {
    let text = std::str::from_utf8(bytes).map_err(|e| malformed(EVENTS, e))?;
    let mut expected_seq = manifest.first_seq;
    let mut prev: Option<Hash> = None;
    let mut count = 0;
    for (number, line) in text.lines().enumerate() {
        let event: EventLine = serde_json::from_str(line).map_err(|e| malformed(EVENTS, format!("line {}: {e}", number + 1)))?;
        let seq = event.seq;
        let fail = |why: &str| BundleError::Chain { seq, why: why.into() };
        if event.tenant_id != manifest.tenant_id {
            return Err(fail("it belongs to another tenant"));
        }
        if seq != expected_seq {
            return Err(BundleError::Chain {
                seq: expected_seq,
                why: format!("found event {seq} in its place: events were removed, added or reordered"),
            });
        }
        let prev_hash = hash_of(EVENTS, &event.prev_hash)?;
        let hash = hash_of(EVENTS, &event.hash)?;
        let expected_prev = match prev {
            Some(hash) => hash,
            None if seq == 1 => genesis_hash(manifest.tenant_id),
            None => *pinned
                .get(&(seq - 1))
                .ok_or_else(|| BundleError::Unanchored(format!("no signed checkpoint at event {} precedes the first event", seq - 1)))?,
        };
        if prev_hash != expected_prev {
            return Err(fail("its link to the previous event is broken"));
        }
        let body = EventBody {
            tenant_id: event.tenant_id,
            seq,
            at: event.at,
            actor: event.actor,
            action: event.action,
            target: event.target,
            outcome: event.outcome,
            source: event.source,
            details: event.details,
        };
        if body.hash(&prev_hash) != hash {
            return Err(fail("its contents do not match its hash: the event was edited"));
        }
        if pinned.get(&seq).is_some_and(|signed| *signed != hash) {
            return Err(fail("it does not match the signed checkpoint at its position"));
        }
        prev = Some(hash);
        expected_seq += 1;
        count += 1;
    }
    let last = expected_seq - 1;
    if count == 0 {
        return if manifest.first_seq == 0 && manifest.last_seq == 0 && pinned.is_empty() {
            Ok(0)
        } else {
            Err(malformed(EVENTS, "no events where the manifest lists some"))
        };
    }
    if last != manifest.last_seq {
        return Err(BundleError::Chain { seq: last, why: format!("the log ends here but the manifest says {}", manifest.last_seq) });
    }
    if !pinned.contains_key(&last) {
        return Err(BundleError::Unanchored(format!("no signed checkpoint at the last event ({last})")));
    }
    if let Some(outside) = pinned.keys().find(|seq| **seq < manifest.first_seq - 1 || **seq > last) {
        return Err(malformed(CHECKPOINTS, format!("a checkpoint at event {outside} lies outside the bundled log")));
    }
    Ok(count)
}

/// How many controls the report shows as PASS, FAIL and MANUAL.
fn statuses(bytes: &[u8]) -> Result<(usize, usize, usize), BundleError> {
    let report: Value = serde_json::from_slice(bytes).map_err(|e| malformed(CONTROLS, e))?;
    let controls = report.get("controls").and_then(Value::as_array).ok_or_else(|| malformed(CONTROLS, "no controls array"))?;
    let count = |status: &str| controls.iter().filter(|c| c.get("status").and_then(Value::as_str) == Some(status)).count();
    Ok((count("PASS"), count("FAIL"), count("MANUAL")))
}
