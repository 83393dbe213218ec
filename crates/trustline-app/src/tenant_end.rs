//! Ending a tenant when the customer relationship ends: its keys and rows are
//! destroyed and a signed deletion certificate stays in its audit chain.

use crate::Keys;
use std::collections::BTreeMap;
use std::sync::Arc;
use trustline_audit::AuditDraft;
use trustline_crypto::hex;
use trustline_domain::AuditAction;
use trustline_domain::UnixTime;
use trustline_store::{DeletionCounts, Store, StoreResult, Tenant};

/// What was deleted, signed with the installation's checkpoint key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeletionCertificate {
    /// Canonical JSON (sorted keys): what the signature covers.
    pub statement: String,
    /// Ed25519 signature of `statement`, hex.
    pub signature: String,
    /// The key that verifies it (the audit checkpoint key), hex.
    pub public_key: String,
}

fn statement(tenant: &Tenant, at: UnixTime, counts: &DeletionCounts) -> String {
    let deleted: BTreeMap<&str, u64> = counts.iter().copied().collect();
    let body = serde_json::json!({
        "certificate": "tenant-deletion",
        "tenant_id": tenant.id,
        "tenant": tenant.slug,
        "ended_at": at,
        "deleted_rows": deleted,
        "keys_destroyed": deleted.get("tenant_keys").copied().unwrap_or(0) + deleted.get("tenant_index_keys").copied().unwrap_or(0),
    });
    body.to_string()
}

/// Deletes everything of `tenant` in one transaction whose audit event is
/// the signed certificate, then signs a checkpoint over the chain.
pub async fn end_tenant(
    store: &dyn Store,
    keys: &Arc<Keys>,
    tenant: &Tenant,
    at: UnixTime,
    actor: &str,
) -> StoreResult<DeletionCertificate> {
    let sign = |keys: &Keys, statement: &str| hex(&keys.checkpoint_signer.sign(statement.as_bytes()));
    let (signing, owned_tenant, owned_actor) = (keys.clone(), tenant.clone(), actor.to_owned());
    let certify: trustline_store::Certifier = Box::new(move |counts: &DeletionCounts| {
        let statement = statement(&owned_tenant, at, counts);
        let signature = sign(&signing, &statement);
        AuditDraft::new(at, owned_tenant.id.0, owned_actor, AuditAction::TenantEnd, format!("tenant:{}", owned_tenant.id))
            .detail("certificate", statement)
            .detail("signature", signature)
    });
    let counts = store.end_tenant(tenant.id, at, certify).await?;
    crate::checkpoints::write_checkpoints(store, &keys.checkpoint_signer, at).await?;
    // Ed25519 is deterministic: this is the certificate the audit event holds.
    let statement = statement(tenant, at, &counts);
    let signature = sign(keys, &statement);
    Ok(DeletionCertificate { statement, signature, public_key: hex(&keys.checkpoint_signer.public_key()) })
}
